// ADD, MUL, RESHAPE, SOFTMAX, LOGISTIC, QUANTIZE, DEQUANTIZE, MEAN, PAD(V2),
// CONCATENATION: checks and parameters as TFLM's Prepare computes them.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "host/quantize/operator_params.h"
#include "host/quantize/quantize_params.h"
#include "host/tflite/tflite_import_context.h"

namespace locus::host::tflite {
namespace {

constexpr size_t kMaxRank = 4;  // the runtime kernels work on 4-D shapes

OperatorDef make_operator(schema::OpKind kind, std::vector<int32_t> inputs, int32_t output) {
  OperatorDef def;
  def.kind = kind;
  def.inputs = std::move(inputs);
  def.outputs = {output};
  return def;
}

void require_same_element_count(const OperatorContext& context, int32_t input, int32_t output) {
  const int64_t in = element_count(context.tensor(input).shape);
  const int64_t out = element_count(context.tensor(output).shape);
  if (in != out) context.error("input has ", in, " elements, output has ", out);
}

void require_same_shape(const OperatorContext& context, int32_t input, int32_t output) {
  if (context.tensor(input).shape != context.tensor(output).shape) {
    context.error("input and output shapes differ");
  }
}

void require_max_rank(const OperatorContext& context, int32_t index, const char* role) {
  const size_t rank = context.tensor(index).shape.size();
  if (rank > kMaxRank) context.error(context.describe(index, role), ": rank ", rank, " exceeds 4");
}

// NumPy broadcasting of two shapes (each dimension equal, or 1) must give
// exactly the output's shape.
void check_broadcast(const OperatorContext& context, int32_t a, int32_t b, int32_t output) {
  require_max_rank(context, a, "input 0");
  require_max_rank(context, b, "input 1");
  const auto& shape_a = context.tensor(a).shape;
  const auto& shape_b = context.tensor(b).shape;
  const size_t rank = std::max(shape_a.size(), shape_b.size());
  std::vector<int32_t> expected(rank);
  for (size_t i = 0; i < rank; ++i) {  // i counts from the innermost dimension
    const int32_t da = i < shape_a.size() ? shape_a[shape_a.size() - 1 - i] : 1;
    const int32_t db = i < shape_b.size() ? shape_b[shape_b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) {
      context.error("input shapes cannot be broadcast (", da, " vs ", db, ")");
    }
    expected[rank - 1 - i] = std::max(da, db);
  }
  if (context.tensor(output).shape != expected) {
    context.error("output shape does not match the broadcast of the input shapes");
  }
}

struct BinaryOperands {
  int32_t a, b, output;
  TensorQuantization a_q, b_q, output_q;
};

BinaryOperands binary_operands(const OperatorContext& context) {
  context.require_inputs(2, 2);
  context.require_one_output();
  BinaryOperands o{context.input(0), context.input(1), context.output(), {}, {}, {}};
  context.require_type(o.a, tensor_type::kInt8, "input 0");
  context.require_type(o.b, tensor_type::kInt8, "input 1");
  context.require_type(o.output, tensor_type::kInt8, "output");
  check_broadcast(context, o.a, o.b, o.output);
  o.a_q = context.per_tensor_quantization(o.a, "input 0");
  o.b_q = context.per_tensor_quantization(o.b, "input 1");
  o.output_q = context.per_tensor_quantization(o.output, "output");
  return o;
}

// One int8 input, one output of `output_type`, both per-tensor quantised.
struct UnaryOperands {
  int32_t input, output;
};

UnaryOperands unary_operands(const OperatorContext& context, size_t max_inputs, int8_t input_type,
                             int8_t output_type) {
  context.require_inputs(1, max_inputs);
  context.require_one_output();
  UnaryOperands o{context.input(0), context.output()};
  context.require_type(o.input, input_type, "input");
  context.require_type(o.output, output_type, "output");
  require_max_rank(context, o.input, "input");
  require_max_rank(context, o.output, "output");
  return o;
}

}  // namespace

OperatorDef convert_add(const OperatorContext& context) {
  const auto& options = context.options<AddOptions>("AddOptions");
  const BinaryOperands o = binary_operands(context);
  schema::AddParamsT params = add_int8_params(
      o.a_q.scale, o.a_q.zero_point, o.b_q.scale, o.b_q.zero_point, o.output_q.scale,
      o.output_q.zero_point, context.fused_activation(options.fused_activation));
  OperatorDef def = make_operator(schema::OpKind::Add, {o.a, o.b}, o.output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_mul(const OperatorContext& context) {
  const auto& options = context.options<MulOptions>("MulOptions");
  const BinaryOperands o = binary_operands(context);
  const QuantizedMultiplier m = mul_multiplier(o.a_q.scale, o.b_q.scale, o.output_q.scale);
  schema::MulParamsT params;
  params.input1_offset = -o.a_q.zero_point;
  params.input2_offset = -o.b_q.zero_point;
  params.output_offset = o.output_q.zero_point;
  params.output_multiplier = m.multiplier;
  params.output_shift = m.shift;
  set_fused_activation(params, context.fused_activation(options.fused_activation),
                       o.output_q.scale, o.output_q.zero_point);
  OperatorDef def = make_operator(schema::OpKind::Mul, {o.a, o.b}, o.output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_reshape(const OperatorContext& context) {
  const UnaryOperands o = unary_operands(context, 2, tensor_type::kInt8, tensor_type::kInt8);
  // The new shape is the output tensor's; a shape operand must be constant
  // (a shape computed at run time would make the output size dynamic).
  const int32_t shape = context.input(1, true);
  if (shape >= 0) context.require_constant(shape, "shape");
  require_same_element_count(context, o.input, o.output);
  OperatorDef def = make_operator(schema::OpKind::Reshape, {o.input}, o.output);
  def.params.Set(schema::ReshapeParamsT{});
  return def;
}

OperatorDef convert_softmax(const OperatorContext& context) {
  const auto& options = context.options<SoftmaxOptions>("SoftmaxOptions");
  context.require_inputs(1, 1);
  context.require_one_output();
  const int32_t input = context.input(0), output = context.output();
  context.require_type(input, tensor_type::kInt8, "input");
  require_same_shape(context, input, output);
  if (context.tensor(input).shape.empty()) context.error("input must have at least one dimension");
  const TensorQuantization input_q = context.per_tensor_quantization(input, "input");
  const int8_t output_type = context.tensor(output).type;
  const TensorQuantization output_q = context.per_tensor_quantization(output, "output");
  if (output_type == tensor_type::kInt8) {
    if (output_q.zero_point != -128 || output_q.scale != 1.0f / 256) {
      context.error("int8 output must have scale 1/256 and zero point -128");
    }
  } else if (output_type == tensor_type::kInt16) {
    constexpr float kScale = 1.0f / 65536;
    if (output_q.zero_point != -32768 || std::abs(output_q.scale - kScale) > 0.001f * kScale) {
      context.error("int16 output must have scale 1/65536 and zero point -32768");
    }
  } else {
    context.error(context.describe(output, "output"), ": type ", tensor_type_name(output_type),
                  " not supported (expected int8 or int16)");
  }
  if (!(options.beta > 0.0f)) context.error("beta ", options.beta, " must be positive");
  schema::SoftmaxParamsT params = softmax_int8_params(options.beta, input_q.scale);
  OperatorDef def = make_operator(schema::OpKind::Softmax, {input}, output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_logistic(const OperatorContext& context) {
  const UnaryOperands o = unary_operands(context, 1, tensor_type::kInt8, tensor_type::kInt8);
  require_same_element_count(context, o.input, o.output);
  const TensorQuantization input_q = context.per_tensor_quantization(o.input, "input");
  const TensorQuantization output_q = context.per_tensor_quantization(o.output, "output");
  if (output_q.zero_point != -128) context.error("output zero point must be -128");
  const LogisticScaling scaling = logistic_int8_scaling(input_q.scale, input_q.zero_point);
  schema::LogisticParamsT params;
  params.input_zero_point = scaling.input_zero_point;
  params.input_range_radius = scaling.input_range_radius;
  params.input_multiplier = scaling.input_multiplier;
  params.input_left_shift = scaling.input_left_shift;
  OperatorDef def = make_operator(schema::OpKind::Logistic, {o.input}, o.output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_quantize(const OperatorContext& context) {
  context.require_inputs(1, 1);
  const int8_t input_type = context.tensor(context.input(0)).type;
  if (input_type != tensor_type::kFloat32 && input_type != tensor_type::kInt8) {
    context.require_type(context.input(0), tensor_type::kInt8, "input");
  }
  const UnaryOperands o = unary_operands(context, 1, input_type, tensor_type::kInt8);
  require_same_element_count(context, o.input, o.output);
  const TensorQuantization output_q = context.per_tensor_quantization(o.output, "output");
  schema::QuantizeParamsT params;  // float -> int8 needs only the output's quantisation
  if (input_type == tensor_type::kInt8) {
    const TensorQuantization input_q = context.per_tensor_quantization(o.input, "input");
    const QuantizedMultiplier m = rescale_multiplier(input_q.scale, output_q.scale);
    params.output_multiplier = m.multiplier;
    params.output_shift = m.shift;
  }
  OperatorDef def = make_operator(schema::OpKind::Quantize, {o.input}, o.output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_dequantize(const OperatorContext& context) {
  const UnaryOperands o = unary_operands(context, 1, tensor_type::kInt8, tensor_type::kFloat32);
  require_same_element_count(context, o.input, o.output);
  context.per_tensor_quantization(o.input, "input");
  OperatorDef def = make_operator(schema::OpKind::Dequantize, {o.input}, o.output);
  def.params.Set(schema::DequantizeParamsT{});
  return def;
}

OperatorDef convert_mean(const OperatorContext& context) {
  const auto& options = context.options<ReducerOptions>("ReducerOptions");
  const UnaryOperands o = unary_operands(context, 2, tensor_type::kInt8, tensor_type::kInt8);
  const int32_t axes_tensor = context.input(1);
  const std::vector<int32_t> raw_axes = context.constant_int32_values(axes_tensor, "axes");
  const auto& in_shape = context.tensor(o.input).shape;
  const int32_t rank = static_cast<int32_t>(in_shape.size());
  std::vector<int32_t> axes;
  for (int32_t axis : raw_axes) {
    if (axis < -rank || axis >= rank) context.error("axis ", axis, " out of range for rank ", rank);
    const int32_t normalised = axis < 0 ? axis + rank : axis;
    if (std::find(axes.begin(), axes.end(), normalised) == axes.end()) axes.push_back(normalised);
  }
  std::vector<int32_t> expected;
  for (int32_t d = 0; d < rank; ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced)
      expected.push_back(in_shape[d]);
    else if (options.keep_dims)
      expected.push_back(1);
  }
  const auto& out_shape = context.tensor(o.output).shape;
  if (options.keep_dims ? out_shape != expected
                        : element_count(out_shape) != element_count(expected)) {
    context.error("output shape does not match reducing the input over the axes");
  }
  const TensorQuantization input_q = context.per_tensor_quantization(o.input, "input");
  const TensorQuantization output_q = context.per_tensor_quantization(o.output, "output");
  const QuantizedMultiplier m = rescale_multiplier(input_q.scale, output_q.scale);
  schema::MeanParamsT params;
  params.axes = std::move(axes);
  params.keep_dims = options.keep_dims;
  params.output_multiplier = m.multiplier;
  params.output_shift = m.shift;
  OperatorDef def = make_operator(schema::OpKind::Mean, {o.input}, o.output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_pad(const OperatorContext& context) {
  const UnaryOperands o = unary_operands(context, 3, tensor_type::kInt8, tensor_type::kInt8);
  const std::vector<int32_t> paddings = context.constant_int32_values(context.input(1), "paddings");
  const auto& in_shape = context.tensor(o.input).shape;
  const auto& out_shape = context.tensor(o.output).shape;
  if (out_shape.size() != in_shape.size() || paddings.size() != 2 * out_shape.size()) {
    context.error("paddings must hold a (before, after) pair per dimension of a same-rank output");
  }
  for (size_t d = 0; d < out_shape.size(); ++d) {
    const int32_t before = paddings[2 * d], after = paddings[2 * d + 1];
    if (before < 0 || after < 0) context.error("negative padding in dimension ", d);
    if (int64_t{in_shape[d]} + before + after != out_shape[d]) {
      context.error("output dimension ", d, " is ", out_shape[d], ", padding gives ",
                    int64_t{in_shape[d]} + before + after);
    }
  }
  const TensorQuantization output_q = context.per_tensor_quantization(o.output, "output");
  schema::PadParamsT params;
  params.paddings = paddings;
  params.pad_value = output_q.zero_point;                          // a real 0
  if (const int32_t value = context.input(2, true); value >= 0) {  // PADV2's constant_values
    context.require_type(value, tensor_type::kInt8, "constant value");
    context.require_constant(value, "constant value");
    const auto data = context.constant_data(value);
    if (element_count(context.tensor(value).shape) != 1 || data.size() != 1) {
      context.error(context.describe(value, "constant value"), ": must be one int8 value");
    }
    const TensorQuantization value_q = context.per_tensor_quantization(value, "constant value");
    if (value_q.zero_point != output_q.zero_point || value_q.scale != output_q.scale) {
      context.error("constant value must have the output's quantization");
    }
    params.pad_value = static_cast<int8_t>(data[0]);
  }
  OperatorDef def = make_operator(schema::OpKind::Pad, {o.input}, o.output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_concatenation(const OperatorContext& context) {
  const auto& options = context.options<ConcatenationOptions>("ConcatenationOptions");
  if (options.fused_activation != activation::kNone) {
    context.error("fused activation not supported on concatenation");
  }
  const size_t count = context.require_inputs(1, 64);
  context.require_one_output();
  const int32_t output = context.output();
  context.require_type(output, tensor_type::kInt8, "output");
  require_max_rank(context, output, "output");
  const auto& out_shape = context.tensor(output).shape;
  const int32_t rank = static_cast<int32_t>(out_shape.size());
  if (options.axis < -rank || options.axis >= rank) {
    context.error("axis ", options.axis, " out of range for rank ", rank);
  }
  const int32_t axis = options.axis < 0 ? options.axis + rank : options.axis;
  const TensorQuantization output_q = context.per_tensor_quantization(output, "output");
  std::vector<int32_t> inputs;
  int64_t axis_total = 0;
  for (size_t i = 0; i < count; ++i) {
    const std::string role = "input " + std::to_string(i);
    const int32_t input = context.input(i);
    context.require_type(input, tensor_type::kInt8, role.c_str());
    const auto& shape = context.tensor(input).shape;
    if (shape.size() != out_shape.size())
      context.error(role, " has a different rank than the output");
    for (int32_t d = 0; d < rank; ++d) {
      if (d != axis && shape[d] != out_shape[d]) {
        context.error(role, " dimension ", d, " is ", shape[d], ", output has ", out_shape[d]);
      }
    }
    axis_total += shape[axis];
    const TensorQuantization q = context.per_tensor_quantization(input, role.c_str());
    if (q.scale != output_q.scale || q.zero_point != output_q.zero_point) {
      context.error(role, " quantization differs from the output's (rescaling not supported)");
    }
    inputs.push_back(input);
  }
  if (axis_total != out_shape[axis]) {
    context.error("inputs add up to ", axis_total, " along axis ", axis, ", output has ",
                  out_shape[axis]);
  }
  schema::ConcatenationParamsT params;
  params.axis = axis;
  OperatorDef def = make_operator(schema::OpKind::Concatenation, std::move(inputs), output);
  def.params.Set(std::move(params));
  return def;
}

}  // namespace locus::host::tflite
