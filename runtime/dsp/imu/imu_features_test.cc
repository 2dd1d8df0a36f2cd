#include "runtime/dsp/imu/imu_features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace locus::dsp {
namespace {

// Owns the state memory of one ImuFeatures.
struct Block {
  std::vector<uint8_t> memory;
  ImuFeatures imu;
  Status status;
  explicit Block(const ImuFeaturesConfig& c) : memory(ImuFeatures::state_bytes(c)) {
    status = imu.init(c, memory.data(), memory.size());
  }
  std::vector<float> run(const std::vector<float>& x, int32_t frames) {
    std::vector<float> out(imu.feature_count(), -999.0f);
    const Status s = imu.compute(x.data(), frames, out.data());
    EXPECT_TRUE(s.is_ok()) << s.message();
    return out;
  }
};

ImuFeaturesConfig stats_only(int32_t axes, int32_t frames) {
  ImuFeaturesConfig c = ImuFeaturesConfig::defaults();
  c.axes = axes;
  c.max_frames = frames;
  c.spectrum = ImuSpectrum::kNone;
  c.peak_count = 0;
  return c;
}

TEST(ImuFeatures, DefaultsAreValid) {
  const ImuFeaturesConfig c = ImuFeaturesConfig::defaults();
  EXPECT_TRUE(ImuFeatures::validate(c).is_ok());
  // 8 stats + 5 bands + 3 peak pairs, 3 axes.
  EXPECT_EQ(ImuFeatures::feature_count(c), 3u * (8 + 5 + 6));
  Block b(c);
  ASSERT_TRUE(b.status.is_ok()) << b.status.message();
  EXPECT_EQ(b.imu.feature_count(), 57u);
}

TEST(ImuFeatures, StatisticsOfAnAlternatingSignal) {
  Block b(stats_only(1, 4));
  ASSERT_TRUE(b.status.is_ok());
  const auto f = b.run({1, -1, 1, -1}, 4);
  // rms, mean, std, skewness, kurtosis, min, max, peak-to-peak
  EXPECT_EQ(f, (std::vector<float>{1, 0, 1, 0, -2, -1, 1, 2}));
}

TEST(ImuFeatures, StatisticsOfASkewedSignal) {
  Block b(stats_only(1, 4));
  ASSERT_TRUE(b.status.is_ok());
  // mean 1; deviations -1 -1 -1 3: m2 = 3, m3 = 6, m4 = 21.
  const auto f = b.run({0, 0, 0, 4}, 4);
  EXPECT_EQ(f[0], 2.0f);                 // sqrt(16/4)
  EXPECT_EQ(f[1], 1.0f);
  EXPECT_FLOAT_EQ(f[2], std::sqrt(3.0f));
  EXPECT_FLOAT_EQ(f[3], 2.0f / std::sqrt(3.0f));  // 6 / 3^1.5
  EXPECT_FLOAT_EQ(f[4], 21.0f / 9.0f - 3.0f);
  EXPECT_EQ(f[5], 0.0f);
  EXPECT_EQ(f[6], 4.0f);
  EXPECT_EQ(f[7], 4.0f);
}

TEST(ImuFeatures, ConstantSignalHasZeroShapeStatistics) {
  Block b(stats_only(1, 5));
  const auto f = b.run({-3, -3, -3, -3, -3}, 5);
  EXPECT_EQ(f, (std::vector<float>{3, -3, 0, 0, 0, -3, -3, 0}));
}

TEST(ImuFeatures, AxesAreDeinterleavedScaledAndSelected) {
  ImuFeaturesConfig c = stats_only(3, 4);
  c.scale = 2.0f;
  c.stats = kImuStatMean | kImuStatMax;
  Block b(c);
  ASSERT_TRUE(b.status.is_ok());
  ASSERT_EQ(b.imu.feature_count(), 6u);
  // frames: (x, y, z)
  const std::vector<float> x = {1, 10, -1,  2, 20, -2,  3, 30, -3,  4, 40, -4};
  EXPECT_EQ(b.run(x, 4), (std::vector<float>{5, 8, 50, 80, -5, -2}));
  // A shorter window is fine.
  EXPECT_EQ(b.run(x, 2), (std::vector<float>{3, 4, 30, 40, -3, -2}));
}

// A sine on bin 16 (12.5 Hz with fs 100 and a 128-point FFT), amplitude 2.
ImuFeaturesConfig sine_config() {
  ImuFeaturesConfig c = ImuFeaturesConfig::defaults();
  c.axes = 1;
  c.max_frames = 256;
  c.stats = kImuStatRms;
  c.band_count = 5;
  const float edges[6] = {0, 5, 10, 15, 20, 50};
  std::memcpy(c.band_edges_hz, edges, sizeof(edges));
  c.peak_count = 2;
  c.peak_threshold = 0.01f;
  return c;
}

std::vector<float> sine(double f, double amplitude, double fs, int n, double offset = 0) {
  std::vector<float> x(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    x[i] = static_cast<float>(offset + amplitude * std::sin(2 * M_PI * f * i / fs + 0.3));
  return x;
}

TEST(ImuFeatures, SineOnABinPutsItsPowerInTheRightBandAndPeak) {
  Block b(sine_config());
  ASSERT_TRUE(b.status.is_ok()) << b.status.message();
  ASSERT_EQ(b.imu.feature_count(), 1u + 5 + 4);
  // An offset (gravity) is removed before the FFT.
  const auto f = b.run(sine(12.5, 2.0, 100, 256, 9.81), 256);
  EXPECT_NEAR(f[0], std::sqrt(9.81 * 9.81 + 2.0), 1e-4);  // rms includes the offset
  // Bands [0,5) [5,10) [10,15) [15,20) [20,50]: all power (A^2/2 = 2) in [10,15).
  EXPECT_NEAR(f[1], 0.0, 1e-6);
  EXPECT_NEAR(f[2], 0.0, 1e-6);
  EXPECT_NEAR(f[3], 2.0, 1e-4);
  EXPECT_NEAR(f[4], 0.0, 1e-6);
  EXPECT_NEAR(f[5], 0.0, 1e-6);
  // Hann on a bin: P[k0] = A^2/3, neighbours A^2/12 (not local maxima).
  EXPECT_EQ(f[6], 12.5f);
  EXPECT_NEAR(f[7], 4.0 / 3.0, 1e-4);
  EXPECT_EQ(f[8], 0.0f);  // no second peak above the threshold
  EXPECT_EQ(f[9], 0.0f);
}

TEST(ImuFeatures, TwoSinesGiveTwoPeaksHighestFirst) {
  Block b(sine_config());
  auto x = sine(12.5, 1.0, 100, 256);
  const auto y = sine(31.25, 2.0, 100, 256);  // bin 40
  for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];
  const auto f = b.run(x, 256);
  EXPECT_NEAR(f[3], 0.5, 1e-4);   // [10,15)
  EXPECT_NEAR(f[5], 2.0, 1e-4);   // [20,50]
  EXPECT_EQ(f[6], 31.25f);
  EXPECT_NEAR(f[7], 4.0 / 3.0, 1e-4);
  EXPECT_EQ(f[8], 12.5f);
  EXPECT_NEAR(f[9], 1.0 / 3.0, 1e-4);
}

TEST(ImuFeatures, OffBinSinePeaksAtTheNearestBin) {
  Block b(sine_config());
  const auto f = b.run(sine(22.0, 1.0, 100, 256), 256);
  EXPECT_EQ(f[6], 28 * 100.0f / 128.0f);  // bin 28 = 21.875 Hz
  EXPECT_NEAR(f[1] + f[2] + f[3] + f[4] + f[5], 0.5, 0.01);  // total power ~ A^2/2
  EXPECT_GT(f[5], 0.45);  // mostly in [20, 50]
}

TEST(ImuFeatures, LogBinsAreLog10OfThePowerSpectrum) {
  ImuFeaturesConfig c = sine_config();
  c.spectrum = ImuSpectrum::kLogBins;
  c.peak_count = 0;
  c.stats = 0;
  c.fft_length = 64;
  c.max_frames = 64;
  Block b(c);
  ASSERT_TRUE(b.status.is_ok()) << b.status.message();
  ASSERT_EQ(b.imu.feature_count(), 33u);
  const auto f = b.run(sine(12.5, 2.0, 100, 64), 64);  // bin 8 of 64
  EXPECT_NEAR(f[8], std::log10(4.0 / 3.0), 1e-4);
  EXPECT_NEAR(f[7], std::log10(1.0 / 3.0), 1e-4);
  EXPECT_NEAR(f[9], std::log10(1.0 / 3.0), 1e-4);
  EXPECT_NEAR(f[20], -10.0f, 3.0f);  // floored at 1e-10, numerically ~0
  for (float v : f) EXPECT_GE(v, -10.0f);
}

TEST(ImuFeatures, ShortWindowIsZeroPaddedAndRectangular) {
  ImuFeaturesConfig c = sine_config();
  c.max_frames = 64;
  c.window = ImuWindow::kHann;  // not used for a window shorter than the FFT
  Block b(c);
  ASSERT_TRUE(b.status.is_ok());
  // 64 samples of a 12.5 Hz sine (8 whole periods), zero-padded to 128:
  // total power is still A^2/2.
  const auto f = b.run(sine(12.5, 2.0, 100, 64), 64);
  EXPECT_NEAR(f[1] + f[2] + f[3] + f[4] + f[5], 2.0, 1e-3);
  EXPECT_EQ(f[6], 12.5f);
  EXPECT_NEAR(f[3], 2.0, 0.25);
}

TEST(ImuFeatures, LowPassFilterRemovesAHighSine) {
  ImuFeaturesConfig c = sine_config();
  c.max_frames = 512;
  c.filter = ImuFilterType::kLowPass;
  c.filter_order = 6;
  c.filter_cutoff_hz = 8.0f;
  Block b(c);
  ASSERT_TRUE(b.status.is_ok()) << b.status.message();
  EXPECT_EQ(b.imu.filter_section_count(), 3);
  auto x = sine(3.125, 1.0, 100, 512);        // bin 4, passes
  const auto y = sine(31.25, 1.0, 100, 512);  // bin 40, stopped (~ -75 dB)
  for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];
  const auto f = b.run(x, 512);
  EXPECT_NEAR(f[1], 0.5, 0.02);  // [0,5): the 3.125 Hz sine
  EXPECT_LT(f[5], 1e-4);         // [20,50]: the 31.25 Hz sine is gone
  EXPECT_EQ(f[6], 3.125f);
}

