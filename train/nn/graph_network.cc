#include "train/nn/graph_network.h"

#include <cstring>

#include "host/common/error.h"
#include "host/model/graph.h"

namespace locus::train {
namespace {

namespace F = torch::nn::functional;
using host::FloatActivation;
using host::fail;

std::vector<int32_t> shape_of(const schema::Tensor& t) {
  std::vector<int32_t> shape;
  if (t.shape() != nullptr) shape.assign(t.shape()->begin(), t.shape()->end());
  return shape;
}

std::string op_label(const schema::Graph& graph, size_t index) {
  const auto* op = graph.operators()->Get(static_cast<flatbuffers::uoffset_t>(index));
  return "operator " + std::to_string(index) + " (" + schema::EnumNameOpKind(op->kind()) + ")";
}

// A constant int8 or int32 tensor in real values: (q - zero_point[c]) *
// scale[c], c along the quantised dimension.
torch::Tensor dequantize_constant(const schema::Tensor& t, const std::string& where) {
  const std::vector<int32_t> shape = shape_of(t);
  int64_t count = 1;
  for (int32_t d : shape) count *= d;
  const size_t element = t.type() == schema::TensorType::Int8    ? 1
                         : t.type() == schema::TensorType::Int32 ? 4
                                                                 : 0;
  if (element == 0) fail(where, ": only int8 weights and int32 biases can be trained");
  if (t.data() == nullptr || t.data()->size() != static_cast<size_t>(count) * element) {
    fail(where, ": constant has ", t.data() ? t.data()->size() : 0, " bytes, expected ",
         count * static_cast<int64_t>(element));
  }
  const auto* q = t.quantization();
  if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0) {
    fail(where, ": constant has no quantisation");
  }
  const int32_t axis = q->quantized_dimension();
  const size_t channels = q->scale()->size();
  int64_t inner = 1;
  if (channels > 1) {
    if (axis < 0 || axis >= static_cast<int32_t>(shape.size()) ||
        static_cast<size_t>(shape[static_cast<size_t>(axis)]) != channels) {
      fail(where, ": ", channels, " scales do not match dimension ", axis);
    }
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  std::vector<float> values(static_cast<size_t>(count));
  const uint8_t* bytes = t.data()->data();
  for (int64_t i = 0; i < count; ++i) {
    const size_t c = channels > 1 ? static_cast<size_t>((i / inner) % static_cast<int64_t>(channels)) : 0;
    int32_t v;
    if (element == 1) {
      v = static_cast<int8_t>(bytes[i]);
    } else {
      std::memcpy(&v, bytes + i * 4, 4);
    }
    const int32_t zero = q->zero_point() && q->zero_point()->size() > c ? q->zero_point()->Get(c) : 0;
    values[static_cast<size_t>(i)] = static_cast<float>(v - zero) * q->scale()->Get(c);
  }
  std::vector<int64_t> sizes(shape.begin(), shape.end());
  return torch::tensor(values).view(sizes);
}

FloatActivation activation_of(schema::Activation a, const std::string& where) {
  switch (a) {
    case schema::Activation::None: return FloatActivation::kNone;
    case schema::Activation::Relu: return FloatActivation::kRelu;
    case schema::Activation::Relu6: return FloatActivation::kRelu6;
    default: fail(where, ": activation ", schema::EnumNameActivation(a), " cannot be trained");
  }
}

template <typename Params>
Geometry2d geometry_of(const Params& p, const std::string& where) {
  if (p.dilation_h() != 1 || p.dilation_w() != 1) fail(where, ": dilated convolution");
  Geometry2d g;
  g.stride_h = p.stride_h();
  g.stride_w = p.stride_w();
  g.pad_top = p.pad_top();
  g.pad_left = p.pad_left();
  g.pad_bottom = p.pad_bottom();
  g.pad_right = p.pad_right();
  return g;
}

torch::Tensor nchw(const torch::Tensor& x) { return x.permute({0, 3, 1, 2}); }
torch::Tensor nhwc(const torch::Tensor& x) { return x.permute({0, 2, 3, 1}); }

}  // namespace

GraphNetwork::GraphNetwork(const schema::Graph& graph, Task task, const std::string& where)
    : task_(task) {
  const auto* tensors = graph.tensors();
  const auto* operators = graph.operators();
  if (tensors == nullptr || operators == nullptr || graph.inputs() == nullptr ||
      graph.inputs()->size() != 1 || graph.outputs() == nullptr || graph.outputs()->size() != 1) {
    fail(where, ": graph: a trainable graph has one input and one output");
  }
  auto tensor = [&](int32_t index, const std::string& what) -> const schema::Tensor& {
    if (index < 0 || static_cast<flatbuffers::uoffset_t>(index) >= tensors->size()) {
      fail(what, ": tensor index ", index, " out of range");
    }
    return *tensors->Get(static_cast<flatbuffers::uoffset_t>(index));
  };
  const int32_t input = graph.inputs()->Get(0);
  const schema::Tensor& in = tensor(input, where + ": graph input");
  input_shape_ = shape_of(in);
  if (in.type() != schema::TensorType::Int8 || in.quantization() == nullptr ||
      in.quantization()->scale() == nullptr || in.quantization()->scale()->size() != 1) {
    fail(where, ": graph input: expected an int8 tensor with one scale");
  }
  input_quantization_ = {in.quantization()->scale()->Get(0),
                         in.quantization()->zero_point() && in.quantization()->zero_point()->size()
                             ? in.quantization()->zero_point()->Get(0)
                             : 0};

  int32_t current = input;
  for (size_t i = 0; i < operators->size(); ++i) {
    const auto* op = operators->Get(static_cast<flatbuffers::uoffset_t>(i));
    const std::string what = where + ": " + op_label(graph, i);
    if (softmax_) fail(what, ": SOFTMAX must be the last operator to train the graph");
    if (op->inputs() == nullptr || op->inputs()->size() == 0 || op->outputs() == nullptr ||
        op->outputs()->size() != 1 || op->inputs()->Get(0) != current) {
      fail(what, ": only a chain of operators (each taking the previous one's output) can be trained");
    }
    const int32_t output = op->outputs()->Get(0);
    Layer layer;
    layer.kind = op->kind();
    layer.name = tensor(output, what).name() ? tensor(output, what).name()->str()
                                             : "layer" + std::to_string(i);
    layer.output_shape = shape_of(tensor(output, what));
    auto constant = [&](size_t slot) -> torch::Tensor {
      if (op->inputs()->size() <= slot || op->inputs()->Get(static_cast<flatbuffers::uoffset_t>(slot)) < 0) {
        return torch::Tensor();
      }
      return dequantize_constant(
          tensor(op->inputs()->Get(static_cast<flatbuffers::uoffset_t>(slot)), what),
          what + " input " + std::to_string(slot));
    };
    switch (op->kind()) {
      case schema::OpKind::Conv2D: {
        const auto* p = op->params_as_Conv2DParams();
        if (p == nullptr) fail(what, ": no parameters");
        layer.geometry = geometry_of(*p, what);
        layer.activation = activation_of(p->activation(), what);
        layer.weight = constant(1).permute({0, 3, 1, 2}).contiguous();  // OHWI -> OIHW
        layer.bias = constant(2);
        break;
      }
      case schema::OpKind::DepthwiseConv2D: {
        const auto* p = op->params_as_DepthwiseConv2DParams();
        if (p == nullptr) fail(what, ": no parameters");
        if (p->depth_multiplier() != 1) fail(what, ": depth multiplier ", p->depth_multiplier());
        layer.geometry = geometry_of(*p, what);
        layer.activation = activation_of(p->activation(), what);
        layer.weight = constant(1).permute({3, 0, 1, 2}).contiguous();  // [1,H,W,C] -> [C,1,H,W]
        layer.bias = constant(2);
        break;
      }
      case schema::OpKind::FullyConnected: {
        const auto* p = op->params_as_FullyConnectedParams();
        if (p == nullptr) fail(what, ": no parameters");
        layer.activation = activation_of(p->activation(), what);
        layer.weight = constant(1);
        layer.bias = constant(2);
        break;
      }
      case schema::OpKind::AveragePool2D:
      case schema::OpKind::MaxPool2D: {
        const auto* p = op->params_as_Pool2DParams();
        if (p == nullptr) fail(what, ": no parameters");
        if (p->pad_top() || p->pad_left() || p->pad_bottom() || p->pad_right()) {
          fail(what, ": padded pooling cannot be trained");
        }
        if (p->activation() != schema::Activation::None) fail(what, ": fused activation on pooling");
        layer.filter_h = p->filter_h();
        layer.filter_w = p->filter_w();
        layer.geometry.stride_h = p->stride_h();
        layer.geometry.stride_w = p->stride_w();
        break;
      }
      case schema::OpKind::Mean: {
        const auto* p = op->params_as_MeanParams();
        const bool spatial = p != nullptr && p->axes() != nullptr && p->axes()->size() == 2 &&
                             p->axes()->Get(0) == 1 && p->axes()->Get(1) == 2;
        if (!spatial) fail(what, ": only a MEAN over height and width can be trained");
        layer.keep_dims = p->keep_dims();
        break;
      }
      case schema::OpKind::Reshape:
        break;
      case schema::OpKind::Softmax:
        softmax_ = true;
        break;
      default:
        fail(what, ": this operator cannot be trained");
    }
    if (layer.weight.defined()) {
      if (!layer.bias.defined()) layer.bias = torch::zeros({layer.weight.size(0)});
      const std::string n = "layer" + std::to_string(i);
      layer.weight = register_parameter(n + "_weight", layer.weight);
      layer.bias = register_parameter(n + "_bias", layer.bias);
    }
    layers_.push_back(std::move(layer));
    current = output;
  }
  if (current != graph.outputs()->Get(0)) fail(where, ": the last operator is not the graph output");
  if (task_ == Task::kClassify && !softmax_) {
    fail(where, ": a classifier graph must end in SOFTMAX");
  }
  if (weighted_layers() == 0) fail(where, ": the graph has no weights to train");
}

int64_t GraphNetwork::input_size() const {
  int64_t n = 1;
  for (size_t d = 1; d < input_shape_.size(); ++d) n *= input_shape_[d];
  return n;
}

int64_t GraphNetwork::output_size() const {
  int64_t n = 1;
  const auto& shape = layers_.back().output_shape;
  for (size_t d = 1; d < shape.size(); ++d) n *= shape[d];
  return n;
}

size_t GraphNetwork::weighted_layers() const {
  size_t n = 0;
  for (const auto& l : layers_) n += l.weight.defined();
  return n;
}

void GraphNetwork::train_only_last(size_t n) {
  const size_t total = weighted_layers();
  size_t seen = 0;
  for (auto& l : layers_) {
    if (!l.weight.defined()) continue;
    const bool learns = n == 0 || n >= total || seen >= total - n;
    l.weight.set_requires_grad(learns);
    l.bias.set_requires_grad(learns);
    ++seen;
  }
}

void GraphNetwork::resize_classifier(const std::vector<int32_t>& keep) {
  Layer* last = nullptr;
  size_t index = 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].weight.defined()) {
      last = &layers_[i];
      index = i;
    }
  }
  if (last == nullptr || last->kind != schema::OpKind::FullyConnected) {
    fail("graph: the last weighted layer is not FULLY_CONNECTED; its classes cannot change");
  }
  torch::NoGradGuard no_grad;
  const int64_t in = last->weight.size(1);
  torch::Tensor weight = torch::randn({static_cast<int64_t>(keep.size()), in}) *
                         (last->weight.std().item<float>() * 0.5f);
  torch::Tensor bias = torch::full({static_cast<int64_t>(keep.size())},
                                   last->bias.min().item<float>());
  for (size_t i = 0; i < keep.size(); ++i) {
    if (keep[i] < 0) continue;
    if (keep[i] >= last->weight.size(0)) fail("graph: class ", keep[i], " is not an output");
    weight[static_cast<int64_t>(i)].copy_(last->weight[keep[i]]);
    bias[static_cast<int64_t>(i)].copy_(last->bias[keep[i]]);
  }
  // set_data keeps the registered parameters (and their names) while
  // changing their shape.
  last->weight.set_data(weight);
  last->bias.set_data(bias);
  for (size_t i = index; i < layers_.size(); ++i) {
    layers_[i].output_shape.back() = static_cast<int32_t>(keep.size());
  }
}

