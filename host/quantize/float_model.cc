#include "host/quantize/float_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "host/common/error.h"

namespace locus::host {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 28;  // per tensor, and per weight array
constexpr int32_t kMaxWindow = 1 << 16;              // strides, pads and pool windows

std::string layer_label(const FloatModel& model, size_t index) {
  return "float model: " + float_layer_label(model, index);
}

// Element count of a shape whose dimensions are already checked (>= 1).
int64_t element_count(const std::vector<int32_t>& shape) {
  int64_t count = 1;
  for (int32_t dim : shape) count *= dim;
  return count;
}

// Dimensions >= 1 and at most kMaxElements elements; "" when fine.
std::string shape_problem(const std::vector<int32_t>& shape) {
  int64_t count = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 1) {
      return "dimension " + std::to_string(d) + " is " + std::to_string(shape[d]);
    }
    if (count > kMaxElements / shape[d]) {
      return "more than " + std::to_string(kMaxElements) + " elements";
    }
    count *= shape[d];
  }
  return {};
}

std::string shape_text(const std::vector<int32_t>& shape) {
  std::string text = "[";
  for (size_t d = 0; d < shape.size(); ++d) text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

int64_t window_extent(int64_t in, int64_t before, int64_t after, int64_t filter, int64_t stride) {
  const int64_t span = in + before + after - filter;
  return span < 0 ? 0 : span / stride + 1;
}

bool has_weights(FloatOp op) {
  return op == FloatOp::kConv2D || op == FloatOp::kDepthwiseConv2D ||
         op == FloatOp::kFullyConnected;
}

bool is_windowed(FloatOp op) {
  return op == FloatOp::kConv2D || op == FloatOp::kDepthwiseConv2D ||
         op == FloatOp::kAveragePool2D || op == FloatOp::kMaxPool2D;
}

class LayerChecker {
 public:
  LayerChecker(const FloatModel& model, size_t index)
      : model_(model), layer_(model.layers[index]), where_(layer_label(model, index)) {}

  template <typename... Parts>
  [[noreturn]] void error(Parts&&... parts) const {
    fail(where_, ": ", std::forward<Parts>(parts)...);
  }

  void check() const {
    const size_t expected_inputs = layer_.op == FloatOp::kAdd ? 2 : 1;
    if (layer_.inputs.size() != expected_inputs) {
      error("has ", layer_.inputs.size(), " inputs, expects ", expected_inputs);
    }
    for (int32_t t : layer_.inputs) check_index(t, "input");
    check_index(layer_.output, "output");
    check_weights();
    if (is_windowed(layer_.op)) check_window();
    if ((layer_.op == FloatOp::kMean || layer_.op == FloatOp::kReshape ||
         layer_.op == FloatOp::kSoftmax) &&
        layer_.activation != FloatActivation::kNone) {
      error("has a fused activation, which ", float_op_name(layer_.op), " does not support");
    }
    check_shapes();
  }

 private:
  void check_index(int32_t t, const char* role) const {
    if (t < 0 || static_cast<size_t>(t) >= model_.tensors.size()) {
      error(role, " tensor index ", t, " out of range (", model_.tensors.size(), " tensors)");
    }
  }

  const std::vector<int32_t>& shape(int32_t t) const {
    return model_.tensors[static_cast<size_t>(t)].shape;
  }
  const std::vector<int32_t>& in_shape() const { return shape(layer_.inputs[0]); }
  const std::vector<int32_t>& out_shape() const { return shape(layer_.output); }

  void require_rank(int32_t t, size_t rank, const char* role) const {
    if (shape(t).size() != rank) {
      error(role, " ", float_tensor_label(model_, t), " has shape ", shape_text(shape(t)),
            ", expected rank ", rank);
    }
  }

  void require_output_shape(const std::vector<int32_t>& expected) const {
    if (out_shape() != expected) {
      error("output ", float_tensor_label(model_, layer_.output), " has shape ",
            shape_text(out_shape()), ", the layer gives ", shape_text(expected));
    }
  }

  void check_weights() const {
    if (!has_weights(layer_.op)) {
      if (!layer_.weight_shape.empty() || !layer_.weights.empty() || !layer_.bias.empty()) {
        error("has weights or a bias, which ", float_op_name(layer_.op), " does not take");
      }
      return;
    }
    const size_t rank = layer_.op == FloatOp::kFullyConnected ? 2 : 4;
    if (layer_.weight_shape.size() != rank) {
      error("weight shape ", shape_text(layer_.weight_shape), " must have rank ", rank);
    }
    if (const std::string problem = shape_problem(layer_.weight_shape); !problem.empty()) {
      error("weight shape ", shape_text(layer_.weight_shape), ": ", problem);
    }
    const int64_t count = element_count(layer_.weight_shape);
    if (static_cast<int64_t>(layer_.weights.size()) != count) {
      error(layer_.weights.size(), " weights for weight shape ", shape_text(layer_.weight_shape),
            " (", count, " values)");
    }
    const int32_t channels = output_channels();
    if (!layer_.bias.empty() && static_cast<int64_t>(layer_.bias.size()) != channels) {
      error(layer_.bias.size(), " bias values for ", channels, " output channels");
    }
    for (size_t i = 0; i < layer_.weights.size(); ++i) {
      if (!std::isfinite(layer_.weights[i])) error("weight ", i, " is not finite");
    }
    for (size_t i = 0; i < layer_.bias.size(); ++i) {
      if (!std::isfinite(layer_.bias[i])) error("bias ", i, " is not finite");
    }
  }

  int32_t output_channels() const {
    return layer_.op == FloatOp::kDepthwiseConv2D ? layer_.weight_shape[3]
                                                  : layer_.weight_shape[0];
  }

  void check_window() const {
    const auto in_range = [&](int32_t value, int32_t low, const char* what) {
      if (value < low || value > kMaxWindow) {
        error(what, " ", value, " outside ", low, "..", kMaxWindow);
      }
    };
    in_range(layer_.stride_h, 1, "stride_h");
    in_range(layer_.stride_w, 1, "stride_w");
    in_range(layer_.pad_top, 0, "pad_top");
    in_range(layer_.pad_left, 0, "pad_left");
    in_range(layer_.pad_bottom, 0, "pad_bottom");
    in_range(layer_.pad_right, 0, "pad_right");
    if (layer_.op == FloatOp::kAveragePool2D || layer_.op == FloatOp::kMaxPool2D) {
      in_range(layer_.filter_h, 1, "filter_h");
      in_range(layer_.filter_w, 1, "filter_w");
      // A window wholly inside the padding would have no element to pool.
      if (layer_.pad_top >= layer_.filter_h || layer_.pad_bottom >= layer_.filter_h ||
          layer_.pad_left >= layer_.filter_w || layer_.pad_right >= layer_.filter_w) {
        error("padding must be smaller than the ", layer_.filter_h, "x", layer_.filter_w,
              " window");
      }
    }
  }

  // [N, out_h, out_w, channels] for a window of filter_h x filter_w.
  std::vector<int32_t> windowed_output(int32_t filter_h, int32_t filter_w,
                                       int32_t channels) const {
    const auto& in = in_shape();
    const int64_t out_h =
        window_extent(in[1], layer_.pad_top, layer_.pad_bottom, filter_h, layer_.stride_h);
    const int64_t out_w =
        window_extent(in[2], layer_.pad_left, layer_.pad_right, filter_w, layer_.stride_w);
    if (out_h < 1 || out_w < 1) {
      error("window ", filter_h, "x", filter_w, " does not fit input ", shape_text(in),
            " with this padding");
    }
    return {in[0], static_cast<int32_t>(out_h), static_cast<int32_t>(out_w), channels};
  }

  void check_shapes() const {
    const int32_t input = layer_.inputs[0];
    const auto& in = in_shape();
    const auto& ws = layer_.weight_shape;
    switch (layer_.op) {
      case FloatOp::kConv2D:
        require_rank(input, 4, "input");
        if (ws[3] != in[3]) {
          error("weights have ", ws[3], " input channels, the input has ", in[3]);
        }
        require_output_shape(windowed_output(ws[1], ws[2], ws[0]));
        return;
      case FloatOp::kDepthwiseConv2D:
        require_rank(input, 4, "input");
        if (ws[0] != 1 || ws[3] != in[3]) {
          error("weight shape ", shape_text(ws), " must be [1, H, W, ", in[3],
                "] (depth multiplier 1)");
        }
        require_output_shape(windowed_output(ws[1], ws[2], ws[3]));
        return;
      case FloatOp::kFullyConnected: {
        const int64_t in_count = element_count(in);
        if (in_count % ws[1] != 0) {
          error("input has ", in_count, " values, not a multiple of the weights' depth ", ws[1]);
        }
        const auto& out = out_shape();
        if (out.back() != ws[0] || element_count(out) != in_count / ws[1] * ws[0]) {
          error("output ", float_tensor_label(model_, layer_.output), " has shape ",
                shape_text(out), ", expected ", in_count / ws[1], " rows of ", ws[0]);
        }
        return;
      }
      case FloatOp::kAveragePool2D:
      case FloatOp::kMaxPool2D:
        require_rank(input, 4, "input");
        require_output_shape(windowed_output(layer_.filter_h, layer_.filter_w, in[3]));
        return;
      case FloatOp::kMean:
        require_rank(input, 4, "input");
        require_output_shape({in[0], 1, 1, in[3]});
        return;
      case FloatOp::kReshape:
        if (element_count(out_shape()) != element_count(in)) {
          error("output ", float_tensor_label(model_, layer_.output), " has ",
                element_count(out_shape()), " values, the input ", element_count(in));
        }
        return;
      case FloatOp::kAdd:
        if (shape(layer_.inputs[1]) != in) {
          error("input shapes ", shape_text(in), " and ", shape_text(shape(layer_.inputs[1])),
                " differ");
        }
        require_output_shape(in);
        return;
      case FloatOp::kSoftmax:
        require_output_shape(in);
        return;
    }
    error("unknown operation ", static_cast<int>(layer_.op));
  }

  const FloatModel& model_;
  const FloatLayer& layer_;
  std::string where_;
};

// ---- float execution ----

struct Nhwc {
  int64_t n, h, w, c;
};

Nhwc nhwc(const std::vector<int32_t>& shape) { return {shape[0], shape[1], shape[2], shape[3]}; }

float activate(double value, FloatActivation activation) {
  switch (activation) {
    case FloatActivation::kRelu:
      value = std::max(value, 0.0);
      break;
    case FloatActivation::kRelu6:
      value = std::clamp(value, 0.0, 6.0);
      break;
    case FloatActivation::kNone:
      break;
  }
  return static_cast<float>(value);
}

// CONV_2D (OHWI weights) and DEPTHWISE_CONV_2D ([1, H, W, C] weights):
// taps in the zero padding are skipped.
void convolution(const FloatLayer& l, const std::vector<float>& x, const Nhwc& in,
                 const Nhwc& out, std::vector<float>& y) {
  const bool depthwise = l.op == FloatOp::kDepthwiseConv2D;
  const int64_t kh = l.weight_shape[1], kw = l.weight_shape[2];
  for (int64_t n = 0; n < out.n; ++n)
    for (int64_t oy = 0; oy < out.h; ++oy)
      for (int64_t ox = 0; ox < out.w; ++ox)
        for (int64_t oc = 0; oc < out.c; ++oc) {
          double acc = l.bias.empty() ? 0.0 : l.bias[oc];
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t iy = oy * l.stride_h - l.pad_top + ky;
            if (iy < 0 || iy >= in.h) continue;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t ix = ox * l.stride_w - l.pad_left + kx;
              if (ix < 0 || ix >= in.w) continue;
              const float* pixel = &x[((n * in.h + iy) * in.w + ix) * in.c];
              if (depthwise) {
                acc += double{pixel[oc]} * l.weights[(ky * kw + kx) * in.c + oc];
              } else {
                const float* w = &l.weights[((oc * kh + ky) * kw + kx) * in.c];
                for (int64_t ic = 0; ic < in.c; ++ic) acc += double{pixel[ic]} * w[ic];
              }
            }
          }
          y[((n * out.h + oy) * out.w + ox) * out.c + oc] = activate(acc, l.activation);
        }
}

