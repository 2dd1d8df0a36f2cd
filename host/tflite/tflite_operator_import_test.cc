// One synthetic model per operator; expected parameters derived by hand
// (scales are powers of two so the multipliers are exact).
#include <gtest/gtest.h>

#include "host/common/error.h"
#include "host/tflite/tflite_importer.h"
#include "host/tflite/tflite_test_model.h"

namespace locus::host {
namespace {

namespace tfl = tflite;
namespace op = tfl::builtin_op;
namespace opt = tfl::builtin_options_type;
using namespace tfl::testing;
constexpr int32_t kTwoTo30 = 1 << 30;
constexpr int8_t kFloat32 = tfl::tensor_type::kFloat32;
constexpr int8_t kInt32 = tfl::tensor_type::kInt32;

TestTensor activation(std::vector<int32_t> shape, float scale, int64_t zero_point) {
  return {std::move(shape), tfl::tensor_type::kInt8, 0, "", {scale}, {zero_point}, 0};
}

// A constant int8 weight tensor (all ones) with the given scales.
int32_t add_weights(TestModel& m, std::vector<int32_t> shape, std::vector<float> scales,
                    int32_t axis, bool external = false) {
  int64_t count = 1;
  for (int32_t d : shape) count *= d;
  const uint32_t buffer =
      m.add_buffer(std::vector<uint8_t>(static_cast<size_t>(count), 1), external);
  std::vector<int64_t> zero_points(scales.size(), 0);
  return m.add_tensor({std::move(shape), tfl::tensor_type::kInt8, buffer, "weights",
                       std::move(scales), std::move(zero_points), axis});
}

int32_t add_int32_constant(TestModel& m, std::vector<int32_t> shape, std::vector<int32_t> values,
                           std::vector<float> scales = {}) {
  const uint32_t buffer = m.add_values(values);
  return m.add_tensor({std::move(shape), kInt32, buffer, "const", std::move(scales), {}, 0});
}

// A model with one operator of `code` from `inputs` to `output`.
void set_single_operator(TestModel& m, int32_t code, std::vector<int32_t> inputs, int32_t output,
                         uint8_t options_type = 0, OptionsWriter options = {}) {
  m.codes = {{code, ""}};
  m.operators = {{0, std::move(inputs), {output}, options_type, std::move(options)}};
  m.outputs = {output};
}

Graph import(const TestModel& m) { return import_tflite(build_tflite(m)); }

void expect_import_error(const TestModel& m, const std::string& fragment) {
  try {
    import(m);
    ADD_FAILURE() << "expected an error containing: " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TestModel conv_model(bool external_weights = false) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 4, 5, 2}, 0.5f, 3));
  const int32_t filter = add_weights(m, {3, 3, 3, 2}, {0.25f, 0.125f, 0.5f}, 0, external_weights);
  const int32_t bias = add_int32_constant(m, {3}, {10, -20, 30}, {0.125f, 0.0625f, 0.25f});
  const int32_t output = m.add_tensor(activation({1, 2, 3, 3}, 1.0f, -100));
  m.inputs = {input};
  set_single_operator(m, op::kConv2D, {input, filter, bias}, output, opt::kConv2D,
                      conv_2d_options(tfl::padding::kSame, 2, 2, tfl::activation::kRelu6));
  return m;
}

