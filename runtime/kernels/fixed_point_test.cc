#include "runtime/kernels/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace locus::kernels::fp {
namespace {

// gemmlowp's definition written out literally: nudge, then C++ truncating
// division by 2^31.
int32_t srdhm_by_definition(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// x / 2^e rounded half away from zero, via exact double arithmetic.
int32_t round_half_away_div(int32_t x, int e) {
  const double q = static_cast<double>(x) / std::ldexp(1.0, e);
  return static_cast<int32_t>(q >= 0 ? std::floor(q + 0.5) : std::ceil(q - 0.5));
}

TEST(FixedPointTest, SrdhmSaturatesOnlyMinTimesMin) {
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MAX), -INT32_MAX);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX), INT32_MAX - 1);
}

TEST(FixedPointTest, SrdhmRoundsHalfUp) {
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1, 1 << 30), 1);    // +0.5 -> 1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, 1 << 30), 0);   // -0.5 -> 0
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);    // 1.5 -> 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);  // -1.5 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, 1 << 30), -2);  // -2.5 -> -2
}

TEST(FixedPointTest, SrdhmMatchesDefinitionOnRandomValues) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> d(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 200000; ++i) {
    const int32_t a = d(rng), b = d(rng);
    ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), srdhm_by_definition(a, b)) << a << " " << b;
  }
}

TEST(FixedPointTest, RoundingDivideByPotTiesAwayFromZero) {
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);
  EXPECT_EQ(rounding_divide_by_pot(3, 1), 2);
  EXPECT_EQ(rounding_divide_by_pot(-3, 1), -2);
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);  // -1.25
  EXPECT_EQ(rounding_divide_by_pot(7, 2), 2);    // 1.75
  EXPECT_EQ(rounding_divide_by_pot(-7, 0), -7);
  EXPECT_EQ(rounding_divide_by_pot(INT32_MAX, 31), 1);
  EXPECT_EQ(rounding_divide_by_pot(INT32_MIN, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(-(1 << 29), 31), 0);  // -0.25
}

TEST(FixedPointTest, RoundingDivideByPotMatchesDoubleOnRandomValues) {
  std::mt19937 rng(2);
  std::uniform_int_distribution<int32_t> d(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 100000; ++i) {
    const int32_t x = d(rng);
    const int e = i % 32;
    ASSERT_EQ(rounding_divide_by_pot(x, e), round_half_away_div(x, e)) << x << " " << e;
  }
}

TEST(FixedPointTest, MultiplyByQuantizedMultiplierUsesDoubleRounding) {
  EXPECT_EQ(multiply_by_quantized_multiplier(100, 1 << 30, 0), 50);
  EXPECT_EQ(multiply_by_quantized_multiplier(3, 1 << 30, 0), 2);
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, 1 << 30, 0), -1);
  EXPECT_EQ(multiply_by_quantized_multiplier(77, 1 << 30, 1), 77);  // exactly 1.0
  EXPECT_EQ(multiply_by_quantized_multiplier(-77, 1 << 30, 1), -77);
  EXPECT_EQ(multiply_by_quantized_multiplier(5, 1 << 30, 3), 20);   // 0.5 * 8
  // 1 * 0.25 = 0.25 exactly, but the two roundings (0.5 -> 1, then
  // 0.5 -> 1) give 1: the behaviour TFLite's default build has.
  EXPECT_EQ(multiply_by_quantized_multiplier(1, 1 << 30, -1), 1);
  EXPECT_EQ(multiply_by_quantized_multiplier(-1, 1 << 30, -1), 0);
}

TEST(FixedPointTest, SaturatingShiftLeft) {
  EXPECT_EQ(saturating_shift_left(3, 2), 12);
  EXPECT_EQ(saturating_shift_left(1 << 29, 2), INT32_MAX);
  EXPECT_EQ(saturating_shift_left(-(1 << 29), 2), INT32_MIN);
  EXPECT_EQ(saturating_shift_left((1 << 29) - 1, 2), ((1 << 29) - 1) * 4);
}

TEST(FixedPointTest, RoundingHalfSum) {
  EXPECT_EQ(rounding_half_sum(1, 2), 2);
  EXPECT_EQ(rounding_half_sum(-1, -2), -2);
  EXPECT_EQ(rounding_half_sum(INT32_MAX, INT32_MAX), INT32_MAX);
}

// gemmlowp's exp is a 4-term Taylor series on [-1/4, 0): about 2.5e-7
// relative error, i.e. a few hundred Q0.31 units.
constexpr double kExpTolerance = 2048;

TEST(FixedPointTest, ExpOnNegativeValuesQ5) {
  EXPECT_EQ(exp_on_negative_values<5>(0), INT32_MAX);
  int32_t previous = INT32_MAX;
  for (int32_t a = 0; a >= -(31 << 26); a -= 1 << 19) {
    const int32_t e = exp_on_negative_values<5>(a);
    const double expected = std::exp(a / static_cast<double>(1 << 26)) * 2147483648.0;
    ASSERT_NEAR(e, expected, kExpTolerance) << a;
    ASSERT_LE(e, previous) << a;
    previous = e;
  }
}

TEST(FixedPointTest, ExpOnNegativeValuesQ4) {
  for (int32_t a = -1; a >= -(15 << 27); a -= 997 * 1024) {
    const double expected = std::exp(a / static_cast<double>(1 << 27)) * 2147483648.0;
    ASSERT_NEAR(exp_on_negative_values<4>(a), expected, kExpTolerance) << a;
  }
}

TEST(FixedPointTest, OneOverOnePlusX) {
  for (int64_t a = 0; a <= INT32_MAX; a += 9999991) {
    const double x = static_cast<double>(a) / 2147483648.0;
    const double expected = 2147483648.0 / (1.0 + x);
    ASSERT_NEAR(one_over_one_plus_x_for_x_in_0_1(static_cast<int32_t>(a)),
                std::min(expected, 2147483647.0), 8) << a;
  }
}

TEST(FixedPointTest, LogisticIsSymmetricAndAccurate) {
  EXPECT_EQ(logistic<4>(0), 1 << 30);
  for (int32_t a = 1; a < (8 << 27); a += 7777777) {
    const int32_t pos = logistic<4>(a), neg = logistic<4>(-a);
    ASSERT_EQ(static_cast<int64_t>(pos) + neg, INT32_MAX) << a;
    const double x = a / static_cast<double>(1 << 27);
    ASSERT_NEAR(pos, 2147483648.0 / (1.0 + std::exp(-x)), 256) << a;
  }
}

TEST(FixedPointTest, GetReciprocal) {
  int bits = 0;
  // 4.0 in Q12.19: two bits over unit, reciprocal scale ~1.0.
  EXPECT_NEAR(get_reciprocal(4 << 19, 12, &bits), 2147483647.0, 2);
  EXPECT_EQ(bits, 2);
  // 1.5: zero bits over unit, scale 1/1.5.
  EXPECT_NEAR(get_reciprocal(3 << 18, 12, &bits), 2147483648.0 / 1.5, 4);
  EXPECT_EQ(bits, 0);
}

}  // namespace
}  // namespace locus::kernels::fp
