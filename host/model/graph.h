// The host's in-memory model: what importers and trainers produce, what the
// memory planner annotates and the capsule writer serialises. Operator
// parameters use the capsule schema's object types, so there is one
// definition of every parameter block.
#ifndef LOCUS_HOST_MODEL_GRAPH_H_
#define LOCUS_HOST_MODEL_GRAPH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "locus/schema/capsule_generated.h"

namespace locus::host {

struct TensorDef {
  std::string name;
  schema::TensorType type = schema::TensorType::Int8;
  std::vector<int32_t> shape;
  // Quantisation: empty for float tensors; one entry per tensor or one per
  // channel along quantized_dimension.
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int32_t quantized_dimension = 0;
  bool constant = false;
  std::vector<uint8_t> data;  // constant tensors only
  uint32_t arena_offset = 0;  // set by the memory planner for non-constants

  int64_t element_count() const;
  size_t byte_size() const;
};

struct OperatorDef {
  schema::OpKind kind = schema::OpKind::Conv2D;
  std::vector<int32_t> inputs;  // -1 marks an absent optional input
  std::vector<int32_t> outputs;
  schema::OpParamsUnion params;
};

struct Graph {
  std::vector<TensorDef> tensors;
  std::vector<OperatorDef> operators;  // execution order
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  uint32_t arena_bytes = 0;
  uint32_t arena_lower_bound = 0;
};

size_t tensor_type_size(schema::TensorType type);
const char* tensor_type_name(schema::TensorType type);

}  // namespace locus::host

#endif  // LOCUS_HOST_MODEL_GRAPH_H_
