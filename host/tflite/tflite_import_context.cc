#include "host/tflite/tflite_import_context.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace locus::host::tflite {
namespace {

// Largest tensor we accept, in bytes: offsets into capsules and arenas are 32-bit.
constexpr int64_t kMaxTensorBytes = std::numeric_limits<int32_t>::max();

int64_t type_size(int8_t type) {
  switch (type) {
    case tensor_type::kFloat32:
    case tensor_type::kInt32:
      return 4;
    case tensor_type::kInt16:
      return 2;
    case tensor_type::kInt8:
    case tensor_type::kUInt8:
    case tensor_type::kBool:
      return 1;
    case tensor_type::kInt64:
    case tensor_type::kFloat64:
      return 8;
    default:
      return 1;
  }
}

std::string operator_label(const ModelInfo& model, const OperatorInfo& op, int32_t code) {
  std::string label = builtin_operator_name(code);
  if (code == builtin_op::kCustom) {
    label += " '" + model.operator_codes[op.opcode_index].custom_code + "'";
  }
  return label;
}

}  // namespace

int64_t element_count(const std::vector<int32_t>& shape) {
  int64_t count = 1;
  for (int32_t dim : shape) {
    if (dim <= 0) return 0;
    if (count > std::numeric_limits<int64_t>::max() / dim)
      return std::numeric_limits<int64_t>::max();
    count *= dim;
  }
  return count;
}

OperatorContext::OperatorContext(const ModelInfo& model, const SubGraphInfo& subgraph,
                                 size_t operator_index, int32_t builtin_code)
    : model_(model),
      subgraph_(subgraph),
      op_(subgraph.operators[operator_index]),
      builtin_code_(builtin_code),
      where_("tflite: operator " + std::to_string(operator_index) + " (" +
             operator_label(model, subgraph.operators[operator_index], builtin_code) + ")") {}

size_t OperatorContext::require_inputs(size_t min_count, size_t max_count) const {
  const size_t count = op_.inputs.size();
  if (count < min_count || count > max_count) {
    if (min_count == max_count) error("expects ", min_count, " inputs, has ", count);
    error("expects ", min_count, " to ", max_count, " inputs, has ", count);
  }
  return count;
}

void OperatorContext::require_one_output() const {
  if (op_.outputs.size() != 1) error("expects 1 output, has ", op_.outputs.size());
}

std::string OperatorContext::describe(int32_t index, const char* role) const {
  std::string text = std::string(role) + " (tensor " + std::to_string(index);
  const std::string& name = subgraph_.tensors[index].name;
  if (!name.empty()) text += " '" + name + "'";
  return text + ")";
}

// Shapes of the tensors an operator uses are checked when first touched, so
// converters can compute with them without overflow.
static void check_shape(const OperatorContext& context, int32_t index, const char* role) {
  const TensorInfo& tensor = context.tensor(index);
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (tensor.shape[i] <= 0) {
      context.error(context.describe(index, role), ": dimension ", i, " is ", tensor.shape[i],
                    " (must be at least 1)");
    }
  }
  const int64_t count = element_count(tensor.shape);
  if (count > kMaxTensorBytes / type_size(tensor.type)) {
    context.error(context.describe(index, role), ": ", count,
                  " elements is too large (limit 2 GB per tensor)");
  }
}

int32_t OperatorContext::input(size_t slot, bool optional) const {
  const std::string role = "input " + std::to_string(slot);
  if (slot >= op_.inputs.size() || op_.inputs[slot] < 0) {
    if (optional) return -1;
    error(role, " is missing");
  }
  const int32_t index = op_.inputs[slot];
  check_shape(*this, index, role.c_str());
  return index;
}

int32_t OperatorContext::output(size_t slot) const {
  const std::string role = "output " + std::to_string(slot);
  if (slot >= op_.outputs.size() || op_.outputs[slot] < 0) error(role, " is missing");
  const int32_t index = op_.outputs[slot];
  check_shape(*this, index, role.c_str());
  return index;
}

bool OperatorContext::is_constant(int32_t index) const {
  return !model_.buffers[subgraph_.tensors[index].buffer].data.empty();
}

std::span<const uint8_t> OperatorContext::constant_data(int32_t index) const {
  return model_.buffers[subgraph_.tensors[index].buffer].data;
}

