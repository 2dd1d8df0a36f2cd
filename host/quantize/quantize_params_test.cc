#include "host/quantize/quantize_params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "host/common/error.h"

namespace locus::host {
namespace {

constexpr int32_t kTwoTo30 = 1 << 30;

TEST(QuantizeMultiplier, PowersOfTwoAndSimpleFractions) {
  EXPECT_EQ(quantize_multiplier(0.5), (QuantizedMultiplier{kTwoTo30, 0}));
  EXPECT_EQ(quantize_multiplier(1.0), (QuantizedMultiplier{kTwoTo30, 1}));
  EXPECT_EQ(quantize_multiplier(0.25), (QuantizedMultiplier{kTwoTo30, -1}));
  EXPECT_EQ(quantize_multiplier(0.75), (QuantizedMultiplier{1610612736, 0}));  // 0.75 * 2^31
  EXPECT_EQ(quantize_multiplier(3.0), (QuantizedMultiplier{1610612736, 2}));
  EXPECT_EQ(quantize_multiplier(-0.5), (QuantizedMultiplier{-kTwoTo30, 0}));
}

TEST(QuantizeMultiplier, ZeroGivesZero) {
  EXPECT_EQ(quantize_multiplier(0.0), (QuantizedMultiplier{0, 0}));
}

TEST(QuantizeMultiplier, RoundsHalfAwayFromZero) {
  // q = 0.5 + 2^-32: q * 2^31 = 2^30 + 0.5 -> 2^30 + 1.
  EXPECT_EQ(quantize_multiplier(0.5 + std::ldexp(1.0, -32)),
            (QuantizedMultiplier{kTwoTo30 + 1, 0}));
  // Just below a half: 2^30 + 0.25 -> 2^30.
  EXPECT_EQ(quantize_multiplier(0.5 + std::ldexp(1.0, -33)), (QuantizedMultiplier{kTwoTo30, 0}));
}

TEST(QuantizeMultiplier, FractionRoundingToTwoTo31FoldsIntoNextExponent) {
  // q = 1 - 2^-33: q * 2^31 = 2^31 - 0.25 rounds to 2^31 -> (2^30, shift + 1).
  EXPECT_EQ(quantize_multiplier(1.0 - std::ldexp(1.0, -33)), (QuantizedMultiplier{kTwoTo30, 1}));
  // q = 1 - 2^-31 is exactly representable: 2^31 - 1, no folding.
  EXPECT_EQ(quantize_multiplier(1.0 - std::ldexp(1.0, -31)),
            (QuantizedMultiplier{std::numeric_limits<int32_t>::max(), 0}));
}

TEST(QuantizeMultiplier, TinyMultipliersFlushToZero) {
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -32)), (QuantizedMultiplier{kTwoTo30, -31}));
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -33)), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(quantize_multiplier(1e-20), (QuantizedMultiplier{0, 0}));
}

TEST(QuantizeMultiplier, RejectsNonFinite) {
  EXPECT_THROW(quantize_multiplier(std::numeric_limits<double>::infinity()), Error);
  EXPECT_THROW(quantize_multiplier(std::numeric_limits<double>::quiet_NaN()), Error);
}

TEST(QuantizeMultiplierSmallerThanOneExp, ShiftIsNonPositive) {
  EXPECT_EQ(quantize_multiplier_smaller_than_one_exp(0.25), (QuantizedMultiplier{kTwoTo30, -1}));
  EXPECT_EQ(quantize_multiplier_smaller_than_one_exp(0.5), (QuantizedMultiplier{kTwoTo30, 0}));
  EXPECT_THROW(quantize_multiplier_smaller_than_one_exp(1.0), Error);
  EXPECT_THROW(quantize_multiplier_smaller_than_one_exp(0.0), Error);
  EXPECT_THROW(quantize_multiplier_smaller_than_one_exp(-0.25), Error);
  // Below 1 but rounds up to 1.0 (shift would become +1): TFLite aborts, we throw.
  EXPECT_THROW(quantize_multiplier_smaller_than_one_exp(1.0 - std::ldexp(1.0, -40)), Error);
}

