// The front end against TensorFlow Lite Micro's own answers
// ($LOCUS_TEST_DATA/golden/micro_speech/, computed by TFLM itself): uint16
// features, int8 model input, and the micro_speech model's scores when the
// features run through an imported capsule.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/tflite/tflite_importer.h"
#include "runtime/dsp/frontend/audio_frontend.h"
#include "runtime/engine/engine.h"

namespace locus {
namespace dsp {
namespace {

std::string data_dir() {
  const char* d = std::getenv("LOCUS_TEST_DATA");
  return d == nullptr ? std::string() : std::string(d);
}

#define REQUIRE_DATA(dir)                                                                  \
  const std::string dir = data_dir();                                                      \
  if (dir.empty()) {                                                                       \
    GTEST_SKIP() << "LOCUS_TEST_DATA is not set; golden front-end tests need the datasets"; \
  }

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<int16_t> read_clip(const std::string& dir, const std::string& clip) {
  const host::Audio a = host::read_audio(dir + "/tflm_micro_speech/" + clip + ".wav");
  EXPECT_EQ(a.sample_rate, 16000u);
  return a.samples;
}

struct Features {
  std::vector<uint16_t> u16;
  std::vector<int8_t> i8;
};

// Streams every sample through a fresh front end, as the goldens were made.
Features run_frontend(const AudioFrontendConfig& config, const std::vector<int16_t>& samples,
                      size_t chunk) {
  std::vector<uint8_t> memory(AudioFrontend::state_bytes(config, 16000));
  AudioFrontend fe;
  Status s = fe.init(config, 16000, memory.data(), memory.size());
  EXPECT_TRUE(s.is_ok()) << s.message();
  Features f;
  std::vector<uint16_t> frame(static_cast<size_t>(fe.channels()));
  size_t at = 0;
  while (at < samples.size()) {
    size_t used = 0;
    bool produced = false;
    const size_t n = std::min(chunk, samples.size() - at);
    s = fe.process(samples.data() + at, n, &used, frame.data(), &produced);
    EXPECT_TRUE(s.is_ok()) << s.message();
    at += used;
    if (produced) f.u16.insert(f.u16.end(), frame.begin(), frame.end());
  }
  f.i8.resize(f.u16.size());
  frontend_to_int8_micro_speech(f.u16.data(), static_cast<int32_t>(f.u16.size()), f.i8.data());
  return f;
}

std::vector<uint8_t> as_bytes(const std::vector<uint16_t>& v) {
  std::vector<uint8_t> b(v.size() * 2);
  for (size_t i = 0; i < v.size(); ++i) {
    b[2 * i] = static_cast<uint8_t>(v[i] & 0xFF);
    b[2 * i + 1] = static_cast<uint8_t>(v[i] >> 8);
  }
  return b;
}
std::vector<uint8_t> as_bytes(const std::vector<int8_t>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()),
          reinterpret_cast<const uint8_t*>(v.data()) + v.size()};
}

// Where the first difference is, for a readable failure.
std::string first_difference(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want,
                             int value_bytes, int channels) {
  if (got.size() != want.size()) {
    return "size " + std::to_string(got.size()) + " vs " + std::to_string(want.size());
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i]) {
      const size_t v = i / static_cast<size_t>(value_bytes);
      return "frame " + std::to_string(v / static_cast<size_t>(channels)) + " channel " +
             std::to_string(v % static_cast<size_t>(channels));
    }
  }
  return "";
}

class MicroSpeechFrontendGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(MicroSpeechFrontendGolden, FeaturesEqualTflmHead) {
  REQUIRE_DATA(dir);
  const std::string clip = GetParam();
  const std::vector<int16_t> samples = read_clip(dir, clip);
  const std::string golden = dir + "/golden/micro_speech/frontend_head/" + clip;
  for (size_t chunk : {samples.size(), size_t{1}, size_t{160}, size_t{333}}) {
    const Features f = run_frontend(AudioFrontendConfig::micro_speech(), samples, chunk);
    EXPECT_EQ(f.u16.size(), 40 * (1 + (samples.size() - 480) / 320));
    const auto u16 = as_bytes(f.u16);
    const auto i8 = as_bytes(f.i8);
    const auto want_u16 = read_bytes(golden + ".features_u16.bin");
    const auto want_i8 = read_bytes(golden + ".features_i8.bin");
    EXPECT_TRUE(u16 == want_u16) << clip << " chunk " << chunk << ": uint16 features differ at "
                                 << first_difference(u16, want_u16, 2, 40);
    EXPECT_TRUE(i8 == want_i8) << clip << " chunk " << chunk << ": int8 features differ at "
                               << first_difference(i8, want_i8, 1, 40);
  }
}

