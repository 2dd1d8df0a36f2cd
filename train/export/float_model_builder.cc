#include "train/export/float_model_builder.h"

#include "host/common/error.h"

namespace locus::train {

using host::FloatActivation;
using host::FloatLayer;
using host::FloatOp;
using host::fail;

std::vector<float> to_vector(const torch::Tensor& tensor) {
  const torch::Tensor t = tensor.detach().to(torch::kFloat32).contiguous();
  const float* data = t.data_ptr<float>();
  return std::vector<float>(data, data + t.numel());
}

FoldedNorm fold_batch_norm(const torch::Tensor& weight, const torch::Tensor& bias,
                           const torch::Tensor& running_mean, const torch::Tensor& running_var,
                           double eps) {
  const torch::Tensor scale = weight / torch::sqrt(running_var + eps);
  return {scale, bias - running_mean * scale};
}

namespace {

// (W, b) of a layer followed by an optional batch norm; dimension 0 of W is
// the output channel.
std::pair<torch::Tensor, torch::Tensor> folded(const torch::Tensor& weight,
                                               const torch::Tensor& bias_or_undefined,
                                               const FoldedNorm* norm) {
  const int64_t out = weight.size(0);
  torch::Tensor bias =
      bias_or_undefined.defined() ? bias_or_undefined : torch::zeros({out}, weight.options());
  torch::Tensor w = weight;
  if (norm != nullptr) {
    std::vector<int64_t> view(static_cast<size_t>(weight.dim()), 1);
    view[0] = out;
    w = w * norm->scale.view(view);
    bias = bias * norm->scale + norm->shift;
  }
  return {w, bias};
}

template <typename Norm>
std::pair<torch::Tensor, torch::Tensor> fold_into(const torch::Tensor& weight,
                                                  const torch::Tensor& bias, const Norm* norm) {
  if (norm == nullptr) return folded(weight, bias, nullptr);
  const FoldedNorm n = fold_batch_norm(norm->weight, norm->bias, norm->running_mean,
                                       norm->running_var, norm->options.eps());
  return folded(weight, bias, &n);
}

std::array<int64_t, 2> pair_of(const torch::ExpandingArray<2>& a) { return {(*a)[0], (*a)[1]}; }

std::array<int64_t, 2> padding_of(const torch::nn::Conv2d& conv, const std::string& name) {
  const auto* explicit_padding = c10::get_if<torch::ExpandingArray<2>>(&conv->options.padding());
  if (explicit_padding == nullptr) fail("export: layer '", name, "': only explicit padding");
  return pair_of(*explicit_padding);
}

}  // namespace

FloatModelBuilder::FloatModelBuilder(std::vector<int32_t> input_shape,
                                     std::optional<host::AffineQuantization> input_quantization) {
  model_.input = add_tensor("input", std::move(input_shape));
  model_.input_quantization = input_quantization;
  current_ = model_.input;
}

const std::vector<int32_t>& FloatModelBuilder::shape() const {
  return model_.tensors[static_cast<size_t>(current_)].shape;
}

int32_t FloatModelBuilder::add_tensor(const std::string& name, std::vector<int32_t> shape) {
  model_.tensors.push_back({name, std::move(shape)});
  return static_cast<int32_t>(model_.tensors.size() - 1);
}

FloatLayer& FloatModelBuilder::add_layer(const std::string& name, FloatOp op,
                                         std::vector<int32_t> output_shape) {
  FloatLayer layer;
  layer.name = name;
  layer.op = op;
  layer.inputs = {current_};
  layer.output = add_tensor(name, std::move(output_shape));
  current_ = layer.output;
  model_.layers.push_back(std::move(layer));
  return model_.layers.back();
}

std::pair<torch::Tensor, torch::Tensor> fold_into_layer(const torch::Tensor& weight,
                                                        const torch::Tensor& bias,
                                                        const torch::nn::BatchNorm2dImpl* norm) {
  return fold_into(weight, bias, norm);
}

std::pair<torch::Tensor, torch::Tensor> fold_into_layer(const torch::Tensor& weight,
                                                        const torch::Tensor& bias,
                                                        const torch::nn::BatchNorm1dImpl* norm) {
  return fold_into(weight, bias, norm);
}

static Geometry2d geometry_of(const torch::nn::Conv2d& conv, const std::string& name) {
  const auto stride = pair_of(conv->options.stride());
  const auto pad = padding_of(conv, name);
  if (pair_of(conv->options.dilation()) != std::array<int64_t, 2>{1, 1}) {
    fail("export: layer '", name, "': dilated convolution");
  }
  Geometry2d g;
  g.stride_h = static_cast<int32_t>(stride[0]);
  g.stride_w = static_cast<int32_t>(stride[1]);
  g.pad_top = g.pad_bottom = static_cast<int32_t>(pad[0]);
  g.pad_left = g.pad_right = static_cast<int32_t>(pad[1]);
  return g;
}

void FloatModelBuilder::conv2d(const std::string& name, const torch::nn::Conv2d& conv,
                               const torch::nn::BatchNorm2d* norm, FloatActivation activation) {
  if (conv->options.groups() != 1) fail("export: layer '", name, "': grouped convolution");
  torch::NoGradGuard no_grad;
  auto [w, b] = fold_into(conv->weight, conv->bias, norm ? norm->get() : nullptr);
  conv2d(name, w, b, geometry_of(conv, name), activation);
}

void FloatModelBuilder::depthwise_conv2d(const std::string& name, const torch::nn::Conv2d& conv,
                                         const torch::nn::BatchNorm2d* norm,
                                         FloatActivation activation) {
  const auto& o = conv->options;
  if (o.groups() != o.in_channels() || o.out_channels() != o.in_channels()) {
    fail("export: layer '", name, "': depthwise needs groups == in == out channels");
  }
  torch::NoGradGuard no_grad;
  auto [w, b] = fold_into(conv->weight, conv->bias, norm ? norm->get() : nullptr);
  depthwise_conv2d(name, w, b, geometry_of(conv, name), activation);
}

namespace {
int32_t conv_out(int32_t in, int64_t kernel, int32_t stride, int32_t pad_before, int32_t pad_after) {
  return static_cast<int32_t>((in + pad_before + pad_after - kernel) / stride + 1);
}
}  // namespace

host::FloatLayer& FloatModelBuilder::convolution(const std::string& name, host::FloatOp op,
                                                 const torch::Tensor& weight,
                                                 const torch::Tensor& bias, const Geometry2d& g,
                                                 FloatActivation activation, int32_t channels) {
  const std::vector<int32_t> in = shape();
  if (in.size() != 4) fail("export: layer '", name, "' needs an NHWC input");
  const int64_t kh = weight.size(2), kw = weight.size(3);
  const int32_t out_h = conv_out(in[1], kh, g.stride_h, g.pad_top, g.pad_bottom);
  const int32_t out_w = conv_out(in[2], kw, g.stride_w, g.pad_left, g.pad_right);
  if (out_h < 1 || out_w < 1) fail("export: layer '", name, "': the kernel does not fit its input");
  FloatLayer& layer = add_layer(name, op, {1, out_h, out_w, channels});
  layer.bias = to_vector(bias.defined() ? bias : torch::zeros({weight.size(0)}));
  layer.stride_h = g.stride_h;
  layer.stride_w = g.stride_w;
  layer.pad_top = g.pad_top;
  layer.pad_bottom = g.pad_bottom;
  layer.pad_left = g.pad_left;
  layer.pad_right = g.pad_right;
  layer.activation = activation;
  return layer;
}

void FloatModelBuilder::conv2d(const std::string& name, const torch::Tensor& weight,
                               const torch::Tensor& bias, const Geometry2d& g,
                               FloatActivation activation) {
  if (shape().size() == 4 && weight.size(1) != shape()[3]) {
    fail("export: layer '", name, "' takes ", weight.size(1), " channels but gets ", shape()[3]);
  }
  const auto out = static_cast<int32_t>(weight.size(0));
  FloatLayer& layer = convolution(name, FloatOp::kConv2D, weight, bias, g, activation, out);
  layer.weight_shape = {out, static_cast<int32_t>(weight.size(2)),
                        static_cast<int32_t>(weight.size(3)), static_cast<int32_t>(weight.size(1))};
  layer.weights = to_vector(weight.permute({0, 2, 3, 1}));  // OIHW -> OHWI
}

void FloatModelBuilder::depthwise_conv2d(const std::string& name, const torch::Tensor& weight,
                                         const torch::Tensor& bias, const Geometry2d& g,
                                         FloatActivation activation) {
  const auto channels = static_cast<int32_t>(weight.size(0));
  if (weight.size(1) != 1 || (shape().size() == 4 && shape()[3] != channels)) {
    fail("export: layer '", name, "': depthwise needs one filter per input channel");
  }
  FloatLayer& layer =
      convolution(name, FloatOp::kDepthwiseConv2D, weight, bias, g, activation, channels);
  layer.weight_shape = {1, static_cast<int32_t>(weight.size(2)),
                        static_cast<int32_t>(weight.size(3)), channels};
  layer.weights = to_vector(weight.permute({1, 2, 3, 0}));  // [C,1,H,W] -> [1,H,W,C]
}

void FloatModelBuilder::dense(const std::string& name, const torch::nn::Linear& linear,
                              const torch::nn::BatchNorm1d* norm, FloatActivation activation) {
  torch::NoGradGuard no_grad;
  auto [w, b] = fold_into(linear->weight, linear->bias, norm ? norm->get() : nullptr);
  dense(name, w, b, activation);
}

void FloatModelBuilder::dense(const std::string& name, const torch::Tensor& weight,
                              const torch::Tensor& bias, FloatActivation activation) {
  if (shape().size() != 2) flatten(name + "/flatten");
  const auto out = static_cast<int32_t>(weight.size(0));
  const auto in = static_cast<int32_t>(weight.size(1));
  if (in != shape()[1]) {
    fail("export: layer '", name, "' takes ", in, " values but gets ", shape()[1]);
  }
  FloatLayer& layer = add_layer(name, FloatOp::kFullyConnected, {1, out});
  layer.weight_shape = {out, in};
  layer.weights = to_vector(weight);
  layer.bias = to_vector(bias);
  layer.activation = activation;
}

void FloatModelBuilder::pool(const std::string& name, FloatOp op, int32_t filter_h,
                             int32_t filter_w, int32_t stride_h, int32_t stride_w) {
  const std::vector<int32_t> in = shape();
  FloatLayer& layer = add_layer(
      name, op,
      {1, (in[1] - filter_h) / stride_h + 1, (in[2] - filter_w) / stride_w + 1, in[3]});
  layer.filter_h = filter_h;
  layer.filter_w = filter_w;
  layer.stride_h = stride_h;
  layer.stride_w = stride_w;
}

void FloatModelBuilder::average_pool(const std::string& name, int32_t filter_h, int32_t filter_w,
                                     int32_t stride_h, int32_t stride_w) {
  pool(name, FloatOp::kAveragePool2D, filter_h, filter_w, stride_h, stride_w);
}

void FloatModelBuilder::max_pool(const std::string& name, int32_t filter_h, int32_t filter_w,
                                 int32_t stride_h, int32_t stride_w) {
  pool(name, FloatOp::kMaxPool2D, filter_h, filter_w, stride_h, stride_w);
}

void FloatModelBuilder::flatten(const std::string& name) {
  int32_t count = 1;
  for (int32_t d : shape()) count *= d;
  add_layer(name, FloatOp::kReshape, {1, count});
}

void FloatModelBuilder::softmax(const std::string& name) {
  add_layer(name, FloatOp::kSoftmax, shape());
}

host::FloatModel FloatModelBuilder::finish() {
  model_.output = current_;
  host::validate_float_model(model_);
  return std::move(model_);
}

}  // namespace locus::train
