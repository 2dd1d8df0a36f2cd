#include "host/quantize/model_quantizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/quantize/float_model_testing.h"
#include "host/quantize/quantize_params.h"
#include "runtime/engine/engine.h"

namespace locus::host {
namespace {

using testing::FloatModelBuilder;

template <typename T>
std::vector<T> values_of(const TensorDef& tensor) {
  std::vector<T> values(tensor.data.size() / sizeof(T));
  std::memcpy(values.data(), tensor.data.data(), tensor.data.size());
  return values;
}

const TensorDef* find_tensor(const Graph& graph, const std::string& name) {
  for (const TensorDef& t : graph.tensors)
    if (t.name == name) return &t;
  return nullptr;
}

// ---- calibration rules ----

TEST(ActivationQuantization, FollowsTheTfliteCalibrationRule) {
  // [-1, 3]: scale 4/255, zero point round(-128 + 63.75) = -64.
  AffineQuantization q = activation_quantization(-1.0f, 3.0f);
  EXPECT_FLOAT_EQ(q.scale, 4.0f / 255);
  EXPECT_EQ(q.zero_point, -64);
  // A ReLU output [0.5, 2.55] widens to include 0: zero point -128.
  q = activation_quantization(0.5f, 2.55f);
  EXPECT_FLOAT_EQ(q.scale, 0.01f);
  EXPECT_EQ(q.zero_point, -128);
  // An all-negative range widens up to 0: zero point 127.
  q = activation_quantization(-2.55f, -1.0f);
  EXPECT_FLOAT_EQ(q.scale, 0.01f);
  EXPECT_EQ(q.zero_point, 127);
  // Only 0 ever observed.
  q = activation_quantization(0.0f, 0.0f);
  EXPECT_FLOAT_EQ(q.scale, 1.0f / 255);
  EXPECT_EQ(q.zero_point, -128);
  EXPECT_THROW(activation_quantization(1.0f, -1.0f), Error);
  EXPECT_THROW(activation_quantization(NAN, 1.0f), Error);
}

TEST(SymmetricWeightScales, OnePerChannelAlongTheAxis) {
  const std::vector<float> w = {1, -2, 0.5f, 0, 0, 0};  // shape [2, 3]
  EXPECT_EQ(symmetric_weight_scales(w, {2, 3}, 0), (std::vector<float>{2.0f / 127, 1.0f / 127}));
  EXPECT_EQ(symmetric_weight_scales(w, {2, 3}, 1),
            (std::vector<float>{1.0f / 127, 2.0f / 127, 0.5f / 127}));
  EXPECT_THROW(symmetric_weight_scales(w, {2, 3}, 2), Error);
}

TEST(QuantizeValue, RoundsHalfAwayAndSaturates) {
  const AffineQuantization q{0.5f, -10};
  EXPECT_EQ(quantize_value(0.25f, q), -9);    // 0.5 rounds away from zero
  EXPECT_EQ(quantize_value(-0.25f, q), -11);
  EXPECT_EQ(quantize_value(1000.0f, q), 127);
  EXPECT_EQ(quantize_value(-1000.0f, q), -128);
  EXPECT_FLOAT_EQ(dequantize_value(-9, q), 0.5f);
}

// ---- the graph for a hand-checkable model ----

// in [1,2] in [-1, 3] -> FC (weights {1, -0.5; 0.25, 0.127}, bias {0.1, -0.2}),
// ReLU, output in [0, 2.55].
FloatModel hand_fc() {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 2});
  FloatLayer& fc = b.layer(FloatOp::kFullyConnected, {in}, "fc", {1, 2});
  fc.weight_shape = {2, 2};
  fc.weights = {1.0f, -0.5f, 0.25f, 0.127f};
  fc.bias = {0.1f, -0.2f};
  fc.activation = FloatActivation::kRelu;
  b.model().input = in;
  b.model().output = fc.output;
  return b.model();
}