TEST(ImuFeatures, HighPassFilterRemovesGravity) {
  ImuFeaturesConfig c = stats_only(1, 400);
  c.filter = ImuFilterType::kHighPass;
  c.filter_order = 2;
  c.filter_cutoff_hz = 0.5f;
  c.stats = kImuStatMean;
  Block b(c);
  ASSERT_TRUE(b.status.is_ok());
  std::vector<float> x(400, 9.81f);
  const auto f = b.run(x, 400);
  // A step through a 0.5 Hz high-pass decays; its mean over 4 s is small.
  EXPECT_LT(std::fabs(f[0]), 0.5f);
}

TEST(ImuFeatures, ResultsAreRepeatableAndIndependentOfAlignment) {
  const ImuFeaturesConfig c = ImuFeaturesConfig::defaults();
  std::vector<float> x(3 * 200);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.37 * i) + 0.1 * (i % 7));
  Block a(c);
  const auto first = a.run(x, 200);
  EXPECT_EQ(a.run(x, 200), first);
  // Same config in memory starting at an odd address.
  std::vector<uint8_t> memory(ImuFeatures::state_bytes(c) + 1);
  ImuFeatures imu;
  ASSERT_TRUE(imu.init(c, memory.data() + 1, memory.size() - 1).is_ok());
  std::vector<float> out(imu.feature_count());
  ASSERT_TRUE(imu.compute(x.data(), 200, out.data()).is_ok());
  EXPECT_EQ(out, first);
}