TEST(ImportConv2D, ResolvesSamePaddingAndPerChannelRequantisation) {
  const Graph g = import(conv_model());
  ASSERT_EQ(g.operators.size(), 1u);
  const OperatorDef& conv = g.operators[0];
  EXPECT_EQ(conv.kind, schema::OpKind::Conv2D);
  EXPECT_EQ(conv.inputs, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(conv.outputs, (std::vector<int32_t>{3}));
  const auto* p = conv.params.AsConv2DParams();
  ASSERT_NE(p, nullptr);
  // H: 4 -> 2 with stride 2, total padding 1 (after); W: 5 -> 3, total 2 (1 + 1).
  EXPECT_EQ(p->pad_top, 0);
  EXPECT_EQ(p->pad_bottom, 1);
  EXPECT_EQ(p->pad_left, 1);
  EXPECT_EQ(p->pad_right, 1);
  EXPECT_EQ(p->stride_h, 2);
  EXPECT_EQ(p->input_offset, -3);
  EXPECT_EQ(p->output_offset, -100);
  EXPECT_EQ(p->activation, schema::Activation::Relu6);
  EXPECT_EQ(p->activation_min, -100);
  EXPECT_EQ(p->activation_max, -94);  // 6 / 1.0 above the zero point
  // 0.5 * {0.25, 0.125, 0.5} / 1.0 = {2^-3, 2^-4, 2^-2}.
  EXPECT_EQ(p->output_multiplier, (std::vector<int32_t>{kTwoTo30, kTwoTo30, kTwoTo30}));
  EXPECT_EQ(p->output_shift, (std::vector<int32_t>{-2, -3, -1}));
  const TensorDef& filter = g.tensors[1];
  EXPECT_TRUE(filter.constant);
  EXPECT_EQ(filter.data.size(), 54u);
  EXPECT_EQ(filter.scale.size(), 3u);
  EXPECT_EQ(filter.quantized_dimension, 0);
  EXPECT_FALSE(g.tensors[0].constant);
  EXPECT_EQ(g.inputs, (std::vector<int32_t>{0}));
  EXPECT_EQ(g.outputs, (std::vector<int32_t>{3}));
}

TEST(ImportConv2D, WeightsStoredOutsideTheFlatBuffer) {
  const Graph g = import(conv_model(/*external_weights=*/true));
  EXPECT_EQ(g.tensors[1].data, std::vector<uint8_t>(54, 1));
}

TEST(ImportConv2D, DilationWidensTheSamePadding) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 5, 5, 1}, 0.5f, 0));
  const int32_t filter = add_weights(m, {1, 3, 3, 1}, {0.5f}, 0);
  const int32_t output = m.add_tensor(activation({1, 5, 5, 1}, 0.5f, 0));
  m.inputs = {input};
  set_single_operator(m, op::kConv2D, {input, filter, -1}, output, opt::kConv2D,
                      conv_2d_options(tfl::padding::kSame, 1, 1, tfl::activation::kNone, 2, 2));
  const Graph g = import(m);
  const auto* p = g.operators[0].params.AsConv2DParams();
  EXPECT_EQ(g.operators[0].inputs[2], -1);
  EXPECT_EQ(p->dilation_h, 2);
  EXPECT_EQ(p->pad_top, 2);  // effective filter 5: total padding 4
  EXPECT_EQ(p->pad_bottom, 2);
  EXPECT_EQ(p->output_multiplier.size(), 1u);  // per-tensor filter, one channel
}

TEST(ImportConv2D, RejectsWrongOutputSizeAndNonConstantWeights) {
  TestModel m = conv_model();
  m.tensors[3].shape = {1, 3, 3, 3};
  expect_import_error(m, "padding gives 2x3");
  TestModel dynamic = conv_model();
  dynamic.tensors[1].buffer = 0;
  dynamic.inputs = {0, 1};
  expect_import_error(dynamic, "must be a constant tensor");
}

TEST(ImportDepthwiseConv2D, PerChannelAlongTheLastAxis) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 3, 3, 2}, 0.5f, 0));
  const int32_t filter = add_weights(m, {1, 3, 3, 4}, {0.5f, 0.25f, 0.5f, 0.25f}, 3);
  const int32_t output = m.add_tensor(activation({1, 1, 1, 4}, 0.25f, 1));
  m.inputs = {input};
  set_single_operator(
      m, op::kDepthwiseConv2D, {input, filter}, output, opt::kDepthwiseConv2D,
      depthwise_conv_2d_options(tfl::padding::kValid, 1, 1, 2, tfl::activation::kNone));
  const Graph g = import(m);
  const auto* p = g.operators[0].params.AsDepthwiseConv2DParams();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(g.operators[0].inputs, (std::vector<int32_t>{0, 1, -1}));
  EXPECT_EQ(p->depth_multiplier, 2);
  EXPECT_EQ(p->pad_top + p->pad_left + p->pad_bottom + p->pad_right, 0);
  EXPECT_EQ(p->output_multiplier, (std::vector<int32_t>(4, kTwoTo30)));
  EXPECT_EQ(p->output_shift, (std::vector<int32_t>{1, 0, 1, 0}));  // 1.0, 0.5, 1.0, 0.5
  EXPECT_EQ(p->activation_min, -128);
  EXPECT_EQ(p->activation_max, 127);
}

