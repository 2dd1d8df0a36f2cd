// End-to-end against TensorFlow Lite Micro's own answers: every reference
// model is imported, packed into a capsule, verified, run by the runtime,
// and its output compared byte for byte with TFLM's golden output.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/tflite/tflite_importer.h"
#include "runtime/engine/engine.h"
#include "tests/support/tiny_models.h"

namespace locus {
namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  host::AlignedBuffer b = host::read_file(path);
  return {b.data(), b.data() + b.size()};
}

// Imports and builds each model once for the whole test binary.
const host::LoadedCapsule& capsule_for(const std::string& model_path) {
  static std::map<std::string, host::LoadedCapsule> cache;
  auto it = cache.find(model_path);
  if (it == cache.end()) {
    host::AlignedBuffer model = host::read_file(model_path);
    host::CapsuleSpec spec;
    spec.identity.name = model_path;
    spec.graph = host::import_tflite(model.span());
    host::BuiltCapsule built = host::build_capsule(std::move(spec));
    it = cache.emplace(model_path, host::open_capsule(host::copy_to_aligned(built.bytes),
                                                      model_path))
             .first;
  }
  return it->second;
}

std::vector<uint8_t> run(const Capsule& capsule, const std::vector<uint8_t>& input) {
  host::AlignedBuffer arena(capsule.arena_bytes());
  Engine engine;
  Status s = engine.init(capsule, arena.data(), arena.size());
  EXPECT_TRUE(s.is_ok()) << s.message();
  EXPECT_TRUE(engine.run_self_test().is_ok());
  TensorView in = engine.input(0);
  EXPECT_EQ(in.bytes, input.size());
  std::memcpy(in.data, input.data(), std::min(in.bytes, input.size()));
  s = engine.invoke();
  EXPECT_TRUE(s.is_ok()) << s.message();
  const TensorView out = engine.output(0);
  const auto* p = static_cast<const uint8_t*>(out.data);
  return {p, p + out.bytes};
}

// TFLM's arena_used_bytes() per model (golden/arena.csv).
std::map<std::string, uint32_t> tflm_arena_bytes(const std::string& data) {
  std::map<std::string, uint32_t> out;
  std::ifstream in(data + "/golden/arena.csv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream s(line);
    std::string name, used;
    std::getline(s, name, ',');
    std::getline(s, used, ',');
    if (!used.empty()) out[name] = static_cast<uint32_t>(std::stoul(used));
  }
  return out;
}

class MlperfTinyGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(MlperfTinyGolden, MatchesTflmByteForByte) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; golden tests need the datasets";
  const std::string model = GetParam();
  const host::LoadedCapsule& loaded =
      capsule_for(data + "/mlperf_tiny_models/" + model + ".tflite");
  for (int k = 0; k < 5; ++k) {
    const std::string dir = data + "/golden/mlperf_tiny/" + model + "/";
    const auto input = read_bytes(dir + "input_" + std::to_string(k) + ".bin");
    const auto expected = read_bytes(dir + "output_" + std::to_string(k) + ".bin");
    EXPECT_EQ(run(loaded.capsule, input), expected) << model << " input " << k;
  }
  const auto tflm = tflm_arena_bytes(data);
  ASSERT_TRUE(tflm.count(model));
  EXPECT_LE(loaded.capsule.arena_bytes(), tflm.at(model)) << "arena larger than TFLM's";
  EXPECT_GE(loaded.capsule.arena_bytes(), loaded.capsule.graph()->arena_lower_bound());
}

INSTANTIATE_TEST_SUITE_P(Models, MlperfTinyGolden,
                         ::testing::Values("kws_ref_model", "vww_96_int8",
                                           "pretrainedResnet_quant", "ad01_int8"));

class MicroSpeechGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(MicroSpeechGolden, ScoresMatchTflm) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; golden tests need the datasets";
  const host::LoadedCapsule& loaded =
      capsule_for(data + "/tflm_micro_speech/micro_speech_quantized.tflite");
  for (const char* frontend : {"frontend_head", "frontend_legacy", "audio_preprocessor_int8"}) {
    const std::string dir = data + "/golden/micro_speech/" + frontend + "/" + GetParam();
    EXPECT_EQ(run(loaded.capsule, read_bytes(dir + ".features_i8.bin")),
              read_bytes(dir + ".scores_i8.bin"))
        << frontend << " " << GetParam();
  }
  EXPECT_LE(loaded.capsule.arena_bytes(), tflm_arena_bytes(data).at("micro_speech_quantized"));
}

INSTANTIATE_TEST_SUITE_P(Clips, MicroSpeechGolden,
                         ::testing::Values("yes_1000ms", "no_1000ms", "noise_1000ms",
                                           "silence_1000ms"));

// 8-bit grayscale BMP (bottom-up rows, 4-byte row padding) -> the model's
// int8 input, top-down. TFLM's person_detection example turns its BMPs into
// C arrays of the raw pixel bytes and hands them to the int8 input unchanged,
// so the bytes are reinterpreted here too (not shifted by 128).
std::vector<uint8_t> bmp_to_int8(const std::vector<uint8_t>& bmp, int width, int height) {
  auto u32 = [&](size_t at) {
    return static_cast<uint32_t>(bmp.at(at) | bmp.at(at + 1) << 8 | bmp.at(at + 2) << 16 |
                                 bmp.at(at + 3) << 24);
  };
  EXPECT_EQ(bmp.at(0), 'B');
  EXPECT_EQ(static_cast<int>(u32(18)), width);
  EXPECT_EQ(static_cast<int>(u32(22)), height);
  EXPECT_EQ(bmp.at(28), 8);  // bits per pixel
  const uint32_t offset = u32(10);
  const int stride = (width + 3) / 4 * 4;
  std::vector<uint8_t> out(static_cast<size_t>(width * height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const uint8_t v = bmp.at(offset + static_cast<size_t>((height - 1 - y) * stride + x));
      out[static_cast<size_t>(y * width + x)] = v;
    }
  }
  return out;
}

TEST(PersonDetection, ClassifiesReferenceImages) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; golden tests need the datasets";
  const std::string dir = data + "/tflm_person_detection/";
  const host::LoadedCapsule& loaded = capsule_for(dir + "person_detect.tflite");
  // Outputs: no_person, person.
  const auto person = run(loaded.capsule, bmp_to_int8(read_bytes(dir + "person.bmp"), 96, 96));
  const auto nobody = run(loaded.capsule, bmp_to_int8(read_bytes(dir + "no_person.bmp"), 96, 96));
  ASSERT_EQ(person.size(), 2u);
  // Confident both ways (113 / -113 and -57 / 57 with these bytes).
  EXPECT_GT(static_cast<int8_t>(person[1]), 64);
  EXPECT_LT(static_cast<int8_t>(person[0]), -64);
  EXPECT_GT(static_cast<int8_t>(nobody[0]), 32);
  EXPECT_LT(static_cast<int8_t>(nobody[1]), -32);
}

}  // namespace
}  // namespace locus
