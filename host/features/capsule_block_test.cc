// Feature blocks made from a capsule's DSP block: the same block, the same
// features, as the YAML block the capsule was built from; bad capsule
// parameters are clear errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/features/feature_block.h"
#include "host/pipeline/pipeline_builder.h"
#include "host/pipeline/pipeline_file.h"
#include "host/sensors/image_file.h"

namespace locus::host {
namespace {

namespace fs = std::filesystem;

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

std::vector<uint8_t> packed(const schema::DspBlockT& block) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(schema::DspBlock::Pack(fbb, &block));
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

std::unique_ptr<FeatureBlock> from_yaml(const std::string& yaml) {
  return make_feature_block(YAML::Load(yaml), "block.yml");
}

// Every property a consumer reads, and the capsule form byte for byte.
void expect_same_block(const FeatureBlock& yaml, const FeatureBlock& capsule) {
  EXPECT_EQ(yaml.kind(), capsule.kind());
  EXPECT_EQ(yaml.implementation_version(), capsule.implementation_version());
  EXPECT_EQ(yaml.sample_rate(), capsule.sample_rate());
  EXPECT_EQ(yaml.state_bytes(), capsule.state_bytes());
  EXPECT_EQ(yaml.features_per_frame(), capsule.features_per_frame());
  EXPECT_EQ(yaml.output_type(), capsule.output_type());
  EXPECT_EQ(yaml.frame_length(), capsule.frame_length());
  EXPECT_EQ(yaml.frame_step(), capsule.frame_step());
  const auto q = yaml.output_quantization(), cq = capsule.output_quantization();
  ASSERT_EQ(q.has_value(), cq.has_value());
  if (q) {
    EXPECT_EQ(q->scale, cq->scale);
    EXPECT_EQ(q->zero_point, cq->zero_point);
  }
  EXPECT_EQ(capsule.host_options(), "");
  EXPECT_EQ(packed(yaml.to_capsule()), packed(capsule.to_capsule()));
}

void expect_same_features(const FeatureMatrix& a, const FeatureMatrix& b, const std::string& what) {
  ASSERT_EQ(a.frames, b.frames) << what;
  ASSERT_EQ(a.features, b.features) << what;
  ASSERT_EQ(a.type, b.type) << what;
  ASSERT_EQ(a.values.size(), b.values.size()) << what;
  EXPECT_GT(a.frames, 0) << what;
  EXPECT_EQ(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)), 0)
      << what;
}

std::unique_ptr<FeatureBlock> round_trip(const FeatureBlock& yaml) {
  return feature_block_from_capsule(yaml.to_capsule(), yaml.sample_rate(), "test.capsule");
}

// A chirp over noise, so every band and coefficient moves.
std::string chirp_wav() {
  Audio a;
  a.sample_rate = 16000;
  uint32_t r = 1;
  for (int i = 0; i < 16000; ++i) {
    r = r * 1664525u + 1013904223u;
    const double t = i / 16000.0;
    const double tone = 5000 * std::sin(2 * M_PI * (100 + 3000 * t) * t);
    a.samples.push_back(static_cast<int16_t>(tone + static_cast<int32_t>(r >> 22) - 512));
  }
  write_wav(temp("chirp.wav"), a);
  return temp("chirp.wav");
}

// Real Speech Commands clips when LOCUS_TEST_DATA is set.
std::vector<std::string> speech_clips() {
  std::vector<std::string> out;
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) return out;
  for (const char* label : {"up", "left", "_unknown_"}) {
    const fs::path dir = fs::path(data) / "speech_commands_test_v0.02" / label;
    if (!fs::is_directory(dir)) continue;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < files.size() && i < 2; ++i) out.push_back(files[i]);
  }
  return out;
}

TEST(FeatureBlockFromCapsule, AudioBlocksComputeTheYamlBlocksFeatures) {
  const std::vector<std::string> blocks = {
      "audio_frontend: { preset: micro_speech, output: int8 }",
      "audio_frontend: { channels: 32, tables: legacy_double }",
      "audio_frontend: { sample_rate: 8000, window_ms: 32, step_ms: 16, channels: 20, "
      "upper_band_hz: 3800, gain_control: { strength: 0.9 } }",
      "spectrogram: { fft_length: 256, frame_length: 256, frame_step: 128, log: decibel }",
      "mfe: { mel_bands: 32, quantize: { scale: 0.25, zero_point: -10 } }",
      "mfe: { sample_rate: 8000, mel_bands: 20, upper_hz: 4000, arithmetic: fixed }",
      "mfcc: {}",
      "mfcc: { window: hamming, arithmetic: fixed, quantize: { scale: 0.5847029089927673, "
      "zero_point: 83 } }",
  };
  std::vector<std::string> clips = {chirp_wav()};
  const std::vector<std::string> speech = speech_clips();
  clips.insert(clips.end(), speech.begin(), speech.end());
  if (speech.empty()) std::cout << "LOCUS_TEST_DATA is not set: synthetic clip only\n";
  for (const std::string& yaml : blocks) {
    SCOPED_TRACE(yaml);
    auto block = from_yaml(yaml);
    auto capsule = round_trip(*block);
    expect_same_block(*block, *capsule);
    for (const std::string& clip : clips) {
      expect_same_features(block->compute_file(clip), capsule->compute_file(clip), clip);
    }
  }
  // The int8 front end says what its values mean, from the capsule too.
  const auto q = round_trip(*from_yaml(blocks[0]))->output_quantization();
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->scale, 1665.0f / 16384.0f);
  EXPECT_EQ(q->zero_point, -128);
  const auto kws = round_trip(*from_yaml(blocks[7]))->output_quantization();
  ASSERT_TRUE(kws.has_value());
  EXPECT_EQ(kws->scale, 0.5847029089927673f);
  EXPECT_EQ(kws->zero_point, 83);
}

