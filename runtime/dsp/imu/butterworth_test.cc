#include "runtime/dsp/imu/butterworth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

namespace locus::dsp {
namespace {

// |H(e^{i w})| of the cascade, evaluated in double from the float coefficients.
double magnitude(const std::vector<Biquad>& sections, double f, double fs) {
  const std::complex<double> z1 = std::polar(1.0, -2.0 * M_PI * f / fs);  // z^-1
  const std::complex<double> z2 = z1 * z1;
  std::complex<double> h = 1.0;
  for (const Biquad& s : sections) {
    h *= (static_cast<double>(s.b0) + static_cast<double>(s.b1) * z1 +
          static_cast<double>(s.b2) * z2) /
         (1.0 + static_cast<double>(s.a1) * z1 + static_cast<double>(s.a2) * z2);
  }
  return std::abs(h);
}

// The analytic digital Butterworth response (bilinear transform, pre-warped).
double analytic(ImuFilterType type, int order, double fc, double f, double fs) {
  const double ratio = std::tan(M_PI * f / fs) / std::tan(M_PI * fc / fs);
  const double r = type == ImuFilterType::kLowPass ? ratio : 1.0 / ratio;
  return 1.0 / std::sqrt(1.0 + std::pow(r, 2.0 * order));
}

std::vector<Biquad> design(ImuFilterType type, int order, float fc, float fs) {
  std::vector<Biquad> s(static_cast<size_t>(butterworth_sections(order)));
  design_butterworth(type, order, fc, fs, s.data());
  return s;
}

TEST(Butterworth, SectionCounts) {
  EXPECT_EQ(butterworth_sections(1), 1);
  EXPECT_EQ(butterworth_sections(2), 1);
  EXPECT_EQ(butterworth_sections(3), 2);
  EXPECT_EQ(butterworth_sections(8), 4);
}

TEST(Butterworth, SecondOrderLowPassCoefficients) {
  // fs = 4 fc: K = tan(pi/4) = 1, Q = 1/sqrt(2): norm = 1/(2 + sqrt 2).
  const auto s = design(ImuFilterType::kLowPass, 2, 25.0f, 100.0f);
  const double norm = 1.0 / (2.0 + std::sqrt(2.0));
  EXPECT_FLOAT_EQ(s[0].b0, static_cast<float>(norm));
  EXPECT_FLOAT_EQ(s[0].b1, static_cast<float>(2 * norm));
  EXPECT_FLOAT_EQ(s[0].b2, static_cast<float>(norm));
  EXPECT_NEAR(s[0].a1, 0.0f, 1e-7f);
  EXPECT_FLOAT_EQ(s[0].a2, static_cast<float>((2.0 - std::sqrt(2.0)) * norm));
}

TEST(Butterworth, ResponseMatchesAnalyticAtDcCutoffAndStopband) {
  const double fs = 100.0;
  for (ImuFilterType type : {ImuFilterType::kLowPass, ImuFilterType::kHighPass}) {
    for (int order = 1; order <= kButterworthMaxOrder; ++order) {
      for (double fc : {2.0, 10.0, 20.0, 40.0}) {
        const auto s = design(type, order, static_cast<float>(fc), static_cast<float>(fs));
        const bool low = type == ImuFilterType::kLowPass;
        // Pass band: DC for low-pass, Nyquist for high-pass -> gain 1.
        EXPECT_NEAR(magnitude(s, low ? 0.0 : fs / 2, fs), 1.0, 1e-5)
            << (low ? "LP" : "HP") << order << " fc " << fc;
        // Cutoff: -3.0103 dB.
        EXPECT_NEAR(20 * std::log10(magnitude(s, fc, fs)), -3.0103, 0.01)
            << (low ? "LP" : "HP") << order << " fc " << fc;
        // Everywhere else, within 1e-3 (absolute) of the analytic response.
        for (double f = 0.5; f < fs / 2; f += 0.5) {
          EXPECT_NEAR(magnitude(s, f, fs), analytic(type, order, fc, f, fs), 2e-4)
              << (low ? "LP" : "HP") << order << " fc " << fc << " f " << f;
        }
      }
    }
  }
}

TEST(Butterworth, StopbandAttenuationGrowsWithOrder) {
  // Low-pass at 5 Hz, fs 100: at 20 Hz, 2nd order ~ -24 dB, 4th ~ -49 dB.
  const double fs = 100.0;
  double last = 0.0;
  for (int order = 1; order <= 8; ++order) {
    const auto s = design(ImuFilterType::kLowPass, order, 5.0f, 100.0f);
    const double db = 20 * std::log10(magnitude(s, 20.0, fs));
    EXPECT_NEAR(db, 20 * std::log10(analytic(ImuFilterType::kLowPass, order, 5, 20, fs)), 0.05);
    EXPECT_LT(db, last);
    last = db;
  }
}

TEST(Butterworth, RunBiquadsPassesAndStopsSines) {
  const double fs = 100.0;
  const auto s = design(ImuFilterType::kLowPass, 4, 10.0f, 100.0f);
  for (double f : {1.0, 10.0, 30.0}) {
    std::vector<float> x(2000);
    for (size_t n = 0; n < x.size(); ++n) x[n] = static_cast<float>(std::sin(2 * M_PI * f * n / fs));
    run_biquads(s.data(), static_cast<int32_t>(s.size()), x.data(), static_cast<int32_t>(x.size()));
    // Amplitude from the RMS over whole periods, after the transient.
    double sum_sq = 0;
    for (size_t n = 1000; n < x.size(); ++n) sum_sq += double{x[n]} * x[n];
    const double amplitude = std::sqrt(2 * sum_sq / 1000);
    EXPECT_NEAR(amplitude, analytic(ImuFilterType::kLowPass, 4, 10, f, fs), 1e-3) << f;
  }
}

}  // namespace
}  // namespace locus::dsp