// AVERAGE_POOL_2D over the window's elements inside the input, MAX_POOL_2D.
void pool(const FloatLayer& l, const std::vector<float>& x, const Nhwc& in, const Nhwc& out,
          std::vector<float>& y) {
  for (int64_t n = 0; n < out.n; ++n)
    for (int64_t oy = 0; oy < out.h; ++oy)
      for (int64_t ox = 0; ox < out.w; ++ox)
        for (int64_t c = 0; c < out.c; ++c) {
          const int64_t y0 = std::max<int64_t>(0, oy * l.stride_h - l.pad_top);
          const int64_t y1 = std::min<int64_t>(in.h, oy * l.stride_h - l.pad_top + l.filter_h);
          const int64_t x0 = std::max<int64_t>(0, ox * l.stride_w - l.pad_left);
          const int64_t x1 = std::min<int64_t>(in.w, ox * l.stride_w - l.pad_left + l.filter_w);
          double sum = 0.0, max = -INFINITY;
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) {
              const double v = x[((n * in.h + iy) * in.w + ix) * in.c + c];
              sum += v;
              max = std::max(max, v);
            }
          const double count = static_cast<double>((y1 - y0) * (x1 - x0));
          const double result = l.op == FloatOp::kMaxPool2D ? max : sum / count;
          y[((n * out.h + oy) * out.w + ox) * out.c + c] = activate(result, l.activation);
        }
}