TEST_P(MicroSpeechFrontendGolden, LegacyTablesEqualTflmBefore2023) {
  REQUIRE_DATA(dir);
  const std::string clip = GetParam();
  const std::string golden = dir + "/golden/micro_speech/frontend_legacy/" + clip;
  AudioFrontendConfig config = AudioFrontendConfig::micro_speech();
  config.table_arithmetic = frontend::TableArithmetic::kLegacyDouble;
  const Features f = run_frontend(config, read_clip(dir, clip), 4096);
  const auto u16 = as_bytes(f.u16);
  const auto want = read_bytes(golden + ".features_u16.bin");
  EXPECT_TRUE(u16 == want) << clip << ": differs at " << first_difference(u16, want, 2, 40);
  EXPECT_EQ(as_bytes(f.i8), read_bytes(golden + ".features_i8.bin"));
}

INSTANTIATE_TEST_SUITE_P(Clips, MicroSpeechFrontendGolden,
                         ::testing::Values("yes_1000ms", "no_1000ms", "noise_1000ms",
                                           "silence_1000ms", "yes_30ms", "no_30ms"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           return std::string(i.param);
                         });

// WAV -> front end -> int8 -> imported micro_speech capsule -> scores, as
// TFLM classifies the clips.
class MicroSpeechEndToEnd : public ::testing::TestWithParam<const char*> {};

const host::LoadedCapsule& micro_speech_capsule(const std::string& dir) {
  static host::LoadedCapsule* loaded = nullptr;
  if (loaded == nullptr) {
    const std::string path = dir + "/tflm_micro_speech/micro_speech_quantized.tflite";
    const host::AlignedBuffer model = host::read_file(path);
    host::CapsuleSpec spec;
    spec.identity.name = "micro_speech";
    spec.graph = host::import_tflite(model.span());
    host::BuiltCapsule built = host::build_capsule(std::move(spec));
    loaded = new host::LoadedCapsule(
        host::open_capsule(host::copy_to_aligned(built.bytes), "micro_speech"));
  }
  return *loaded;
}

TEST_P(MicroSpeechEndToEnd, ScoresEqualTflm) {
  REQUIRE_DATA(dir);
  const std::string clip = GetParam();
  const Features f = run_frontend(AudioFrontendConfig::micro_speech(), read_clip(dir, clip), 16000);
  ASSERT_EQ(f.i8.size(), 1960u);
  const Capsule& capsule = micro_speech_capsule(dir).capsule;
  host::AlignedBuffer arena(capsule.arena_bytes());
  Engine engine;
  Status s = engine.init(capsule, arena.data(), arena.size());
  ASSERT_TRUE(s.is_ok()) << s.message();
  TensorView in = engine.input(0);
  ASSERT_EQ(in.bytes, f.i8.size());
  std::memcpy(in.data, f.i8.data(), f.i8.size());
  s = engine.invoke();
  ASSERT_TRUE(s.is_ok()) << s.message();
  const TensorView out = engine.output(0);
  const auto* p = static_cast<const uint8_t*>(out.data);
  EXPECT_EQ(std::vector<uint8_t>(p, p + out.bytes),
            read_bytes(dir + "/golden/micro_speech/frontend_head/" + clip + ".scores_i8.bin"))
      << clip;
}

INSTANTIATE_TEST_SUITE_P(Clips, MicroSpeechEndToEnd,
                         ::testing::Values("yes_1000ms", "no_1000ms", "noise_1000ms",
                                           "silence_1000ms"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           return std::string(i.param);
                         });

// Ten seconds of the clips back to back, streamed in odd chunks: the same
// frames as clip mode, and the first second equals the first clip's golden.
TEST(MicroSpeechFrontendLong, TenSecondsStreamEqualsClipMode) {
  REQUIRE_DATA(dir);
  std::vector<int16_t> samples;
  const char* clips[] = {"yes_1000ms", "no_1000ms", "noise_1000ms", "silence_1000ms"};
  for (int i = 0; i < 10; ++i) {
    const auto c = read_clip(dir, clips[i % 4]);
    samples.insert(samples.end(), c.begin(), c.end());
  }
  const AudioFrontendConfig config = AudioFrontendConfig::micro_speech();
  const Features streamed = run_frontend(config, samples, 1237);
  std::vector<uint8_t> memory(AudioFrontend::state_bytes(config, 16000));
  AudioFrontend fe;
  ASSERT_TRUE(fe.init(config, 16000, memory.data(), memory.size()).is_ok());
  const size_t frames = fe.frames_for(samples.size());
  EXPECT_EQ(frames, 1 + (160000u - 480u) / 320u);
  std::vector<uint16_t> clip(frames * 40);
  size_t got = 0;
  ASSERT_TRUE(fe.process_clip(samples.data(), samples.size(), clip.data(), clip.size(), &got).is_ok());
  EXPECT_EQ(got, frames);
  EXPECT_TRUE(clip == streamed.u16);
  const auto first = read_bytes(dir + "/golden/micro_speech/frontend_head/yes_1000ms.features_u16.bin");
  const std::vector<uint8_t> all = as_bytes(clip);
  EXPECT_TRUE(std::vector<uint8_t>(all.begin(), all.begin() + 3920) == first);
}

}  // namespace
}  // namespace dsp
}  // namespace locus
