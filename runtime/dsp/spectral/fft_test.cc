// FFTs and the deterministic maths under them, against direct formulas.
#include "runtime/dsp/spectral/fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <random>
#include <vector>

#include "runtime/dsp/spectral/spectral_math.h"

namespace locus::dsp {
namespace {

namespace sm = spectral_math;

std::vector<std::complex<double>> direct_dft(const std::vector<double>& x) {
  const size_t n = x.size();
  std::vector<std::complex<double>> out(n / 2 + 1);
  for (size_t k = 0; k <= n / 2; ++k) {
    std::complex<double> sum = 0;
    for (size_t t = 0; t < n; ++t) {
      const double a = -2.0 * M_PI * double((k * t) % n) / double(n);
      sum += x[t] * std::complex<double>(std::cos(a), std::sin(a));
    }
    out[k] = sum;
  }
  return out;
}

std::vector<double> random_signal(size_t n, uint32_t seed, double amplitude = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(-amplitude, amplitude);
  std::vector<double> x(n);
  for (double& v : x) v = d(rng);
  return x;
}

std::vector<float> run_float(const std::vector<double>& x) {
  RealFft fft;
  std::vector<uint8_t> mem(RealFft::table_bytes(uint32_t(x.size())) + 3);
  EXPECT_TRUE(fft.init(uint32_t(x.size()), mem.data() + 3, mem.size() - 3).is_ok());  // unaligned
  std::vector<float> data(x.size() + 2);
  for (size_t i = 0; i < x.size(); ++i) data[i] = float(x[i]);
  fft.forward(data.data());
  return data;
}

class RealFftSizes : public ::testing::TestWithParam<uint32_t> {};

TEST_P(RealFftSizes, MatchesDirectDft) {
  const uint32_t n = GetParam();
  const auto x = random_signal(n, n);
  const auto ref = direct_dft(x);
  const auto got = run_float(x);
  double norm = 0;
  for (double v : x) norm += v * v;
  // float rounding grows like sqrt(sum x^2) * eps * log2 n
  const double tol = 1.2e-7 * std::sqrt(norm) * std::log2(double(n)) * 2;
  for (uint32_t k = 0; k <= n / 2; ++k) {
    EXPECT_NEAR(got[2 * k], ref[k].real(), tol) << "n=" << n << " k=" << k;
    EXPECT_NEAR(got[2 * k + 1], ref[k].imag(), tol) << "n=" << n << " k=" << k;
  }
  EXPECT_EQ(got[1], 0.0f);
  EXPECT_EQ(got[n + 1], 0.0f);
}

TEST_P(RealFftSizes, Parseval) {
  const uint32_t n = GetParam();
  const auto x = random_signal(n, 1000 + n);
  const auto X = run_float(x);
  double time = 0, freq = 0;
  for (double v : x) time += v * v;
  for (uint32_t k = 0; k <= n / 2; ++k) {
    const double p = double(X[2 * k]) * X[2 * k] + double(X[2 * k + 1]) * X[2 * k + 1];
    freq += (k == 0 || k == n / 2) ? p : 2 * p;
  }
  EXPECT_NEAR(freq / n, time, time * 1e-5);
}

TEST_P(RealFftSizes, ToneLandsInItsBin) {
  const uint32_t n = GetParam();
  for (uint32_t k0 : {1u, 3u, n / 4, n / 2 - 1}) {
    std::vector<double> x(n);
    for (uint32_t t = 0; t < n; ++t) x[t] = 0.5 * std::cos(2 * M_PI * double(k0) * t / n + 0.3);
    const auto X = run_float(x);
    for (uint32_t k = 0; k <= n / 2; ++k) {
      const double mag = std::hypot(X[2 * k], X[2 * k + 1]);
      if (k == k0) EXPECT_NEAR(mag, 0.25 * n, 1e-4 * n) << k;
      else EXPECT_LT(mag, 1e-4 * n) << "n=" << n << " tone " << k0 << " leaks into " << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Lengths, RealFftSizes,
                         ::testing::Values(8u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u, 2048u));

TEST(RealFft, RejectsBadLengthsAndSmallMemory) {
  RealFft fft;
  std::vector<uint8_t> mem(1 << 20);
  for (uint32_t n : {0u, 4u, 6u, 500u, 131072u}) {
    const Status s = fft.init(n, mem.data(), mem.size());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << n;
    EXPECT_NE(std::strstr(s.message(), "power of two"), nullptr) << s.message();
  }
  EXPECT_EQ(RealFft::table_bytes(500), 0u);
  const Status s = fft.init(512, mem.data(), RealFft::table_bytes(512) - 1);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fft.init(512, nullptr, 0).code(), StatusCode::kResourceExhausted);
}

// Fixed point: output is X / n; error relative to the input's full scale.
template <typename T>
double fixed_error_db(uint32_t n, double amplitude, uint32_t seed) {
  constexpr double kOne = sizeof(T) == 2 ? 32768.0 : 2147483648.0;
  FixedRealFft<T> fft;
  std::vector<uint8_t> mem(FixedRealFft<T>::table_bytes(n));
  EXPECT_TRUE(fft.init(n, mem.data(), mem.size()).is_ok());
  const auto x = random_signal(n, seed, amplitude);
  std::vector<T> data(n + 2);
  for (uint32_t i = 0; i < n; ++i) data[i] = T(std::lround(x[i] * kOne));
  std::vector<double> xq(n);
  for (uint32_t i = 0; i < n; ++i) xq[i] = data[i] / kOne;
  fft.forward(data.data());
  const auto ref = direct_dft(xq);
  double worst = 0;
  for (uint32_t k = 0; k <= n / 2; ++k) {
    worst = std::max(worst, std::abs(std::complex<double>(data[2 * k] / kOne, data[2 * k + 1] / kOne) -
                                     ref[k] / double(n)));
  }
  return 20 * std::log10(worst);  // dB relative to full scale 1.0
}

TEST(FixedRealFft, Q31AccuracyAgainstDirectDft) {
  for (uint32_t n : {8u, 64u, 512u, 1024u}) {
    // Q31: rounding noise ~ 2^-31 per stage; measured worst bin -177..-184 dBFS.
    EXPECT_LT(fixed_error_db<int32_t>(n, 0.9, n), -170.0) << n;
  }
}

TEST(FixedRealFft, Q15AccuracyAgainstDirectDft) {
  for (uint32_t n : {8u, 64u, 512u, 1024u}) {
    EXPECT_LT(fixed_error_db<int16_t>(n, 0.9, n), -78.0) << n;  // measured -80..-88 dBFS
  }
}

TEST(FixedRealFft, FullScaleDoesNotOverflow) {
  const uint32_t n = 512;
  RealFftQ31 fft;
  std::vector<uint8_t> mem(RealFftQ31::table_bytes(n));
  ASSERT_TRUE(fft.init(n, mem.data(), mem.size()).is_ok());
  std::vector<int32_t> data(n + 2, INT32_MIN);  // DC at -1.0
  fft.forward(data.data());
  // Twiddles saturate at 1 - 2^-31, so each stage may lose an LSB.
  EXPECT_LE(std::abs(int64_t(data[0]) - INT32_MIN), 16);
  for (uint32_t k = 1; k <= n / 2; ++k) {
    EXPECT_LE(std::abs(int64_t(data[2 * k])), 16) << k;
    EXPECT_LE(std::abs(int64_t(data[2 * k + 1])), 16) << k;
  }
  // Alternating full scale: all energy at Nyquist.
  for (uint32_t i = 0; i < n; ++i) data[i] = (i & 1) ? INT32_MIN : INT32_MAX;
  fft.forward(data.data());
  EXPECT_GE(data[n], INT32_MAX - 16);
}

TEST(SpectralMath, CosSinAgainstLibm) {
  for (int64_t den : {3, 7, 80, 480, 512, 1000003}) {
    for (int64_t num = -2 * den; num <= 2 * den; num += std::max<int64_t>(1, den / 97)) {
      EXPECT_NEAR(sm::cos_turns(num, den), std::cos(2 * M_PI * double(num) / double(den)), 4e-16 * 8);
      EXPECT_NEAR(sm::sin_turns(num, den), std::sin(2 * M_PI * double(num) / double(den)), 4e-16 * 8);
    }
  }
  EXPECT_EQ(sm::cos_turns(0, 5), 1.0);
  EXPECT_EQ(sm::cos_turns(1, 2), -1.0);
}

TEST(SpectralMath, LogsAgainstLibm) {
  for (double x : {1e-300, 1e-12, 1e-6, 0.5, 0.7071, 1.0, 1.4142, 2.0, 3.0, 700.0, 1e12, 1e300}) {
    EXPECT_NEAR(sm::log_double(x), std::log(x), 4e-16 * std::max(1.0, std::fabs(std::log(x)))) << x;
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> e(-40.0f, 30.0f);
  for (int i = 0; i < 100000; ++i) {
    const float x = std::pow(10.0f, e(rng));
    const double want = std::log(double(x));
    // within 2 ulp of the float result (ulp at |want|, or absolute 2^-24 near 0)
    const double ulp = std::max(std::fabs(want), 1.0) * 1.2e-7;
    ASSERT_NEAR(sm::log_f32(x), want, 2 * ulp) << x;
  }
  EXPECT_EQ(sm::log_f32(1.0f), 0.0f);
  EXPECT_TRUE(std::isinf(sm::log_f32(0.0f)));
  EXPECT_NEAR(sm::log_f32(1e-45f), std::log(double(1e-45f)), 1e-5);  // subnormal
  EXPECT_NEAR(sm::sqrt_double(80.0), std::sqrt(80.0), 1e-15);
}

TEST(SpectralMath, IntegerSqrtAndLog2) {
  for (uint64_t v : {0ull, 1ull, 2ull, 3ull, 4ull, 99ull, 1ull << 40, (1ull << 62) + 12345, ~0ull}) {
    const uint64_t r = sm::isqrt64(v);
    EXPECT_LE(r * r, v);
    EXPECT_GT((unsigned __int128)(r + 1) * (r + 1), (unsigned __int128)v) << v;
  }
  std::vector<uint32_t> table(sm::kLog2TableSize);
  sm::fill_log2_table(table.data());
  EXPECT_EQ(table[0], 0u);
  EXPECT_EQ(table[128], 1u << 30);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = rng() >> (rng() % 64);
    if (v == 0) continue;
    ASSERT_NEAR(sm::log2_q16(v, table.data()) / 65536.0, std::log2(double(v)), 2.5e-5) << v;
  }
}

}  // namespace
}  // namespace locus::dsp
