#include "train/models/conv_nets.h"

#include "host/common/error.h"

namespace locus::train {
namespace {

using host::FloatActivation;
namespace F = torch::nn::functional;

torch::nn::Conv2d make_conv(int64_t in, int64_t out, std::array<int64_t, 2> kernel,
                            std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                            int64_t groups = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, {kernel[0], kernel[1]})
                               .stride({stride[0], stride[1]})
                               .padding(torch::ExpandingArray<2>({padding[0], padding[1]}))
                               .groups(groups)
                               .bias(false));
}

// Convolution + batch norm + ReLU, the unit every network here is built of.
struct ConvUnit {
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d norm{nullptr};
  bool depthwise = false;

  torch::Tensor forward(const torch::Tensor& x, QuantSim& q) {
    if (q.mode() != QuantSim::Mode::kSimulate) return q.activation(torch::relu(norm(conv(x))));
    // Frozen batch-norm statistics folded into rounded weights: what the
    // int8 graph computes.
    const auto [w, b] = fold_into_layer(conv->weight, conv->bias, norm.get());
    const auto& o = conv->options;
    return q.activation(torch::relu(F::conv2d(
        x, q.weight(w),
        F::Conv2dFuncOptions().bias(b).stride(o.stride()).padding(o.padding()).groups(o.groups()))));
  }
  void export_to(FloatModelBuilder& b, const std::string& name) const {
    if (depthwise) {
      b.depthwise_conv2d(name, conv, &norm, FloatActivation::kRelu);
    } else {
      b.conv2d(name, conv, &norm, FloatActivation::kRelu);
    }
  }
};

ConvUnit register_unit(torch::nn::Module& m, const std::string& name, torch::nn::Conv2d conv,
                       bool depthwise = false) {
  ConvUnit u;
  const int64_t channels = conv->options.out_channels();
  u.conv = m.register_module(name, std::move(conv));
  u.norm = m.register_module(name + "_norm", torch::nn::BatchNorm2d(channels));
  u.depthwise = depthwise;
  return u;
}

// A dense layer, optionally with batch norm and ReLU, through the simulation.
torch::Tensor dense_forward(torch::nn::Linear linear, torch::nn::BatchNorm1d* norm,
                            bool relu, const torch::Tensor& x, QuantSim& q) {
  torch::Tensor y;
  if (q.mode() != QuantSim::Mode::kSimulate) {
    y = linear(x);
    if (norm != nullptr) y = (*norm)(y);
  } else {
    const auto [w, b] = fold_into_layer(linear->weight, linear->bias,
                                        norm != nullptr ? norm->get() : nullptr);
    y = F::linear(x, q.weight(w), b);
  }
  return q.activation(relu ? torch::relu(y) : y);
}

// Output length of a convolution; 0 when the kernel does not fit.
int32_t out_size(int32_t in, int64_t kernel, int64_t stride, int64_t pad) {
  if (in + 2 * pad < kernel) return 0;
  return static_cast<int32_t>((in + 2 * pad - kernel) / stride + 1);
}

// MLPerf Tiny DS-CNN: a strided 10x4 convolution, `depth` depthwise-separable
// blocks, global average pooling and a dense classifier.
class DsCnn : public Network {
 public:
  DsCnn(const ArchSpec& spec, int32_t frames, int32_t features, int32_t classes)
      : width_(spec.width > 0 ? spec.width : 64), dropout_(spec.dropout) {
    const int32_t depth = spec.depth > 0 ? spec.depth : 4;
    first_ = register_unit(*this, "conv0", make_conv(1, width_, {10, 4}, {2, 2}, {5, 1}));
    for (int32_t i = 0; i < depth; ++i) {
      const std::string n = "block" + std::to_string(i + 1);
      blocks_.push_back(
          {register_unit(*this, n + "_dw", make_conv(width_, width_, {3, 3}, {1, 1}, {1, 1}, width_),
                         true),
           register_unit(*this, n + "_pw", make_conv(width_, width_, {1, 1}, {1, 1}, {0, 0}))});
    }
    height_ = out_size(frames, 10, 2, 5);
    width_out_ = out_size(features, 4, 2, 1);
    if (height_ < 1 || width_out_ < 1) {
      host::fail("ds_cnn: a ", frames, "x", features, " feature window is too small");
    }
    fc_ = register_module("fc", torch::nn::Linear(width_, classes));
  }
  torch::Tensor forward(const torch::Tensor& features) override {
    QuantSim& q = quant_sim_;
    q.begin_forward();
    torch::Tensor x = first_.forward(q.input(features).unsqueeze(1), q);
    x = F::dropout(x, F::DropoutFuncOptions().p(dropout_).training(is_training()));
    for (auto& [dw, pw] : blocks_) x = pw.forward(dw.forward(x, q), q);
    x = F::dropout(x, F::DropoutFuncOptions().p(dropout_).training(is_training()));
    x = q.same_as_previous(torch::mean(x, {2, 3}));  // AVERAGE_POOL_2D
    return dense_forward(fc_, nullptr, false, x, q);
  }
  bool simulates_int8() const override { return true; }
  void export_layers(FloatModelBuilder& b) override {
    first_.export_to(b, "conv0");
    for (size_t i = 0; i < blocks_.size(); ++i) {
      const std::string n = "block" + std::to_string(i + 1);
      blocks_[i].first.export_to(b, n + "/depthwise");
      blocks_[i].second.export_to(b, n + "/pointwise");
    }
    b.average_pool("pool", height_, width_out_, height_, width_out_);
    b.dense("fc", fc_, nullptr, FloatActivation::kNone);
    b.softmax("softmax");
  }
  std::vector<int32_t> input_shape(int32_t frames, int32_t features) const override {
    return {1, frames, features, 1};
  }
  Task task() const override { return Task::kClassify; }
  std::string arch() const override { return "ds_cnn"; }

