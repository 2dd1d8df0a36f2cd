#include "host/quantize/model_quantizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "host/common/error.h"
#include "host/quantize/operator_params.h"
#include "host/quantize/quantize_params.h"

namespace locus::host {
namespace {

constexpr AffineQuantization kSoftmaxOutput{1.0f / 256, -128};
constexpr int32_t kNoTensor = -1;

schema::Activation schema_activation(FloatActivation activation) {
  switch (activation) {
    case FloatActivation::kRelu:
      return schema::Activation::Relu;
    case FloatActivation::kRelu6:
      return schema::Activation::Relu6;
    case FloatActivation::kNone:
      break;
  }
  return schema::Activation::None;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// Builds the graph: activation tensors first (model order), constants as
// the layers need them.
class GraphBuilder {
 public:
  GraphBuilder(const FloatModel& model, const ActivationRanges& ranges)
      : model_(model), ranges_(ranges), quantization_(model.tensors.size()),
        index_(model.tensors.size(), kNoTensor) {}

  Graph build() {
    const size_t input = static_cast<size_t>(model_.input);
    quantization_[input] = model_.input_quantization ? *model_.input_quantization
                                                     : calibrated(model_.input);
    for (size_t i = 0; i < model_.layers.size(); ++i) {
      const FloatLayer& layer = model_.layers[i];
      quantization_[static_cast<size_t>(layer.output)] = output_quantization(i);
    }
    for (size_t t = 0; t < model_.tensors.size(); ++t) {
      if (quantization_[t]) add_activation(static_cast<int32_t>(t));
    }
    for (size_t i = 0; i < model_.layers.size(); ++i) {
      try {
        graph_.operators.push_back(convert(model_.layers[i]));
      } catch (const Error& error) {
        fail("quantize: ", float_layer_label(model_, i), ": ", error.what());
      }
    }
    graph_.inputs = {index_[input]};
    graph_.outputs = {index_[static_cast<size_t>(model_.output)]};
    return std::move(graph_);
  }

 private:
  AffineQuantization calibrated(int32_t t) const {
    const float min = ranges_.min[static_cast<size_t>(t)];
    const float max = ranges_.max[static_cast<size_t>(t)];
    try {
      return activation_quantization(min, max);
    } catch (const Error& error) {
      fail("quantize: ", float_tensor_label(model_, t), ": ", error.what());
    }
  }

  const AffineQuantization& q(int32_t t) const { return *quantization_[static_cast<size_t>(t)]; }

  AffineQuantization output_quantization(size_t index) const {
    const FloatLayer& layer = model_.layers[index];
    switch (layer.op) {
      case FloatOp::kMaxPool2D:
      case FloatOp::kAveragePool2D:
      case FloatOp::kReshape:
        return q(layer.inputs[0]);  // TFLite: same scale and zero point as the input
      case FloatOp::kSoftmax:
        return kSoftmaxOutput;
      case FloatOp::kConv2D:
      case FloatOp::kDepthwiseConv2D:
      case FloatOp::kFullyConnected:
      case FloatOp::kAdd:
      case FloatOp::kMean:
        break;
    }
    return calibrated(layer.output);
  }

  void add_activation(int32_t t) {
    const FloatTensor& source = model_.tensors[static_cast<size_t>(t)];
    TensorDef tensor;
    tensor.name = source.name;
    tensor.type = schema::TensorType::Int8;
    tensor.shape = source.shape;
    tensor.scale = {q(t).scale};
    tensor.zero_point = {q(t).zero_point};
    index_[static_cast<size_t>(t)] = add_tensor(std::move(tensor));
  }

  int32_t add_tensor(TensorDef tensor) {
    graph_.tensors.push_back(std::move(tensor));
    return static_cast<int32_t>(graph_.tensors.size() - 1);
  }

  // Per-channel int8 weights along `axis`; returns the graph index.
  int32_t add_weights(const FloatLayer& layer, int32_t axis, std::vector<float>& scales) {
    scales = symmetric_weight_scales(layer.weights, layer.weight_shape, axis);
    const std::vector<int32_t>& shape = layer.weight_shape;
    int64_t inner = 1;
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
    std::vector<int8_t> values(layer.weights.size());
    for (size_t i = 0; i < values.size(); ++i) {
      const size_t channel = (i / static_cast<size_t>(inner)) % scales.size();
      const float scaled = std::round(layer.weights[i] / scales[channel]);
      values[i] = static_cast<int8_t>(std::clamp(scaled, -127.0f, 127.0f));
    }
    TensorDef tensor;
    tensor.name = layer.name + "/weights";
    tensor.type = schema::TensorType::Int8;
    tensor.shape = shape;
    tensor.scale = scales;
    tensor.zero_point.assign(scales.size(), 0);
    tensor.quantized_dimension = axis;
    tensor.constant = true;
    tensor.data = bytes_of(values);
    return add_tensor(std::move(tensor));
  }

  // int32 bias with scale s_in * s_w[c] (zeros when the layer has none).
  int32_t add_bias(const FloatLayer& layer, float input_scale,
                   const std::vector<float>& weight_scales) {
    constexpr double kLimit = std::numeric_limits<int32_t>::max();
    std::vector<float> scales(weight_scales.size());
    std::vector<int32_t> values(weight_scales.size(), 0);
    for (size_t c = 0; c < scales.size(); ++c) {
      scales[c] = input_scale * weight_scales[c];
      if (!(scales[c] > 0.0f) || !std::isfinite(scales[c])) {
        fail("bias scale ", input_scale, " x ", weight_scales[c], " for channel ", c,
             " is not a positive float");
      }
      if (!layer.bias.empty()) {
        const double scaled = std::round(double{layer.bias[c]} / double{scales[c]});
        values[c] = static_cast<int32_t>(std::clamp(scaled, -kLimit, kLimit));
      }
    }
    TensorDef tensor;
    tensor.name = layer.name + "/bias";
    tensor.type = schema::TensorType::Int32;
    tensor.shape = {static_cast<int32_t>(scales.size())};
    tensor.scale = scales;
    tensor.zero_point.assign(scales.size(), 0);
    tensor.constant = true;
    tensor.data = bytes_of(values);
    return add_tensor(std::move(tensor));
  }

  template <typename Params>
  void set_window(const FloatLayer& layer, Params& params) const {
    params.stride_h = layer.stride_h;
    params.stride_w = layer.stride_w;
    params.pad_top = layer.pad_top;
    params.pad_left = layer.pad_left;
    params.pad_bottom = layer.pad_bottom;
    params.pad_right = layer.pad_right;
  }

  // CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED: inputs, weights, bias and
  // the shared quantisation fields.
  template <typename Params>
  OperatorDef weighted(const FloatLayer& layer, schema::OpKind kind, int32_t axis,
                       Params params) {
    const AffineQuantization& in = q(layer.inputs[0]);
    const AffineQuantization& out = q(layer.output);
    std::vector<float> scales;
    const int32_t weights = add_weights(layer, axis, scales);
    const int32_t bias = add_bias(layer, in.scale, scales);
    fill_conv_quantization(params, in.scale, in.zero_point, scales, out.scale, out.zero_point,
                           schema_activation(layer.activation));
    OperatorDef def;
    def.kind = kind;
    def.inputs = {index_[static_cast<size_t>(layer.inputs[0])], weights, bias};
    def.params.Set(std::move(params));
    return def;
  }

  OperatorDef convert(const FloatLayer& layer) {
    OperatorDef def = convert_params(layer);
    if (def.inputs.empty()) {
      for (int32_t t : layer.inputs) def.inputs.push_back(index_[static_cast<size_t>(t)]);
    }
    def.outputs = {index_[static_cast<size_t>(layer.output)]};
    return def;
  }

  OperatorDef convert_params(const FloatLayer& layer) {
    const AffineQuantization& in = q(layer.inputs[0]);
    const AffineQuantization& out = q(layer.output);
    const schema::Activation activation = schema_activation(layer.activation);
    OperatorDef def;
    switch (layer.op) {
      case FloatOp::kConv2D: {
        schema::Conv2DParamsT params;
        set_window(layer, params);
        return weighted(layer, schema::OpKind::Conv2D, 0, std::move(params));
      }
      case FloatOp::kDepthwiseConv2D: {
        schema::DepthwiseConv2DParamsT params;
        set_window(layer, params);
        params.depth_multiplier = 1;
        return weighted(layer, schema::OpKind::DepthwiseConv2D, 3, std::move(params));
      }
      case FloatOp::kFullyConnected: {
        schema::FullyConnectedParamsT params;
        params.weights_offset = 0;  // symmetric weights
        return weighted(layer, schema::OpKind::FullyConnected, 0, std::move(params));
      }
      case FloatOp::kAveragePool2D:
      case FloatOp::kMaxPool2D: {
        schema::Pool2DParamsT params;
        set_window(layer, params);
        params.filter_h = layer.filter_h;
        params.filter_w = layer.filter_w;
        set_fused_activation(params, activation, out.scale, out.zero_point);
        def.kind = layer.op == FloatOp::kMaxPool2D ? schema::OpKind::MaxPool2D
                                                   : schema::OpKind::AveragePool2D;
        def.params.Set(std::move(params));
        return def;
      }
      case FloatOp::kMean: {
        schema::MeanParamsT params;
        params.axes = {1, 2};
        params.keep_dims = true;
        const QuantizedMultiplier m = rescale_multiplier(in.scale, out.scale);
        params.output_multiplier = m.multiplier;
        params.output_shift = m.shift;
        def.kind = schema::OpKind::Mean;
        def.params.Set(std::move(params));
        return def;
      }
      case FloatOp::kReshape:
        def.kind = schema::OpKind::Reshape;
        def.params.Set(schema::ReshapeParamsT{});
        return def;
      case FloatOp::kAdd: {
        const AffineQuantization& in2 = q(layer.inputs[1]);
        def.kind = schema::OpKind::Add;
        def.params.Set(add_int8_params(in.scale, in.zero_point, in2.scale, in2.zero_point,
                                       out.scale, out.zero_point, activation));
        return def;
      }
      case FloatOp::kSoftmax:
        def.kind = schema::OpKind::Softmax;
        def.params.Set(softmax_int8_params(1.0f, in.scale));
        return def;
    }
    fail("not supported");
  }

  const FloatModel& model_;
  const ActivationRanges& ranges_;
  std::vector<std::optional<AffineQuantization>> quantization_;  // per model tensor
  std::vector<int32_t> index_;                                    // model tensor -> graph
  Graph graph_;
};

}  // namespace

AffineQuantization activation_quantization(float min, float max) {
  if (!std::isfinite(min) || !std::isfinite(max) || min > max) {
    fail("range [", min, ", ", max, "] is not a finite interval");
  }
  min = std::min(min, 0.0f);
  max = std::max(max, 0.0f);
  if (max == min) return {1.0f / 255, -128};  // only 0 observed
  const auto scale = static_cast<float>((double{max} - double{min}) / 255.0);
  const double zero_point = std::round(-128.0 - double{min} / double{scale});
  return {scale, static_cast<int32_t>(std::clamp(zero_point, -128.0, 127.0))};
}

std::vector<float> symmetric_weight_scales(std::span<const float> weights,
                                           const std::vector<int32_t>& shape, int32_t axis) {
  if (axis < 0 || static_cast<size_t>(axis) >= shape.size()) {
    fail("quantization axis ", axis, " outside the weights' rank ", shape.size());
  }
  int64_t count = 1, inner = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    count *= shape[d];
    if (d > static_cast<size_t>(axis)) inner *= shape[d];
  }
  if (count != static_cast<int64_t>(weights.size())) {
    fail(weights.size(), " weights for a shape of ", count, " values");
  }
  const size_t channels = static_cast<size_t>(shape[static_cast<size_t>(axis)]);
  std::vector<float> max_abs(channels, 0.0f);
  for (size_t i = 0; i < weights.size(); ++i) {
    const size_t channel = (i / static_cast<size_t>(inner)) % channels;
    max_abs[channel] = std::max(max_abs[channel], std::abs(weights[i]));
  }
  std::vector<float> scales(channels);
  for (size_t c = 0; c < channels; ++c) {
    scales[c] = (max_abs[c] > 0.0f ? max_abs[c] : 1.0f) / 127.0f;
  }
  return scales;
}

int8_t quantize_value(float value, const AffineQuantization& q) {
  float rounded = std::round(value / q.scale);
  // Bounded before the int conversion, NaN to the low end (as the runtime's QUANTIZE).
  rounded = rounded > -1.0e6f ? rounded : -1.0e6f;
  rounded = rounded < 1.0e6f ? rounded : 1.0e6f;
  return static_cast<int8_t>(
      std::clamp<int32_t>(static_cast<int32_t>(rounded) + q.zero_point, -128, 127));
}

float dequantize_value(int8_t value, const AffineQuantization& q) {
  return q.scale * static_cast<float>(int32_t{value} - q.zero_point);
}

Graph quantize_model(const FloatModel& model, const ActivationRanges& ranges) {
  validate_float_model(model);
  if (ranges.min.size() != model.tensors.size() || ranges.max.size() != model.tensors.size()) {
    fail("quantize: ", ranges.min.size(), " minima and ", ranges.max.size(),
         " maxima for a model of ", model.tensors.size(), " tensors");
  }
  return GraphBuilder(model, ranges).build();
}

}  // namespace locus::host