TEST(QuantizeModel, HandCheckedScalesZeroPointsWeightsAndBias) {
  const Graph g = quantize_model(hand_fc(), ActivationRanges{{-1.0f, 0.5f}, {3.0f, 2.55f}});
  ASSERT_EQ(g.tensors.size(), 4u);
  ASSERT_EQ(g.operators.size(), 1u);
  EXPECT_EQ(g.inputs, (std::vector<int32_t>{0}));
  EXPECT_EQ(g.outputs, (std::vector<int32_t>{1}));

  const TensorDef& in = g.tensors[0];
  EXPECT_EQ(in.name, "in");
  EXPECT_EQ(in.type, schema::TensorType::Int8);
  EXPECT_EQ(in.scale, (std::vector<float>{4.0f / 255}));
  EXPECT_EQ(in.zero_point, (std::vector<int32_t>{-64}));
  const TensorDef& out = g.tensors[1];
  EXPECT_EQ(out.name, "fc");
  ASSERT_EQ(out.scale.size(), 1u);
  EXPECT_FLOAT_EQ(out.scale[0], 0.01f);
  EXPECT_EQ(out.zero_point, (std::vector<int32_t>{-128}));

  const TensorDef& weights = g.tensors[2];
  EXPECT_EQ(weights.name, "fc/weights");
  EXPECT_TRUE(weights.constant);
  EXPECT_EQ(weights.shape, (std::vector<int32_t>{2, 2}));
  EXPECT_EQ(weights.scale, (std::vector<float>{1.0f / 127, 0.25f / 127}));
  EXPECT_EQ(weights.zero_point, (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(weights.quantized_dimension, 0);
  // -0.5 * 127 = -63.5 -> -64; 0.127 / (0.25 / 127) = 64.516 -> 65.
  EXPECT_EQ(values_of<int8_t>(weights), (std::vector<int8_t>{127, -64, 127, 65}));

  const TensorDef& bias = g.tensors[3];
  EXPECT_EQ(bias.name, "fc/bias");
  EXPECT_EQ(bias.type, schema::TensorType::Int32);
  EXPECT_EQ(bias.shape, (std::vector<int32_t>{2}));
  ASSERT_EQ(bias.scale.size(), 2u);
  EXPECT_EQ(bias.scale[0], in.scale[0] * weights.scale[0]);
  EXPECT_EQ(bias.scale[1], in.scale[0] * weights.scale[1]);
  // 0.1 * 255 * 127 / 4 = 809.6 -> 810; -0.2 * 255 * 127 / (4 * 0.25) = -6477.
  EXPECT_EQ(values_of<int32_t>(bias), (std::vector<int32_t>{810, -6477}));

  const OperatorDef& op = g.operators[0];
  EXPECT_EQ(op.kind, schema::OpKind::FullyConnected);
  EXPECT_EQ(op.inputs, (std::vector<int32_t>{0, 2, 3}));
  EXPECT_EQ(op.outputs, (std::vector<int32_t>{1}));
  const auto* p = op.params.AsFullyConnectedParams();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->input_offset, 64);
  EXPECT_EQ(p->weights_offset, 0);
  EXPECT_EQ(p->output_offset, -128);
  EXPECT_EQ(p->activation, schema::Activation::Relu);
  EXPECT_EQ(p->activation_min, -128);
  EXPECT_EQ(p->activation_max, 127);
  ASSERT_EQ(p->output_multiplier.size(), 2u);
  for (size_t c = 0; c < 2; ++c) {
    const QuantizedMultiplier m =
        per_channel_conv_multiplier(in.scale[0], weights.scale[c], out.scale[0]);
    EXPECT_EQ(p->output_multiplier[c], m.multiplier);
    EXPECT_EQ(p->output_shift[c], m.shift);
    // (4/255) * (w/127) / 0.01: 0.01235 for channel 0, a quarter of it for 1.
    const double real = std::ldexp(p->output_multiplier[c], p->output_shift[c] - 31);
    EXPECT_NEAR(real, (c == 0 ? 1.0 : 0.25) * 4.0 / 255 / 127 / 0.01, 1e-9);
  }
}

TEST(QuantizeModel, Relu6ClampsAtSixInTheOutputScale) {
  FloatModel model = hand_fc();
  model.layers[0].activation = FloatActivation::kRelu6;
  const Graph g = quantize_model(model, ActivationRanges{{-1.0f, 0.0f}, {3.0f, 12.75f}});
  const auto* p = g.operators[0].params.AsFullyConnectedParams();
  EXPECT_EQ(p->activation_min, -128);
  EXPECT_EQ(p->activation_max, -128 + 120);  // 6 / 0.05
}

// conv -> relu -> depthwise (relu6) -> pool / mean -> reshape -> FC -> softmax
FloatModel cnn(FloatOp reduce, FloatModelBuilder& b) {
  const int32_t in = b.tensor("image", {1, 8, 8, 2});
  FloatLayer& conv = b.layer(FloatOp::kConv2D, {in}, "conv", {1, 8, 8, 6});
  b.randomize(conv, {6, 3, 3, 2});
  conv.pad_top = conv.pad_left = conv.pad_bottom = conv.pad_right = 1;
  conv.activation = FloatActivation::kRelu;
  const int32_t c = conv.output;
  FloatLayer& dw = b.layer(FloatOp::kDepthwiseConv2D, {c}, "dw", {1, 4, 4, 6});
  b.randomize(dw, {1, 3, 3, 6}, 2.0f);
  dw.stride_h = dw.stride_w = 2;
  dw.pad_bottom = dw.pad_right = 1;
  dw.activation = FloatActivation::kRelu6;
  const int32_t d = dw.output;
  int32_t reduced = 0, features = 0;
  if (reduce == FloatOp::kMean) {
    reduced = b.layer(FloatOp::kMean, {d}, "mean", {1, 1, 1, 6}).output;
    features = 6;
  } else {
    FloatLayer& pool = b.layer(reduce, {d}, "pool", {1, 2, 2, 6});
    pool.filter_h = pool.filter_w = pool.stride_h = pool.stride_w = 2;
    reduced = pool.output;
    features = 24;
  }
  const int32_t flat = b.layer(FloatOp::kReshape, {reduced}, "flat", {1, features}).output;
  FloatLayer& fc = b.layer(FloatOp::kFullyConnected, {flat}, "logits", {1, 5});
  b.randomize(fc, {5, features}, 4.0f);
  const int32_t logits = fc.output;
  b.model().input = in;
  b.model().output = b.layer(FloatOp::kSoftmax, {logits}, "probs", {1, 5}).output;
  return b.model();
}

TEST(QuantizeModel, SameScaleOperatorsFixedSoftmaxAndGivenInputQuantization) {
  FloatModelBuilder b(3);
  FloatModel model = cnn(FloatOp::kMaxPool2D, b);
  model.input_quantization = AffineQuantization{1.0f / 64, 5};
  RangeObserver observer(model);
  for (int i = 0; i < 20; ++i) observer.observe(b.uniform(128, -1.0f, 1.0f));
  ActivationRanges ranges = observer.ranges();
  // Ranges the same-scale and fixed-scale outputs must ignore.
  for (size_t t : {0, 3, 4, 6}) ranges.max[t] = 100.0f;
  const Graph g = quantize_model(model, ranges);

  const auto q = [&](const char* name) {
    const TensorDef* t = find_tensor(g, name);
    EXPECT_NE(t, nullptr) << name;
    return t ? AffineQuantization{t->scale.at(0), t->zero_point.at(0)} : AffineQuantization{};
  };
  EXPECT_EQ(q("image").scale, 1.0f / 64);  // as given, not calibrated
  EXPECT_EQ(q("image").zero_point, 5);
  const AffineQuantization dw = activation_quantization(ranges.min[2], ranges.max[2]);
  EXPECT_EQ(q("dw").scale, dw.scale);
  EXPECT_EQ(q("dw").zero_point, -128);  // ReLU6 output starts at 0
  EXPECT_EQ(q("pool").scale, dw.scale);  // MAX_POOL_2D and RESHAPE keep their input's
  EXPECT_EQ(q("pool").zero_point, dw.zero_point);
  EXPECT_EQ(q("flat").scale, dw.scale);
  EXPECT_EQ(q("flat").zero_point, dw.zero_point);
  EXPECT_EQ(q("probs").scale, 1.0f / 256);
  EXPECT_EQ(q("probs").zero_point, -128);

  const TensorDef* dw_weights = find_tensor(g, "dw/weights");
  ASSERT_NE(dw_weights, nullptr);
  EXPECT_EQ(dw_weights->quantized_dimension, 3);
  EXPECT_EQ(dw_weights->scale.size(), 6u);
  const TensorDef* conv_weights = find_tensor(g, "conv/weights");
  ASSERT_NE(conv_weights, nullptr);
  EXPECT_EQ(conv_weights->quantized_dimension, 0);
  EXPECT_EQ(conv_weights->scale.size(), 6u);

  std::vector<schema::OpKind> kinds;
  for (const OperatorDef& op : g.operators) kinds.push_back(op.kind);
  EXPECT_EQ(kinds, (std::vector<schema::OpKind>{
                       schema::OpKind::Conv2D, schema::OpKind::DepthwiseConv2D,
                       schema::OpKind::MaxPool2D, schema::OpKind::Reshape,
                       schema::OpKind::FullyConnected, schema::OpKind::Softmax}));
  const auto* conv = g.operators[0].params.AsConv2DParams();
  EXPECT_EQ(conv->input_offset, -5);
  EXPECT_EQ(conv->pad_top, 1);
  EXPECT_EQ(conv->output_multiplier.size(), 6u);
  const auto* dwp = g.operators[1].params.AsDepthwiseConv2DParams();
  EXPECT_EQ(dwp->stride_h, 2);
  EXPECT_EQ(dwp->pad_bottom, 1);
  EXPECT_EQ(dwp->depth_multiplier, 1);
  EXPECT_EQ(dwp->activation, schema::Activation::Relu6);
  const auto* softmax = g.operators[5].params.AsSoftmaxParams();
  const SoftmaxScaling s = softmax_int8_scaling(1.0, q("logits").scale);
  EXPECT_EQ(softmax->input_multiplier, s.input_multiplier);
  EXPECT_EQ(softmax->diff_min, s.diff_min);
}

TEST(QuantizeModel, ErrorsNameTheLayerOrTensor) {
  const auto message = [](const FloatModel& model, const ActivationRanges& ranges) {
    try {
      quantize_model(model, ranges);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(hand_fc(), {{0.0f}, {1.0f}}),
            "quantize: 1 minima and 1 maxima for a model of 2 tensors");
  EXPECT_NE(message(hand_fc(), {{0.0f, NAN}, {1.0f, 1.0f}}).find("quantize: tensor 1 'fc': range"),
            std::string::npos);

  // An ADD whose output range is far narrower than its inputs' cannot be
  // requantised with TFLite's smaller-than-one multipliers.
  FloatModelBuilder b;
  const int32_t x = b.tensor("x", {1, 4});
  b.layer(FloatOp::kAdd, {x, x}, "sum", {1, 4});
  b.model().input = x;
  b.model().output = 1;
  EXPECT_NE(message(b.model(), {{-1.0f, 0.0f}, {1.0f, 1e-7f}})
                .find("quantize: layer 0 'sum' (ADD): quantize: multiplier"),
            std::string::npos);
}

// ---- quantised vs float, through a real capsule and the runtime ----

class Int8Runner {
 public:
  explicit Int8Runner(Graph graph)
      : loaded_(load(std::move(graph))), arena_(loaded_.capsule.arena_bytes()) {
    const Status s = engine_.init(loaded_.capsule, arena_.data(), arena_.size());
    if (!s) fail(s.message());
  }

  std::vector<float> run(const std::vector<float>& x) {
    const TensorView in = engine_.input(0);
    if (in.bytes != x.size()) fail("input size");
    for (size_t i = 0; i < x.size(); ++i) {
      in.as<int8_t>()[i] = quantize_value(x[i], {in.scale, in.zero_point});
    }
    const Status s = engine_.invoke();
    if (!s) fail(s.message());
    const TensorView out = engine_.output(0);
    std::vector<float> y(out.bytes);
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] = dequantize_value(out.as<int8_t>()[i], {out.scale, out.zero_point});
    }
    output_scale_ = out.scale;
    return y;
  }
  float output_scale() const { return output_scale_; }

 private:
  static LoadedCapsule load(Graph graph) {
    CapsuleSpec spec;
    spec.identity.name = "quantized";
    spec.identity.version = "1.0.0";
    spec.graph = std::move(graph);
    // build_capsule plans memory, runs the capsule once and embeds a self-test.
    return open_capsule(copy_to_aligned(build_capsule(std::move(spec)).bytes), "quantized model");
  }

  LoadedCapsule loaded_;
  AlignedBuffer arena_;
  Engine engine_;
  float output_scale_ = 0.0f;
};