void OperatorContext::require_type(int32_t index, int8_t type, const char* role) const {
  const int8_t actual = tensor(index).type;
  if (actual != type) {
    error(describe(index, role), ": type ", tensor_type_name(actual), " not supported (expected ",
          tensor_type_name(type), ")");
  }
}

void OperatorContext::require_rank(int32_t index, size_t rank, const char* role) const {
  const size_t actual = tensor(index).shape.size();
  if (actual != rank) error(describe(index, role), ": rank ", actual, ", expected ", rank);
}

void OperatorContext::require_constant(int32_t index, const char* role) const {
  if (!is_constant(index)) error(describe(index, role), ": must be a constant tensor");
}

TensorQuantization OperatorContext::per_tensor_quantization(int32_t index, const char* role) const {
  const TensorInfo& t = tensor(index);
  const QuantizationInfo& q = t.quantization;
  if (!t.has_quantization || q.scale.empty()) {
    error(describe(index, role), ": has no quantization parameters");
  }
  if (q.scale.size() != 1) {
    error(describe(index, role), ": per-channel quantization (", q.scale.size(),
          " scales) not supported here; expected per-tensor");
  }
  const float scale = q.scale[0];
  if (!std::isfinite(scale) || !(scale > 0.0f)) {
    error(describe(index, role), ": scale ", scale, " must be positive and finite");
  }
  const int64_t zero_point = q.zero_point.empty() ? 0 : q.zero_point[0];
  int64_t low = -128, high = 127;
  if (t.type == tensor_type::kInt16) low = -32768, high = 32767;
  if (zero_point < low || zero_point > high) {
    error(describe(index, role), ": zero point ", zero_point, " outside [", low, ", ", high, "]");
  }
  return {scale, static_cast<int32_t>(zero_point)};
}

std::vector<int32_t> OperatorContext::constant_int32_values(int32_t index, const char* role) const {
  require_constant(index, role);
  require_type(index, tensor_type::kInt32, role);
  const std::span<const uint8_t> data = constant_data(index);
  const int64_t count = element_count(tensor(index).shape);
  if (static_cast<int64_t>(data.size()) != count * 4) {
    error(describe(index, role), ": holds ", data.size(), " bytes, expected ", count * 4);
  }
  std::vector<int32_t> values(static_cast<size_t>(count));
  if (!values.empty()) std::memcpy(values.data(), data.data(), data.size());
  return values;
}

schema::Activation OperatorContext::fused_activation(int8_t tflite_activation) const {
  switch (tflite_activation) {
    case activation::kNone:
      return schema::Activation::None;
    case activation::kRelu:
      return schema::Activation::Relu;
    case activation::kRelu6:
      return schema::Activation::Relu6;
    case activation::kReluN1To1:
      return schema::Activation::ReluN1To1;
    case activation::kTanh:
      error("fused activation TANH not supported");
    case activation::kSignBit:
      error("fused activation SIGN_BIT not supported");
    default:
      error("unknown fused activation ", static_cast<int>(tflite_activation));
  }
}

OperatorDef convert_operator(const OperatorContext& context) {
  switch (context.builtin_code()) {
    case builtin_op::kConv2D:
      return convert_conv_2d(context);
    case builtin_op::kDepthwiseConv2D:
      return convert_depthwise_conv_2d(context);
    case builtin_op::kFullyConnected:
      return convert_fully_connected(context);
    case builtin_op::kAveragePool2D:
      return convert_pool_2d(context, schema::OpKind::AveragePool2D);
    case builtin_op::kMaxPool2D:
      return convert_pool_2d(context, schema::OpKind::MaxPool2D);
    case builtin_op::kAdd:
      return convert_add(context);
    case builtin_op::kMul:
      return convert_mul(context);
    case builtin_op::kReshape:
      return convert_reshape(context);
    case builtin_op::kSoftmax:
      return convert_softmax(context);
    case builtin_op::kLogistic:
      return convert_logistic(context);
    case builtin_op::kQuantize:
      return convert_quantize(context);
    case builtin_op::kDequantize:
      return convert_dequantize(context);
    case builtin_op::kMean:
      return convert_mean(context);
    case builtin_op::kPad:
    case builtin_op::kPadV2:
      return convert_pad(context);
    case builtin_op::kConcatenation:
      return convert_concatenation(context);
    default:
      context.error("not supported");
  }
}

}  // namespace locus::host::tflite