TEST(FeatureBlockFromCapsule, ClipOptionsStayOnTheHost) {
  // normalize and clip_ms are not in a capsule: the capsule's block has
  // none, and says so through host_options().
  auto block = from_yaml("mfcc: { normalize: peak, clip_ms: 1000 }");
  EXPECT_EQ(block->host_options(), "normalize=peak;clip_ms=0x1.f4p+9;");
  auto capsule = round_trip(*block);
  EXPECT_EQ(capsule->host_options(), "");
  EXPECT_EQ(packed(block->to_capsule()), packed(capsule->to_capsule()));
  expect_same_block(*from_yaml("mfcc: {}"), *capsule);
}

TEST(FeatureBlockFromCapsule, ImuAndImageBlocks) {
  std::string csv = "timestamp,ax,ay,az\n";
  for (int i = 0; i < 650; ++i) {
    const double t = i / 100.0;
    csv += std::to_string(i * 10) + "," + std::to_string(std::sin(2 * M_PI * 5 * t)) + "," +
           std::to_string(0.3 * std::sin(2 * M_PI * 12 * t) + 0.01 * (i % 7)) + "," +
           std::to_string(1 + 0.2 * std::cos(2 * M_PI * 2 * t)) + "\n";
  }
  std::ofstream(temp("imu.csv")) << csv;
  Image rgb;
  rgb.width = 50;
  rgb.height = 37;
  rgb.format = dsp::PixelFormat::kRgb888;
  for (int i = 0; i < rgb.width * rgb.height * 3; ++i) {
    rgb.pixels.push_back(static_cast<uint8_t>((i * 37 + i / 150) & 255));
  }
  const std::vector<uint8_t> ppm = encode_pnm(rgb);
  std::ofstream(temp("image.ppm"), std::ios::binary)
      .write(reinterpret_cast<const char*>(ppm.data()), static_cast<std::streamsize>(ppm.size()));

  const std::vector<std::pair<std::string, std::string>> blocks = {
      {"imu_features: { axes: 3, sample_rate: 100, window_ms: 2000, stride_ms: 500 }", "imu.csv"},
      {"imu_features: { axes: 3, sample_rate: 100, window_ms: 1500, stride_ms: 250, "
       "filter: { type: high_pass, cutoff_hz: 1, order: 2 }, stats: [rms, kurtosis, max], "
       "spectrum: { kind: log_bins, fft_length: 64, window: rectangular }, peaks: { count: 2 } }",
       "imu.csv"},
      {"image_preprocess: {}", "image.ppm"},
      {"image_preprocess: { width: 24, height: 16, channels: 3, crop: none, resize: nearest, "
       "quantization: affine, input_scale: 0.02, input_zero_point: -5, real_min: -1, real_max: 1 }",
       "image.ppm"},
      {"image_preprocess: { width: 20, height: 20, quantization: raw }", "image.ppm"},
  };
  for (const auto& [yaml, file] : blocks) {
    SCOPED_TRACE(yaml);
    auto block = from_yaml(yaml);
    auto capsule = round_trip(*block);
    expect_same_block(*block, *capsule);
    expect_same_features(block->compute_file(temp(file)), capsule->compute_file(temp(file)), file);
  }
}

