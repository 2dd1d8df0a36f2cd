#include "host/tflite/tflite_importer.h"

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "host/common/error.h"
#include "host/tflite/tflite_import_context.h"
#include "host/tflite/tflite_reader.h"

namespace locus::host {
namespace {

using tflite::ModelInfo;
using tflite::SubGraphInfo;
using tflite::TensorInfo;

std::string tensor_label(const SubGraphInfo& subgraph, int32_t index) {
  std::string label = "tflite: subgraph 0 tensor " + std::to_string(index);
  if (!subgraph.tensors[index].name.empty()) label += " '" + subgraph.tensors[index].name + "'";
  return label;
}

schema::TensorType convert_type(int8_t type, const std::string& where) {
  switch (type) {
    case tflite::tensor_type::kFloat32:
      return schema::TensorType::Float32;
    case tflite::tensor_type::kInt8:
      return schema::TensorType::Int8;
    case tflite::tensor_type::kInt16:
      return schema::TensorType::Int16;
    case tflite::tensor_type::kInt32:
      return schema::TensorType::Int32;
    default:
      fail(where, ": type ", tflite::tensor_type_name(type), " not supported");
  }
}

TensorDef convert_tensor(const ModelInfo& model, const SubGraphInfo& subgraph, int32_t index) {
  const std::string where = tensor_label(subgraph, index);
  const TensorInfo& source = subgraph.tensors[index];
  if (source.is_variable) fail(where, ": variable tensors are not supported");
  if (source.is_sparse) fail(where, ": sparse tensors are not supported");
  TensorDef tensor;
  tensor.name = source.name;
  tensor.type = convert_type(source.type, where);
  if (source.shape.size() > 4) fail(where, ": rank ", source.shape.size(), " exceeds 4");
  for (size_t d = 0; d < source.shape.size(); ++d) {
    if (source.shape[d] <= 0) fail(where, ": dimension ", d, " is ", source.shape[d]);
  }
  tensor.shape = source.shape;
  const int64_t count = tflite::element_count(source.shape);
  const int64_t element_bytes = static_cast<int64_t>(tensor_type_size(tensor.type));
  if (count > std::numeric_limits<int32_t>::max() / element_bytes) {
    fail(where, ": ", count, " elements is too large (limit 2 GB per tensor)");
  }

  const std::span<const uint8_t> data = model.buffers[source.buffer].data;
  if (!data.empty()) {
    if (static_cast<int64_t>(data.size()) != count * element_bytes) {
      fail(where, ": buffer ", source.buffer, " holds ", data.size(), " bytes, the shape needs ",
           count * element_bytes);
    }
    tensor.constant = true;
    tensor.data.assign(data.begin(), data.end());
  }

  const tflite::QuantizationInfo& q = source.quantization;
  if (q.details_type != 0) fail(where, ": custom or block quantization is not supported");
  if (tensor.type != schema::TensorType::Float32 && !q.scale.empty()) {
    if (!q.zero_point.empty() && q.zero_point.size() != q.scale.size()) {
      fail(where, ": ", q.zero_point.size(), " zero points for ", q.scale.size(), " scales");
    }
    int32_t axis = q.quantized_dimension;
    if (q.scale.size() > 1) {
      // Old converters (TOCO) copy the filter's quantized_dimension onto
      // 1-D biases; dimension 0 is the only one such a tensor has.
      if (source.shape.size() == 1) axis = 0;
      if (axis < 0 || static_cast<size_t>(axis) >= source.shape.size() ||
          static_cast<size_t>(source.shape[axis]) != q.scale.size()) {
        fail(where, ": ", q.scale.size(), " scales do not match dimension ", axis);
      }
    }
    tensor.scale = q.scale;
    for (size_t i = 0; i < q.scale.size(); ++i) {
      const int64_t zero_point = q.zero_point.empty() ? 0 : q.zero_point[i];
      if (zero_point < std::numeric_limits<int32_t>::min() ||
          zero_point > std::numeric_limits<int32_t>::max()) {
        fail(where, ": zero point ", zero_point, " overflows int32");
      }
      tensor.zero_point.push_back(static_cast<int32_t>(zero_point));
    }
    tensor.quantized_dimension = axis;
  }
  return tensor;
}

// Every operator input must be constant, a graph input or an earlier
// operator's output; every output is written once, by one operator.
void check_dataflow(const ModelInfo& model, const SubGraphInfo& subgraph,
                    const std::vector<OperatorDef>& operators,
                    const std::vector<std::string>& operator_labels) {
  const size_t tensor_count = subgraph.tensors.size();
  std::vector<bool> available(tensor_count, false);
  for (size_t t = 0; t < tensor_count; ++t) {
    available[t] = !model.buffers[subgraph.tensors[t].buffer].data.empty();
  }
  for (int32_t input : subgraph.inputs) available[input] = true;
  for (size_t i = 0; i < operators.size(); ++i) {
    for (int32_t input : operators[i].inputs) {
      if (input >= 0 && !available[input]) {
        fail(operator_labels[i], ": input tensor ", input,
             " is neither constant, a graph input nor computed by an earlier operator");
      }
    }
    for (int32_t output : operators[i].outputs) {
      if (available[output]) {
        fail(operator_labels[i], ": output tensor ", output,
             " is already a constant, a graph input or another operator's output");
      }
      available[output] = true;
    }
  }
  for (int32_t output : subgraph.outputs) {
    if (!available[output]) fail("tflite: graph output tensor ", output, " is never computed");
  }
}

// A copy whose storage is 8-byte aligned, for callers' misaligned bytes.
std::vector<uint64_t> aligned_copy(std::span<const uint8_t> bytes) {
  std::vector<uint64_t> storage((bytes.size() + 7) / 8);
  if (!bytes.empty()) std::memcpy(storage.data(), bytes.data(), bytes.size());
  return storage;
}

}  // namespace

Graph import_tflite(std::span<const uint8_t> file_bytes) {
  std::vector<uint64_t> aligned_storage;
  if (reinterpret_cast<uintptr_t>(file_bytes.data()) % 8 != 0) {
    aligned_storage = aligned_copy(file_bytes);
    file_bytes = {reinterpret_cast<const uint8_t*>(aligned_storage.data()), file_bytes.size()};
  }
  const ModelInfo model = tflite::read_tflite_model(file_bytes);
  if (model.subgraphs.empty()) fail("tflite: model has no subgraph");
  if (model.subgraphs.size() > 1) {
    fail("tflite: model has ", model.subgraphs.size(),
         " subgraphs; only single-subgraph models are supported");
  }
  const SubGraphInfo& subgraph = model.subgraphs[0];
  if (subgraph.inputs.empty()) fail("tflite: subgraph 0 has no inputs");
  if (subgraph.outputs.empty()) fail("tflite: subgraph 0 has no outputs");

  std::vector<OperatorDef> operators;
  std::vector<std::string> operator_labels;
  for (size_t i = 0; i < subgraph.operators.size(); ++i) {
    const int32_t code = model.operator_codes[subgraph.operators[i].opcode_index].builtin_code;
    const tflite::OperatorContext context(model, subgraph, i, code);
    try {
      operators.push_back(tflite::convert_operator(context));
    } catch (const Error& error) {
      // Parameter arithmetic reports without knowing the operator: name it.
      const std::string message = error.what();
      if (message.rfind(context.where(), 0) == 0) throw;
      fail(context.where(), ": ", message);
    }
    operator_labels.push_back(context.where());
  }
  check_dataflow(model, subgraph, operators, operator_labels);

  // Keep only the tensors something refers to, renumbered in their order.
  std::vector<bool> referenced(subgraph.tensors.size(), false);
  for (const OperatorDef& op : operators) {
    for (int32_t t : op.inputs)
      if (t >= 0) referenced[t] = true;
    for (int32_t t : op.outputs) referenced[t] = true;
  }
  for (int32_t t : subgraph.inputs) referenced[t] = true;
  for (int32_t t : subgraph.outputs) referenced[t] = true;

  Graph graph;
  std::vector<int32_t> new_index(subgraph.tensors.size(), -1);
  for (size_t t = 0; t < subgraph.tensors.size(); ++t) {
    if (!referenced[t]) continue;
    new_index[t] = static_cast<int32_t>(graph.tensors.size());
    graph.tensors.push_back(convert_tensor(model, subgraph, static_cast<int32_t>(t)));
  }
  const auto renumber = [&](std::vector<int32_t>& indices) {
    for (int32_t& t : indices)
      if (t >= 0) t = new_index[t];
  };
  for (OperatorDef& op : operators) {
    renumber(op.inputs);
    renumber(op.outputs);
  }
  graph.operators = std::move(operators);
  graph.inputs = subgraph.inputs;
  graph.outputs = subgraph.outputs;
  renumber(graph.inputs);
  renumber(graph.outputs);
  return graph;
}

}  // namespace locus::host
