#include "host/features/feature_block.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/raw_runner.h"
#include "host/tflite/tflite_importer.h"
#include "host/common/error.h"
#include "runtime/dsp/frontend/audio_frontend.h"

namespace locus::host {
namespace {

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

std::string write(const std::string& name, const std::string& text) {
  std::ofstream(temp(name)) << text;
  return temp(name);
}

std::string error_of(const std::string& yaml) {
  const std::string path = write("block.yml", yaml);
  try {
    load_feature_block(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(FeatureBlock, ErrorsNameFileLineColumnAndKey) {
  const std::string path = temp("block.yml");
  EXPECT_EQ(error_of("audio_frontend:\n  window_ms: 30\n  chanels: 40\n"),
            path + ":3:3: audio_frontend: unknown key 'chanels' (expected one of: channels, "
                   "gain_control, log_scale, lower_band_hz, noise_reduction, output, preset, "
                   "sample_rate, step_ms, tables, upper_band_hz, window_ms)");
  EXPECT_EQ(error_of("audio_frontend:\n  channels: forty\n"),
            path + ":2:13: audio_frontend.channels: expected an integer, got 'forty'");
  EXPECT_EQ(error_of("audio_frontend:\n  gain_control: { strength: high }\n"),
            path + ":2:29: audio_frontend.gain_control.strength: expected a number, got 'high'");
  EXPECT_NE(error_of("mel_magic: {}\n").find(":1:1: unknown feature block 'mel_magic'"),
            std::string::npos);
  EXPECT_NE(error_of("audio_frontend: {channels: 0}\n").find("audio_frontend:"), std::string::npos);
  EXPECT_NE(error_of("audio_frontend: [1, 2\n").find(path + ":"), std::string::npos);
  EXPECT_NE(error_of("imu_features:\n  filter: { type: bandpass }\n").find("expected none, low_pass or high_pass"),
            std::string::npos);
}

TEST(FeatureBlock, UnknownPresetOrMissingFile) {
  try {
    load_feature_block("no_such_preset");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a preset (presets: "), std::string::npos) << e.what();
  }
}

TEST(FeatureBlock, MicroSpeechPresetReproducesTflmFeatures) {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  auto block = load_feature_block("micro_speech");
  EXPECT_EQ(block->kind(), "audio_frontend");
  EXPECT_EQ(block->sample_rate(), 16000u);
  for (const char* clip : {"yes_1000ms", "no_1000ms", "noise_1000ms", "silence_1000ms"}) {
    const FeatureMatrix m =
        block->compute_file(std::string(data) + "/tflm_micro_speech/" + clip + ".wav");
    ASSERT_EQ(m.frames, 49);
    ASSERT_EQ(m.features, 40);
    AlignedBuffer golden = read_file(std::string(data) + "/golden/micro_speech/frontend_head/" +
                                     clip + ".features_i8.bin");
    ASSERT_EQ(golden.size(), 1960u);
    for (size_t i = 0; i < golden.size(); ++i) {
      ASSERT_EQ(m.values[i], static_cast<int8_t>(golden.data()[i])) << clip << " value " << i;
    }
  }
}

TEST(FeatureBlock, YamlParametersReachTheBlock) {
  const std::string path =
      write("fe.yml", "audio_frontend:\n  window_ms: 30\n  step_ms: 20\n  channels: 40\n"
                      "  gain_control: { strength: 0.95 }\n");
  auto block = load_feature_block(path);
  Audio clip;
  clip.sample_rate = 16000;
  clip.samples.assign(16000, 0);
  for (size_t i = 0; i < clip.samples.size(); ++i) {
    clip.samples[i] = static_cast<int16_t>(8000 * std::sin(i * 0.3));
  }
  write_wav(temp("tone.wav"), clip);
  const FeatureMatrix m = block->compute_file(temp("tone.wav"));
  EXPECT_EQ(m.frames, 49);
  EXPECT_EQ(m.features, 40);
  EXPECT_EQ(m.type, FeatureType::kUInt16);
}

TEST(FeatureBlock, ImuWindowsOverCsv) {
  std::string csv = "timestamp,ax,ay,az\n";
  for (int i = 0; i < 450; ++i) {
    csv += std::to_string(i * 10) + "," + std::to_string(std::sin(2 * M_PI * 5 * i / 100.0)) +
           ",0.25,1\n";
  }
  const std::string data = write("imu.csv", csv);
  const std::string config =
      write("imu.yml", "imu_features:\n  axes: 3\n  sample_rate: 100\n  window_ms: 2000\n"
                       "  stride_ms: 500\n  stats: [rms, mean]\n  spectrum: { kind: none }\n"
                       "  peaks: { count: 0 }\n");
  auto block = load_feature_block(config);
  const FeatureMatrix m = block->compute_file(data);
  EXPECT_EQ(m.frames, 1 + (450 - 200) / 50);
  EXPECT_EQ(m.features, 6);  // 3 axes x (rms, mean)
  // Axis y is constant 0.25: RMS and mean are exact.
  EXPECT_FLOAT_EQ(m.at(0, 2), 0.25f);
  EXPECT_FLOAT_EQ(m.at(0, 3), 0.25f);
  EXPECT_NEAR(m.at(0, 0), std::sqrt(0.5), 1e-3);  // RMS of a unit sine

  const std::string two_axes = write("imu2.csv", "ax,ay\n1,2\n");
  EXPECT_THROW(block->compute_file(two_axes), Error);
}

TEST(FeatureBlock, SpectralBlocksFromYaml) {
  Audio clip;
  clip.sample_rate = 16000;
  for (int i = 0; i < 12000; ++i) {
    clip.samples.push_back(static_cast<int16_t>(6000 * std::sin(2 * M_PI * 1000 * i / 16000.0)));
  }
  write_wav(temp("tone1k.wav"), clip);
  auto mfcc = load_feature_block(write("mfcc.yml", "mfcc: { clip_ms: 1000 }\n"));
  FeatureMatrix m = mfcc->compute_file(temp("tone1k.wav"));
  EXPECT_EQ(m.frames, 49);  // padded to 1 s
  EXPECT_EQ(m.features, 10);
  EXPECT_EQ(m.type, FeatureType::kFloat32);

  auto mfe = load_feature_block(write("mfe.yml", "mfe: { window_ms: 25, step_ms: 10, mel_bands: 32 }\n"));
  m = mfe->compute_file(temp("tone1k.wav"));
  EXPECT_EQ(m.features, 32);
  EXPECT_EQ(m.frames, 1 + (12000 - 400) / 160);

  auto spec = load_feature_block(write("spec.yml", "spectrogram: { fft_length: 256, frame_length: 256, frame_step: 128 }\n"));
  m = spec->compute_file(temp("tone1k.wav"));
  EXPECT_EQ(m.features, 129);
  // A 1 kHz tone at 16 kHz lands in bin 1000 / (16000 / 256) = 16.
  int32_t loudest = 0;
  for (int32_t k = 0; k < m.features; ++k) {
    if (m.at(10, k) > m.at(10, loudest)) loudest = k;
  }
  EXPECT_EQ(loudest, 16);

  EXPECT_NE(error_of("mfcc: { window: hanning }\n").find(":1:17: window: expected one of none, hann,"),
            std::string::npos)
      << error_of("mfcc: { window: hanning }\n");
  EXPECT_NE(error_of("mfcc: { quantize: { scale: 0 } }\n").find("quantize.scale: must be positive"),
            std::string::npos);
  EXPECT_NE(error_of("mfcc: { fft_length: 300 }\n").find("mfcc:"), std::string::npos);
}

TEST(FeatureBlock, Int8OutputsSayWhatTheyMean) {
  // micro_speech: the front end's int8 mapping (f * 256 + 333) / 666 - 128 is
  // exactly rounding TFLM's training value f / 25.6 with the declared scale
  // and zero point, for every uint16 feature.
  const auto micro = load_feature_block("micro_speech")->output_quantization();
  ASSERT_TRUE(micro.has_value());
  EXPECT_EQ(micro->scale, 1665.0f / 16384.0f);
  EXPECT_EQ(micro->zero_point, -128);
  std::vector<uint16_t> f(65536);
  for (size_t i = 0; i < f.size(); ++i) f[i] = static_cast<uint16_t>(i);
  std::vector<int8_t> q(f.size());
  dsp::frontend_to_int8_micro_speech(f.data(), static_cast<int32_t>(f.size()), q.data());
  for (size_t i = 0; i < f.size(); ++i) {
    const double real = f[i] / 25.6;
    const double rounded = std::floor(real / micro->scale + 0.5) + micro->zero_point;
    ASSERT_EQ(q[i], static_cast<int8_t>(std::clamp(rounded, -128.0, 127.0))) << f[i];
    if (q[i] < 127) ASSERT_LE(std::abs((q[i] - micro->zero_point) * double{micro->scale} - real),
                              micro->scale / 2 + 1e-9) << f[i];
  }
  EXPECT_FALSE(load_feature_block(write("fe16.yml", "audio_frontend: { preset: micro_speech }\n"))
                   ->output_quantization());

  const auto kws = load_feature_block("mlperf_kws")->output_quantization();
  ASSERT_TRUE(kws.has_value());
  EXPECT_EQ(kws->scale, 0.5847029089927673f);
  EXPECT_EQ(kws->zero_point, 83);
  EXPECT_FALSE(load_feature_block(write("mfcc_f.yml", "mfcc: {}\n"))->output_quantization());
  EXPECT_FALSE(load_feature_block(write("imu_q.yml", "imu_features: { axes: 3 }\n"))
                   ->output_quantization());

  EXPECT_FALSE(load_feature_block("person_detect")->output_quantization());  // raw bytes
  const auto camera =
      load_feature_block(write("img.yml", "image_preprocess: { width: 8, height: 8 }\n"))
          ->output_quantization();
  ASSERT_TRUE(camera.has_value());
  EXPECT_EQ(camera->scale, 1.0f / 255.0f);
  EXPECT_EQ(camera->zero_point, -128);
  const auto affine = load_feature_block(write("img_a.yml",
                                               "image_preprocess: { width: 8, height: 8, "
                                               "quantization: affine, input_scale: 0.02, "
                                               "input_zero_point: -3 }\n"))
                          ->output_quantization();
  ASSERT_TRUE(affine.has_value());
  EXPECT_EQ(affine->scale, 0.02f);
  EXPECT_EQ(affine->zero_point, -3);
}

TEST(FeatureBlock, MlperfKwsPresetGivesTheModelsInput) {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  auto block = load_feature_block("mlperf_kws");
  const std::string dir = std::string(data) + "/speech_commands_test_v0.02/yes/";
  const FeatureMatrix m = block->compute_file(dir + "022cd682_nohash_0.wav");
  EXPECT_EQ(m.frames, 49);
  EXPECT_EQ(m.features, 10);
  EXPECT_EQ(m.type, FeatureType::kInt8);
  // Those features make the MLPerf KWS model say "yes" (label 9).
  AlignedBuffer model = read_file(std::string(data) + "/mlperf_tiny_models/kws_ref_model.tflite");
  CapsuleSpec spec;
  spec.graph = import_tflite(model.span());
  LoadedCapsule loaded = open_capsule(copy_to_aligned(build_capsule(std::move(spec)).bytes), "kws");
  std::vector<uint8_t> input(m.values.size());
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>(static_cast<int8_t>(m.values[i]));
  const RawRunResult r = run_raw(loaded.capsule, input, RawRunOptions());
  const auto& out = r.outputs.at(0);
  const auto best = std::max_element(out.begin(), out.end(), [](uint8_t a, uint8_t b) {
    return static_cast<int8_t>(a) < static_cast<int8_t>(b);
  });
  EXPECT_EQ(best - out.begin(), 9);
}

TEST(FeatureBlock, PersonDetectPresetFeedsTheModel) {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string dir = std::string(data) + "/tflm_person_detection/";
  auto block = load_feature_block("person_detect");
  AlignedBuffer model = read_file(dir + "person_detect.tflite");
  CapsuleSpec spec;
  spec.graph = import_tflite(model.span());
  LoadedCapsule loaded = open_capsule(copy_to_aligned(build_capsule(std::move(spec)).bytes), "pd");
  for (const auto& [file, expected] : {std::pair{"person.bmp", std::vector<int8_t>{-113, 113}},
                                       std::pair{"no_person.bmp", std::vector<int8_t>{57, -57}}}) {
    const FeatureMatrix m = block->compute_file(dir + file);
    ASSERT_EQ(m.frames, 96);
    ASSERT_EQ(m.features, 96);
    std::vector<uint8_t> input(m.values.size());
    for (size_t i = 0; i < input.size(); ++i) {
      input[i] = static_cast<uint8_t>(static_cast<int8_t>(m.values[i]));
    }
    const RawRunResult result = run_raw(loaded.capsule, input, RawRunOptions());
    const auto& out = result.outputs.at(0);
    EXPECT_EQ(static_cast<int8_t>(out[0]), expected[0]) << file;
    EXPECT_EQ(static_cast<int8_t>(out[1]), expected[1]) << file;
  }
  EXPECT_NE(error_of("image_preprocess: { resize: cubic }\n").find("expected bilinear or nearest"),
            std::string::npos);
}

}  // namespace
}  // namespace locus::host