TestModel fully_connected_model(std::vector<float> weight_scales, float bias_scale) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({2, 8}, 0.5f, -1));
  const int32_t weights = add_weights(m, {4, 8}, std::move(weight_scales), 0);
  const int32_t bias = add_int32_constant(m, {4}, {1, 2, 3, 4}, {bias_scale});
  const int32_t output = m.add_tensor(activation({2, 4}, 0.5f, 2));
  m.inputs = {input};
  set_single_operator(m, op::kFullyConnected, {input, weights, bias}, output, opt::kFullyConnected,
                      fully_connected_options(tfl::activation::kRelu));
  return m;
}

TEST(ImportFullyConnected, PerTensorWeights) {
  const Graph g = import(fully_connected_model({0.25f}, 0.125f));
  const auto* p = g.operators[0].params.AsFullyConnectedParams();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->input_offset, 1);
  EXPECT_EQ(p->weights_offset, 0);
  EXPECT_EQ(p->output_offset, 2);
  EXPECT_EQ(p->output_multiplier, (std::vector<int32_t>{kTwoTo30}));  // 0.125 / 0.5 = 2^-2
  EXPECT_EQ(p->output_shift, (std::vector<int32_t>{-1}));
  EXPECT_EQ(p->activation_min, 2);  // RELU: the zero point
  EXPECT_EQ(p->activation_max, 127);
}

TEST(ImportFullyConnected, PerChannelWeights) {
  const Graph g = import(fully_connected_model({0.25f, 0.5f, 1.0f, 2.0f}, 0.125f));
  const auto* p = g.operators[0].params.AsFullyConnectedParams();
  EXPECT_EQ(p->output_multiplier, (std::vector<int32_t>(4, kTwoTo30)));
  EXPECT_EQ(p->output_shift, (std::vector<int32_t>{-1, 0, 1, 2}));
}

TEST(ImportFullyConnected, RejectsABiasScaleFarFromInputTimesWeights) {
  expect_import_error(fully_connected_model({0.25f}, 1.0f), "is not input scale x weight scale");
}

TEST(ImportPool2D, AverageAndMaxPadding) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 4, 4, 3}, 0.5f, 7));
  const int32_t output = m.add_tensor(activation({1, 2, 2, 3}, 0.5f, 7));
  m.inputs = {input};
  set_single_operator(m, op::kMaxPool2D, {input}, output, opt::kPool2D,
                      pool_2d_options(tfl::padding::kSame, 2, 2, 3, 3, tfl::activation::kNone));
  Graph g = import(m);
  const auto* p = g.operators[0].params.AsPool2DParams();
  EXPECT_EQ(g.operators[0].kind, schema::OpKind::MaxPool2D);
  EXPECT_EQ(p->filter_h, 3);
  EXPECT_EQ(p->pad_top, 0);  // (2 - 1) * 2 + 3 - 4 = 1: after
  EXPECT_EQ(p->pad_bottom, 1);

  m.codes[0].builtin_code = op::kAveragePool2D;
  m.operators[0].options =
      pool_2d_options(tfl::padding::kValid, 2, 2, 2, 2, tfl::activation::kRelu);
  g = import(m);
  p = g.operators[0].params.AsPool2DParams();
  EXPECT_EQ(g.operators[0].kind, schema::OpKind::AveragePool2D);
  EXPECT_EQ(p->pad_bottom, 0);
  EXPECT_EQ(p->activation_min, 7);

  m.tensors[output].zero_point = {6};
  expect_import_error(m, "input and output quantization must be the same");
}

