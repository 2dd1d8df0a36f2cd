#include "runtime/dsp/imu/real_fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

namespace locus::dsp::imu_internal {
namespace {

TEST(RealFft, MatchesNaiveDft) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int32_t n = RealFft::kMinLength; n <= 1024; n *= 2) {
    std::vector<float> table(RealFft::table_floats(n));
    RealFft fft;
    fft.init(n, table.data());
    std::vector<float> x(static_cast<size_t>(n));
    for (float& v : x) v = dist(rng);
    std::vector<float> data = x;
    fft.forward(data.data());
    const double tol = 1e-5 * std::sqrt(static_cast<double>(n)) * std::log2(n);
    for (int32_t k = 0; k <= n / 2; ++k) {
      std::complex<double> ref = 0;
      for (int32_t j = 0; j < n; ++j) {
        ref += static_cast<double>(x[j]) * std::polar(1.0, -2.0 * M_PI * j * k / n);
      }
      double re, im;
      if (k == 0) {
        re = data[0];
        im = 0;
      } else if (k == n / 2) {
        re = data[1];
        im = 0;
      } else {
        re = data[2 * k];
        im = data[2 * k + 1];
      }
      EXPECT_NEAR(re, ref.real(), tol) << "n=" << n << " k=" << k;
      EXPECT_NEAR(im, ref.imag(), tol) << "n=" << n << " k=" << k;
    }
  }
}

TEST(RealFft, CosineOnABinIsOneLine) {
  const int32_t n = 64;
  std::vector<float> table(RealFft::table_floats(n));
  RealFft fft;
  fft.init(n, table.data());
  std::vector<float> data(n);
  for (int32_t j = 0; j < n; ++j) data[j] = static_cast<float>(std::cos(2 * M_PI * 5 * j / n));
  fft.forward(data.data());
  EXPECT_NEAR(data[10], n / 2.0, 1e-4);
  EXPECT_NEAR(data[11], 0.0, 1e-4);
  for (int32_t k = 1; k < n / 2; ++k) {
    if (k == 5) continue;
    EXPECT_NEAR(std::hypot(data[2 * k], data[2 * k + 1]), 0.0, 1e-4) << k;
  }
}

TEST(RealFft, ValidLengths) {
  EXPECT_TRUE(RealFft::valid_length(8));
  EXPECT_TRUE(RealFft::valid_length(4096));
  EXPECT_FALSE(RealFft::valid_length(4));
  EXPECT_FALSE(RealFft::valid_length(100));
  EXPECT_FALSE(RealFft::valid_length(8192));
  EXPECT_FALSE(RealFft::valid_length(0));
  EXPECT_FALSE(RealFft::valid_length(-8));
}

}  // namespace
}  // namespace locus::dsp::imu_internal
