#include "host/quantize/float_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/common/error.h"
#include "host/quantize/float_model_testing.h"

namespace locus::host {
namespace {

using testing::FloatModelBuilder;

std::vector<float> iota(int count, float first = 1.0f) {
  std::vector<float> values(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) values[static_cast<size_t>(i)] = first + static_cast<float>(i);
  return values;
}

// Runs the model on `input`, returns the output tensor.
std::vector<float> output_of(const FloatModel& model, const std::vector<float>& input) {
  return run_float_model(model, input)[static_cast<size_t>(model.output)];
}

void expect_error(const FloatModel& model, const std::string& fragment) {
  try {
    validate_float_model(model);
    ADD_FAILURE() << "no error; expected one containing: " << fragment;
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

// input [1,3,3,1] = 1..9 -> 3x3 conv of ones, pad 1, stride 2, bias -20, ReLU.
FloatModel strided_conv() {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 3, 3, 1});
  FloatLayer& conv = b.layer(FloatOp::kConv2D, {in}, "conv", {1, 2, 2, 1});
  conv.weight_shape = {1, 3, 3, 1};
  conv.weights.assign(9, 1.0f);
  conv.bias = {-20.0f};
  conv.stride_h = conv.stride_w = 2;
  conv.pad_top = conv.pad_left = conv.pad_bottom = conv.pad_right = 1;
  conv.activation = FloatActivation::kRelu;
  b.model().input = in;
  b.model().output = conv.output;
  return b.model();
}

TEST(RunFloatModel, ConvolutionWithPaddingStrideBiasAndRelu) {
  // Windows: {1,2,4,5} = 12, {2,3,5,6} = 16, {4,5,7,8} = 24, {5,6,8,9} = 28;
  // minus 20, ReLU.
  EXPECT_EQ(output_of(strided_conv(), iota(9)), (std::vector<float>{0, 0, 4, 8}));
}

TEST(RunFloatModel, ConvolutionSumsOverInputChannelsPerOutputChannel) {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 1, 2, 2});  // pixels (1, 2), (3, 4)
  FloatLayer& conv = b.layer(FloatOp::kConv2D, {in}, "conv", {1, 1, 1, 2});
  conv.weight_shape = {2, 1, 2, 2};  // OHWI
  conv.weights = {1, 0, 0, 1,        // channel 0: x0[px0] + x1[px1] = 1 + 4
                  1, 1, -1, -1};     // channel 1: 1 + 2 - 3 - 4
  b.model().input = in;
  b.model().output = conv.output;
  EXPECT_EQ(output_of(b.model(), {1, 2, 3, 4}), (std::vector<float>{5, -4}));
}

TEST(RunFloatModel, DepthwiseConvolutionPerChannelWithRelu6) {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 2, 2, 2});
  FloatLayer& dw = b.layer(FloatOp::kDepthwiseConv2D, {in}, "dw", {1, 1, 1, 2});
  dw.weight_shape = {1, 2, 2, 2};
  dw.weights = {1, 1, 1, 0, 1, 0, 1, -1};  // [ky][kx][c]: c0 all ones, c1 {1, 0, 0, -1}
  dw.bias = {0.0f, 1.0f};
  dw.activation = FloatActivation::kRelu6;
  b.model().input = in;
  b.model().output = dw.output;
  // c0 = 1+2+3+4 = 10 -> 6; c1 = 10 - 40 + 1 = -29 -> 0.
  EXPECT_EQ(output_of(b.model(), {1, 10, 2, 20, 3, 30, 4, 40}), (std::vector<float>{6, 0}));
}

TEST(RunFloatModel, FullyConnectedWithBias) {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 3});
  FloatLayer& fc = b.layer(FloatOp::kFullyConnected, {in}, "fc", {1, 2});
  fc.weight_shape = {2, 3};
  fc.weights = {1, 0, -1, 0.5f, 0.5f, 0.5f};
  fc.bias = {0.25f, -1.0f};
  b.model().input = in;
  b.model().output = fc.output;
  EXPECT_EQ(output_of(b.model(), {1, 2, 3}), (std::vector<float>{-1.75f, 2.0f}));
}

FloatModel pool_model(FloatOp op) {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 3, 3, 1});
  FloatLayer& pool = b.layer(op, {in}, "pool", {1, 2, 2, 1});
  pool.filter_h = pool.filter_w = 2;
  pool.stride_h = pool.stride_w = 2;
  pool.pad_bottom = pool.pad_right = 1;
  b.model().input = in;
  b.model().output = pool.output;
  return b.model();
}

