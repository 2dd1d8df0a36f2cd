#include "host/tflite/tflite_test_model.h"

#include <algorithm>

namespace locus::host::tflite::testing {
namespace {

using flatbuffers::Offset;

template <typename T>
void add_scalar(Builder& b, int field_id, T value) {
  b.AddElement<T>(field_slot(field_id), value);  // builder forces defaults (see build)
}

void add_offset(Builder& b, int field_id, Offset<void> offset) {
  if (!offset.IsNull()) b.AddOffset(field_slot(field_id), offset);
}

Offset<void> end_table(Builder& b, flatbuffers::uoffset_t start) {
  return Offset<void>(b.EndTable(start));
}

template <typename T>
Offset<void> vector_of(Builder& b, const std::vector<T>& values) {
  return Offset<void>(b.CreateVector(values).o);
}

Offset<void> write_tensor(Builder& b, const TestTensor& t) {
  const auto shape = vector_of(b, t.shape);
  const auto name = Offset<void>(b.CreateString(t.name).o);
  Offset<void> quantization;
  if (!t.scale.empty() || !t.zero_point.empty()) {
    const auto scale = vector_of(b, t.scale);
    const auto zero_point = vector_of(b, t.zero_point);
    const auto start = b.StartTable();
    add_offset(b, quantization_field::kScale, scale);
    add_offset(b, quantization_field::kZeroPoint, zero_point);
    add_scalar<int32_t>(b, quantization_field::kQuantizedDimension, t.quantized_dimension);
    quantization = end_table(b, start);
  }
  const auto start = b.StartTable();
  add_offset(b, tensor_field::kShape, shape);
  add_scalar<int8_t>(b, tensor_field::kType, t.type);
  add_scalar<uint32_t>(b, tensor_field::kBuffer, t.buffer);
  add_offset(b, tensor_field::kName, name);
  add_offset(b, tensor_field::kQuantization, quantization);
  return end_table(b, start);
}

Offset<void> write_operator(Builder& b, const TestOperator& op) {
  const auto inputs = vector_of(b, op.inputs);
  const auto outputs = vector_of(b, op.outputs);
  const Offset<void> options = op.options ? op.options(b) : Offset<void>();
  const auto start = b.StartTable();
  add_scalar<uint32_t>(b, operator_field::kOpcodeIndex, op.opcode_index);
  add_offset(b, operator_field::kInputs, inputs);
  add_offset(b, operator_field::kOutputs, outputs);
  add_scalar<uint8_t>(b, operator_field::kBuiltinOptionsType, op.options_type);
  add_offset(b, operator_field::kBuiltinOptions, options);
  return end_table(b, start);
}

Offset<void> write_subgraph(Builder& b, const TestModel& m) {
  std::vector<Offset<void>> tensors, operators;
  for (const TestTensor& t : m.tensors) tensors.push_back(write_tensor(b, t));
  for (const TestOperator& op : m.operators) operators.push_back(write_operator(b, op));
  const auto tensor_vector = vector_of(b, tensors);
  const auto operator_vector = vector_of(b, operators);
  const auto inputs = vector_of(b, m.inputs);
  const auto outputs = vector_of(b, m.outputs);
  const auto name = Offset<void>(b.CreateString("main").o);
  const auto start = b.StartTable();
  add_offset(b, subgraph_field::kTensors, tensor_vector);
  add_offset(b, subgraph_field::kInputs, inputs);
  add_offset(b, subgraph_field::kOutputs, outputs);
  add_offset(b, subgraph_field::kOperators, operator_vector);
  add_offset(b, subgraph_field::kName, name);
  return end_table(b, start);
}

// One serialisation; external buffers point at `external_offsets`.
std::vector<uint8_t> serialise(const TestModel& m, const std::vector<uint64_t>& external_offsets) {
  Builder b;
  b.ForceDefaults(true);  // same layout whatever the values, for the two passes
  std::vector<Offset<void>> buffers;
  for (size_t i = 0; i < m.buffers.size(); ++i) {
    const TestBuffer& buffer = m.buffers[i];
    Offset<void> data;
    if (!buffer.external && !buffer.data.empty()) {
      b.ForceVectorAlignment(buffer.data.size(), 1, 16);
      data = vector_of(b, buffer.data);
    }
    const auto start = b.StartTable();
    add_offset(b, buffer_field::kData, data);
    if (buffer.external) {
      add_scalar<uint64_t>(b, buffer_field::kOffset, external_offsets[i]);
      add_scalar<uint64_t>(b, buffer_field::kSize, buffer.data.size());
    }
    buffers.push_back(end_table(b, start));
  }
  std::vector<Offset<void>> codes;
  for (const TestOperatorCode& code : m.codes) {
    const auto custom = code.custom_code.empty() ? Offset<void>()
                                                 : Offset<void>(b.CreateString(code.custom_code).o);
    const auto start = b.StartTable();
    add_scalar<int8_t>(b, operator_code_field::kDeprecatedBuiltinCode,
                       static_cast<int8_t>(std::min(code.builtin_code, 127)));
    add_offset(b, operator_code_field::kCustomCode, custom);
    add_scalar<int32_t>(b, operator_code_field::kVersion, 1);
    add_scalar<int32_t>(b, operator_code_field::kBuiltinCode, code.builtin_code);
    codes.push_back(end_table(b, start));
  }
  std::vector<Offset<void>> subgraphs;
  for (int i = 0; i < m.subgraph_count; ++i) subgraphs.push_back(write_subgraph(b, m));
  const auto buffer_vector = vector_of(b, buffers);
  const auto code_vector = vector_of(b, codes);
  const auto subgraph_vector = vector_of(b, subgraphs);
  const auto description = Offset<void>(b.CreateString("locus test model").o);
  const auto start = b.StartTable();
  add_scalar<uint32_t>(b, model_field::kVersion, m.version);
  add_offset(b, model_field::kOperatorCodes, code_vector);
  add_offset(b, model_field::kSubgraphs, subgraph_vector);
  add_offset(b, model_field::kDescription, description);
  add_offset(b, model_field::kBuffers, buffer_vector);
  const auto root = end_table(b, start);
  b.Finish(root, "TFL3");
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

}  // namespace

std::vector<uint8_t> build_tflite(const TestModel& model) {
  std::vector<uint64_t> offsets(model.buffers.size(), 2);
  std::vector<uint8_t> bytes = serialise(model, offsets);
  bool any_external = false;
  uint64_t end = bytes.size();
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    if (!model.buffers[i].external) continue;
    any_external = true;
    end = (end + 15) / 16 * 16;
    offsets[i] = end;
    end += model.buffers[i].data.size();
  }
  if (!any_external) return bytes;
  bytes = serialise(model, offsets);
  bytes.resize(end, 0);
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    if (!model.buffers[i].external || model.buffers[i].data.empty()) continue;
    std::copy(model.buffers[i].data.begin(), model.buffers[i].data.end(),
              bytes.begin() + static_cast<std::ptrdiff_t>(offsets[i]));
  }
  return bytes;
}