std::vector<float> run_layer(const FloatModel& model, const FloatLayer& l,
                             const std::vector<std::vector<float>>& values) {
  const std::vector<float>& x = values[static_cast<size_t>(l.inputs[0])];
  const auto& in_shape = model.tensors[static_cast<size_t>(l.inputs[0])].shape;
  const auto& out_shape = model.tensors[static_cast<size_t>(l.output)].shape;
  std::vector<float> y(static_cast<size_t>(element_count(out_shape)));
  switch (l.op) {
    case FloatOp::kConv2D:
    case FloatOp::kDepthwiseConv2D:
      convolution(l, x, nhwc(in_shape), nhwc(out_shape), y);
      break;
    case FloatOp::kAveragePool2D:
    case FloatOp::kMaxPool2D:
      pool(l, x, nhwc(in_shape), nhwc(out_shape), y);
      break;
    case FloatOp::kFullyConnected: {
      const int64_t depth = l.weight_shape[1], outputs = l.weight_shape[0];
      const int64_t rows = static_cast<int64_t>(x.size()) / depth;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t o = 0; o < outputs; ++o) {
          double acc = l.bias.empty() ? 0.0 : l.bias[o];
          for (int64_t i = 0; i < depth; ++i) {
            acc += double{x[r * depth + i]} * l.weights[o * depth + i];
          }
          y[r * outputs + o] = activate(acc, l.activation);
        }
      break;
    }
    case FloatOp::kMean: {
      const Nhwc in = nhwc(in_shape);
      for (int64_t n = 0; n < in.n; ++n)
        for (int64_t c = 0; c < in.c; ++c) {
          double sum = 0.0;
          for (int64_t i = 0; i < in.h * in.w; ++i) sum += x[(n * in.h * in.w + i) * in.c + c];
          y[n * in.c + c] = static_cast<float>(sum / static_cast<double>(in.h * in.w));
        }
      break;
    }
    case FloatOp::kReshape:
      y = x;
      break;
    case FloatOp::kAdd: {
      const std::vector<float>& b = values[static_cast<size_t>(l.inputs[1])];
      for (size_t i = 0; i < y.size(); ++i) {
        y[i] = activate(double{x[i]} + double{b[i]}, l.activation);
      }
      break;
    }
    case FloatOp::kSoftmax: {
      const size_t depth = static_cast<size_t>(in_shape.back());
      for (size_t row = 0; row < y.size(); row += depth) {
        const float max = *std::max_element(x.begin() + row, x.begin() + row + depth);
        double sum = 0.0;
        for (size_t i = 0; i < depth; ++i) sum += std::exp(double{x[row + i]} - max);
        for (size_t i = 0; i < depth; ++i) {
          y[row + i] = static_cast<float>(std::exp(double{x[row + i]} - max) / sum);
        }
      }
      break;
    }
  }
  return y;
}

}  // namespace

