#include "host/tflite/tflite_reader.h"

#include <algorithm>
#include <cstring>

#include "host/common/error.h"
#include "host/tflite/tflite_table_view.h"

namespace locus::host::tflite {
namespace {

constexpr uint32_t kSchemaVersion = 3;

std::string at(const std::string& where, const char* what, size_t index) {
  return where + " " + what + " " + std::to_string(index);
}

BufferInfo read_buffer(VerifiedFile& file, const uint8_t* table, const std::string& where) {
  namespace f = buffer_field;
  const TableView t(file, table, where);
  BufferInfo buffer;
  buffer.data = t.byte_vector(f::kData, "data");
  const uint64_t offset = t.scalar<uint64_t>(f::kOffset, 0, "offset");
  const uint64_t size = t.scalar<uint64_t>(f::kSize, 0, "size");
  // Offsets 0 and 1 mean "not stored outside" (1 is a converter placeholder).
  if (offset > 1) {
    const uint64_t file_size = file.bytes().size();
    if (offset > file_size || size > file_size - offset) {
      fail(where, ": data at offset ", offset, " size ", size, " lies outside the file (",
           file_size, " bytes)");
    }
    buffer.data = file.bytes().subspan(offset, size);
    buffer.stored_outside_flatbuffer = true;
  }
  return buffer;
}

OperatorCodeInfo read_operator_code(VerifiedFile& file, const uint8_t* table,
                                    const std::string& where) {
  namespace f = operator_code_field;
  const TableView t(file, table, where);
  OperatorCodeInfo code;
  const int8_t deprecated =
      t.scalar<int8_t>(f::kDeprecatedBuiltinCode, 0, "deprecated_builtin_code");
  const int32_t builtin = t.scalar<int32_t>(f::kBuiltinCode, 0, "builtin_code");
  code.builtin_code = std::max<int32_t>(deprecated, builtin);
  code.custom_code = t.string(f::kCustomCode, "custom_code");
  code.version = t.scalar<int32_t>(f::kVersion, 1, "version");
  return code;
}

QuantizationInfo read_quantization(VerifiedFile& file, const uint8_t* table,
                                   const std::string& where) {
  namespace f = quantization_field;
  const TableView t(file, table, where);
  QuantizationInfo q;
  q.min = t.scalar_vector<float>(f::kMin, "min");
  q.max = t.scalar_vector<float>(f::kMax, "max");
  q.scale = t.scalar_vector<float>(f::kScale, "scale");
  q.zero_point = t.scalar_vector<int64_t>(f::kZeroPoint, "zero_point");
  q.details_type = t.scalar<uint8_t>(f::kDetailsType, 0, "details_type");
  if (const uint8_t* details = t.table(f::kDetails, "details")) {
    const TableView details_view(file, details, where + ": details");
    if (q.details_type == 0) q.details_type = 0xFF;  // present but untagged: still "custom"
  }
  q.quantized_dimension = t.scalar<int32_t>(f::kQuantizedDimension, 0, "quantized_dimension");
  return q;
}

TensorInfo read_tensor(VerifiedFile& file, const uint8_t* table, const std::string& where,
                       size_t buffer_count) {
  namespace f = tensor_field;
  const TableView t(file, table, where);
  TensorInfo tensor;
  tensor.shape = t.scalar_vector<int32_t>(f::kShape, "shape");
  tensor.type = t.scalar<int8_t>(f::kType, 0, "type");
  tensor.buffer = t.scalar<uint32_t>(f::kBuffer, 0, "buffer");
  if (tensor.buffer >= buffer_count) {
    fail(where, ": buffer index ", tensor.buffer, " out of range (", buffer_count, " buffers)");
  }
  tensor.name = t.string(f::kName, "name");
  if (const uint8_t* quantization = t.table(f::kQuantization, "quantization")) {
    tensor.has_quantization = true;
    tensor.quantization = read_quantization(file, quantization, where + ": quantization");
  }
  tensor.is_variable = t.boolean(f::kIsVariable, false, "is_variable");
  tensor.is_sparse = t.table(f::kSparsity, "sparsity") != nullptr;
  return tensor;
}

// Checks tensor indices of an operator or subgraph; -1 only where allowed.
void check_tensor_indices(const std::vector<int32_t>& indices, size_t tensor_count,
                          bool allow_absent, const std::string& where, const char* what) {
  for (size_t i = 0; i < indices.size(); ++i) {
    const int32_t index = indices[i];
    if (index == -1 && allow_absent) continue;
    if (index < 0 || static_cast<size_t>(index) >= tensor_count) {
      fail(where, ": ", what, " ", i, ": tensor index ", index, " out of range (", tensor_count,
           " tensors)");
    }
  }
}

OperatorInfo read_operator(VerifiedFile& file, const uint8_t* table, const std::string& where,
                           size_t tensor_count, size_t code_count) {
  namespace f = operator_field;
  const TableView t(file, table, where);
  OperatorInfo op;
  op.opcode_index = t.scalar<uint32_t>(f::kOpcodeIndex, 0, "opcode_index");
  if (op.opcode_index >= code_count) {
    fail(where, ": opcode index ", op.opcode_index, " out of range (", code_count,
         " operator codes)");
  }
  op.inputs = t.scalar_vector<int32_t>(f::kInputs, "inputs");
  op.outputs = t.scalar_vector<int32_t>(f::kOutputs, "outputs");
  op.intermediates = t.scalar_vector<int32_t>(f::kIntermediates, "intermediates");
  check_tensor_indices(op.inputs, tensor_count, true, where, "input");
  check_tensor_indices(op.outputs, tensor_count, true, where, "output");
  check_tensor_indices(op.intermediates, tensor_count, true, where, "intermediate");
  op.builtin_options_type = t.scalar<uint8_t>(f::kBuiltinOptionsType, 0, "builtin_options_type");
  op.builtin_options = read_builtin_options(file, op.builtin_options_type,
                                            t.table(f::kBuiltinOptions, "builtin_options"), where);
  op.has_custom_options = !t.byte_vector(f::kCustomOptions, "custom_options").empty();
  return op;
}

SubGraphInfo read_subgraph(VerifiedFile& file, const uint8_t* table, const std::string& where,
                           size_t buffer_count, size_t code_count) {
  namespace f = subgraph_field;
  const TableView t(file, table, where);
  SubGraphInfo subgraph;
  subgraph.name = t.string(f::kName, "name");
  const auto tensors = t.table_vector(f::kTensors, "tensors");
  subgraph.tensors.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    subgraph.tensors.push_back(read_tensor(file, tensors[i], at(where, "tensor", i), buffer_count));
  }
  subgraph.inputs = t.scalar_vector<int32_t>(f::kInputs, "inputs");
  subgraph.outputs = t.scalar_vector<int32_t>(f::kOutputs, "outputs");
  check_tensor_indices(subgraph.inputs, tensors.size(), false, where, "input");
  check_tensor_indices(subgraph.outputs, tensors.size(), false, where, "output");
  const auto operators = t.table_vector(f::kOperators, "operators");
  subgraph.operators.reserve(operators.size());
  for (size_t i = 0; i < operators.size(); ++i) {
    subgraph.operators.push_back(
        read_operator(file, operators[i], at(where, "operator", i), tensors.size(), code_count));
  }
  return subgraph;
}

}  // namespace