// The capsule `locus build` writes for the micro_speech example, whose
// feature block is also the keywords example's: the block read back from
// the capsule is the pipeline's block.
TEST(FeatureBlockFromCapsule, ExamplePipelineCapsules) {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set (the example imports TFLM's model)";
  const std::string examples = std::string(LOCUS_SOURCE_DIR) + "/examples/";
  const PipelineFile micro = load_pipeline(examples + "micro_speech/locus.yml");
  const PipelineBuild build = build_pipeline(micro, {});
  const LoadedCapsule loaded = open_capsule(copy_to_aligned(build.bytes), "micro_speech.capsule");
  auto capsule = feature_block_from_capsule(*loaded.capsule.body(), "micro_speech.capsule");
  const std::vector<std::string> clips = speech_clips();
  ASSERT_FALSE(clips.empty());
  for (const char* name : {"micro_speech", "keywords"}) {
    SCOPED_TRACE(name);
    PipelineFeatures yaml = pipeline_features(load_pipeline(examples + name + "/locus.yml"));
    expect_same_block(*yaml.block, *capsule);
    for (const std::string& clip : clips) {
      expect_same_features(yaml.block->compute_file(clip), capsule->compute_file(clip), clip);
    }
  }
}

// A valid block's capsule form with one thing broken, and the message it gives.
std::string error_of(schema::DspBlockT block, uint32_t rate = 16000) {
  try {
    feature_block_from_capsule(block, rate, "base.capsule");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

schema::DspBlockT capsule_form(const std::string& yaml) { return from_yaml(yaml)->to_capsule(); }

TEST(FeatureBlockFromCapsule, BadParametersAreClearErrors) {
  auto frontend = capsule_form("audio_frontend: { preset: micro_speech }");
  auto mfcc = capsule_form("mfcc: {}");
  auto imu = capsule_form("imu_features: { axes: 3 }");
  auto image = capsule_form("image_preprocess: {}");

  auto b = mfcc;
  b.params.AsSpectralParams()->window = 9;
  EXPECT_EQ(error_of(b), "base.capsule: dsp block 0 (mfcc): window 9 is not a known window");
  b = frontend;
  b.params.AsAudioFrontendParams()->window_ms = 0;
  EXPECT_EQ(error_of(b),
            "base.capsule: dsp block 0 (audio_frontend): window_ms (0) and step_ms (20) must be > 0");
  b = frontend;
  b.params.AsAudioFrontendParams()->channels = 100000;  // passes conversion, not the block
  EXPECT_NE(error_of(b).find("base.capsule: dsp block 0: audio_frontend: "), std::string::npos)
      << error_of(b);
  b = imu;
  b.params.AsImuFeaturesParams()->stride_frames = 0;
  EXPECT_NE(error_of(b).find("base.capsule: dsp block 0 (imu_features): stride_frames is 0"),
            std::string::npos) << error_of(b);
  b = image;
  b.params.AsImagePreprocessParams()->width = 0;
  EXPECT_NE(error_of(b).find("base.capsule: dsp block 0: image_preprocess: "), std::string::npos)
      << error_of(b);
  b = mfcc;
  b.params.AsSpectralParams()->fft_length = 300;
  EXPECT_NE(error_of(b).find("base.capsule: dsp block 0: mfcc: "), std::string::npos)
      << error_of(b);

  // Wrong union type, kind, version; no rate for an audio block.
  b = frontend;
  b.params = capsule_form("mfcc: {}").params;
  EXPECT_EQ(error_of(b), "base.capsule: dsp block 0 (audio_frontend): parameters are "
                         "SpectralParams, expected AudioFrontendParams");
  b = frontend;
  b.params.Reset();
  EXPECT_NE(error_of(b).find("parameters are none, expected AudioFrontendParams"),
            std::string::npos);
  b = mfcc;
  b.kind = "mfe";
  EXPECT_NE(error_of(b).find("(mfe): SpectralParams.kind 2 does not match"), std::string::npos)
      << error_of(b);
  b = mfcc;
  b.kind = "wavelets";
  EXPECT_EQ(error_of(b), "base.capsule: dsp block 0 (wavelets): unknown block kind");
  b = mfcc;
  b.implementation_version += 1;
  EXPECT_NE(error_of(b).find("implementation version"), std::string::npos);
  EXPECT_NE(error_of(mfcc, 0).find("the input's sample_rate_hz is 0"), std::string::npos);
  b = mfcc;
  b.params.AsSpectralParams()->quant_scale = NAN;
  b.params.AsSpectralParams()->quantize = true;
  EXPECT_NE(error_of(b).find("quant_scale must be positive and finite"), std::string::npos);
}

TEST(FeatureBlockFromCapsule, CapsuleBodyNeedsOneBlock) {
  schema::CapsuleBodyT body;
  body.input = std::make_unique<schema::InputSpecT>();
  body.input->sample_rate_hz = 16000;
  auto make = [&] {
    flatbuffers::FlatBufferBuilder fbb;
    fbb.Finish(schema::CapsuleBody::Pack(fbb, &body));
    const auto* root = flatbuffers::GetRoot<schema::CapsuleBody>(fbb.GetBufferPointer());
    return feature_block_from_capsule(*root, "base.capsule");
  };
  try {
    make();
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "base.capsule: the capsule has 0 DSP blocks; features come from exactly one");
  }
  body.dsp.push_back(std::make_unique<schema::DspBlockT>(capsule_form("mfe: {}")));
  EXPECT_EQ(make()->kind(), "mfe");
}

}  // namespace
}  // namespace locus::host