// |int8 - float| of the dequantised outputs, in output quantisation steps.
struct Agreement {
  // On the calibration inputs themselves (nothing beyond the observed ranges).
  double max_calibrated_steps = 0;
  // On fresh inputs from the same distribution; clipping at the calibrated
  // ranges shows up in the tail.
  double mean_error_steps = 0;
  double p99_error_steps = 0;
  double max_error_steps = 0;
  double argmax_agreement = 0;  // share of fresh inputs whose largest output matches
};

size_t input_size(const FloatModel& model) {
  size_t n = 1;
  for (int32_t d : model.tensors[static_cast<size_t>(model.input)].shape) n *= d;
  return n;
}

// Calibrates on 200 uniform [-1, 1] inputs, quantises, builds and runs the
// capsule on those and on 500 fresh inputs, against run_float_model.
Agreement measure(const std::string& label, const FloatModel& model, FloatModelBuilder& b) {
  RangeObserver observer(model);
  std::vector<std::vector<float>> calibration;
  for (int i = 0; i < 200; ++i) {
    calibration.push_back(b.uniform(input_size(model), -1.0f, 1.0f));
    observer.observe(calibration.back());
  }
  Int8Runner runner(quantize_model(model, observer.ranges()));
  const auto errors_of = [&](const std::vector<float>& x, std::vector<double>& errors) {
    const std::vector<float> expected =
        run_float_model(model, x)[static_cast<size_t>(model.output)];
    const std::vector<float> actual = runner.run(x);
    EXPECT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      errors.push_back(std::abs(actual[i] - expected[i]) / runner.output_scale());
    }
    return std::max_element(actual.begin(), actual.end()) - actual.begin() ==
           std::max_element(expected.begin(), expected.end()) - expected.begin();
  };

  Agreement a;
  std::vector<double> errors;
  for (const std::vector<float>& x : calibration) errors_of(x, errors);
  a.max_calibrated_steps = *std::max_element(errors.begin(), errors.end());

  constexpr int kTrials = 500;
  errors.clear();
  int agree = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    agree += errors_of(b.uniform(input_size(model), -1.0f, 1.0f), errors);
  }
  std::sort(errors.begin(), errors.end());
  double sum = 0;
  for (double e : errors) sum += e;
  a.mean_error_steps = sum / static_cast<double>(errors.size());
  a.p99_error_steps = errors[errors.size() * 99 / 100];
  a.max_error_steps = errors.back();
  a.argmax_agreement = static_cast<double>(agree) / kTrials;
  std::cout << "[ measured ] " << label << ": |int8 - float| in output steps: calibration "
            << "inputs max " << a.max_calibrated_steps << "; fresh inputs mean "
            << a.mean_error_steps << ", p99 " << a.p99_error_steps << ", max "
            << a.max_error_steps << "; argmax agreement " << 100 * a.argmax_agreement << "%\n";
  return a;
}

