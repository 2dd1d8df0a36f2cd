// Spectrogram / MFE / MFCC against an independent double-precision
// implementation of TensorFlow's tf.signal formulas (spec tflm-compat.md §3),
// plus table properties, streaming, edge cases, errors and the fixed path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/dsp/spectral/mfcc.h"
#include "runtime/dsp/spectral/mfe.h"
#include "runtime/dsp/spectral/spectrogram.h"

namespace locus::dsp {
namespace {

double mel(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }

// TF's linear_to_mel_weight_matrix, straight from its definition, in double.
double tf_mel_weight(const SpectralParams& p, uint32_t band, uint32_t bin) {
  if (bin == 0) return 0.0;
  const uint32_t bins = p.fft_length / 2 + 1;
  const double m = mel(bin * (p.sample_rate / 2.0) / (bins - 1));
  const double lo = mel(p.lower_hz), hi = mel(p.upper_hz);
  auto edge = [&](uint32_t i) { return lo + (hi - lo) * i / (p.mel_bands + 1); };
  const double l = edge(band), c = edge(band + 1), u = edge(band + 2);
  return std::max(0.0, std::min((m - l) / (c - l), (u - m) / (u - c)));
}

// One frame of features, every stage in double with a direct DFT.
std::vector<double> reference_frame(const double* x, const SpectralParams& p) {
  const uint32_t L = p.frame_length, N = p.fft_length, bins = N / 2 + 1;
  std::vector<double> frame(N, 0.0);
  for (uint32_t i = 0; i < L; ++i) {
    double w = 1.0;
    const bool hann = p.window == Window::kHannPeriodic || p.window == Window::kHannSymmetric;
    const bool periodic = p.window == Window::kHannPeriodic || p.window == Window::kHammingPeriodic;
    if (p.window != Window::kNone) {
      const double a = hann ? 0.5 : 0.54;
      const double d = periodic && L % 2 == 0 ? L : L - 1;
      w = a - (1 - a) * std::cos(2 * M_PI * i / d);
    }
    frame[i] = x[i] * w;
  }
  std::vector<double> spec(bins);
  for (uint32_t k = 0; k < bins; ++k) {
    double re = 0, im = 0;
    for (uint32_t t = 0; t < L; ++t) {
      const double a = 2 * M_PI * double((uint64_t(k) * t) % N) / N;
      re += frame[t] * std::cos(a);
      im -= frame[t] * std::sin(a);
    }
    const double pw = re * re + im * im;
    spec[k] = p.spectrum == SpectrumType::kMagnitude ? std::sqrt(pw) : pw;
  }
  std::vector<double> v = spec;
  if (p.mel_bands) {
    v.assign(p.mel_bands, 0.0);
    for (uint32_t b = 0; b < p.mel_bands; ++b)
      for (uint32_t k = 0; k < bins; ++k) v[b] += tf_mel_weight(p, b, k) * spec[k];
  }
  for (double& y : v) {
    if (p.log == LogScale::kNatural) y = std::log(y + p.log_offset);
    if (p.log == LogScale::kDecibel) {
      y = std::max(10 * std::log10(y + p.log_offset), double(p.noise_floor_db));
      if (p.normalize_noise_floor) y = std::min(1.0, (y - p.noise_floor_db) / -p.noise_floor_db);
    }
  }
  if (!p.dct_coefficients) return v;
  std::vector<double> out(p.dct_coefficients);
  const uint32_t B = p.mel_bands;
  for (uint32_t k = 0; k < p.dct_coefficients; ++k) {
    double s = 0;
    for (uint32_t n = 0; n < B; ++n) s += v[n] * std::cos(M_PI * k * (2 * n + 1) / (2.0 * B));
    out[k] = 2 * s / std::sqrt(2.0 * B);
  }
  return out;
}

// Speech-like test signal: harmonics of a gliding pitch, amplitude-modulated,
// over low noise, scaled to `peak` of full scale.
std::vector<int16_t> voice(size_t n, double peak, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> x(n);
  double phase = 0, maxv = 0;
  for (size_t t = 0; t < n; ++t) {
    const double f0 = 120 + 80 * std::sin(2 * M_PI * t / 16000.0 * 1.3);
    phase += 2 * M_PI * f0 / 16000.0;
    double s = 0;
    for (int h = 1; h <= 12; ++h) s += std::sin(h * phase) / h;
    s *= 0.6 + 0.4 * std::sin(2 * M_PI * t / 16000.0 * 3.0);
    x[t] = s + 0.003 * noise(rng);
    maxv = std::max(maxv, std::fabs(x[t]));
  }
  std::vector<int16_t> out(n);
  for (size_t t = 0; t < n; ++t) out[t] = int16_t(std::lround(x[t] / maxv * peak * 32767));
  return out;
}

template <typename Block, typename Config>
struct Made {
  std::vector<uint8_t> memory;
  Block block;
  explicit Made(const Config& c) : memory(Block::state_bytes(c)) {
    const Status s = block.init(c, memory.data(), memory.size());
    EXPECT_TRUE(s.is_ok()) << s.message();
  }
};

std::vector<float> clip_float(SpectralBlock& b, const std::vector<int16_t>& x) {
  std::vector<float> out(b.frames_in(x.size()) * b.feature_count() + 1);
  size_t frames = 0;
  const Status s = b.compute_clip(x.data(), x.size(), out.data(), out.size(), &frames);
  EXPECT_TRUE(s.is_ok()) << s.message();
  out.resize(frames * b.feature_count());
  return out;
}

std::vector<int16_t> clip_fixed(SpectralBlock& b, const std::vector<int16_t>& x) {
  std::vector<int16_t> out(b.frames_in(x.size()) * b.feature_count() + 1);
  size_t frames = 0;
  const Status s = b.compute_clip(x.data(), x.size(), out.data(), out.size(), &frames);
  EXPECT_TRUE(s.is_ok()) << s.message();
  out.resize(frames * b.feature_count());
  return out;
}

// Compares a clip with the double reference, frame by frame.
template <typename Config>
double max_error_vs_reference(const Config& c, SpectralBlock& b, const std::vector<int16_t>& x) {
  const auto got = clip_float(b, x);
  const SpectralParams p = c.params();
  std::vector<double> xd(x.size());
  for (size_t i = 0; i < x.size(); ++i) xd[i] = x[i] / 32768.0;
  double worst = 0;
  const size_t F = b.feature_count();
  for (size_t f = 0; f * F < got.size(); ++f) {
    const auto want = reference_frame(xd.data() + f * p.frame_step, p);
    for (size_t i = 0; i < F; ++i) worst = std::max(worst, std::fabs(got[f * F + i] - want[i]));
  }
  return worst;
}

TEST(Mfcc, MlperfConfigShapes) {
  const MfccConfig c = MfccConfig::mlperf_kws();
  Made<Mfcc, MfccConfig> m(c);
  EXPECT_EQ(m.block.frame_length(), 480u);
  EXPECT_EQ(m.block.frame_step(), 320u);
  EXPECT_EQ(m.block.feature_count(), 10u);
  EXPECT_EQ(Mfcc::clip_frames(c, 16000), 49u);
  EXPECT_EQ(kMfccImplementationVersion, 1u);
  EXPECT_LT(Mfcc::state_bytes(c), 24000u);
}

TEST(Mfcc, MelMatrixFollowsTensorFlow) {
  const MfccConfig c = MfccConfig::mlperf_kws();
  Made<Mfcc, MfccConfig> m(c);
  const SpectralParams p = c.params();
  for (uint32_t b = 0; b < 40; ++b) {
    EXPECT_EQ(m.block.mel_weight(b, 0), 0.0f) << "DC bin must get no weight, band " << b;
    for (uint32_t k = 0; k < 257; ++k) {
      ASSERT_NEAR(m.block.mel_weight(b, k), tf_mel_weight(p, b, k), 1e-6) << b << " " << k;
    }
  }
  // By hand: mel(20) = 31.7486, mel(4000) = 2146.0756, spacing 51.56895 mel.
  // Band 0 spans 31.7486..134.8865 mel (20..89.0 Hz) peaking at 83.3175 mel.
  // Bin 1 (31.25 Hz, 49.2218 mel): (49.2218 - 31.7486) / 51.56895 = 0.338832.
  // Bin 2 (62.5 Hz, 96.3835 mel): (134.8865 - 96.3835) / 51.56895 = 0.746631.
  EXPECT_NEAR(m.block.mel_weight(0, 1), 0.338832, 2e-6);
  EXPECT_NEAR(m.block.mel_weight(0, 2), 0.746631, 2e-6);
  EXPECT_EQ(m.block.mel_weight(0, 3), 0.0f);
  // Bands are ordered: peak bins never decrease; bins above 4 kHz (bin 128)
  // get nothing; inside [centre 0, centre 39] adjacent triangles sum to 1.
  uint32_t last_peak = 0;
  for (uint32_t b = 0; b < 40; ++b) {
    uint32_t peak = 0;
    for (uint32_t k = 0; k < 257; ++k) if (m.block.mel_weight(b, k) > m.block.mel_weight(b, peak)) peak = k;
    EXPECT_GE(peak, last_peak) << b;
    last_peak = peak;
    for (uint32_t k = 129; k < 257; ++k) EXPECT_EQ(m.block.mel_weight(b, k), 0.0f);
  }
  const double lo = mel(20), hi = mel(4000), step = (hi - lo) / 41;
  for (uint32_t k = 1; k < 257; ++k) {
    const double mk = mel(k * 31.25);
    if (mk <= lo + step || mk >= hi - step) continue;
    double sum = 0;
    for (uint32_t b = 0; b < 40; ++b) sum += m.block.mel_weight(b, k);
    EXPECT_NEAR(sum, 1.0, 1e-6) << k;
  }
}

TEST(Mfcc, WindowAndDctTables) {
  Made<Mfcc, MfccConfig> m(MfccConfig::mlperf_kws());
  for (uint32_t i = 0; i < 480; ++i) {
    EXPECT_EQ(m.block.window_coefficient(i), float(0.5 - 0.5 * std::cos(2 * M_PI * i / 480.0))) << i;
  }
  for (uint32_t k = 0; k < 10; ++k)
    for (uint32_t n = 0; n < 40; ++n)
      EXPECT_NEAR(m.block.dct_coefficient(k, n), 2 * std::cos(M_PI * k * (2 * n + 1) / 80.0) / std::sqrt(80.0), 1e-8);
}

TEST(Mfcc, MatchesDoubleReferenceOnVoice) {
  const MfccConfig c = MfccConfig::mlperf_kws();
  Made<Mfcc, MfccConfig> m(c);
  for (double peak : {0.9, 0.05}) {
    EXPECT_LT(max_error_vs_reference(c, m.block, voice(16000, peak, 1)), 2e-4) << peak;
  }
}

TEST(Mfcc, ToneOverNoise) {
  // A 1 kHz tone over white noise: every band sits well above the 1e-6
  // offset (a pure tone would leave far bands at the float FFT's rounding
  // noise, where float and double logs legitimately differ).
  std::mt19937 rng(5);
  std::normal_distribution<double> nd(0, 300);
  std::vector<int16_t> x(16000);
  for (size_t t = 0; t < x.size(); ++t) x[t] = int16_t(std::lround(8000 * std::sin(2 * M_PI * 1000 * t / 16000.0) + nd(rng)));
  const MfccConfig c = MfccConfig::mlperf_kws();
  Made<Mfcc, MfccConfig> m(c);
  EXPECT_LT(max_error_vs_reference(c, m.block, x), 2e-4);
}

TEST(Mfe, PureToneLandsInItsBand) {
  MfeConfig c = MfeConfig::defaults();
  c.lower_hz = 20;
  c.upper_hz = 4000;
  c.frame_length = 480;
  c.frame_step = 320;
  Made<Mfe, MfeConfig> m(c);
  for (double hz : {250.0, 1000.0, 3000.0}) {
    std::vector<int16_t> x(480);
    for (size_t t = 0; t < x.size(); ++t) x[t] = int16_t(std::lround(10000 * std::sin(2 * M_PI * hz * t / 16000.0)));
    const auto f = clip_float(m.block, x);
    ASSERT_EQ(f.size(), 40u);
    const size_t top = std::max_element(f.begin(), f.end()) - f.begin();
    // the band whose centre is nearest the tone in mel
    const double lo = mel(20), step = (mel(4000) - lo) / 41;
    const size_t want = size_t(std::lround((mel(hz) - lo) / step)) - 1;
    EXPECT_NEAR(double(top), double(want), 1.0) << hz;
  }
}

TEST(Mfe, DecibelsWithNoiseFloorMatchReference) {
  MfeConfig c = MfeConfig::defaults();
  Made<Mfe, MfeConfig> m(c);
  EXPECT_LT(max_error_vs_reference(c, m.block, voice(8000, 0.5, 2)), 2e-3);  // dB units
  c.normalize_noise_floor = true;
  Made<Mfe, MfeConfig> n(c);
  const auto x = voice(8000, 0.5, 2);
  EXPECT_LT(max_error_vs_reference(c, n.block, x), 1e-4);
  for (float v : clip_float(n.block, x)) {
    EXPECT_GE(v, 0.0f);
    EXPECT_LE(v, 1.0f);
  }
}

TEST(Spectrogram, MatchesReferenceAllWindows) {
  for (Window w : {Window::kNone, Window::kHannPeriodic, Window::kHannSymmetric, Window::kHammingPeriodic,
                   Window::kHammingSymmetric}) {
    for (SpectrumType st : {SpectrumType::kMagnitude, SpectrumType::kPower}) {
      SpectrogramConfig c;
      c.frame_length = 255;  // odd: TF's periodic == symmetric quirk
      c.frame_step = 100;
      c.fft_length = 256;
      c.window = w;
      c.spectrum = st;
      c.log = LogScale::kNatural;
      Made<Spectrogram, SpectrogramConfig> m(c);
      EXPECT_EQ(m.block.feature_count(), 129u);
      // per-bin logs near the 1e-6 offset carry the float FFT's rounding
      EXPECT_LT(max_error_vs_reference(c, m.block, voice(1000, 0.7, 3)), 2e-3) << int(w) << " " << int(st);
    }
  }
}

TEST(Mfcc, MfccIsDctOfMfe) {
  MfeConfig e;
  e.frame_length = 480; e.frame_step = 320; e.spectrum = SpectrumType::kMagnitude;
  e.lower_hz = 20; e.upper_hz = 4000; e.log = LogScale::kNatural; e.log_offset = 1e-6f;
  Made<Mfe, MfeConfig> mfe(e);
  MfccConfig c = MfccConfig::mlperf_kws();
  c.coefficients = 40;
  Made<Mfcc, MfccConfig> mfcc(c);
  const auto x = voice(4000, 0.3, 4);
  const auto logmel = clip_float(mfe.block, x);
  const auto cep = clip_float(mfcc.block, x);
  ASSERT_EQ(logmel.size(), cep.size());
  for (size_t f = 0; f < logmel.size() / 40; ++f)
    for (uint32_t k = 0; k < 40; ++k) {
      double s = 0;
      for (uint32_t n = 0; n < 40; ++n) s += logmel[f * 40 + n] * std::cos(M_PI * k * (2 * n + 1) / 80.0);
      EXPECT_NEAR(cep[f * 40 + k], 2 * s / std::sqrt(80.0), 2e-5);
    }
}

TEST(Mfcc, SilenceGivesTheLogOffset) {
  Made<Mfcc, MfccConfig> m(MfccConfig::mlperf_kws());
  const auto f = clip_float(m.block, std::vector<int16_t>(16000, 0));
  ASSERT_EQ(f.size(), 490u);
  const double c0 = 40 * std::log(1e-6) * 2 / std::sqrt(80.0);  // -123.57
  for (size_t i = 0; i < f.size(); ++i) {
    if (i % 10 == 0) EXPECT_NEAR(f[i], c0, 1e-4);
    else EXPECT_NEAR(f[i], 0.0, 1e-4);
  }
}

TEST(Mfcc, ClippedFullScaleInputStaysFinite) {
  std::vector<int16_t> x(16000);
  for (size_t t = 0; t < x.size(); ++t) x[t] = (t / 20) % 2 ? 32767 : -32768;  // 400 Hz square
  MfccConfig c = MfccConfig::mlperf_kws();
  Made<Mfcc, MfccConfig> m(c);
  const auto f = clip_float(m.block, x);
  for (float v : f) ASSERT_TRUE(std::isfinite(v));
  EXPECT_LT(max_error_vs_reference(c, m.block, x), 2e-4);
  c.arithmetic = Arithmetic::kFixed;
  Made<Mfcc, MfccConfig> q(c);
  const auto g = clip_fixed(q.block, x);
  ASSERT_EQ(g.size(), f.size());
  for (size_t i = 0; i < f.size(); ++i) EXPECT_NEAR(g[i] / 128.0, f[i], 0.03) << i;
}

TEST(Mfcc, ShortAndLongInputs) {
  MfccConfig c = MfccConfig::mlperf_kws();
  Made<Mfcc, MfccConfig> m(c);
  float out[10];
  size_t frames = 99;
  EXPECT_TRUE(m.block.compute_clip(static_cast<const int16_t*>(nullptr), 0, out, 10, &frames).is_ok());
  EXPECT_EQ(frames, 0u);
  std::vector<int16_t> x = voice(479, 0.5, 6);
  EXPECT_TRUE(m.block.compute_clip(x.data(), x.size(), out, 10, &frames).is_ok());
  EXPECT_EQ(frames, 0u);
  x = voice(480, 0.5, 6);
  EXPECT_TRUE(m.block.compute_clip(x.data(), x.size(), out, 10, &frames).is_ok());
  EXPECT_EQ(frames, 1u);
  x = voice(800, 0.5, 6);  // the second frame needs 320 + 480 = 800 samples
  EXPECT_EQ(Mfcc::clip_frames(c, 799), 1u);
  EXPECT_EQ(Mfcc::clip_frames(c, 800), 2u);
  Status s = m.block.compute_clip(x.data(), x.size(), out, 10, &frames);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << "2 frames do not fit in 10 values";
  // 60 s of audio: 2999 frames, all finite, last frame equals a fresh 1-frame clip of its samples.
  x = voice(16000 * 60, 0.5, 7);
  const auto f = clip_float(m.block, x);
  ASSERT_EQ(f.size(), 2999u * 10);
  std::vector<int16_t> tail(x.begin() + 2998 * 320, x.begin() + 2998 * 320 + 480);
  const auto g = clip_float(m.block, tail);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(f[2998 * 10 + i], g[i]);
}

void expect_streaming_equals_clip(SpectralBlock& b, const std::vector<int16_t>& x, bool fixed, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> chunk(0, 700);
  std::vector<float> sf, ff(b.feature_count());
  std::vector<int16_t> sq, fq(b.feature_count());
  b.reset();
  size_t pos = 0;
  while (pos < x.size()) {
    const size_t n = std::min(chunk(rng), x.size() - pos);
    size_t off = 0;
    do {
      size_t used = 0;
      bool produced = false;
      const Status s = fixed ? b.process(x.data() + pos + off, n - off, &used, fq.data(), &produced)
                             : b.process(x.data() + pos + off, n - off, &used, ff.data(), &produced);
      ASSERT_TRUE(s.is_ok()) << s.message();
      off += used;
      if (produced) {
        if (fixed) sq.insert(sq.end(), fq.begin(), fq.end());
        else sf.insert(sf.end(), ff.begin(), ff.end());
      }
    } while (off < n);
    pos += n;
  }
  if (fixed) EXPECT_EQ(sq, clip_fixed(b, x));
  else EXPECT_EQ(sf, clip_float(b, x));  // bit-exact
}

TEST(Mfcc, StreamingEqualsClip) {
  MfccConfig c = MfccConfig::mlperf_kws();
  const auto x = voice(20000, 0.5, 8);
  for (Arithmetic a : {Arithmetic::kFloat, Arithmetic::kFixed}) {
    c.arithmetic = a;
    Made<Mfcc, MfccConfig> m(c);
    expect_streaming_equals_clip(m.block, x, a == Arithmetic::kFixed, 1);
    c.frame_step = 600;  // step longer than the frame: samples are skipped
    Made<Mfcc, MfccConfig> s(c);
    EXPECT_EQ(s.block.frames_in(20000), 1 + (20000 - 480) / 600u);
    expect_streaming_equals_clip(s.block, x, a == Arithmetic::kFixed, 2);
    c.frame_step = 320;
  }
}

TEST(Mfcc, FloatInputEqualsInt16Input) {
  Made<Mfcc, MfccConfig> m(MfccConfig::mlperf_kws());
  const auto x = voice(16000, 0.5, 9);
  std::vector<float> xf(x.size());
  for (size_t i = 0; i < x.size(); ++i) xf[i] = x[i] / 32768.0f;
  std::vector<float> out(490);
  size_t frames = 0;
  ASSERT_TRUE(m.block.compute_clip(xf.data(), xf.size(), out.data(), out.size(), &frames).is_ok());
  EXPECT_EQ(out, clip_float(m.block, x));
}

// Fixed point against float: MFCC int16 (7 fraction bits) over signal levels
// from full scale down to -60 dBFS. Measured worst case ~0.02 (the 1/256
// output rounding is 0.004); the int8 model input step is 0.58.
TEST(Mfcc, FixedPointAgreesWithFloat) {
  MfccConfig c = MfccConfig::mlperf_kws();
  Made<Mfcc, MfccConfig> f(c);
  c.arithmetic = Arithmetic::kFixed;
  Made<Mfcc, MfccConfig> q(c);
  for (double peak : {1.0, 0.1, 0.01, 0.001}) {
    const auto x = voice(16000, peak, 10);
    const auto a = clip_float(f.block, x);
    const auto b = clip_fixed(q.block, x);
    ASSERT_EQ(a.size(), b.size());
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(b[i] / 128.0 - a[i]));
    EXPECT_LT(worst, 0.03) << "peak " << peak;
  }
  const auto silent = clip_fixed(q.block, std::vector<int16_t>(16000, 0));
  EXPECT_EQ(silent[0], int16_t(std::lround(40 * std::log(1e-6) * 2 / std::sqrt(80.0) * 128)));
}

TEST(Mfe, FixedPointAgreesWithFloat) {
  for (bool normalize : {false, true}) {
    MfeConfig c = MfeConfig::defaults();
    c.normalize_noise_floor = normalize;
    if (normalize) c.fixed_frac_bits = 14;
    Made<Mfe, MfeConfig> f(c);
    c.arithmetic = Arithmetic::kFixed;
    Made<Mfe, MfeConfig> q(c);
    const auto x = voice(8000, 0.3, 11);
    const auto a = clip_float(f.block, x);
    const auto b = clip_fixed(q.block, x);
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(std::ldexp(b[i], -int(c.fixed_frac_bits)) - a[i]));
    EXPECT_LT(worst, normalize ? 0.002 : 0.1) << "dB";
  }
}

