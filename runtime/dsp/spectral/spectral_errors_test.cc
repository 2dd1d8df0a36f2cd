// Quantisers, invalid configurations and call-order errors of the spectral blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/dsp/spectral/mfcc.h"

namespace locus::dsp {
namespace {

TEST(Quantize, RoundsHalfAwayAndClamps) {
  const float in[] = {0.0f, 0.29f, 0.3f, -0.3f, 0.875f, -0.875f, 100.0f, -100.0f, NAN};
  int8_t out[9];
  quantize_features(in, 9, 0.25f, 10, out);
  const int8_t want[] = {10, 11, 11, 9, 14, 6, 127, -128, 10};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], want[i]) << i;
}

TEST(Quantize, FixedQuantizerMatchesFloat) {
  FixedFeatureQuantizer q;
  ASSERT_TRUE(q.init(0.5847f, 83, 7).is_ok());
  int mismatches = 0;
  for (int v = -32768; v <= 32767; ++v) {
    const int16_t x = int16_t(v);
    const float f = float(v) / 128.0f;
    int8_t a, b;
    quantize_features(&f, 1, 0.5847f, 83, &a);
    q.quantize(&x, 1, &b);
    ASSERT_LE(std::abs(a - b), 1) << v;
    mismatches += a != b;
  }
  EXPECT_LT(mismatches, 3);
  EXPECT_EQ(q.init(0.0f, 0, 7).code(), StatusCode::kInvalidArgument);
}

TEST(Errors, InvalidConfigsAreRejectedClearly) {
  struct Case { const char* what; void (*edit)(MfccConfig&); const char* message; };
  const Case cases[] = {
      {"rate", [](MfccConfig& c) { c.sample_rate = 0; }, "sample_rate"},
      {"frame", [](MfccConfig& c) { c.frame_length = 0; }, "frame_length"},
      {"step", [](MfccConfig& c) { c.frame_step = 0; }, "frame_step"},
      {"fft pow2", [](MfccConfig& c) { c.fft_length = 500; }, "power of two"},
      {"fft short", [](MfccConfig& c) { c.fft_length = 256; }, "shorter than frame_length"},
      {"no bands", [](MfccConfig& c) { c.mel_bands = 0; }, "mel_bands"},
      {"many bands", [](MfccConfig& c) { c.mel_bands = 300; c.coefficients = 10; }, "mel_bands 300"},
      {"edges", [](MfccConfig& c) { c.lower_hz = 4000; c.upper_hz = 20; }, "below upper_hz"},
      {"nyquist", [](MfccConfig& c) { c.upper_hz = 9000; }, "Nyquist"},
      {"negative", [](MfccConfig& c) { c.lower_hz = -1; }, "lower_hz"},
      {"coefs", [](MfccConfig& c) { c.coefficients = 41; }, "41 coefficients"},
      {"no coefs", [](MfccConfig& c) { c.coefficients = 0; }, "coefficients"},
      {"offset", [](MfccConfig& c) { c.log_offset = -1; }, "log_offset"},
      {"no log", [](MfccConfig& c) { c.log = LogScale::kNone; }, "log"},
      {"window", [](MfccConfig& c) { c.window = Window(9); }, "window"},
      {"frac", [](MfccConfig& c) { c.fixed_frac_bits = 16; }, "fixed_frac_bits"},
  };
  std::vector<uint8_t> memory(1 << 20);
  for (const Case& k : cases) {
    MfccConfig c = MfccConfig::mlperf_kws();
    k.edit(c);
    EXPECT_EQ(Mfcc::state_bytes(c), 0u) << k.what;
    Mfcc m;
    const Status s = m.init(c, memory.data(), memory.size());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << k.what;
    EXPECT_NE(std::string(s.message()).find(k.message), std::string::npos) << k.what << ": " << s.message();
  }
}

TEST(Errors, StateAndCallOrder) {
  const MfccConfig c = MfccConfig::mlperf_kws();
  std::vector<uint8_t> memory(Mfcc::state_bytes(c));
  Mfcc m;
  float out[10];
  size_t used;
  bool produced;
  int16_t x[4] = {};
  EXPECT_EQ(m.process(x, 4, &used, out, &produced).code(), StatusCode::kFailedPrecondition);
  Status s = m.init(c, memory.data(), memory.size() - 1);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(s.message()).find("bytes of state"), std::string::npos) << s.message();
  ASSERT_TRUE(m.init(c, memory.data(), memory.size()).is_ok());
  int16_t q[10];
  s = m.process(x, 4, &used, q, &produced);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(s.message()).find("fixed-point"), std::string::npos) << s.message();
  EXPECT_EQ(m.process(x, 4, nullptr, out, &produced).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace locus::dsp
