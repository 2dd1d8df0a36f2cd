// Add, Mul, Quantize/Requantize/Dequantize and Logistic against independent
// expectations.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/support/kernel_testing.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

// Equal scales everywhere: TFLite's Add preparation gives input multipliers
// 0.5 = (2^30, 0) and output 2^-19 = (2^30, -18), and the result is exactly
// (x1 - zp1) + (x2 - zp2) + zp_out.
AddParams unit_add_params(int zp1, int zp2, int zp_out) {
  AddParams p;
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.output_offset = zp_out;
  p.left_shift = 20;
  p.input1_multiplier = p.input2_multiplier = 1 << 30;
  p.input1_shift = p.input2_shift = 0;
  p.output_multiplier = 1 << 30;
  p.output_shift = -18;
  return p;
}

int clamp8(int v, int lo = -128, int hi = 127) { return v < lo ? lo : (v > hi ? hi : v); }

TEST(AddTest, SameShapeExactAndSaturating) {
  for (int n : {5, 3000}) {  // small and tabulated paths
    std::mt19937 rng(31);
    const Dims4 d{1, 1, 1, n};
    auto a = testing::random_s8(rng, n), b = testing::random_s8(rng, n);
    const AddParams p = unit_add_params(3, -4, -2);
    std::vector<int8_t> y(n);
    add_s8(p, d, a.data(), d, b.data(), d, y.data());
    for (int i = 0; i < n; ++i) ASSERT_EQ(y[i], clamp8((a[i] - 3) + (b[i] + 4) - 2)) << i;
  }
}

TEST(AddTest, BroadcastingAndActivation) {
  // [2,3,4,5] + [1,3,1,5] and [2,3,4,5] + scalar, ReLU6-style clamp.
  std::mt19937 rng(32);
  const Dims4 d1{2, 3, 4, 5}, d2{1, 3, 1, 5}, one{1, 1, 1, 1};
  auto a = testing::random_s8(rng, d1.elements()), b = testing::random_s8(rng, d2.elements());
  AddParams p = unit_add_params(0, 1, 0);
  p.activation_min = 0;
  p.activation_max = 60;
  std::vector<int8_t> y(d1.elements());
  add_s8(p, d1, a.data(), d2, b.data(), d1, y.data());
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 3; ++h)
      for (int w = 0; w < 4; ++w)
        for (int c = 0; c < 5; ++c) {
          const int i = ((n * 3 + h) * 4 + w) * 5 + c;
          ASSERT_EQ(y[i], clamp8(a[i] + b[h * 5 + c] - 1, 0, 60));
        }
  const int8_t s = -7;
  add_s8(p, one, &s, d1, a.data(), d1, y.data());  // scalar first operand
  for (int i = 0; i < d1.elements(); ++i) ASSERT_EQ(y[i], clamp8(-7 + a[i] - 1, 0, 60));
}

TEST(AddTest, HalfScaleRounding) {
  // Output scale twice the input scales: out = round((a + b) / 2) through
  // the fixed-point chain (2^30, -19): 1 -> 1 (0.5 rounds away), -1 -> -1,
  // 3 -> 2, -3 -> -2.
  AddParams p = unit_add_params(0, 0, 0);
  p.output_shift = -19;
  const Dims4 d{1, 1, 1, 4};
  const int8_t a[] = {1, -1, 3, -3}, b[] = {0, 0, 0, 0};
  int8_t y[4];
  add_s8(p, d, a, d, b, d, y);
  EXPECT_EQ(y[0], 1);
  EXPECT_EQ(y[1], -1);
  EXPECT_EQ(y[2], 2);
  EXPECT_EQ(y[3], -2);
}

TEST(MulTest, ExactProductsWithBroadcast) {
  std::mt19937 rng(33);
  const Dims4 d1{1, 4, 3, 6}, d2{1, 1, 3, 1};
  auto a = testing::random_s8(rng, d1.elements()), b = testing::random_s8(rng, d2.elements());
  MulParams p;
  p.input1_offset = -2;
  p.input2_offset = 5;
  p.output_offset = 1;
  p.output_multiplier = 1 << 30;  // 1.0
  p.output_shift = 1;
  std::vector<int8_t> y(d1.elements());
  mul_s8(p, d1, a.data(), d2, b.data(), d1, y.data());
  int saturated = 0;
  for (int h = 0; h < 4; ++h)
    for (int w = 0; w < 3; ++w)
      for (int c = 0; c < 6; ++c) {
        const int i = (h * 3 + w) * 6 + c;
        const int e = clamp8((a[i] - 2) * (b[w] + 5) + 1);
        saturated += e == 127 || e == -128;
        ASSERT_EQ(y[i], e);
      }
  EXPECT_GT(saturated, 0);
}