torch::Tensor GraphNetwork::activate(const torch::Tensor& x, FloatActivation a) const {
  if (a == FloatActivation::kRelu) return torch::relu(x);
  if (a == FloatActivation::kRelu6) return torch::clamp(x, 0.0, 6.0);
  return x;
}

torch::Tensor GraphNetwork::forward(const torch::Tensor& features) {
  QuantSim& q = quant_sim_;
  q.begin_forward();
  const int64_t batch = features.size(0);
  if (features[0].numel() != input_size()) {
    fail("graph: a window of ", features[0].numel(), " values, the graph takes ", input_size());
  }
  std::vector<int64_t> in_sizes = {batch};
  for (size_t d = 1; d < input_shape_.size(); ++d) in_sizes.push_back(input_shape_[d]);
  torch::Tensor x = q.input(features.reshape(in_sizes));
  for (const Layer& l : layers_) {
    const Geometry2d& g = l.geometry;
    switch (l.kind) {
      case schema::OpKind::Conv2D:
      case schema::OpKind::DepthwiseConv2D: {
        const torch::Tensor padded =
            F::pad(nchw(x), F::PadFuncOptions({g.pad_left, g.pad_right, g.pad_top, g.pad_bottom}));
        const int64_t groups = l.kind == schema::OpKind::Conv2D ? 1 : l.weight.size(0);
        const torch::Tensor y = F::conv2d(
            padded, q.weight(l.weight),
            F::Conv2dFuncOptions().bias(l.bias).stride({g.stride_h, g.stride_w}).groups(groups));
        x = q.activation(activate(nhwc(y), l.activation));
        break;
      }
      case schema::OpKind::FullyConnected:
        x = q.activation(activate(F::linear(x.reshape({batch, -1}), q.weight(l.weight), l.bias),
                                  l.activation));
        break;
      case schema::OpKind::AveragePool2D:
      case schema::OpKind::MaxPool2D: {
        const torch::Tensor y =
            l.kind == schema::OpKind::AveragePool2D
                ? F::avg_pool2d(nchw(x), F::AvgPool2dFuncOptions({l.filter_h, l.filter_w})
                                             .stride({g.stride_h, g.stride_w}))
                : F::max_pool2d(nchw(x), F::MaxPool2dFuncOptions({l.filter_h, l.filter_w})
                                             .stride({g.stride_h, g.stride_w}));
        x = q.same_as_previous(activate(nhwc(y), l.activation));
        break;
      }
      case schema::OpKind::Mean:
        x = q.activation(x.mean({1, 2}, /*keepdim=*/l.keep_dims));
        break;
      case schema::OpKind::Reshape: {
        std::vector<int64_t> sizes = {batch};
        for (size_t d = 1; d < l.output_shape.size(); ++d) sizes.push_back(l.output_shape[d]);
        x = x.reshape(sizes);
        break;
      }
      default:  // SOFTMAX, last: training works on logits
        break;
    }
  }
  x = x.reshape({batch, -1});
  return task_ == Task::kReconstruct ? x.view(features.sizes()) : x;
}