TEST(ImportAddMul, BroadcastAndMultipliers) {
  TestModel m;
  const int32_t a = m.add_tensor(activation({1, 2, 2, 3}, 0.5f, 1));
  const uint32_t b_buffer = m.add_buffer({1, 2, 3});
  TestTensor b = activation({1, 1, 1, 3}, 0.25f, -2);
  b.buffer = b_buffer;
  const int32_t b_index = m.add_tensor(b);
  const int32_t output = m.add_tensor(activation({1, 2, 2, 3}, 1.0f, 3));
  m.inputs = {a};
  set_single_operator(m, op::kAdd, {a, b_index}, output, opt::kAdd,
                      activation_only_options(tfl::activation::kNone));
  Graph g = import(m);
  const auto* add = g.operators[0].params.AsAddParams();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->input1_offset, -1);
  EXPECT_EQ(add->input2_offset, 2);
  EXPECT_EQ(add->output_offset, 3);
  EXPECT_EQ(add->left_shift, 20);
  // twice_max = 1: 0.5, 0.25 and 1 / 2^20.
  EXPECT_EQ(add->input1_multiplier, kTwoTo30);
  EXPECT_EQ(add->input1_shift, 0);
  EXPECT_EQ(add->input2_shift, -1);
  EXPECT_EQ(add->output_multiplier, kTwoTo30);
  EXPECT_EQ(add->output_shift, -19);
  EXPECT_TRUE(g.tensors[1].constant);

  m.codes[0].builtin_code = op::kMul;
  m.operators[0].options_type = opt::kMul;
  m.tensors[output].scale = {0.0625f};
  g = import(m);
  const auto* mul = g.operators[0].params.AsMulParams();
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(mul->output_multiplier, kTwoTo30);  // 0.5 * 0.25 / 0.0625 = 2
  EXPECT_EQ(mul->output_shift, 2);
  EXPECT_EQ(mul->input2_offset, 2);

  m.tensors[b_index].shape = {1, 1, 2, 3};
  m.buffers[b_buffer].data.resize(6);
  m.tensors[output].shape = {1, 2, 3, 3};
  expect_import_error(m, "does not match the broadcast");
}

TEST(ImportAddMul, ParameterArithmeticErrorsNameTheOperator) {
  TestModel m;
  const int32_t a = m.add_tensor(activation({1, 4}, 0.5f, 0));
  const int32_t b = m.add_tensor(activation({1, 4}, 0.5f, 0));
  // twice_max / (2^20 * s_out) = 1: TFLite cannot represent the output rescale.
  const int32_t output = m.add_tensor(activation({1, 4}, 1.0f / (1 << 20), 0));
  m.inputs = {a, b};
  set_single_operator(m, op::kAdd, {a, b}, output, opt::kAdd,
                      activation_only_options(tfl::activation::kNone));
  expect_import_error(m, "tflite: operator 0 (ADD): quantize: multiplier 1 must be in (0, 1)");
}

TEST(ImportReshape, ShapeOperandMustBeConstantAndIsDropped) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 8}, 0.5f, 0));
  const int32_t shape = add_int32_constant(m, {4}, {1, 2, 2, 2});
  const int32_t output = m.add_tensor(activation({1, 2, 2, 2}, 0.5f, 0));
  m.inputs = {input};
  set_single_operator(m, op::kReshape, {input, shape}, output);
  const Graph g = import(m);
  EXPECT_EQ(g.tensors.size(), 2u);
  EXPECT_EQ(g.operators[0].inputs, (std::vector<int32_t>{0}));
  EXPECT_EQ(g.operators[0].outputs, (std::vector<int32_t>{1}));
  EXPECT_NE(g.operators[0].params.AsReshapeParams(), nullptr);

  m.tensors[shape].buffer = 0;
  m.inputs = {input, shape};
  expect_import_error(m, "shape (tensor 1 'const'): must be a constant tensor");
}