ModelInfo read_tflite_model(std::span<const uint8_t> file_bytes) {
  if (file_bytes.size() < 8) {
    fail("tflite: file too short to be a model (", file_bytes.size(), " bytes)");
  }
  if (reinterpret_cast<uintptr_t>(file_bytes.data()) % 8 != 0) {
    fail("tflite: file bytes must start at an 8-byte aligned address");
  }
  VerifiedFile file(file_bytes);
  const uint8_t* root = file.follow_offset(0);
  if (root == nullptr) fail("tflite: not a FlatBuffer (root offset out of bounds)");

  namespace f = model_field;
  const TableView t(file, root, "tflite: model");
  ModelInfo model;
  model.version = t.scalar<uint32_t>(f::kVersion, 0, "version");
  if (model.version != kSchemaVersion) {
    fail("tflite: model schema version ", model.version, " is not supported (expected ",
         kSchemaVersion, ")");
  }
  model.description = t.string(f::kDescription, "description");

  const auto buffers = t.table_vector(f::kBuffers, "buffers");
  model.buffers.reserve(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    model.buffers.push_back(read_buffer(file, buffers[i], at("tflite: model", "buffer", i)));
  }
  const auto codes = t.table_vector(f::kOperatorCodes, "operator_codes");
  model.operator_codes.reserve(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    model.operator_codes.push_back(
        read_operator_code(file, codes[i], at("tflite: model", "operator code", i)));
  }
  const auto subgraphs = t.table_vector(f::kSubgraphs, "subgraphs");
  model.subgraphs.reserve(subgraphs.size());
  for (size_t i = 0; i < subgraphs.size(); ++i) {
    model.subgraphs.push_back(read_subgraph(file, subgraphs[i], at("tflite:", "subgraph", i),
                                            buffers.size(), codes.size()));
  }
  return model;
}

}  // namespace locus::host::tflite
