#include "host/model/graph.h"

#include "runtime/ops/op_context.h"

namespace locus::host {

int64_t TensorDef::element_count() const {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

size_t TensorDef::byte_size() const {
  return static_cast<size_t>(element_count()) * tensor_type_size(type);
}

size_t tensor_type_size(schema::TensorType type) { return ops::type_size(type); }

const char* tensor_type_name(schema::TensorType type) {
  switch (type) {
    case schema::TensorType::Float32: return "float32";
    case schema::TensorType::Int8: return "int8";
    case schema::TensorType::Int16: return "int16";
    case schema::TensorType::Int32: return "int32";
    case schema::TensorType::UInt8: return "uint8";
  }
  return "unknown";
}

}  // namespace locus::host