 private:
  int32_t width_;
  float dropout_;
  int32_t height_ = 0, width_out_ = 0;
  ConvUnit first_;
  std::vector<std::pair<ConvUnit, ConvUnit>> blocks_;
  torch::nn::Linear fc_{nullptr};
};

// TFLM micro_speech's shape: strided convolutions straight into a dense
// layer (no pooling), small enough for the smallest parts.
class SmallCnn : public Network {
 public:
  SmallCnn(const ArchSpec& spec, int32_t frames, int32_t features, int32_t classes)
      : dropout_(spec.dropout) {
    const int32_t width = spec.width > 0 ? spec.width : 8;
    const int32_t depth = spec.depth > 0 ? spec.depth : 1;
    int32_t h = frames, w = features, channels = 1;
    for (int32_t i = 0; i < depth; ++i) {
      const int32_t out = width << i;
      const std::array<int64_t, 2> kernel = i == 0 ? std::array<int64_t, 2>{10, 8}
                                                   : std::array<int64_t, 2>{3, 3};
      const std::array<int64_t, 2> pad = {kernel[0] / 2, kernel[1] / 2 - (kernel[1] % 2 == 0)};
      units_.push_back(register_unit(*this, "conv" + std::to_string(i),
                                     make_conv(channels, out, kernel, {2, 2}, pad)));
      h = out_size(h, kernel[0], 2, pad[0]);
      w = out_size(w, kernel[1], 2, pad[1]);
      channels = out;
      if (h < 1 || w < 1) host::fail("cnn: a ", frames, "x", features, " window is too small");
    }
    fc_ = register_module("fc", torch::nn::Linear(int64_t{h} * w * channels, classes));
  }
  torch::Tensor forward(const torch::Tensor& features) override {
    QuantSim& q = quant_sim_;
    q.begin_forward();
    torch::Tensor x = q.input(features).unsqueeze(1);
    for (auto& u : units_) x = u.forward(x, q);
    x = F::dropout(x, F::DropoutFuncOptions().p(dropout_).training(is_training()));
    // NHWC order, as the runtime holds it.
    return dense_forward(fc_, nullptr, false, x.permute({0, 2, 3, 1}).flatten(1), q);
  }
  bool simulates_int8() const override { return true; }
  void export_layers(FloatModelBuilder& b) override {
    for (size_t i = 0; i < units_.size(); ++i) units_[i].export_to(b, "conv" + std::to_string(i));
    b.dense("fc", fc_, nullptr, FloatActivation::kNone);
    b.softmax("softmax");
  }
  std::vector<int32_t> input_shape(int32_t frames, int32_t features) const override {
    return {1, frames, features, 1};
  }
  Task task() const override { return Task::kClassify; }
  std::string arch() const override { return "cnn"; }

 private:
  float dropout_;
  std::vector<ConvUnit> units_;
  torch::nn::Linear fc_{nullptr};
};

