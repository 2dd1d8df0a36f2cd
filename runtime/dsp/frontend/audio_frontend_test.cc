// AudioFrontend as a whole: TFLM's frontend_test.cc vectors, streaming
// versus clip mode, silence, full scale (digests of TFLM's own output for
// the same input), short and long input, configuration errors.
#include "runtime/dsp/frontend/audio_frontend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace locus {
namespace dsp {
namespace {

// Owns the memory of one front end.
struct Frontend {
  std::vector<uint8_t> memory;
  AudioFrontend fe;
  Status status;
  Frontend(const AudioFrontendConfig& c, uint32_t rate) {
    memory.resize(AudioFrontend::state_bytes(c, rate));
    status = fe.init(c, rate, memory.data(), memory.size());
  }
};

// TFLM frontend_test.cc: 1 kHz, 25 ms / 10 ms, 2 channels 8..450 Hz, PCAN on.
AudioFrontendConfig small_config() {
  AudioFrontendConfig c = AudioFrontendConfig::defaults();
  c.channels = 2;
  c.lower_band_hz = 8.0f;
  c.upper_band_hz = 450.0f;
  c.enable_pcan = true;
  return c;
}

std::vector<int16_t> alternating(size_t n) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(i % 2 == 0 ? 0 : (i % 4 == 1 ? 32767 : -32768));
  return v;
}

TEST(AudioFrontend, TflmFrontendTestVectors) {
  Frontend f(small_config(), 1000);
  ASSERT_TRUE(f.status.is_ok()) << f.status.message();
  EXPECT_EQ(f.fe.frame_length(), 25);
  EXPECT_EQ(f.fe.frame_step(), 10);
  EXPECT_EQ(f.fe.channels(), 2);
  EXPECT_EQ(f.fe.fft_size(), 32);
  const std::vector<int16_t> audio = alternating(36);
  uint16_t out[2] = {0, 0};
  size_t used = 0;
  bool produced = false;
  ASSERT_TRUE(f.fe.process(audio.data(), audio.size(), &used, out, &produced).is_ok());
  EXPECT_TRUE(produced);
  EXPECT_EQ(used, 25u);
  EXPECT_EQ(out[0], 479);
  EXPECT_EQ(out[1], 425);
  // The next window: TFLM's test feeds from sample 25 on.
  ASSERT_TRUE(f.fe.process(audio.data() + 25, audio.size() - 25, &used, out, &produced).is_ok());
  EXPECT_TRUE(produced);
  EXPECT_EQ(used, 10u);
  EXPECT_EQ(out[0], 436);
  EXPECT_EQ(out[1], 378);
  // One sample left: not enough for another frame.
  ASSERT_TRUE(f.fe.process(audio.data() + 35, 1, &used, out, &produced).is_ok());
  EXPECT_FALSE(produced);
  EXPECT_EQ(used, 1u);
}

TEST(AudioFrontend, ConfigsAndMemory) {
  const AudioFrontendConfig d = AudioFrontendConfig::defaults();
  EXPECT_EQ(d.window_ms, 25u);
  EXPECT_EQ(d.step_ms, 10u);
  EXPECT_EQ(d.channels, 32);
  EXPECT_FALSE(d.enable_pcan);
  const AudioFrontendConfig m = AudioFrontendConfig::micro_speech();
  EXPECT_EQ(m.window_ms, 30u);
  EXPECT_EQ(m.step_ms, 20u);
  EXPECT_EQ(m.channels, 40);
  EXPECT_TRUE(m.enable_pcan);
  // Tables and state for micro_speech at 16 kHz: a few KB.
  EXPECT_EQ(AudioFrontend::state_bytes(m, 16000), 6855u);
  Frontend f(m, 16000);
  ASSERT_TRUE(f.status.is_ok());
  EXPECT_EQ(f.fe.frame_length(), 480);
  EXPECT_EQ(f.fe.frame_step(), 320);
  EXPECT_EQ(f.fe.fft_size(), 512);
  EXPECT_EQ(f.fe.frames_for(16000), 49u);
  EXPECT_EQ(f.fe.frames_for(480), 1u);
  EXPECT_EQ(f.fe.frames_for(479), 0u);
}

// A test signal: a chirp with noise and silent gaps, 3 s at 16 kHz.
std::vector<int16_t> test_signal(size_t n) {
  std::vector<int16_t> v(n);
  uint32_t x = 2463534242u;
  double phase = 0;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    phase += 2 * 3.141592653589793 * (100.0 + 3000.0 * static_cast<double>(i) / n) / 16000.0;
    const double gate = (i / 4000) % 3 == 2 ? 0.0 : 1.0;
    const double s = gate * 9000 * std::sin(phase) + static_cast<int32_t>(x >> 24) * 4 - 512;
    v[i] = static_cast<int16_t>(std::lround(std::fmax(-32768, std::fmin(32767, s))));
  }
  return v;
}