TEST(MulTest, RoundingOfScaledProduct) {
  // M = 1/128 as (2^30, -6): 3*64 = 192 -> 1.5 -> 2; -192 -> -1.5 -> -2;
  // 62/128 -> 0; 63/128 = 0.49 gives 1 because the high multiply first
  // rounds 31.5 up to 32 (TFLite's double rounding).
  MulParams p;
  p.output_multiplier = 1 << 30;
  p.output_shift = -6;
  const Dims4 d{1, 1, 1, 4};
  const int8_t a[] = {3, -3, 1, 1}, b[] = {64, 64, 62, 63};
  int8_t y[4];
  mul_s8(p, d, a, d, b, d, y);
  EXPECT_EQ(y[0], 2);
  EXPECT_EQ(y[1], -2);
  EXPECT_EQ(y[2], 0);
  EXPECT_EQ(y[3], 1);
}

TEST(QuantizeTest, FloatToInt8RoundsHalfAwayAndSaturates) {
  const float x[] = {1.25f, -1.25f, 0.0f, 100.0f, -1000.0f, 0.2f, 63.0f};
  int8_t y[7];
  quantize_f32_s8(0.5f, -1, 7, x, y);
  EXPECT_EQ(y[0], 2);     // 2.5 -> 3, -1
  EXPECT_EQ(y[1], -4);    // -2.5 -> -3, -1
  EXPECT_EQ(y[2], -1);
  EXPECT_EQ(y[3], 127);
  EXPECT_EQ(y[4], -128);
  EXPECT_EQ(y[5], -1);    // 0.4 -> 0
  EXPECT_EQ(y[6], 125);
}

TEST(QuantizeTest, RequantizeChangesZeroPointAndScale) {
  std::vector<int8_t> x(300);
  for (int i = 0; i < 300; ++i) x[i] = static_cast<int8_t>(i - 150);
  RequantizeParams p;
  p.input_zero_point = 4;
  p.output_zero_point = -6;
  p.output_multiplier = 1 << 30;  // 1.0
  p.output_shift = 1;
  std::vector<int8_t> y(300);
  requantize_s8(p, 300, x.data(), y.data());
  for (int i = 0; i < 300; ++i) ASSERT_EQ(y[i], clamp8(x[i] - 4 - 6));
  p.output_shift = 0;  // 0.5: ties go up in the high multiply
  requantize_s8(p, 10, x.data(), y.data());
  for (int i = 0; i < 10; ++i) {
    const int v = x[i] - 4;
    ASSERT_EQ(y[i], clamp8(static_cast<int>(std::floor(v / 2.0 + 0.5)) - 6));
  }
}

TEST(QuantizeTest, Dequantize) {
  const int8_t x[] = {7, 3, -128, 127};
  float y[4];
  dequantize_s8_f32(0.25f, 3, 4, x, y);
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[2], -32.75f);
  EXPECT_EQ(y[3], 31.0f);
}

// Logistic parameters as TFLite Micro's Prepare computes them.
LogisticParams logistic_params(float scale, int zp) {
  LogisticParams p;
  p.input_zero_point = zp;
  const double real = static_cast<double>(scale) * static_cast<double>(1 << (31 - 4));
  int shift = 0;
  const double q = std::frexp(real, &shift);
  p.input_multiplier = static_cast<int32_t>(std::round(q * (1ll << 31)));
  p.input_left_shift = shift;
  const double max_rescaled = 1.0 * ((1 << 4) - 1) * (1ll << (31 - 4)) / (1ll << shift);
  p.input_range_radius = static_cast<int32_t>(std::floor(max_rescaled));
  return p;
}

TEST(LogisticTest, MatchesSigmoidWithinOneStep) {
  for (float scale : {0.01f, 0.0625f, 0.1f}) {
    const int zp = 3;
    const LogisticParams p = logistic_params(scale, zp);
    std::vector<int8_t> x(256), y(256);
    for (int i = 0; i < 256; ++i) x[i] = static_cast<int8_t>(i - 128);
    logistic_s8(p, 256, x.data(), y.data());
    for (int i = 0; i < 256; ++i) {
      const double r = scale * (x[i] - zp);
      const double e = 1.0 / (1.0 + std::exp(-r)) * 256.0 - 128.0;
      ASSERT_NEAR(y[i], std::fmin(e, 127.0), 1.0) << scale << " " << int(x[i]);
    }
    // Input at the zero point is exactly 0.5 -> 0.
    const int8_t at_zero = zp;
    int8_t out = 99;
    logistic_s8(p, 1, &at_zero, &out);
    EXPECT_EQ(out, 0);
  }
}

}  // namespace
}  // namespace locus::kernels