TEST(RunFloatModel, AveragePoolCountsOnlyElementsInsideTheInput) {
  // {1,2,4,5} -> 3; {3,6} -> 4.5; {7,8} -> 7.5; {9} -> 9.
  EXPECT_EQ(output_of(pool_model(FloatOp::kAveragePool2D), iota(9)),
            (std::vector<float>{3, 4.5f, 7.5f, 9}));
}

TEST(RunFloatModel, MaxPoolIgnoresPadding) {
  EXPECT_EQ(output_of(pool_model(FloatOp::kMaxPool2D), iota(9, -9.0f)),
            (std::vector<float>{-5, -4, -2, -1}));
}

TEST(RunFloatModel, MeanReshapeAddAndSoftmax) {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 2, 2, 2});
  const int32_t mean = b.layer(FloatOp::kMean, {in}, "mean", {1, 1, 1, 2}).output;
  const int32_t flat = b.layer(FloatOp::kReshape, {mean}, "flat", {1, 2}).output;
  FloatLayer& add = b.layer(FloatOp::kAdd, {flat, flat}, "twice", {1, 2});
  add.activation = FloatActivation::kRelu;
  const int32_t twice = add.output;
  const int32_t probs = b.layer(FloatOp::kSoftmax, {twice}, "probs", {1, 2}).output;
  b.model().input = in;
  b.model().output = probs;
  // Channel means 2.5 and c1; doubled they differ by ln 3, so softmax = {1/4, 3/4}.
  const float c1 = 2.5f + std::log(3.0f) / 2;
  const std::vector<std::vector<float>> values =
      run_float_model(b.model(), std::vector<float>{1, c1, 2, c1, 3, c1, 4, c1});
  EXPECT_EQ(values[static_cast<size_t>(mean)], (std::vector<float>{2.5f, c1}));
  EXPECT_EQ(values[static_cast<size_t>(flat)], values[static_cast<size_t>(mean)]);
  EXPECT_EQ(values[static_cast<size_t>(twice)], (std::vector<float>{5.0f, 2 * c1}));
  ASSERT_EQ(values[static_cast<size_t>(probs)].size(), 2u);
  EXPECT_NEAR(values[static_cast<size_t>(probs)][0], 0.25f, 1e-6f);
  EXPECT_NEAR(values[static_cast<size_t>(probs)][1], 0.75f, 1e-6f);
}

TEST(RunFloatModel, AddAppliesRelu) {
  FloatModelBuilder b;
  const int32_t x = b.tensor("x", {1, 4});
  FloatLayer& add = b.layer(FloatOp::kAdd, {x, x}, "sum", {1, 4});
  add.activation = FloatActivation::kRelu;
  b.model().input = x;
  b.model().output = add.output;
  EXPECT_EQ(output_of(b.model(), {-1, 0.5f, 2, -0.25f}), (std::vector<float>{0, 1, 4, 0}));
}

TEST(RunFloatModel, RejectsAnInputOfTheWrongSize) {
  try {
    run_float_model(strided_conv(), iota(8));
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("input has 8 values"), std::string::npos)
        << error.what();
  }
}

TEST(ValidateFloatModel, AcceptsAWellFormedModel) {
  EXPECT_NO_THROW(validate_float_model(strided_conv()));
}

TEST(ValidateFloatModel, RejectsAWrongWeightCount) {
  FloatModel model = strided_conv();
  model.layers[0].weights.pop_back();
  expect_error(model, "layer 0 'conv' (CONV_2D): 8 weights for weight shape [1, 3, 3, 1]");
}

TEST(ValidateFloatModel, RejectsAWrongBiasCount) {
  FloatModel model = strided_conv();
  model.layers[0].bias = {1, 2};
  expect_error(model, "'conv' (CONV_2D): 2 bias values for 1 output channels");
}

TEST(ValidateFloatModel, RejectsAnOutputShapeTheLayerDoesNotGive) {
  FloatModel model = strided_conv();
  model.tensors[1].shape = {1, 3, 3, 1};
  expect_error(model, "has shape [1, 3, 3, 1], the layer gives [1, 2, 2, 1]");
}