std::vector<uint16_t> stream(AudioFrontend& fe, const std::vector<int16_t>& s,
                             const std::vector<size_t>& chunks) {
  std::vector<uint16_t> all;
  std::vector<uint16_t> frame(static_cast<size_t>(fe.channels()));
  size_t at = 0, k = 0;
  while (at < s.size()) {
    const size_t n = std::min(chunks[k++ % chunks.size()], s.size() - at);
    size_t used = 0;
    bool produced = false;
    EXPECT_TRUE(fe.process(s.data() + at, n, &used, frame.data(), &produced).is_ok());
    at += used;
    if (produced) all.insert(all.end(), frame.begin(), frame.end());
  }
  return all;
}

std::vector<uint16_t> clip(AudioFrontend& fe, const std::vector<int16_t>& s) {
  std::vector<uint16_t> out(fe.frames_for(s.size()) * static_cast<size_t>(fe.channels()));
  size_t frames = 0;
  EXPECT_TRUE(fe.process_clip(s.data(), s.size(), out.data(), out.size(), &frames).is_ok());
  EXPECT_EQ(frames, fe.frames_for(s.size()));
  return out;
}

TEST(AudioFrontend, StreamingEqualsClipMode) {
  Frontend f(AudioFrontendConfig::micro_speech(), 16000);
  ASSERT_TRUE(f.status.is_ok());
  const std::vector<int16_t> s = test_signal(48000);
  const std::vector<uint16_t> whole = clip(f.fe, s);
  EXPECT_EQ(whole.size(), 149u * 40u);
  for (const std::vector<size_t>& chunks :
       {std::vector<size_t>{1}, std::vector<size_t>{7, 13, 331}, std::vector<size_t>{320},
        std::vector<size_t>{481, 1}, std::vector<size_t>{100000}}) {
    f.fe.reset();
    EXPECT_EQ(stream(f.fe, s, chunks), whole) << "first chunk " << chunks[0];
  }
  // reset() really gives fresh state: the same clip again, same answer.
  EXPECT_EQ(clip(f.fe, s), whole);
}

uint32_t digest(const std::vector<uint16_t>& v) {
  uint32_t h = 2166136261u;
  for (uint16_t u : v) {
    h = (h ^ (u & 0xFFu)) * 16777619u;
    h = (h ^ (u >> 8)) * 16777619u;
  }
  return h;
}

TEST(AudioFrontend, SilenceGivesZeros) {
  Frontend f(AudioFrontendConfig::micro_speech(), 16000);
  ASSERT_TRUE(f.status.is_ok());
  const std::vector<uint16_t> out = clip(f.fe, std::vector<int16_t>(16000, 0));
  ASSERT_EQ(out.size(), 1960u);
  for (uint16_t v : out) ASSERT_EQ(v, 0);
  std::vector<int8_t> i8(out.size());
  frontend_to_int8_micro_speech(out.data(), static_cast<int32_t>(out.size()), i8.data());
  for (int8_t v : i8) ASSERT_EQ(v, -128);
}

TEST(AudioFrontend, FullScaleMatchesTflmDigests) {
  // Digests (FNV-1a of the little-endian uint16 features, 1 s at 16 kHz,
  // micro_speech settings) of TFLM's microfrontend output for the same
  // inputs, computed with TFLM when this test was written.
  Frontend f(AudioFrontendConfig::micro_speech(), 16000);
  ASSERT_TRUE(f.status.is_ok());
  const uint32_t want[4] = {0xb951d3adu, 0xb93a2afbu, 0xdb4e911eu, 0xaef3efaau};
  for (int kind = 0; kind < 4; ++kind) {
    std::vector<int16_t> s(16000);
    uint32_t x = 12345;
    for (size_t i = 0; i < s.size(); ++i) {
      switch (kind) {
        case 0: s[i] = (i / 20) % 2 ? 32767 : -32768; break;  // clipped square wave
        case 1:
          x ^= x << 13;
          x ^= x >> 17;
          x ^= x << 5;
          s[i] = static_cast<int16_t>(x >> 16);  // full-scale noise
          break;
        case 2: s[i] = i & 1 ? -32768 : 32767; break;  // Nyquist
        default: s[i] = -32768;  // stuck at the negative rail
      }
    }
    const std::vector<uint16_t> out = clip(f.fe, s);
    ASSERT_EQ(out.size(), 1960u);
    EXPECT_EQ(digest(out), want[kind]) << "input kind " << kind;
  }
}