const char* float_op_name(FloatOp op) {
  switch (op) {
    case FloatOp::kConv2D:
      return "CONV_2D";
    case FloatOp::kDepthwiseConv2D:
      return "DEPTHWISE_CONV_2D";
    case FloatOp::kFullyConnected:
      return "FULLY_CONNECTED";
    case FloatOp::kAveragePool2D:
      return "AVERAGE_POOL_2D";
    case FloatOp::kMaxPool2D:
      return "MAX_POOL_2D";
    case FloatOp::kMean:
      return "MEAN";
    case FloatOp::kReshape:
      return "RESHAPE";
    case FloatOp::kAdd:
      return "ADD";
    case FloatOp::kSoftmax:
      return "SOFTMAX";
  }
  return "unknown";
}

std::string float_layer_label(const FloatModel& model, size_t index) {
  const FloatLayer& layer = model.layers[index];
  std::string label = "layer " + std::to_string(index);
  if (!layer.name.empty()) label += " '" + layer.name + "'";
  return label + " (" + float_op_name(layer.op) + ")";
}

std::string float_tensor_label(const FloatModel& model, int32_t index) {
  std::string label = "tensor " + std::to_string(index);
  const std::string& name = model.tensors[static_cast<size_t>(index)].name;
  if (!name.empty()) label += " '" + name + "'";
  return label;
}