TEST(QuantizeMultiplierGreaterThanOne, ShiftIsNonNegative) {
  EXPECT_EQ(quantize_multiplier_greater_than_one(3.0), (QuantizedMultiplier{1610612736, 2}));
  EXPECT_EQ(quantize_multiplier_greater_than_one(262144.0), (QuantizedMultiplier{kTwoTo30, 19}));
  EXPECT_THROW(quantize_multiplier_greater_than_one(1.0), Error);
  EXPECT_THROW(quantize_multiplier_greater_than_one(0.5), Error);
}

TEST(ConvMultiplier, PerTensorRuleRoundsTheProductToFloatFirst) {
  // A triple where float(s_in * s_w) differs from the exact double product
  // in a way that changes the multiplier's low bits.
  const float input_scale = 0x1.c677a4p-6f;
  const float filter_scale = 0x1.162fep-7f;
  const float output_scale = 0x1.8978b8p-2f;
  EXPECT_EQ(per_channel_conv_multiplier(input_scale, filter_scale, output_scale),
            (QuantizedMultiplier{1347677860, -10}));
  EXPECT_EQ(per_tensor_conv_multiplier(input_scale, filter_scale, output_scale),
            (QuantizedMultiplier{1347677872, -10}));
}

TEST(ConvMultiplier, ZeroFilterScaleGivesZeroMultiplier) {
  EXPECT_EQ(per_channel_conv_multiplier(0.5f, 0.0f, 0.25f), (QuantizedMultiplier{0, 0}));
}

TEST(ConvMultiplier, RejectsNonPositiveActivationScales) {
  EXPECT_THROW(per_channel_conv_multiplier(0.0f, 0.5f, 0.25f), Error);
  EXPECT_THROW(per_tensor_conv_multiplier(0.5f, 0.5f, -1.0f), Error);
  EXPECT_THROW(rescale_multiplier(std::numeric_limits<float>::infinity(), 1.0f), Error);
}

TEST(SimpleMultipliers, MulAndRescale) {
  EXPECT_EQ(mul_multiplier(0.5f, 0.5f, 0.125f), (QuantizedMultiplier{kTwoTo30, 2}));  // 2.0
  EXPECT_EQ(rescale_multiplier(0.5f, 0.25f), (QuantizedMultiplier{kTwoTo30, 2}));     // 2.0
  EXPECT_EQ(rescale_multiplier(0.75f, 1.0f), (QuantizedMultiplier{1610612736, 0}));
}

TEST(ActivationRange, FusedActivationsInTheOutputDomain) {
  using schema::Activation;
  EXPECT_EQ(activation_range_int8(Activation::None, 0.1f, -10), (ActivationRange{-128, 127}));
  EXPECT_EQ(activation_range_int8(Activation::Relu, 0.1f, -10), (ActivationRange{-10, 127}));
  // 6 / 0.1 = 60 steps above the zero point.
  EXPECT_EQ(activation_range_int8(Activation::Relu6, 0.1f, -10), (ActivationRange{-10, 50}));
  EXPECT_EQ(activation_range_int8(Activation::ReluN1To1, 0.1f, -10), (ActivationRange{-20, 0}));
}

TEST(ActivationRange, ClipsToTheTypeRange) {
  using schema::Activation;
  EXPECT_EQ(activation_range_int8(Activation::Relu6, 0.01f, 0), (ActivationRange{0, 127}));
  EXPECT_EQ(activation_range_int8(Activation::Relu, 0.05f, -128), (ActivationRange{-128, 127}));
  EXPECT_EQ(activation_range_int8(Activation::ReluN1To1, 0.001f, 0), (ActivationRange{-128, 127}));
  EXPECT_EQ(activation_range_quantized(Activation::Relu6, 0.01f, 0, -32768, 32767),
            (ActivationRange{0, 600}));
}

TEST(ActivationRange, RoundsHalfAwayFromZero) {
  using schema::Activation;
  EXPECT_EQ(activation_range_int8(Activation::Relu6, 4.0f, 0),
            (ActivationRange{0, 2}));  // 1.5 -> 2
  EXPECT_EQ(activation_range_int8(Activation::ReluN1To1, 2.0f, 3),
            (ActivationRange{2, 4}));  // +-0.5
}

