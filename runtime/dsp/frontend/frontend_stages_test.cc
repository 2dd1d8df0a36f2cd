// Stage by stage, with the exact values of TFLM's microfrontend unit tests
// (window_test, filterbank_test, noise_reduction_test,
// pcan_gain_control_test, log_scale_test).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "runtime/dsp/frontend/filterbank.h"
#include "runtime/dsp/frontend/log_scale.h"
#include "runtime/dsp/frontend/noise_reduction.h"
#include "runtime/dsp/frontend/pcan.h"
#include "runtime/dsp/frontend/window.h"

namespace locus {
namespace dsp {
namespace frontend {
namespace {

// 0, 32767, 0, -32768, ... (TFLM's kFakeAudioData).
std::vector<int16_t> alternating(size_t n) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(i % 2 == 0 ? 0 : (i % 4 == 1 ? 32767 : -32768));
  return v;
}

TEST(Window, CoefficientsSampleRate1000Window25ms) {
  std::vector<int16_t> w(25);
  build_window(25, TableArithmetic::kFloat, w.data());
  EXPECT_EQ(w, (std::vector<int16_t>{16, 144, 391, 743, 1176, 1664, 2177, 2681, 3145, 3541, 3843,
                                     4032, 4096, 4032, 3843, 3541, 3145, 2681, 2177, 1664, 1176,
                                     743, 391, 144, 16}));
}

TEST(Window, OutputAndMaxAbs) {
  std::vector<int16_t> w(25), out(25);
  build_window(25, TableArithmetic::kFloat, w.data());
  const std::vector<int16_t> in = alternating(36);
  EXPECT_EQ(apply_window(in.data(), w.data(), 25, out.data()), 32256);
  EXPECT_EQ(out, (std::vector<int16_t>{0, 1151, 0, -5944, 0, 13311, 0, -21448, 0, 28327, 0, -32256, 0,
                                       32255, 0, -28328, 0, 21447, 0, -13312, 0, 5943, 0, -1152, 0}));
  // The next window of the stream (10 samples on).
  EXPECT_EQ(apply_window(in.data() + 10, w.data(), 25, out.data()), 32256);
  EXPECT_EQ(out, (std::vector<int16_t>{0, -1152, 0, 5943, 0, -13312, 0, 21447, 0, -28328, 0, 32255, 0,
                                       -32256, 0, 28327, 0, -21448, 0, 13311, 0, -5944, 0, 1151, 0}));
}

TEST(Window, MinusFullScaleDoesNotCountAsMaximum) {
  // |-32768| overflows int16 in TFLM's max tracking, so it is ignored.
  const int16_t coef[3] = {4096, 4096, 4096};
  const int16_t in[3] = {-32768, 100, -200};
  int16_t out[3];
  EXPECT_EQ(apply_window(in, coef, 3, out), 200);
  EXPECT_EQ(out[0], -32768);
}

// TFLM filterbank_test.cc: sample rate 1000, spectrum 17, 2 channels, 8..450 Hz.
FilterbankShape small_shape() {
  FilterbankShape s;
  s.channels = 2;
  s.lower_band_hz = 8.0f;
  s.upper_band_hz = 450.0f;
  s.sample_rate = 1000;
  s.spectrum_size = 17;
  return s;
}

struct SmallFilterbank {
  int16_t band_end[3];
  int16_t weights[14];
  int16_t unweights[14];
  FilterbankTables t;
};

void build_small(SmallFilterbank* f) {
  int32_t start = 0, end = 0;
  ASSERT_EQ(filterbank_bins(small_shape(), &start, &end), FilterbankError::kOk);
  EXPECT_EQ(start, 1);
  EXPECT_EQ(end, 15);
  ASSERT_EQ(build_filterbank(small_shape(), f->band_end, f->weights, f->unweights, &f->t),
            FilterbankError::kOk);
}

TEST(Filterbank, LayoutAndWeights) {
  SmallFilterbank f;
  build_small(&f);
  // TFLM pads to frequency starts {0, 4, 8}, widths {8, 8, 8}; the real bins
  // are 1..4, 5..8 and 9..14.
  EXPECT_EQ(f.t.start_bin, 1);
  EXPECT_EQ(f.t.end_bin, 15);
  EXPECT_EQ(std::vector<int16_t>(f.band_end, f.band_end + 3), (std::vector<int16_t>{5, 9, 15}));
  EXPECT_EQ(std::vector<int16_t>(f.weights, f.weights + 14),
            (std::vector<int16_t>{3277, 2217, 1200, 222, 3376, 2468, 1591, 744, 4020, 3226, 2456,
                                  1708, 983, 277}));
  EXPECT_EQ(std::vector<int16_t>(f.unweights, f.unweights + 14),
            (std::vector<int16_t>{819, 1879, 2896, 3874, 720, 1628, 2505, 3352, 76, 870, 1640, 2388,
                                  3113, 3819}));
}

const Complex16 kFakeFft[17] = {{0, 0},     {-10, 9},   {-20, 0},   {-9, -10},    {0, 25},  {-119, 119},
                                {-887, 0},  {3000, 3000}, {0, -6401}, {-3000, 3000}, {886, 0}, {118, 119},
                                {0, 25},    {9, -10},   {19, 0},    {9, 9},       {0, 0}};
const int32_t kEnergy[17] = {-1, 181, 400, 181, 625, 28322, 786769, 18000000, 40972801,
                             18000000, 784996, 28085, 625, 181, 361, -1, -1};
const uint64_t kWork[3] = {1835887, 61162970173ull, 258694800000ull};

TEST(Filterbank, EnergyAccumulateSqrt) {
  SmallFilterbank f;
  build_small(&f);
  int32_t energy[17];
  for (int32_t& e : energy) e = -1;
  filterbank_energy(f.t, kFakeFft, energy);
  for (int i = 1; i < 15; ++i) EXPECT_EQ(energy[i], kEnergy[i]) << i;
  uint64_t work[3];
  filterbank_accumulate(f.t, kEnergy, work);
  EXPECT_EQ(work[0], kWork[0]);
  EXPECT_EQ(work[1], kWork[1]);
  EXPECT_EQ(work[2], kWork[2]);
  EXPECT_EQ(sqrt_rounded64(kWork[1]), 247311u);
  EXPECT_EQ(sqrt_rounded64(kWork[2]), 508620u);
  // The fused per-frame path gives the same.
  uint32_t out[2];
  filterbank_apply(f.t, kFakeFft, 0, out);
  EXPECT_EQ(out[0], 247311u);
  EXPECT_EQ(out[1], 508620u);
  filterbank_apply(f.t, kFakeFft, 3, out);
  EXPECT_EQ(out[0], 247311u >> 3);
}

TEST(Filterbank, SqrtRoundsAsTflm) {
  // floor(sqrt(x)) + 1 when x - floor^2 > floor, except at the top.
  auto reference = [](uint64_t x) -> uint64_t {
    uint64_t r = static_cast<uint64_t>(std::sqrt(static_cast<long double>(x)));
    while (r * r > x) --r;
    while ((r + 1) * (r + 1) <= x && r + 1 < (1ull << 32)) ++r;
    const uint64_t top = x < (1ull << 32) ? 0xFFFFull : 0xFFFFFFFFull;
    return (x - r * r > r && r != top) ? r + 1 : r;
  };
  const uint64_t cases[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 0xFFFE0001ull, 0xFFFF0000ull,
                            0xFFFFFFFFull, 0x100000000ull, 0x100000001ull, 1ull << 40,
                            (1ull << 40) + (1ull << 20), 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFE00000001ull};
  for (uint64_t x : cases) EXPECT_EQ(sqrt_rounded64(x), reference(x)) << x;
  uint64_t s = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    const uint64_t x = s >> (i % 60);
    ASSERT_EQ(sqrt_rounded64(x), reference(x)) << x;
  }
}

TEST(Filterbank, RejectsBandsBeyondTheSpectrum) {
  FilterbankShape s = small_shape();
  s.upper_band_hz = 500.0f;  // the walk takes in bin 16, the last one
  int32_t start = 0, end = 0;
  EXPECT_EQ(filterbank_bins(s, &start, &end), FilterbankError::kAboveSpectrum);
  s = small_shape();
  s.channels = 0;
  EXPECT_EQ(filterbank_bins(s, &start, &end), FilterbankError::kBadShape);
  s = small_shape();
  s.lower_band_hz = 500.0f;
  EXPECT_EQ(filterbank_bins(s, &start, &end), FilterbankError::kBadShape);
}

NoiseReductionParams default_noise() {
  NoiseReductionParams p;
  p.smoothing_bits = 10;
  p.even_smoothing = to_q14(0.025f);
  p.odd_smoothing = to_q14(0.06f);
  p.min_signal_remaining = to_q14(0.05f);
  return p;
}

TEST(NoiseReduction, EstimateAndOutput) {
  EXPECT_EQ(to_q14(0.025f), 409);
  EXPECT_EQ(to_q14(0.06f), 983);
  EXPECT_EQ(to_q14(0.05f), 819);
  uint32_t estimate[2] = {0, 0};
  uint32_t signal[2] = {247311, 508620};
  noise_reduction_apply(default_noise(), 2, estimate, signal);
  EXPECT_EQ(estimate[0], 6321887u);
  EXPECT_EQ(estimate[1], 31248341u);
  EXPECT_EQ(signal[0], 241137u);
  EXPECT_EQ(signal[1], 478104u);
}

TEST(NoiseReduction, FloorKeepsMinSignal) {
  // With the estimate far above the signal, the floor (5%) remains.
  uint32_t estimate[1] = {0xFFFFFFFFu};
  uint32_t signal[1] = {100000};
  noise_reduction_apply(default_noise(), 1, estimate, signal);
  EXPECT_EQ(signal[0], (100000ull * 819) >> 14);
}

TEST(Pcan, GainControl) {
  // TFLM pcan_gain_control_test: smoothing bits 10, correction bits -1.
  PcanParams p;  // 0.95, 80, 21
  int16_t lut[kWideDynamicFunctionLutSize];
  build_pcan_lut(p, 10 - (-1), lut);
  const uint32_t estimate[2] = {6321887, 31248341};
  uint32_t signal[2] = {241137, 478104};
  pcan_apply(lut, 21 - (-1) - kPcanSnrBits, 2, estimate, signal);
  EXPECT_EQ(signal[0], 3578u);
  EXPECT_EQ(signal[1], 1533u);
}

TEST(Pcan, Shrink) {
  EXPECT_EQ(pcan_shrink(0), 0u);
  EXPECT_EQ(pcan_shrink(4096), (4096u * 4096u) >> 20);  // quadratic below 2.0
  EXPECT_EQ(pcan_shrink(8191), (8191u * 8191u) >> 20);
  EXPECT_EQ(pcan_shrink(8192), (8192u >> 6) - 64);  // linear above
}

TEST(LogScale, OutputValues) {
  const uint32_t signal[2] = {3578, 1533};
  uint16_t out[2];
  log_scale_apply(signal, 2, true, 6, -1, out);
  EXPECT_EQ(out[0], 479);
  EXPECT_EQ(out[1], 425);
}

TEST(LogScale, NoLogSaturates) {
  const uint32_t signal[2] = {85964, 45998};
  uint16_t out[2];
  log_scale_apply(signal, 2, false, 6, -1, out);
  EXPECT_EQ(out[0], 65535);
  EXPECT_EQ(out[1], 45998);
}

TEST(LogScale, SmallValuesAndLargeValues) {
  const uint32_t signal[4] = {0, 1, 2, 0xFFFFFFFFu};
  uint16_t out[4];
  log_scale_apply(signal, 4, true, 6, 0, out);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 0);
  EXPECT_EQ(out[2], 44);  // 64 ln 2 = 44.4
  EXPECT_EQ(out[3], 1420);  // 64 ln(2^32) = 1419.6
  // The correction table is round(2^16 (log2(1 + k/128) - k/128)): check
  // that log_scaled follows ln closely across one octave.
  for (uint32_t x = 65536; x < 131072; x += 97) {
    const double want = std::log(static_cast<double>(x)) * 1024.0;
    EXPECT_NEAR(static_cast<double>(log_scaled(x, 10)), want, 3.0) << x;
  }
}

}  // namespace
}  // namespace frontend
}  // namespace dsp
}  // namespace locus
