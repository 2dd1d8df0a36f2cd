#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/support/kernel_testing.h"
#include "runtime/kernels/kernels.h"

namespace locus::kernels {
namespace {

// Parameters as TFLite's PreprocessSoftmaxScaling / CalculateInputRadius
// give them for Q5.26 differences.
SoftmaxParams softmax_params(double beta, float input_scale) {
  SoftmaxParams p;
  const double real =
      std::fmin(beta * static_cast<double>(input_scale) * (1 << (31 - 5)), (1ll << 31) - 1.0);
  int32_t shift = 0;
  testing::quantize_multiplier(real, &p.input_multiplier, &shift);
  p.input_left_shift = shift;
  const double radius = 31.0 * (1ll << 26) / std::ldexp(1.0, shift);
  p.diff_min = -static_cast<int32_t>(std::floor(radius));
  return p;
}

TEST(SoftmaxTest, UniformRowIsExactQuarter) {
  const SoftmaxParams p = softmax_params(1.0, 0.1f);
  const int8_t x[] = {17, 17, 17, 17};
  int8_t y[4];
  softmax_s8(p, 1, 4, x, y);
  for (int8_t v : y) EXPECT_EQ(v, 64 - 128);
  int16_t y16[4];
  softmax_s8_s16(p, 1, 4, x, y16);
  for (int16_t v : y16) EXPECT_EQ(v, 16384 - 32768);
}

TEST(SoftmaxTest, DominantElementSaturatesOthersFloor) {
  // Differences of 250 steps of 0.5 are far below diff_min: those outputs
  // are exactly the minimum and the winner takes 1.0 (clamped to 127).
  const SoftmaxParams p = softmax_params(1.0, 0.5f);
  const int8_t x[] = {-125, 125, -120};
  int8_t y[3];
  softmax_s8(p, 1, 3, x, y);
  EXPECT_EQ(y[0], -128);
  EXPECT_EQ(y[1], 127);
  EXPECT_EQ(y[2], -128);
  int16_t y16[3];
  softmax_s8_s16(p, 1, 3, x, y16);
  EXPECT_EQ(y16[0], -32768);
  EXPECT_EQ(y16[1], 32767);
  EXPECT_EQ(y16[2], -32768);
}

TEST(SoftmaxTest, RowsMatchFloatSoftmax) {
  std::mt19937 rng(41);
  for (int trial = 0; trial < 20; ++trial) {
    const float scale = 0.02f + 0.01f * trial;
    const double beta = trial % 2 ? 1.0 : 0.5;
    const SoftmaxParams p = softmax_params(beta, scale);
    const int rows = 1 + trial % 4, depth = 2 + 7 * trial;  // some rows > 256 total
    auto x = testing::random_s8(rng, rows * depth);
    std::vector<int8_t> y(x.size());
    std::vector<int16_t> y16(x.size());
    softmax_s8(p, rows, depth, x.data(), y.data());
    softmax_s8_s16(p, rows, depth, x.data(), y16.data());
    for (int r = 0; r < rows; ++r) {
      int mx = -128;
      for (int c = 0; c < depth; ++c) mx = std::max<int>(mx, x[r * depth + c]);
      double sum = 0;
      for (int c = 0; c < depth; ++c) sum += std::exp(beta * scale * (x[r * depth + c] - mx));
      for (int c = 0; c < depth; ++c) {
        const double prob = std::exp(beta * scale * (x[r * depth + c] - mx)) / sum;
        ASSERT_NEAR(y[r * depth + c], std::fmin(prob * 256 - 128, 127), 1.0) << trial;
        ASSERT_NEAR(y16[r * depth + c], std::fmin(prob * 65536 - 32768, 32767), 3.0) << trial;
      }
    }
  }
}

}  // namespace
}  // namespace locus::kernels