// The tolerance docs/quantization.md states.
void expect_within_tolerance(const Agreement& a, bool classifier) {
  EXPECT_LE(a.max_calibrated_steps, 10.0);
  EXPECT_LE(a.mean_error_steps, 1.0);
  EXPECT_LE(a.p99_error_steps, 6.0);
  if (classifier) EXPECT_GE(a.argmax_agreement, 0.95);
}

TEST(QuantizedVsFloat, CnnWithAveragePool) {
  FloatModelBuilder b(11);
  const Agreement a = measure("cnn/avgpool", cnn(FloatOp::kAveragePool2D, b), b);
  expect_within_tolerance(a, /*classifier=*/true);
}

TEST(QuantizedVsFloat, CnnWithMaxPool) {
  FloatModelBuilder b(12);
  const Agreement a = measure("cnn/maxpool", cnn(FloatOp::kMaxPool2D, b), b);
  expect_within_tolerance(a, /*classifier=*/true);
}

TEST(QuantizedVsFloat, CnnWithMean) {
  FloatModelBuilder b(13);
  const Agreement a = measure("cnn/mean", cnn(FloatOp::kMean, b), b);
  expect_within_tolerance(a, /*classifier=*/true);
}

TEST(QuantizedVsFloat, FullyConnectedAutoencoder) {
  FloatModelBuilder b(21);
  const int32_t in = b.tensor("signal", {1, 16});
  int32_t x = in;
  const int32_t widths[] = {8, 4, 8, 16};
  for (int i = 0; i < 4; ++i) {
    FloatLayer& fc = b.layer(FloatOp::kFullyConnected, {x}, "fc" + std::to_string(i),
                             {1, widths[i]});
    b.randomize(fc, {widths[i], i == 0 ? 16 : widths[i - 1]});
    if (i < 3) fc.activation = FloatActivation::kRelu;
    x = fc.output;
  }
  b.model().input = in;
  b.model().output = x;
  const Agreement a = measure("autoencoder", b.model(), b);
  expect_within_tolerance(a, /*classifier=*/false);
}