std::string init_error(const ImuFeaturesConfig& c, StatusCode expected_code,
                       size_t bytes = 1 << 20) {
  std::vector<uint8_t> memory(bytes);
  ImuFeatures imu;
  const Status s = imu.init(c, memory.data(), memory.size());
  EXPECT_EQ(s.code(), expected_code) << s.message();
  EXPECT_EQ(imu.feature_count(), 0u);
  return s.message();
}

TEST(ImuFeatures, RejectsInvalidConfigs) {
  ImuFeaturesConfig c = ImuFeaturesConfig::defaults();
  c.axes = 0;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument), "imu: axes is 0, must be 1..9");
  EXPECT_EQ(ImuFeatures::state_bytes(c), 0u);
  c.axes = 10;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument), "imu: axes is 10, must be 1..9");

  c = ImuFeaturesConfig::defaults();
  c.filter = ImuFilterType::kLowPass;
  c.filter_order = 4;
  c.filter_cutoff_hz = 60.0f;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument),
            "imu: filter_cutoff_hz is 60.000, must be above 0 and below the Nyquist "
            "frequency 50.000 Hz");
  c.filter_cutoff_hz = 50.0f;  // exactly Nyquist is not allowed either
  EXPECT_NE(init_error(c, StatusCode::kInvalidArgument).find("Nyquist"), std::string::npos);
  c.filter_cutoff_hz = 10.0f;
  c.filter_order = 9;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument), "imu: filter_order is 9, must be 1..8");

  c = ImuFeaturesConfig::defaults();
  c.sample_rate_hz = 0.0f;
  EXPECT_NE(init_error(c, StatusCode::kInvalidArgument).find("sample_rate_hz"), std::string::npos);

  c = ImuFeaturesConfig::defaults();
  c.fft_length = 100;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument),
            "imu: fft_length is 100, must be a power of two in 8..4096");

  c = ImuFeaturesConfig::defaults();
  c.band_edges_hz[3] = c.band_edges_hz[2];
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument),
            "imu: band_edges_hz[3] = 3.000 is not above band_edges_hz[2] = 3.000");
  c = ImuFeaturesConfig::defaults();
  c.band_edges_hz[5] = 60.0f;
  EXPECT_EQ(init_error(c, StatusCode::kInvalidArgument),
            "imu: band_edges_hz[5] is 60.000, must be in 0..50.000 Hz (Nyquist)");

  c = ImuFeaturesConfig::defaults();
  c.peak_count = 17;
  EXPECT_NE(init_error(c, StatusCode::kInvalidArgument).find("peak_count"), std::string::npos);

  c = stats_only(1, 10);
  c.stats = 0;
  EXPECT_NE(init_error(c, StatusCode::kInvalidArgument).find("no features"), std::string::npos);
  c.stats = 1u << 9;
  EXPECT_NE(init_error(c, StatusCode::kInvalidArgument).find("unknown bits"), std::string::npos);
}