// The same input must give the same bits on every target; these digests are
// what x86-64 computes and what other targets (Cortex-M, wasm) must match.
uint32_t fnv1a(const void* data, size_t bytes) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < bytes; ++i) h = (h ^ static_cast<const uint8_t*>(data)[i]) * 16777619u;
  return h;
}

TEST(Golden, OutputDigests) {
  MfccConfig c = MfccConfig::mlperf_kws();
  // Integer-only input (no libm): a buzz of three sawtooth periods plus xorshift noise.
  std::vector<int16_t> x(16000);
  uint32_t r = 0x9E3779B9u;
  for (size_t t = 0; t < x.size(); ++t) {
    r ^= r << 13; r ^= r >> 17; r ^= r << 5;
    const int32_t saw = int32_t(t % 97) * 150 - 7200 + int32_t(t % 41) * 90 + int32_t(t % 13) * 40;
    x[t] = int16_t(saw + int32_t(r >> 24) - 128);
  }
  Made<Mfcc, MfccConfig> f(c);
  const auto a = clip_float(f.block, x);
  c.arithmetic = Arithmetic::kFixed;
  Made<Mfcc, MfccConfig> q(c);
  const auto b = clip_fixed(q.block, x);
  RecordProperty("float_digest", std::to_string(fnv1a(a.data(), a.size() * 4)));
  RecordProperty("fixed_digest", std::to_string(fnv1a(b.data(), b.size() * 2)));
  EXPECT_EQ(fnv1a(a.data(), a.size() * 4), 1750682406u) << "float digest";
  EXPECT_EQ(fnv1a(b.data(), b.size() * 2), 1778278338u) << "fixed digest";
}

}  // namespace
}  // namespace locus::dsp