TEST(AudioFrontend, ShorterThanOneWindowGivesNoFrame) {
  Frontend f(AudioFrontendConfig::micro_speech(), 16000);
  ASSERT_TRUE(f.status.is_ok());
  const std::vector<int16_t> s = test_signal(479);
  size_t frames = 7;
  EXPECT_TRUE(f.fe.process_clip(s.data(), s.size(), nullptr, 0, &frames).is_ok());
  EXPECT_EQ(frames, 0u);
  uint16_t out[40];
  size_t used = 0;
  bool produced = true;
  f.fe.reset();
  EXPECT_TRUE(f.fe.process(s.data(), s.size(), &used, out, &produced).is_ok());
  EXPECT_FALSE(produced);
  EXPECT_EQ(used, 479u);
  // One more sample completes the frame.
  const int16_t one = 0;
  EXPECT_TRUE(f.fe.process(&one, 1, &used, out, &produced).is_ok());
  EXPECT_TRUE(produced);
}

TEST(AudioFrontend, LongInputTenSeconds) {
  Frontend f(AudioFrontendConfig::micro_speech(), 16000);
  ASSERT_TRUE(f.status.is_ok());
  const std::vector<int16_t> one = test_signal(16000);
  std::vector<int16_t> s;
  for (int i = 0; i < 10; ++i) s.insert(s.end(), one.begin(), one.end());
  const std::vector<uint16_t> whole = clip(f.fe, s);
  EXPECT_EQ(whole.size(), (1 + (160000u - 480u) / 320u) * 40u);
  f.fe.reset();
  EXPECT_EQ(stream(f.fe, s, {4093}), whole);
  // The first second does not depend on what follows.
  const std::vector<uint16_t> first = clip(f.fe, one);
  EXPECT_TRUE(std::equal(first.begin(), first.end(), whole.begin()));
}

TEST(AudioFrontend, UnalignedMemoryWorks) {
  const AudioFrontendConfig c = AudioFrontendConfig::micro_speech();
  const size_t bytes = AudioFrontend::state_bytes(c, 16000);
  std::vector<uint8_t> a(bytes + 8), b(bytes + 8);
  AudioFrontend fa, fb;
  ASSERT_TRUE(fa.init(c, 16000, a.data(), bytes).is_ok());
  ASSERT_TRUE(fb.init(c, 16000, b.data() + 1, bytes).is_ok());
  const std::vector<int16_t> s = test_signal(16000);
  EXPECT_EQ(clip(fa, s), clip(fb, s));
}

TEST(AudioFrontend, OptionalStagesAndOtherRates) {
  const std::vector<int16_t> s = test_signal(16000);
  AudioFrontendConfig c = AudioFrontendConfig::micro_speech();
  c.enable_log = false;
  Frontend no_log(c, 16000);
  ASSERT_TRUE(no_log.status.is_ok());
  const std::vector<uint16_t> linear = clip(no_log.fe, s);
  c = AudioFrontendConfig::defaults();
  Frontend no_pcan(c, 16000);
  ASSERT_TRUE(no_pcan.status.is_ok());
  EXPECT_EQ(clip(no_pcan.fe, s).size(), (1 + (16000u - 400u) / 160u) * 32u);
  for (uint32_t rate : {8000u, 11025u, 22050u, 44100u, 48000u}) {
    c = AudioFrontendConfig::micro_speech();
    c.upper_band_hz = rate >= 16000 ? 7500.0f : 3800.0f;
    Frontend f(c, rate);
    EXPECT_TRUE(f.status.is_ok()) << rate << ": " << f.status.message();
  }
}

Status init_status(const AudioFrontendConfig& c, uint32_t rate = 16000) {
  Frontend f(c, rate);
  if (f.memory.empty()) {
    // state_bytes says 0 for invalid configs; init says why.
    uint8_t dummy[16];
    AudioFrontend fe;
    return fe.init(c, rate, dummy, sizeof(dummy));
  }
  return f.status;
}

