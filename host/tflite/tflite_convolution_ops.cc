// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D:
// checks and parameters as TFLM's Prepare computes them.
#include <algorithm>
#include <cmath>
#include <limits>

#include "host/quantize/operator_params.h"
#include "host/quantize/quantize_params.h"
#include "host/tflite/tflite_import_context.h"

namespace locus::host::tflite {
namespace {

struct ResolvedPadding {
  int32_t top = 0, left = 0, bottom = 0, right = 0;
  int32_t out_height = 0, out_width = 0;
};

// TFLite's ComputeOutSize + ComputePaddingWithOffset for one spatial axis:
// the odd pixel of a SAME padding goes after (bottom / right).
void resolve_axis(const OperatorContext& context, int8_t padding, int32_t in_size,
                  int32_t filter_size, int32_t stride, int32_t dilation, const char* axis,
                  int32_t& before, int32_t& after, int32_t& out_size) {
  if (stride <= 0) context.error("stride_", axis, " ", stride, " must be at least 1");
  if (dilation <= 0) context.error("dilation_", axis, " ", dilation, " must be at least 1");
  if (filter_size <= 0) context.error("filter ", axis, " ", filter_size, " must be at least 1");
  const int64_t effective_filter = (int64_t{filter_size} - 1) * dilation + 1;
  int64_t out = 0;
  if (padding == padding::kSame) {
    out = (int64_t{in_size} + stride - 1) / stride;
  } else if (padding == padding::kValid) {
    out = (int64_t{in_size} + stride - effective_filter) / stride;
  } else {
    context.error("unknown padding type ", static_cast<int>(padding));
  }
  if (out <= 0) {
    context.error("filter ", axis, " ", effective_filter, " (with dilation) exceeds input ", axis,
                  " ", in_size, " under VALID padding");
  }
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + effective_filter - in_size);
  if (total / 2 + total % 2 > std::numeric_limits<int32_t>::max()) {
    context.error("padding along ", axis, " overflows");
  }
  before = static_cast<int32_t>(total / 2);
  after = static_cast<int32_t>(total / 2 + total % 2);
  out_size = static_cast<int32_t>(out);
}

// Resolves SAME/VALID for NHWC input and checks the output tensor agrees.
ResolvedPadding resolve_padding(const OperatorContext& context, int8_t padding,
                                const std::vector<int32_t>& input_shape,
                                const std::vector<int32_t>& output_shape, int32_t filter_h,
                                int32_t filter_w, int32_t stride_h, int32_t stride_w,
                                int32_t dilation_h, int32_t dilation_w) {
  ResolvedPadding p;
  resolve_axis(context, padding, input_shape[1], filter_h, stride_h, dilation_h, "h", p.top,
               p.bottom, p.out_height);
  resolve_axis(context, padding, input_shape[2], filter_w, stride_w, dilation_w, "w", p.left,
               p.right, p.out_width);
  if (output_shape[1] != p.out_height || output_shape[2] != p.out_width) {
    context.error("output is ", output_shape[1], "x", output_shape[2], " but the padding gives ",
                  p.out_height, "x", p.out_width);
  }
  if (output_shape[0] != input_shape[0]) {
    context.error("output batch ", output_shape[0], " differs from input batch ", input_shape[0]);
  }
  return p;
}

// Symmetric int8 weight scales: one per tensor, or one per channel along
// `channel_axis`. Returned broadcast to `channels` entries.
std::vector<float> weight_scales(const OperatorContext& context, int32_t index,
                                 int32_t channel_axis, int32_t channels, bool* per_channel) {
  const char* role = "weights";
  const TensorInfo& t = context.tensor(index);
  const QuantizationInfo& q = t.quantization;
  if (!t.has_quantization || q.scale.empty()) {
    context.error(context.describe(index, role), ": has no quantization parameters");
  }
  if (q.details_type != 0) context.error(context.describe(index, role), ": custom quantization");
  if (q.scale.size() != 1) {
    if (static_cast<int64_t>(q.scale.size()) != channels || q.quantized_dimension != channel_axis) {
      context.error(context.describe(index, role), ": ", q.scale.size(), " scales along dimension ",
                    q.quantized_dimension, "; expected 1 or ", channels, " along dimension ",
                    channel_axis);
    }
  }
  if (!q.zero_point.empty() && q.zero_point.size() != q.scale.size()) {
    context.error(context.describe(index, role), ": ", q.zero_point.size(), " zero points for ",
                  q.scale.size(), " scales");
  }
  for (int64_t zero_point : q.zero_point) {
    if (zero_point != 0) {
      context.error(context.describe(index, role), ": zero point ", zero_point,
                    " (weights must be symmetric)");
    }
  }
  for (float scale : q.scale) {
    if (!std::isfinite(scale) || scale < 0.0f) {
      context.error(context.describe(index, role), ": scale ", scale, " is not valid");
    }
  }
  if (per_channel != nullptr) *per_channel = q.scale.size() > 1;
  if (q.scale.size() == 1) return std::vector<float>(static_cast<size_t>(channels), q.scale[0]);
  return q.scale;
}

void check_weights(const OperatorContext& context, int32_t index) {
  context.require_type(index, tensor_type::kInt8, "weights");
  context.require_constant(index, "weights");
}

// Bias: absent, or a constant int32 tensor with one value per output channel.
void check_bias(const OperatorContext& context, int32_t index, int32_t channels) {
  if (index < 0) return;
  context.require_type(index, tensor_type::kInt32, "bias");
  context.require_constant(index, "bias");
  const int64_t count = element_count(context.tensor(index).shape);
  if (count != channels) {
    context.error(context.describe(index, "bias"), ": ", count, " values for ", channels,
                  " output channels");
  }
}

struct ConvOperands {
  int32_t input, filter, bias, output;
  TensorQuantization input_q, output_q;
};

ConvOperands conv_operands(const OperatorContext& context) {
  context.require_inputs(2, 3);
  context.require_one_output();
  ConvOperands o{
      context.input(0), context.input(1), context.input(2, true), context.output(), {}, {}};
  context.require_type(o.input, tensor_type::kInt8, "input");
  context.require_type(o.output, tensor_type::kInt8, "output");
  check_weights(context, o.filter);
  context.require_rank(o.input, 4, "input");
  context.require_rank(o.filter, 4, "weights");
  context.require_rank(o.output, 4, "output");
  o.input_q = context.per_tensor_quantization(o.input, "input");
  o.output_q = context.per_tensor_quantization(o.output, "output");
  return o;
}

OperatorDef make_operator(schema::OpKind kind, std::vector<int32_t> inputs, int32_t output) {
  OperatorDef def;
  def.kind = kind;
  def.inputs = std::move(inputs);
  def.outputs = {output};
  return def;
}

}  // namespace