TEST(ImuFeatures, RejectsTooLittleMemory) {
  const ImuFeaturesConfig c = ImuFeaturesConfig::defaults();
  const size_t need = ImuFeatures::state_bytes(c);
  ASSERT_GT(need, 0u);
  const std::string message = init_error(c, StatusCode::kResourceExhausted, need - 1);
  EXPECT_EQ(message, "imu: state needs " + std::to_string(need) + " bytes, got " +
                         std::to_string(need - 1));
  ImuFeatures imu;
  EXPECT_EQ(imu.init(c, nullptr, need).code(), StatusCode::kResourceExhausted);
}

TEST(ImuFeatures, ComputeChecksItsArguments) {
  ImuFeatures uninitialised;
  float x[3] = {}, out[64];
  EXPECT_EQ(uninitialised.compute(x, 1, out).code(), StatusCode::kFailedPrecondition);
  Block b(stats_only(3, 4));
  ASSERT_TRUE(b.status.is_ok());
  EXPECT_EQ(b.imu.compute(x, 0, out).code(), StatusCode::kInvalidArgument);
  const Status s = b.imu.compute(x, 5, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_STREQ(s.message(), "imu: frames is 5, must be 1..4");
  EXPECT_EQ(b.imu.compute(nullptr, 1, out).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace locus::dsp

namespace locus::dsp {
namespace {

// Golden vectors: FNV-1a of the feature bits for fixed inputs made without
// libm. Every target (x86, Cortex-M4, WebAssembly) must reproduce these bit
// for bit; a change here means kImuFeaturesImplementationVersion must move.
uint64_t fnv1a(const void* data, size_t bytes) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < bytes; ++i) {
    h ^= static_cast<const uint8_t*>(data)[i];
    h *= 1099511628211ull;
  }
  return h;
}

std::vector<float> lcg_signal(size_t n, uint32_t seed) {
  std::vector<float> x(n);
  uint32_t s = seed;
  for (float& v : x) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<float>(static_cast<int32_t>(s >> 16) % 2001 - 1000) / 100.0f;
  }
  return x;
}

TEST(ImuFeatures, GoldenVectors) {
  ImuFeaturesConfig c = ImuFeaturesConfig::defaults();
  c.filter = ImuFilterType::kLowPass;
  c.filter_order = 5;
  c.filter_cutoff_hz = 20.0f;
  Block band(c);
  ASSERT_TRUE(band.status.is_ok());
  const auto x = lcg_signal(3 * 200, 1);
  const auto f1 = band.run(x, 200);
  c.filter = ImuFilterType::kHighPass;
  c.filter_order = 2;
  c.filter_cutoff_hz = 1.5f;
  c.spectrum = ImuSpectrum::kLogBins;
  c.fft_length = 64;
  c.scale = 0.5f;
  Block log_bins(c);
  ASSERT_TRUE(log_bins.status.is_ok());
  const auto f2 = log_bins.run(x, 200);
  const Biquad* s = band.imu.filter_sections();
  EXPECT_EQ(fnv1a(s, sizeof(Biquad) * 3), 0xbc7118c9ab082c72ull);
  EXPECT_EQ(fnv1a(f1.data(), f1.size() * sizeof(float)), 0x1a5f66f1bae7f238ull);
  EXPECT_EQ(fnv1a(f2.data(), f2.size() * sizeof(float)), 0x6079b4e0bff46983ull);
}

}  // namespace
}  // namespace locus::dsp
