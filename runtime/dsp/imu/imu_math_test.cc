#include "runtime/dsp/imu/imu_math.h"

#include <gtest/gtest.h>

#include <cmath>

namespace locus::dsp::imu_internal {
namespace {

TEST(ImuMath, SinCosTurnsIsAccurateToAnUlp) {
  for (uint32_t n : {1u, 2u, 3u, 7u, 8u, 16u, 100u, 128u, 1000u, 4096u}) {
    for (uint32_t k = 0; k < 2 * n; ++k) {
      double s, c;
      sin_cos_turns(k, n, &s, &c);
      // Reference in long double, from the exact fraction k/n.
      const long double a = 2.0L * 3.14159265358979323846264338327950288L *
                            static_cast<long double>(k % n) / static_cast<long double>(n);
      EXPECT_NEAR(s, static_cast<double>(std::sin(a)), 2.3e-16) << k << "/" << n;
      EXPECT_NEAR(c, static_cast<double>(std::cos(a)), 2.3e-16) << k << "/" << n;
    }
  }
}

TEST(ImuMath, SinCosTurnsIsExactAtTheAxes) {
  double s, c;
  sin_cos_turns(0, 8, &s, &c);
  EXPECT_EQ(s, 0.0);
  EXPECT_EQ(c, 1.0);
  sin_cos_turns(2, 8, &s, &c);
  EXPECT_EQ(s, 1.0);
  EXPECT_EQ(std::fabs(c), 0.0);
  sin_cos_turns(4, 8, &s, &c);
  EXPECT_EQ(std::fabs(s), 0.0);
  EXPECT_EQ(c, -1.0);
  sin_cos_turns(6, 8, &s, &c);
  EXPECT_EQ(s, -1.0);
}

TEST(ImuMath, SinCosQuadrant) {
  for (int i = 0; i <= 1000; ++i) {
    const double x = M_PI / 2 * i / 1000.0;
    double s, c;
    sin_cos_quadrant(x, &s, &c);
    EXPECT_NEAR(s, std::sin(x), 4e-16) << x;
    EXPECT_NEAR(c, std::cos(x), 4e-16) << x;
  }
}

TEST(ImuMath, LogFloatIsAccurate) {
  for (float x : {1e-38f, 1e-30f, 1e-10f, 0.001f, 0.5f, 0.70710677f, 0.99999f, 1.0f,
                  1.00001f, 1.4142135f, 1.4142137f, 2.0f, 3.0f, 10.0f, 1234.5f, 3e38f}) {
    const double ref = std::log(static_cast<double>(x));
    EXPECT_NEAR(log_float(x), ref, 3e-7 * std::max(1.0, std::fabs(ref))) << x;
    EXPECT_NEAR(log10_float(x), std::log10(static_cast<double>(x)),
                3e-7 * std::max(1.0, std::fabs(ref))) << x;
  }
  EXPECT_EQ(log_float(1.0f), 0.0f);
  // Subnormal input.
  EXPECT_NEAR(log_float(1e-40f), std::log(1e-40), 1e-4);
}

TEST(ImuMath, SqrtIsCorrectlyRounded) {
  EXPECT_EQ(sqrt_float(4.0f), 2.0f);
  EXPECT_EQ(sqrt_float(2.0f), std::sqrt(2.0f));
  EXPECT_EQ(sqrt_float(0.0f), 0.0f);
  EXPECT_EQ(sqrt_float(-1.0f), 0.0f);
}

}  // namespace
}  // namespace locus::dsp::imu_internal