TEST(QuantizedVsFloat, ResidualAdd) {
  FloatModelBuilder b(31);
  const int32_t in = b.tensor("image", {1, 6, 6, 4});
  FloatLayer& a = b.layer(FloatOp::kConv2D, {in}, "expand", {1, 6, 6, 4});
  b.randomize(a, {4, 1, 1, 4});
  a.activation = FloatActivation::kRelu;
  const int32_t skip = a.output;
  FloatLayer& c = b.layer(FloatOp::kConv2D, {skip}, "conv", {1, 6, 6, 4});
  b.randomize(c, {4, 3, 3, 4});
  c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = 1;
  const int32_t branch = c.output;
  FloatLayer& add = b.layer(FloatOp::kAdd, {skip, branch}, "residual", {1, 6, 6, 4});
  add.activation = FloatActivation::kRelu;
  const int32_t sum = add.output;
  const int32_t pooled = b.layer(FloatOp::kMean, {sum}, "mean", {1, 1, 1, 4}).output;
  const int32_t flat = b.layer(FloatOp::kReshape, {pooled}, "flat", {1, 4}).output;
  FloatLayer& fc = b.layer(FloatOp::kFullyConnected, {flat}, "logits", {1, 3});
  b.randomize(fc, {3, 4}, 6.0f);
  const int32_t logits = fc.output;
  b.model().input = in;
  b.model().output = b.layer(FloatOp::kSoftmax, {logits}, "probs", {1, 3}).output;
  const Agreement m = measure("residual", b.model(), b);
  expect_within_tolerance(m, /*classifier=*/true);
}

}  // namespace
}  // namespace locus::host