TEST(ValidateFloatModel, RejectsWeightsWhoseDepthDiffersFromTheInput) {
  FloatModel model = strided_conv();
  model.layers[0].weight_shape = {1, 3, 1, 3};
  expect_error(model, "weights have 3 input channels, the input has 1");
}

TEST(ValidateFloatModel, RejectsBadTensorShapesAndIndices) {
  FloatModel model = strided_conv();
  model.tensors[0].shape = {1, 0, 3, 1};
  expect_error(model, "tensor 0 'in': shape [1, 0, 3, 1]: dimension 1 is 0");
  model = strided_conv();
  model.tensors[0].shape = {1, 1, 1, 3, 3};
  expect_error(model, "must have rank 1 to 4");
  model = strided_conv();
  model.layers[0].inputs = {7};
  expect_error(model, "input tensor index 7 out of range");
  model = strided_conv();
  model.output = model.input;
  expect_error(model, "output is the input");
}

TEST(ValidateFloatModel, RejectsDataFlowOutOfOrder) {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 4});
  const int32_t later = b.tensor("later", {1, 4});
  b.layer(FloatOp::kAdd, {in, later}, "sum", {1, 4});
  b.model().input = in;
  b.model().output = 2;
  expect_error(b.model(), "input tensor 1 'later' is neither the model input");
  b.model().layers[0].inputs = {in, in};
  b.model().layers[0].output = in;
  expect_error(b.model(), "output tensor 0 'in' is already");
}

TEST(ValidateFloatModel, RejectsUnsupportedCombinations) {
  FloatModel model = pool_model(FloatOp::kAveragePool2D);
  model.layers[0].pad_bottom = 2;
  expect_error(model, "padding must be smaller than the 2x2 window");
  model = pool_model(FloatOp::kMaxPool2D);
  model.layers[0].weights = {1.0f};
  expect_error(model, "'pool' (MAX_POOL_2D): has weights or a bias");

  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 3});
  b.layer(FloatOp::kSoftmax, {in}, "probs", {1, 3}).activation = FloatActivation::kRelu;
  b.model().input = in;
  b.model().output = 1;
  expect_error(b.model(), "'probs' (SOFTMAX): has a fused activation");

  model = strided_conv();
  model.layers[0].stride_h = 0;
  expect_error(model, "stride_h 0 outside 1..");
  model = strided_conv();
  model.layers[0].weights[4] = NAN;
  expect_error(model, "weight 4 is not finite");
  model = strided_conv();
  model.input_quantization = AffineQuantization{0.1f, 200};
  expect_error(model, "input quantization zero point 200");
}

TEST(ValidateFloatModel, RejectsDepthwiseWithADepthMultiplier) {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 2, 2, 1});
  FloatLayer& dw = b.layer(FloatOp::kDepthwiseConv2D, {in}, "dw", {1, 1, 1, 2});
  dw.weight_shape = {1, 2, 2, 2};
  dw.weights.assign(8, 1.0f);
  b.model().input = in;
  b.model().output = dw.output;
  expect_error(b.model(), "must be [1, H, W, 1] (depth multiplier 1)");
}

TEST(RangeObserver, KeepsMinAndMaxOverInputsAndAlwaysIncludesZero) {
  FloatModelBuilder b;
  const int32_t in = b.tensor("in", {1, 2});
  FloatLayer& fc = b.layer(FloatOp::kFullyConnected, {in}, "fc", {1, 1});
  fc.weight_shape = {1, 2};
  fc.weights = {1.0f, 1.0f};
  fc.bias = {10.0f};
  b.model().input = in;
  b.model().output = fc.output;
  RangeObserver observer(b.model());
  EXPECT_THROW(observer.ranges(), Error);
  observer.observe(std::vector<float>{1.0f, 2.0f});   // fc = 13
  observer.observe(std::vector<float>{-3.0f, 0.5f});  // fc = 7.5
  const ActivationRanges ranges = observer.ranges();
  EXPECT_EQ(ranges.min, (std::vector<float>{-3.0f, 0.0f}));  // fc never below 7.5: 0 kept
  EXPECT_EQ(ranges.max, (std::vector<float>{2.0f, 13.0f}));
  EXPECT_THROW(observer.observe(std::vector<float>{INFINITY, 0.0f}), Error);
  EXPECT_EQ(observer.ranges().max, ranges.max);  // a rejected input changes nothing
}

}  // namespace
}  // namespace locus::host