TEST(ActivationRange, RejectsBadScale) {
  EXPECT_THROW(activation_range_int8(schema::Activation::Relu, 0.0f, 0), Error);
  EXPECT_THROW(activation_range_int8(schema::Activation::Relu, std::nanf(""), 0), Error);
}

TEST(InputRadius, FloorOfTheRescaledMaximum) {
  EXPECT_EQ(calculate_input_radius(5, 0), 2080374784);  // 31 * 2^26
  EXPECT_EQ(calculate_input_radius(5, 25), 62);         // 31 * 2^26 / 2^25
  EXPECT_EQ(calculate_input_radius(5, 30), 1);          // 31 / 16 = 1.9375
  EXPECT_EQ(calculate_input_radius(4, 24, 31), 120);    // 15 * 2^27 / 2^24
  EXPECT_THROW(calculate_input_radius(5, -1), Error);
}

TEST(AddScaling, ThreeSmallerThanOneMultipliers) {
  const AddScaling s = add_int8_scaling(0.5f, 0.25f, 1.0f);  // twice_max = 1
  EXPECT_EQ(s.left_shift, 20);
  EXPECT_EQ(s.input1, (QuantizedMultiplier{kTwoTo30, 0}));    // 0.5
  EXPECT_EQ(s.input2, (QuantizedMultiplier{kTwoTo30, -1}));   // 0.25
  EXPECT_EQ(s.output, (QuantizedMultiplier{kTwoTo30, -19}));  // 2^-20
  // Output scale so small that the output multiplier reaches 1: TFLite aborts.
  EXPECT_THROW(add_int8_scaling(0.5f, 0.5f, std::ldexp(1.0f, -20)), Error);
}

TEST(SoftmaxScaling, UnitBetaWithScaleOneOver256) {
  const SoftmaxScaling s = softmax_int8_scaling(1.0, 1.0f / 256);  // 2^-8 * 2^26 = 2^18
  EXPECT_EQ(s.input_multiplier, kTwoTo30);
  EXPECT_EQ(s.input_left_shift, 19);
  EXPECT_EQ(s.diff_min, -3968);  // -floor(31 * 2^26 / 2^19)
}

TEST(SoftmaxScaling, HugeBetaIsCappedAt2To31Minus1) {
  const SoftmaxScaling s = softmax_int8_scaling(1e10, 1.0f);
  EXPECT_EQ(s.input_multiplier, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(s.input_left_shift, 31);
  EXPECT_EQ(s.diff_min, 0);  // -floor(31 / 32)
}

TEST(SoftmaxScaling, TooSmallBetaTimesScaleIsRejected) {
  EXPECT_THROW(softmax_int8_scaling(1.0, std::ldexp(1.0f, -27)), Error);  // 0.5 <= 1
}

TEST(LogisticScaling, FrexpOfScaleTimes2To27) {
  // 0.1f is 13421773 * 2^-27, so s * 2^27 = 13421773 = (13421773 / 2^24) * 2^24.
  const LogisticScaling s = logistic_int8_scaling(0.1f, 5);
  EXPECT_EQ(s.input_zero_point, 5);
  EXPECT_EQ(s.input_multiplier, 1717986944);  // 13421773 * 2^7
  EXPECT_EQ(s.input_left_shift, 24);
  EXPECT_EQ(s.input_range_radius, 120);  // floor(15 * 2^27 / 2^24)

  const LogisticScaling sixteenth = logistic_int8_scaling(0.0625f, -128);  // 2^23
  EXPECT_EQ(sixteenth.input_multiplier, kTwoTo30);
  EXPECT_EQ(sixteenth.input_left_shift, 24);
  EXPECT_EQ(sixteenth.input_range_radius, 120);
  EXPECT_THROW(logistic_int8_scaling(std::ldexp(1.0f, -30), 0), Error);
}

}  // namespace
}  // namespace locus::host