void GraphNetwork::export_layers(FloatModelBuilder& b) {
  torch::NoGradGuard no_grad;
  for (const Layer& l : layers_) {
    switch (l.kind) {
      case schema::OpKind::Conv2D:
        b.conv2d(l.name, l.weight, l.bias, l.geometry, l.activation);
        break;
      case schema::OpKind::DepthwiseConv2D:
        b.depthwise_conv2d(l.name, l.weight, l.bias, l.geometry, l.activation);
        break;
      case schema::OpKind::FullyConnected:
        b.dense(l.name, l.weight, l.bias, l.activation);
        break;
      case schema::OpKind::AveragePool2D:
        b.average_pool(l.name, l.filter_h, l.filter_w, l.geometry.stride_h, l.geometry.stride_w);
        break;
      case schema::OpKind::MaxPool2D:
        b.max_pool(l.name, l.filter_h, l.filter_w, l.geometry.stride_h, l.geometry.stride_w);
        break;
      case schema::OpKind::Mean:
        b.average_pool(l.name, b.shape()[1], b.shape()[2], b.shape()[1], b.shape()[2]);
        if (!l.keep_dims) b.flatten(l.name + "/flatten");
        break;
      case schema::OpKind::Reshape:
        if (l.output_shape.size() != 2) fail("graph: layer '", l.name, "': only a flattening RESHAPE");
        b.flatten(l.name);
        break;
      default:
        b.softmax(l.name);
        break;
    }
  }
}

std::vector<int32_t> GraphNetwork::input_shape(int32_t, int32_t) const {
  std::vector<int32_t> shape = input_shape_;
  shape[0] = 1;
  return shape;
}

}  // namespace locus::train