TEST(ImportSoftmax, Int8AndInt16Outputs) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 4}, 1.0f / 256, 0));
  const int32_t output = m.add_tensor(activation({1, 4}, 1.0f / 256, -128));
  m.inputs = {input};
  set_single_operator(m, op::kSoftmax, {input}, output, opt::kSoftmax, softmax_options(1.0f));
  Graph g = import(m);
  const auto* p = g.operators[0].params.AsSoftmaxParams();
  EXPECT_EQ(p->beta, 1.0f);
  EXPECT_EQ(p->input_multiplier, kTwoTo30);  // 2^-8 * 2^26 = 2^18
  EXPECT_EQ(p->input_left_shift, 19);
  EXPECT_EQ(p->diff_min, -3968);

  m.tensors[output] = {{1, 4}, tfl::tensor_type::kInt16, 0, "", {1.0f / 65536}, {-32768}, 0};
  g = import(m);
  EXPECT_EQ(g.tensors[1].type, schema::TensorType::Int16);

  m.tensors[output] = activation({1, 4}, 1.0f / 256, 0);
  expect_import_error(m, "scale 1/256 and zero point -128");
}

TEST(ImportLogistic, InputScalingFromTheInputTensor) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 10}, 0.1f, 5));
  const int32_t output = m.add_tensor(activation({1, 10}, 1.0f / 256, -128));
  m.inputs = {input};
  set_single_operator(m, op::kLogistic, {input}, output);
  const Graph g = import(m);
  const auto* p = g.operators[0].params.AsLogisticParams();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->input_zero_point, 5);
  EXPECT_EQ(p->input_multiplier, 1717986944);
  EXPECT_EQ(p->input_left_shift, 24);
  EXPECT_EQ(p->input_range_radius, 120);
}

TEST(ImportQuantize, FloatToInt8AndRequantise) {
  TestModel m;
  const int32_t input = m.add_tensor({{1, 6}, kFloat32, 0, "audio", {}, {}, 0});
  const int32_t output = m.add_tensor(activation({1, 6}, 0.25f, 4));
  m.inputs = {input};
  set_single_operator(m, op::kQuantize, {input}, output);
  Graph g = import(m);
  EXPECT_EQ(g.tensors[0].type, schema::TensorType::Float32);
  EXPECT_TRUE(g.tensors[0].scale.empty());
  EXPECT_EQ(g.operators[0].params.AsQuantizeParams()->output_multiplier, 0);

  m.tensors[input] = activation({1, 6}, 0.5f, 0);
  g = import(m);
  const auto* p = g.operators[0].params.AsQuantizeParams();
  EXPECT_EQ(p->output_multiplier, kTwoTo30);  // 0.5 / 0.25 = 2
  EXPECT_EQ(p->output_shift, 2);

  set_single_operator(m, op::kDequantize, {input}, output);
  m.tensors[output] = {{1, 6}, kFloat32, 0, "", {}, {}, 0};
  g = import(m);
  EXPECT_EQ(g.operators[0].kind, schema::OpKind::Dequantize);
  EXPECT_EQ(g.tensors[1].type, schema::TensorType::Float32);
}

TEST(ImportMean, NormalisesAxes) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 4, 4, 3}, 0.5f, 0));
  const int32_t axes = add_int32_constant(m, {2}, {-3, 2});
  const int32_t output = m.add_tensor(activation({1, 1, 1, 3}, 0.25f, 0));
  m.inputs = {input};
  set_single_operator(m, op::kMean, {input, axes}, output, opt::kReducer, reducer_options(true));
  const Graph g = import(m);
  const auto* p = g.operators[0].params.AsMeanParams();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->axes, (std::vector<int32_t>{1, 2}));
  EXPECT_TRUE(p->keep_dims);
  EXPECT_EQ(p->output_multiplier, kTwoTo30);
  EXPECT_EQ(p->output_shift, 2);
  EXPECT_EQ(g.operators[0].inputs, (std::vector<int32_t>{0}));
}