TEST(AudioFrontend, InvalidConfigsAreClearErrors) {
  AudioFrontendConfig c = AudioFrontendConfig::micro_speech();
  c.channels = 0;
  EXPECT_EQ(AudioFrontend::state_bytes(c, 16000), 0u);
  Status s = init_status(c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("channels"), std::string::npos) << s.message();

  c = AudioFrontendConfig::micro_speech();
  c.upper_band_hz = 9000.0f;  // above 8 kHz Nyquist
  s = init_status(c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("Nyquist"), std::string::npos) << s.message();
  c.upper_band_hz = 8000.0f;  // at Nyquist: the mel bands reach the last bin
  s = init_status(c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("Nyquist bin"), std::string::npos) << s.message();

  c = AudioFrontendConfig::micro_speech();
  c.lower_band_hz = 8000.0f;
  c.upper_band_hz = 100.0f;
  EXPECT_EQ(init_status(c).code(), StatusCode::kInvalidArgument);
  c = AudioFrontendConfig::micro_speech();
  c.lower_band_hz = std::nanf("");
  EXPECT_EQ(init_status(c).code(), StatusCode::kInvalidArgument);
  c = AudioFrontendConfig::micro_speech();
  c.step_ms = 40;  // longer than the window
  EXPECT_EQ(init_status(c).code(), StatusCode::kInvalidArgument);
  c = AudioFrontendConfig::micro_speech();
  c.window_ms = 0;
  EXPECT_EQ(init_status(c).code(), StatusCode::kInvalidArgument);
  c = AudioFrontendConfig::micro_speech();
  c.window_ms = 1000;  // 16000 samples: larger than the biggest FFT
  EXPECT_EQ(init_status(c).code(), StatusCode::kInvalidArgument);
  c = AudioFrontendConfig::micro_speech();
  c.even_smoothing = 1.5f;
  EXPECT_EQ(init_status(c).code(), StatusCode::kInvalidArgument);
  c = AudioFrontendConfig::micro_speech();
  c.pcan_gain_bits = 8;  // snr shift would be negative
  s = init_status(c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("PCAN"), std::string::npos) << s.message();
  c = AudioFrontendConfig::micro_speech();
  c.log_scale_shift = 40;
  EXPECT_EQ(init_status(c).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(init_status(AudioFrontendConfig::micro_speech(), 0).code(), StatusCode::kInvalidArgument);

  // Too little memory.
  c = AudioFrontendConfig::micro_speech();
  std::vector<uint8_t> memory(AudioFrontend::state_bytes(c, 16000) - 4);
  AudioFrontend fe;
  s = fe.init(c, 16000, memory.data(), memory.size());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(s.message()).find("6855"), std::string::npos) << s.message();
  EXPECT_FALSE(fe.initialized());
  EXPECT_EQ(fe.init(c, 16000, nullptr, 100000).code(), StatusCode::kInvalidArgument);

  // Use before init, and bad arguments.
  uint16_t out[40];
  size_t used = 0;
  bool produced = false;
  const int16_t x[4] = {};
  EXPECT_EQ(fe.process(x, 4, &used, out, &produced).code(), StatusCode::kFailedPrecondition);
  Frontend ok(c, 16000);
  ASSERT_TRUE(ok.status.is_ok());
  EXPECT_EQ(ok.fe.process(nullptr, 4, &used, out, &produced).code(), StatusCode::kInvalidArgument);
  std::vector<uint16_t> small(10);
  size_t frames = 0;
  const std::vector<int16_t> s1 = test_signal(16000);
  EXPECT_EQ(ok.fe.process_clip(s1.data(), s1.size(), small.data(), small.size(), &frames).code(),
            StatusCode::kResourceExhausted);
}

TEST(AudioFrontend, Int8ConversionForMicroSpeech) {
  const uint16_t f[6] = {0, 332, 333, 666, 1000, 65535};
  int8_t v[6];
  frontend_to_int8_micro_speech(f, 6, v);
  // (f * 256 + 333) / 666 - 128, clamped.
  EXPECT_EQ(v[0], -128);
  EXPECT_EQ(v[1], (332 * 256 + 333) / 666 - 128);
  EXPECT_EQ(v[2], 0);
  EXPECT_EQ(v[3], 127);  // 256 - 128, clamped
  EXPECT_EQ(v[4], 127);
  EXPECT_EQ(v[5], 127);
}

}  // namespace
}  // namespace dsp
}  // namespace locus