// The fields CONV_2D and DEPTHWISE_CONV_2D share (their option and
// parameter types have the same member names).
template <typename Options, typename Params>
void fill_convolution_params(const OperatorContext& context, const Options& options,
                             const ResolvedPadding& pad, const ConvOperands& o,
                             int32_t channel_axis, int32_t channels, Params& params) {
  params.stride_h = options.stride_h;
  params.stride_w = options.stride_w;
  params.dilation_h = options.dilation_h;
  params.dilation_w = options.dilation_w;
  params.pad_top = pad.top;
  params.pad_left = pad.left;
  params.pad_bottom = pad.bottom;
  params.pad_right = pad.right;
  fill_conv_quantization(params, o.input_q.scale, o.input_q.zero_point,
                         weight_scales(context, o.filter, channel_axis, channels, nullptr),
                         o.output_q.scale, o.output_q.zero_point,
                         context.fused_activation(options.fused_activation));
}

OperatorDef convert_conv_2d(const OperatorContext& context) {
  const auto& options = context.options<Conv2DOptions>("Conv2DOptions");
  const ConvOperands o = conv_operands(context);
  const auto& in_shape = context.tensor(o.input).shape;
  const auto& filter_shape = context.tensor(o.filter).shape;  // OHWI
  const auto& out_shape = context.tensor(o.output).shape;
  const int32_t channels = filter_shape[0];
  if (filter_shape[3] != in_shape[3]) {
    context.error("weights have ", filter_shape[3], " input channels, input has ", in_shape[3],
                  " (grouped convolution not supported)");
  }
  if (out_shape[3] != channels) {
    context.error("output has ", out_shape[3], " channels, weights have ", channels);
  }
  check_bias(context, o.bias, channels);
  const ResolvedPadding pad = resolve_padding(
      context, options.padding, in_shape, out_shape, filter_shape[1], filter_shape[2],
      options.stride_h, options.stride_w, options.dilation_h, options.dilation_w);

  schema::Conv2DParamsT params;
  fill_convolution_params(context, options, pad, o, /*channel_axis=*/0, channels, params);

  OperatorDef def = make_operator(schema::OpKind::Conv2D, {o.input, o.filter, o.bias}, o.output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_depthwise_conv_2d(const OperatorContext& context) {
  const auto& options = context.options<DepthwiseConv2DOptions>("DepthwiseConv2DOptions");
  const ConvOperands o = conv_operands(context);
  const auto& in_shape = context.tensor(o.input).shape;
  const auto& filter_shape = context.tensor(o.filter).shape;  // 1HW(C*M)
  const auto& out_shape = context.tensor(o.output).shape;
  const int32_t channels = filter_shape[3];
  if (filter_shape[0] != 1)
    context.error("weights dimension 0 is ", filter_shape[0], ", expected 1");
  if (options.depth_multiplier <= 0 ||
      int64_t{in_shape[3]} * options.depth_multiplier != channels) {
    context.error("depth_multiplier ", options.depth_multiplier, " times ", in_shape[3],
                  " input channels does not give the weights' ", channels, " channels");
  }
  if (out_shape[3] != channels) {
    context.error("output has ", out_shape[3], " channels, weights have ", channels);
  }
  check_bias(context, o.bias, channels);
  const ResolvedPadding pad = resolve_padding(
      context, options.padding, in_shape, out_shape, filter_shape[1], filter_shape[2],
      options.stride_h, options.stride_w, options.dilation_h, options.dilation_w);

  schema::DepthwiseConv2DParamsT params;
  fill_convolution_params(context, options, pad, o, /*channel_axis=*/3, channels, params);
  params.depth_multiplier = options.depth_multiplier;

  OperatorDef def =
      make_operator(schema::OpKind::DepthwiseConv2D, {o.input, o.filter, o.bias}, o.output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_fully_connected(const OperatorContext& context) {
  const auto& options = context.options<FullyConnectedOptions>("FullyConnectedOptions");
  if (options.weights_format != 0) context.error("shuffled weights format not supported");
  context.require_inputs(2, 3);
  context.require_one_output();
  const int32_t input = context.input(0), weights = context.input(1);
  const int32_t bias = context.input(2, true), output = context.output();
  context.require_type(input, tensor_type::kInt8, "input");
  context.require_type(output, tensor_type::kInt8, "output");
  check_weights(context, weights);
  context.require_rank(weights, 2, "weights");
  const auto& weights_shape = context.tensor(weights).shape;  // [output_depth, accum_depth]
  const int32_t output_depth = weights_shape[0], accum_depth = weights_shape[1];
  const int64_t input_count = element_count(context.tensor(input).shape);
  const auto& out_shape = context.tensor(output).shape;
  if (out_shape.empty() || out_shape.back() != output_depth) {
    context.error("output's last dimension must be ", output_depth);
  }
  const int64_t batches = element_count(out_shape) / output_depth;
  if (input_count != batches * accum_depth) {
    context.error("input has ", input_count, " elements, expected ", batches, " x ", accum_depth);
  }
  check_bias(context, bias, output_depth);
  const TensorQuantization input_q = context.per_tensor_quantization(input, "input");
  const TensorQuantization output_q = context.per_tensor_quantization(output, "output");

  schema::FullyConnectedParamsT params;
  params.input_offset = -input_q.zero_point;
  params.weights_offset = 0;  // symmetric weights (checked)
  params.output_offset = output_q.zero_point;
  params.keep_num_dims = options.keep_num_dims;
  const schema::Activation activation = context.fused_activation(options.fused_activation);
  bool per_channel = false;
  const std::vector<float> scales = weight_scales(context, weights, 0, output_depth, &per_channel);
  if (per_channel) {
    fill_conv_quantization(params, input_q.scale, input_q.zero_point, scales, output_q.scale,
                           output_q.zero_point, activation);
  } else {
    set_fused_activation(params, activation, output_q.scale, output_q.zero_point);
    // TFLM's per-tensor path also insists that the bias scale is close to
    // s_in * s_w (GetQuantizedConvolutionMultipler).
    if (bias >= 0) {
      const auto& bias_scales = context.tensor(bias).quantization.scale;
      const double bias_scale = bias_scales.empty() ? 0.0 : static_cast<double>(bias_scales[0]);
      const double product = static_cast<double>(input_q.scale) * static_cast<double>(scales[0]);
      if (std::abs(product - bias_scale) / static_cast<double>(output_q.scale) > 0.02) {
        context.error(context.describe(bias, "bias"), ": scale ", bias_scale,
                      " is not input scale x weight scale (", product, ")");
      }
    }
    const QuantizedMultiplier m =
        per_tensor_conv_multiplier(input_q.scale, scales[0], output_q.scale);
    params.output_multiplier = {m.multiplier};
    params.output_shift = {m.shift};
  }

  OperatorDef def = make_operator(schema::OpKind::FullyConnected, {input, weights, bias}, output);
  def.params.Set(std::move(params));
  return def;
}

OperatorDef convert_pool_2d(const OperatorContext& context, schema::OpKind kind) {
  const auto& options = context.options<Pool2DOptions>("Pool2DOptions");
  context.require_inputs(1, 1);
  context.require_one_output();
  const int32_t input = context.input(0), output = context.output();
  context.require_type(input, tensor_type::kInt8, "input");
  context.require_type(output, tensor_type::kInt8, "output");
  context.require_rank(input, 4, "input");
  context.require_rank(output, 4, "output");
  const auto& in_shape = context.tensor(input).shape;
  const auto& out_shape = context.tensor(output).shape;
  if (in_shape[3] != out_shape[3]) {
    context.error("output has ", out_shape[3], " channels, input has ", in_shape[3]);
  }
  const TensorQuantization input_q = context.per_tensor_quantization(input, "input");
  const TensorQuantization output_q = context.per_tensor_quantization(output, "output");
  if (static_cast<double>(std::abs(input_q.scale - output_q.scale)) > 1.0e-6 ||
      input_q.zero_point != output_q.zero_point) {
    context.error("input and output quantization must be the same");
  }
  const ResolvedPadding pad =
      resolve_padding(context, options.padding, in_shape, out_shape, options.filter_height,
                      options.filter_width, options.stride_h, options.stride_w, 1, 1);

  schema::Pool2DParamsT params;
  params.stride_h = options.stride_h;
  params.stride_w = options.stride_w;
  params.filter_h = options.filter_height;
  params.filter_w = options.filter_width;
  params.pad_top = pad.top;
  params.pad_left = pad.left;
  params.pad_bottom = pad.bottom;
  params.pad_right = pad.right;
  set_fused_activation(params, context.fused_activation(options.fused_activation),
                       output_q.scale, output_q.zero_point);

  OperatorDef def = make_operator(kind, {input}, output);
  def.params.Set(std::move(params));
  return def;
}

}  // namespace locus::host::tflite