TEST(ImportPad, PaddingsBecomeParameters) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 2, 2, 1}, 0.5f, -5));
  const int32_t paddings = add_int32_constant(m, {4, 2}, {0, 0, 1, 1, 2, 0, 0, 0});
  const int32_t output = m.add_tensor(activation({1, 4, 4, 1}, 0.5f, -5));
  m.inputs = {input};
  set_single_operator(m, op::kPad, {input, paddings}, output);
  const Graph g = import(m);
  const auto* p = g.operators[0].params.AsPadParams();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->paddings, (std::vector<int32_t>{0, 0, 1, 1, 2, 0, 0, 0}));
  EXPECT_EQ(p->pad_value, -5);
}

TEST(ImportConcatenation, NegativeAxisIsNormalised) {
  TestModel m;
  const int32_t a = m.add_tensor(activation({1, 2, 2, 3}, 0.5f, 0));
  const int32_t b = m.add_tensor(activation({1, 2, 2, 1}, 0.5f, 0));
  const int32_t output = m.add_tensor(activation({1, 2, 2, 4}, 0.5f, 0));
  m.inputs = {a, b};
  set_single_operator(m, op::kConcatenation, {a, b}, output, opt::kConcatenation,
                      concatenation_options(-1));
  const Graph g = import(m);
  EXPECT_EQ(g.operators[0].params.AsConcatenationParams()->axis, 3);
  EXPECT_EQ(g.operators[0].inputs, (std::vector<int32_t>{0, 1}));
  m.tensors[b].scale = {0.25f};
  expect_import_error(m, "quantization differs");
}

TEST(ImportGraph, UnreferencedTensorsAreDroppedAndTheRestRenumbered) {
  TestModel m;
  m.add_tensor(activation({1, 3}, 1.0f, 0));  // referenced by nothing
  const int32_t input = m.add_tensor(activation({1, 10}, 0.1f, 5));
  m.add_tensor(activation({7}, 1.0f, 0));  // referenced by nothing
  const int32_t output = m.add_tensor(activation({1, 10}, 1.0f / 256, -128));
  m.inputs = {input};
  set_single_operator(m, op::kLogistic, {input}, output);
  const Graph g = import(m);
  ASSERT_EQ(g.tensors.size(), 2u);
  EXPECT_EQ(g.inputs, (std::vector<int32_t>{0}));
  EXPECT_EQ(g.outputs, (std::vector<int32_t>{1}));
  EXPECT_EQ(g.operators[0].inputs, (std::vector<int32_t>{0}));
}

TEST(ImportGraph, RejectsUnsupportedThingsByName) {
  TestModel m;
  const int32_t input = m.add_tensor(activation({1, 10}, 0.1f, 5));
  const int32_t middle = m.add_tensor(activation({1, 10}, 1.0f / 256, -128));
  const int32_t output = m.add_tensor(activation({1, 10}, 1.0f / 256, -128));
  m.inputs = {input};
  m.outputs = {output};
  m.codes = {{op::kLogistic, ""}, {16, ""}};  // 16 = LSTM
  m.operators = {{0, {input}, {middle}, 0, {}}, {1, {middle}, {output}, 0, {}}};
  expect_import_error(m, "tflite: operator 1 (LSTM): not supported");
  m.codes[1] = {32, "MyCustomOp"};
  expect_import_error(m, "operator 1 (CUSTOM 'MyCustomOp'): not supported");
  m.codes[1] = {op::kLogistic, ""};
  m.operators[1].inputs = {output};  // reads a tensor nobody computed yet
  expect_import_error(m, "is neither constant, a graph input nor computed");
  m.operators[1].inputs = {middle};
  m.subgraph_count = 2;
  expect_import_error(m, "2 subgraphs");
}

}  // namespace
}  // namespace locus::host