namespace {

template <typename Fill>
OptionsWriter table_writer(Fill fill) {
  return [fill](Builder& b) {
    const auto start = b.StartTable();
    fill(b);
    return end_table(b, start);
  };
}

}  // namespace

OptionsWriter conv_2d_options(int8_t padding, int32_t stride_w, int32_t stride_h, int8_t activation,
                              int32_t dilation_w, int32_t dilation_h) {
  return table_writer([=](Builder& b) {
    namespace f = conv_2d_options_field;
    add_scalar<int8_t>(b, f::kPadding, padding);
    add_scalar<int32_t>(b, f::kStrideW, stride_w);
    add_scalar<int32_t>(b, f::kStrideH, stride_h);
    add_scalar<int8_t>(b, f::kFusedActivation, activation);
    add_scalar<int32_t>(b, f::kDilationW, dilation_w);
    add_scalar<int32_t>(b, f::kDilationH, dilation_h);
  });
}

OptionsWriter depthwise_conv_2d_options(int8_t padding, int32_t stride_w, int32_t stride_h,
                                        int32_t depth_multiplier, int8_t activation) {
  return table_writer([=](Builder& b) {
    namespace f = depthwise_conv_2d_options_field;
    add_scalar<int8_t>(b, f::kPadding, padding);
    add_scalar<int32_t>(b, f::kStrideW, stride_w);
    add_scalar<int32_t>(b, f::kStrideH, stride_h);
    add_scalar<int32_t>(b, f::kDepthMultiplier, depth_multiplier);
    add_scalar<int8_t>(b, f::kFusedActivation, activation);
  });
}

OptionsWriter pool_2d_options(int8_t padding, int32_t stride_w, int32_t stride_h, int32_t filter_w,
                              int32_t filter_h, int8_t activation) {
  return table_writer([=](Builder& b) {
    namespace f = pool_2d_options_field;
    add_scalar<int8_t>(b, f::kPadding, padding);
    add_scalar<int32_t>(b, f::kStrideW, stride_w);
    add_scalar<int32_t>(b, f::kStrideH, stride_h);
    add_scalar<int32_t>(b, f::kFilterWidth, filter_w);
    add_scalar<int32_t>(b, f::kFilterHeight, filter_h);
    add_scalar<int8_t>(b, f::kFusedActivation, activation);
  });
}

OptionsWriter fully_connected_options(int8_t activation, bool keep_num_dims) {
  return table_writer([=](Builder& b) {
    namespace f = fully_connected_options_field;
    add_scalar<int8_t>(b, f::kFusedActivation, activation);
    add_scalar<uint8_t>(b, f::kKeepNumDims, keep_num_dims ? 1 : 0);
  });
}

OptionsWriter softmax_options(float beta) {
  return table_writer(
      [=](Builder& b) { add_scalar<float>(b, softmax_options_field::kBeta, beta); });
}

OptionsWriter concatenation_options(int32_t axis) {
  return table_writer(
      [=](Builder& b) { add_scalar<int32_t>(b, concatenation_options_field::kAxis, axis); });
}

OptionsWriter activation_only_options(int8_t activation) {
  return table_writer([=](Builder& b) { add_scalar<int8_t>(b, 0, activation); });
}

OptionsWriter reducer_options(bool keep_dims) {
  return table_writer([=](Builder& b) {
    add_scalar<uint8_t>(b, reducer_options_field::kKeepDims, keep_dims ? 1 : 0);
  });
}

OptionsWriter empty_options() {
  return table_writer([](Builder&) {});
}

}  // namespace locus::host::tflite::testing