void validate_float_model(const FloatModel& model) {
  const size_t count = model.tensors.size();
  if (count == 0) fail("float model: has no tensors");
  for (size_t t = 0; t < count; ++t) {
    const auto& shape = model.tensors[t].shape;
    const std::string where = "float model: " + float_tensor_label(model, static_cast<int32_t>(t));
    if (shape.empty() || shape.size() > 4) {
      fail(where, ": shape ", shape_text(shape), " must have rank 1 to 4");
    }
    if (const std::string problem = shape_problem(shape); !problem.empty()) {
      fail(where, ": shape ", shape_text(shape), ": ", problem);
    }
  }
  if (model.input < 0 || static_cast<size_t>(model.input) >= count) {
    fail("float model: input tensor index ", model.input, " out of range");
  }
  if (model.output < 0 || static_cast<size_t>(model.output) >= count) {
    fail("float model: output tensor index ", model.output, " out of range");
  }
  if (const auto& q = model.input_quantization) {
    if (!std::isfinite(q->scale) || !(q->scale > 0.0f)) {
      fail("float model: input quantization scale ", q->scale, " must be positive and finite");
    }
    if (q->zero_point < -128 || q->zero_point > 127) {
      fail("float model: input quantization zero point ", q->zero_point, " outside int8");
    }
  }
  if (model.layers.empty()) fail("float model: has no layers");

  // Data flow: inputs available before use, every tensor written once.
  std::vector<bool> available(count, false);
  available[static_cast<size_t>(model.input)] = true;
  for (size_t i = 0; i < model.layers.size(); ++i) {
    LayerChecker(model, i).check();
    const FloatLayer& layer = model.layers[i];
    for (int32_t t : layer.inputs) {
      if (!available[static_cast<size_t>(t)]) {
        fail(layer_label(model, i), ": input ", float_tensor_label(model, t),
             " is neither the model input nor an earlier layer's output");
      }
    }
    if (available[static_cast<size_t>(layer.output)]) {
      fail(layer_label(model, i), ": output ", float_tensor_label(model, layer.output),
           " is already the model input or an earlier layer's output");
    }
    available[static_cast<size_t>(layer.output)] = true;
  }
  if (model.output == model.input) fail("float model: the output is the input tensor");
  if (!available[static_cast<size_t>(model.output)]) {
    fail("float model: output ", float_tensor_label(model, model.output),
         " is computed by no layer");
  }
}

std::vector<std::vector<float>> run_float_model(const FloatModel& model,
                                                std::span<const float> input) {
  validate_float_model(model);
  const auto& input_shape = model.tensors[static_cast<size_t>(model.input)].shape;
  if (static_cast<int64_t>(input.size()) != element_count(input_shape)) {
    fail("float model: input has ", input.size(), " values, ",
         float_tensor_label(model, model.input), " ", shape_text(input_shape), " needs ",
         element_count(input_shape));
  }
  std::vector<std::vector<float>> values(model.tensors.size());
  values[static_cast<size_t>(model.input)].assign(input.begin(), input.end());
  for (const FloatLayer& layer : model.layers) {
    values[static_cast<size_t>(layer.output)] = run_layer(model, layer, values);
  }
  return values;
}

RangeObserver::RangeObserver(const FloatModel& model) : model_(model) {
  validate_float_model(model);
  // Starting at 0 keeps 0 inside every range, as int8 quantisation needs.
  ranges_.min.assign(model.tensors.size(), 0.0f);
  ranges_.max.assign(model.tensors.size(), 0.0f);
}

void RangeObserver::observe(std::span<const float> input) {
  const std::vector<std::vector<float>> values = run_float_model(model_, input);
  for (size_t t = 0; t < values.size(); ++t) {  // check everything before keeping anything
    for (float v : values[t]) {
      if (!std::isfinite(v)) {
        fail("calibration: input ", count_, " gives a non-finite value in ",
             float_tensor_label(model_, static_cast<int32_t>(t)));
      }
    }
  }
  for (size_t t = 0; t < values.size(); ++t) {
    for (float v : values[t]) {
      ranges_.min[t] = std::min(ranges_.min[t], v);
      ranges_.max[t] = std::max(ranges_.max[t], v);
    }
  }
  ++count_;
}

ActivationRanges RangeObserver::ranges() const {
  if (count_ == 0) fail("calibration: no input observed");
  return ranges_;
}

}  // namespace locus::host