// 1-D convolutions over time with the per-frame features as channels
// (held as NHWC [1, frames, 1, features]), then global average and dense.
class Conv1d : public Network {
 public:
  Conv1d(const ArchSpec& spec, int32_t frames, int32_t features, int32_t classes)
      : dropout_(spec.dropout) {
    const int32_t width = spec.width > 0 ? spec.width : 16;
    const int32_t depth = spec.depth > 0 ? spec.depth : 2;
    int32_t channels = features, t = frames;
    for (int32_t i = 0; i < depth; ++i) {
      const int64_t stride = i == 0 ? 1 : 2;
      units_.push_back(register_unit(*this, "conv" + std::to_string(i),
                                     make_conv(channels, width, {5, 1}, {stride, 1}, {2, 0})));
      t = out_size(t, 5, stride, 2);
      channels = width;
    }
    if (t < 1) host::fail("conv1d: a window of ", frames, " frames is too short");
    time_ = t;
    fc_ = register_module("fc", torch::nn::Linear(width, classes));
  }
  torch::Tensor forward(const torch::Tensor& features) override {
    QuantSim& q = quant_sim_;
    q.begin_forward();
    torch::Tensor x = q.input(features).transpose(1, 2).unsqueeze(3);  // [B, F, T, 1]
    for (auto& u : units_) x = u.forward(x, q);
    x = F::dropout(x, F::DropoutFuncOptions().p(dropout_).training(is_training()));
    x = q.same_as_previous(torch::mean(x, {2, 3}));  // AVERAGE_POOL_2D
    return dense_forward(fc_, nullptr, false, x, q);
  }
  bool simulates_int8() const override { return true; }
  void export_layers(FloatModelBuilder& b) override {
    for (size_t i = 0; i < units_.size(); ++i) units_[i].export_to(b, "conv" + std::to_string(i));
    b.average_pool("pool", time_, 1, time_, 1);
    b.dense("fc", fc_, nullptr, FloatActivation::kNone);
    b.softmax("softmax");
  }
  std::vector<int32_t> input_shape(int32_t frames, int32_t features) const override {
    return {1, frames, 1, features};
  }
  Task task() const override { return Task::kClassify; }
  std::string arch() const override { return "conv1d"; }

 private:
  float dropout_;
  int32_t time_ = 0;
  std::vector<ConvUnit> units_;
  torch::nn::Linear fc_{nullptr};
};

// Dense autoencoder (MLPerf Tiny AD shape): the anomaly score is the
// reconstruction error of the whole window.
class Autoencoder : public Network {
 public:
  Autoencoder(const ArchSpec& spec, int32_t frames, int32_t features) {
    const int32_t width = spec.width > 0 ? spec.width : 128;
    const int32_t depth = spec.depth > 0 ? spec.depth : 4;
    const int32_t bottleneck = spec.bottleneck > 0 ? spec.bottleneck : 8;
    const int32_t size = frames * features;
    std::vector<int32_t> widths;
    for (int32_t i = 0; i < depth; ++i) widths.push_back(width);
    widths.push_back(bottleneck);
    for (int32_t i = 0; i < depth; ++i) widths.push_back(width);
    int32_t in = size;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string n = "dense" + std::to_string(i);
      layers_.push_back({register_module(n, torch::nn::Linear(in, widths[i])),
                         register_module(n + "_norm", torch::nn::BatchNorm1d(widths[i]))});
      in = widths[i];
    }
    output_ = register_module("output", torch::nn::Linear(in, size));
  }
  torch::Tensor forward(const torch::Tensor& features) override {
    QuantSim& q = quant_sim_;
    q.begin_forward();
    torch::Tensor x = q.input(features).flatten(1);
    for (auto& [linear, norm] : layers_) x = dense_forward(linear, &norm, true, x, q);
    return dense_forward(output_, nullptr, false, x, q).view(features.sizes());
  }
  bool simulates_int8() const override { return true; }
  void export_layers(FloatModelBuilder& b) override {
    for (size_t i = 0; i < layers_.size(); ++i) {
      b.dense("dense" + std::to_string(i), layers_[i].first, &layers_[i].second,
              FloatActivation::kRelu);
    }
    b.dense("output", output_, nullptr, FloatActivation::kNone);
  }
  std::vector<int32_t> input_shape(int32_t frames, int32_t features) const override {
    return {1, frames * features};
  }
  Task task() const override { return Task::kReconstruct; }
  std::string arch() const override { return "autoencoder"; }

 private:
  std::vector<std::pair<torch::nn::Linear, torch::nn::BatchNorm1d>> layers_;
  torch::nn::Linear output_{nullptr};
};

}  // namespace

std::shared_ptr<Network> make_ds_cnn(const ArchSpec& spec, int32_t frames, int32_t features,
                                     int32_t classes) {
  return std::make_shared<DsCnn>(spec, frames, features, classes);
}
std::shared_ptr<Network> make_small_cnn(const ArchSpec& spec, int32_t frames, int32_t features,
                                        int32_t classes) {
  return std::make_shared<SmallCnn>(spec, frames, features, classes);
}
std::shared_ptr<Network> make_conv1d(const ArchSpec& spec, int32_t frames, int32_t features,
                                     int32_t classes) {
  return std::make_shared<Conv1d>(spec, frames, features, classes);
}
std::shared_ptr<Network> make_autoencoder(const ArchSpec& spec, int32_t frames, int32_t features) {
  return std::make_shared<Autoencoder>(spec, frames, features);
}

}  // namespace locus::train
