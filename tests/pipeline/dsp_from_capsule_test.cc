// Capsule DSP blocks -> runtime configs: for every block kind, the host
// block's to_capsule() converted back must compute exactly the host block's
// features; and untrusted parameter values must be refused by name.
#include "runtime/pipeline/dsp_from_capsule.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_file.h"
#include "host/features/feature_block.h"
#include "host/sensors/image_file.h"
#include "host/sensors/imu_csv.h"

namespace locus {
namespace {

// One DspBlockT as a standalone FlatBuffer (the same table a capsule holds).
struct PackedBlock {
  explicit PackedBlock(const schema::DspBlockT& t) {
    fbb.Finish(schema::DspBlock::Pack(fbb, &t));
    block = flatbuffers::GetRoot<schema::DspBlock>(fbb.GetBufferPointer());
  }
  flatbuffers::FlatBufferBuilder fbb;
  const schema::DspBlock* block = nullptr;
};

Status convert(const schema::DspBlockT& t, DspBlockConfig* out, uint32_t rate = 16000,
               uint32_t index = 0) {
  PackedBlock packed(t);
  return dsp_block_from_capsule(packed.block, index, rate, out);
}

std::unique_ptr<host::FeatureBlock> yaml_block(const std::string& yaml) {
  return host::make_feature_block(YAML::Load(yaml), "test.yml");
}

// 0.6 s of a chirp with a little deterministic noise, 16 kHz.
host::Audio test_clip() {
  host::Audio a;
  a.sample_rate = 16000;
  uint32_t state = 12345;
  for (int i = 0; i < 9600; ++i) {
    const double t = i / 16000.0;
    state = state * 1664525u + 1013904223u;
    const double noise = static_cast<double>(static_cast<int32_t>(state >> 16) - 32768) / 32768.0;
    const double v = 0.4 * std::sin(2 * M_PI * (200 + 3000 * t) * t) + 0.02 * noise;
    a.samples.push_back(static_cast<int16_t>(std::lround(v * 32767)));
  }
  return a;
}

// Runtime features of a whole clip with the converted config, in the
// block's output type, as floats.
std::vector<float> runtime_audio_features(const DspBlockConfig& c, const host::Audio& clip) {
  std::vector<float> values;
  if (c.kind == DspBlockKind::kAudioFrontend) {
    dsp::AudioFrontend fe;
    std::vector<uint8_t> state(dsp::AudioFrontend::state_bytes(c.audio, c.sample_rate_hz));
    const Status s = fe.init(c.audio, c.sample_rate_hz, state.data(), state.size());
    EXPECT_TRUE(s.is_ok()) << s.message();
    if (!s) return values;
    const size_t frames = fe.frames_for(clip.samples.size());
    std::vector<uint16_t> out(frames * static_cast<size_t>(fe.channels()));
    size_t produced = 0;
    EXPECT_TRUE(fe.process_clip(clip.samples.data(), clip.samples.size(), out.data(), out.size(),
                                &produced).is_ok());
    if (c.int8_output) {
      std::vector<int8_t> q(out.size());
      dsp::frontend_to_int8_micro_speech(out.data(), static_cast<int32_t>(out.size()), q.data());
      values.assign(q.begin(), q.end());
    } else {
      values.assign(out.begin(), out.end());
    }
    return values;
  }
  dsp::Spectrogram spectrogram;
  dsp::Mfe mfe;
  dsp::Mfcc mfcc;
  dsp::SpectralBlock* block = nullptr;
  std::vector<uint8_t> state(dsp_block_state_bytes(c));
  Status s;
  switch (c.kind) {
    case DspBlockKind::kSpectrogram:
      s = spectrogram.init(c.spectrogram, state.data(), state.size());
      block = &spectrogram;
      break;
    case DspBlockKind::kMfe:
      s = mfe.init(c.mfe, state.data(), state.size());
      block = &mfe;
      break;
    case DspBlockKind::kMfcc:
      s = mfcc.init(c.mfcc, state.data(), state.size());
      block = &mfcc;
      break;
    default: ADD_FAILURE() << "not an audio block"; return values;
  }
  EXPECT_TRUE(s.is_ok()) << s.message();
  if (!s) return values;
  const size_t n = block->frames_in(clip.samples.size()) * block->feature_count();
  size_t frames = 0;
  if (c.arithmetic() == dsp::Arithmetic::kFixed) {
    std::vector<int16_t> out(n);
    EXPECT_TRUE(block->compute_clip(clip.samples.data(), clip.samples.size(), out.data(), n,
                                    &frames).is_ok());
    if (c.quantize) {
      dsp::FixedFeatureQuantizer q;
      EXPECT_TRUE(q.init(c.quant_scale, c.quant_zero_point, c.fixed_frac_bits()).is_ok());
      std::vector<int8_t> v(n);
      q.quantize(out.data(), n, v.data());
      values.assign(v.begin(), v.end());
    } else {
      for (int16_t v : out) values.push_back(v / static_cast<float>(1 << c.fixed_frac_bits()));
    }
  } else {
    std::vector<float> in = host::to_float(clip.samples);
    values.resize(n);
    EXPECT_TRUE(block->compute_clip(in.data(), in.size(), values.data(), n, &frames).is_ok());
    if (c.quantize) {
      std::vector<int8_t> v(n);
      dsp::quantize_features(values.data(), n, c.quant_scale, c.quant_zero_point, v.data());
      values.assign(v.begin(), v.end());
    }
  }
  return values;
}

class AudioRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(AudioRoundTrip, ConvertedConfigComputesTheHostFeatures) {
  const std::string& yaml = GetParam();
  auto block = yaml == "micro_speech" ? host::load_feature_block("micro_speech") : yaml_block(yaml);
  auto* audio_block = dynamic_cast<host::AudioFeatureBlock*>(block.get());
  ASSERT_NE(audio_block, nullptr);
  DspBlockConfig config;
  const Status s = convert(block->to_capsule(), &config, block->sample_rate());
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(std::string(dsp_block_kind_name(config.kind)), block->kind());
  EXPECT_EQ(config.frame_length(), static_cast<uint32_t>(block->frame_length()));
  EXPECT_EQ(config.frame_step(), static_cast<uint32_t>(block->frame_step()));
  EXPECT_EQ(dsp_block_state_bytes(config), block->state_bytes());
  const host::FeatureType types[] = {host::FeatureType::kInt8, host::FeatureType::kUInt16,
                                     host::FeatureType::kInt16, host::FeatureType::kFloat32};
  // The host reports fixed-point features as float (scaled), so compare
  // only the int8 / non-int8 distinction there.
  EXPECT_EQ(config.output_element() == FeatureElement::kInt8,
            block->output_type() == host::FeatureType::kInt8);
  if (config.kind == DspBlockKind::kAudioFrontend) {
    EXPECT_EQ(types[static_cast<int>(config.output_element())], block->output_type());
  }

  const host::Audio clip = test_clip();
  const host::FeatureMatrix expected = audio_block->compute(clip);
  const std::vector<float> actual = runtime_audio_features(config, clip);
  ASSERT_EQ(actual.size(), expected.values.size());
  ASSERT_GT(actual.size(), 0u);
  size_t differ = 0;
  for (size_t i = 0; i < actual.size(); ++i) differ += actual[i] != expected.values[i];
  EXPECT_EQ(differ, 0u) << "of " << actual.size() << " values";
}

INSTANTIATE_TEST_SUITE_P(
    Blocks, AudioRoundTrip,
    ::testing::Values(
        "micro_speech",
        "audio_frontend: {window_ms: 25, step_ms: 10, channels: 32, tables: legacy_double, "
        "output: uint16, gain_control: {strength: 0.9, offset: 70, gain_bits: 20}, "
        "log_scale: {scale_shift: 5}}",
        "spectrogram: {frame_length: 400, frame_step: 160, fft_length: 512, window: hamming, "
        "spectrum: magnitude, log: decibel, noise_floor_db: -90}",
        "spectrogram: {frame_length: 256, frame_step: 128, fft_length: 256, arithmetic: fixed, "
        "fixed_frac_bits: 4}",
        "mfe: {frame_length: 320, frame_step: 160, fft_length: 512, mel_bands: 32, lower_hz: 80, "
        "upper_hz: 7600, log: decibel, noise_floor_db: -60, normalize_noise_floor: true}",
        "mfe: {mel_bands: 40, arithmetic: fixed, quantize: {scale: 0.25, zero_point: -20}}",
        "mfcc: {window_ms: 30, step_ms: 20, coefficients: 13, mel_bands: 40, window: "
        "hann_symmetric, quantize: {scale: 0.5847029, zero_point: 83}}",
        "mfcc: {coefficients: 10, arithmetic: fixed, fixed_frac_bits: 8}"));

TEST(ImuRoundTrip, ConvertedConfigComputesTheHostFeatures) {
  auto block = yaml_block(
      "imu_features: {axes: 3, sample_rate: 100, window_ms: 1000, stride_ms: 250, scale: 0.5, "
      "filter: {type: low_pass, cutoff_hz: 20, order: 4}, stats: [rms, std, kurtosis, max], "
      "spectrum: {kind: band_power, fft_length: 64, window: hann, bands_hz: [0, 2, 8, 20, 50]}, "
      "peaks: {count: 2, threshold: 0.001}}");
  DspBlockConfig config;
  Status s = convert(block->to_capsule(), &config, 100);
  ASSERT_TRUE(s.is_ok()) << s.message();
  ASSERT_EQ(config.kind, DspBlockKind::kImuFeatures);
  EXPECT_EQ(config.imu.max_frames, 100);
  EXPECT_EQ(config.imu_stride_frames, 25);
  EXPECT_EQ(config.imu.band_count, 4);

  // A recording as CSV (no timestamps), then the same samples by hand.
  std::vector<float> samples;
  std::string csv = "x,y,z\n";
  for (int i = 0; i < 260; ++i) {
    const float t = static_cast<float>(i) / 100.0f;
    const float v[3] = {std::sin(2.0f * 3.14159f * 3.0f * t), 0.5f * std::cos(2.0f * 3.14159f * 11.0f * t),
                        static_cast<float>(i % 9) * 0.1f - 0.4f};
    for (int a = 0; a < 3; ++a) {
      samples.push_back(v[a]);
      csv += std::to_string(v[a]) + (a < 2 ? "," : "\n");
    }
  }
  // What the CSV reader parses is what both sides compute on.
  const host::ImuRecording rec = host::parse_imu_csv(csv, "test.csv");
  samples = rec.samples;
  const std::string path = ::testing::TempDir() + "/pipeline_imu_roundtrip.csv";
  std::ofstream(path) << csv;
  const host::FeatureMatrix expected = block->compute_file(path);

  dsp::ImuFeatures imu;
  std::vector<uint8_t> state(dsp::ImuFeatures::state_bytes(config.imu));
  s = imu.init(config.imu, state.data(), state.size());
  ASSERT_TRUE(s.is_ok()) << s.message();
  const int32_t windows = 1 + (260 - 100) / 25;
  ASSERT_EQ(expected.frames, windows);
  std::vector<float> f(imu.feature_count());
  ASSERT_EQ(static_cast<size_t>(expected.features), f.size());
  for (int32_t w = 0; w < windows; ++w) {
    ASSERT_TRUE(imu.compute(samples.data() + w * 25 * 3, 100, f.data()).is_ok());
    for (size_t i = 0; i < f.size(); ++i) {
      EXPECT_EQ(f[i], expected.at(w, static_cast<int32_t>(i))) << "window " << w << " value " << i;
    }
  }
}

TEST(ImageRoundTrip, ConvertedConfigComputesTheHostFeatures) {
  auto block = yaml_block(
      "image_preprocess: {width: 12, height: 10, channels: 3, crop: center, resize: bilinear, "
      "quantization: affine, input_scale: 0.0078125, input_zero_point: 3, real_min: -1, "
      "real_max: 1}");
  DspBlockConfig config;
  Status s = convert(block->to_capsule(), &config, 0);
  ASSERT_TRUE(s.is_ok()) << s.message();
  ASSERT_EQ(config.kind, DspBlockKind::kImagePreprocess);
  host::Image image;
  image.width = 37;
  image.height = 23;
  image.format = dsp::PixelFormat::kRgb888;
  for (int i = 0; i < 37 * 23 * 3; ++i) image.pixels.push_back(static_cast<uint8_t>((i * 37) ^ (i >> 3)));
  const std::string path = ::testing::TempDir() + "/pipeline_image_roundtrip.ppm";
  const std::vector<uint8_t> ppm = host::encode_pnm(image);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(ppm.data()),
                                              static_cast<std::streamsize>(ppm.size()));
  const host::FeatureMatrix expected = block->compute_file(path);

  dsp::ImagePreprocessor pre;
  std::vector<uint8_t> state(dsp::ImagePreprocessor::state_bytes(config.image));
  s = pre.init(config.image, state.data(), state.size());
  ASSERT_TRUE(s.is_ok()) << s.message();
  std::vector<int8_t> out(pre.output_bytes());
  ASSERT_TRUE(pre.process(image.pixels.data(), 37, 23, dsp::PixelFormat::kRgb888, out.data()).is_ok());
  ASSERT_EQ(out.size(), expected.values.size());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], expected.values[i]) << i;
}

// ---- untrusted values

void expect_error(const Status& s, StatusCode code, const std::string& text) {
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_NE(std::string(s.message()).find(text), std::string::npos) << s.message();
}

schema::DspBlockT mfcc_block() { return yaml_block("mfcc: {coefficients: 10}")->to_capsule(); }

TEST(DspFromCapsule, RefusesUnknownVersionsKindsAndParams) {
  DspBlockConfig c;
  schema::DspBlockT b = host::load_feature_block("micro_speech")->to_capsule();
  b.implementation_version = 3;
  Status s = convert(b, &c);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_STREQ(s.message(),
               "dsp block 0 (audio_frontend): implementation version 3 not available (this "
               "runtime has 1)");

  b = mfcc_block();
  b.kind = "wavelet";
  expect_error(convert(b, &c, 16000, 2), StatusCode::kUnsupported,
               "dsp block 2 (wavelet): unknown block kind");
  b = mfcc_block();
  b.kind = "audio_frontend";
  expect_error(convert(b, &c), StatusCode::kMalformed,
               "dsp block 0 (audio_frontend): parameters are SpectralParams, expected "
               "AudioFrontendParams");
  b = mfcc_block();
  b.kind = "mfe";
  expect_error(convert(b, &c), StatusCode::kMalformed,
               "dsp block 0 (mfe): SpectralParams.kind 2 does not match the block kind");
  b = mfcc_block();
  b.params.Reset();
  expect_error(convert(b, &c), StatusCode::kMalformed, "parameters are none");
  expect_error(dsp_block_from_capsule(nullptr, 1, 16000, &c), StatusCode::kMalformed,
               "dsp block 1: missing");
  expect_error(convert(mfcc_block(), &c, 0), StatusCode::kMalformed, "sample_rate_hz is 0");
}

TEST(DspFromCapsule, RefusesOutOfRangeEnumsAndCounts) {
  DspBlockConfig c;
  auto spectral = [](void (*edit)(schema::SpectralParamsT*)) {
    schema::DspBlockT b = mfcc_block();
    edit(b.params.AsSpectralParams());
    return b;
  };
  expect_error(convert(spectral([](auto* p) { p->window = 9; }), &c), StatusCode::kMalformed,
               "dsp block 0 (mfcc): window 9 is not a known window");
  expect_error(convert(spectral([](auto* p) { p->spectrum = 2; }), &c), StatusCode::kMalformed,
               "spectrum 2");
  expect_error(convert(spectral([](auto* p) { p->log = 3; }), &c), StatusCode::kMalformed, "log 3");
  expect_error(convert(spectral([](auto* p) { p->arithmetic = 2; }), &c), StatusCode::kMalformed,
               "arithmetic 2");
  expect_error(convert(spectral([](auto* p) { p->coefficients = 41; }), &c),
               StatusCode::kMalformed, "coefficients is 41, must be 1..mel_bands (40)");
  expect_error(convert(spectral([](auto* p) { p->lower_hz = NAN; }), &c), StatusCode::kMalformed,
               "must be finite");
  expect_error(convert(spectral([](auto* p) {
                 p->quantize = true;
                 p->quant_scale = 0;
               }), &c),
               StatusCode::kMalformed, "quant_scale must be positive");
  expect_error(convert(spectral([](auto* p) {
                 p->quantize = true;
                 p->quant_scale = 1;
                 p->quant_zero_point = 300;
               }), &c),
               StatusCode::kMalformed, "quant_zero_point 300");

  schema::DspBlockT fe = host::load_feature_block("micro_speech")->to_capsule();
  fe.params.AsAudioFrontendParams()->channels = 0;
  expect_error(convert(fe, &c), StatusCode::kMalformed,
               "dsp block 0 (audio_frontend): channels is 0");
  fe = host::load_feature_block("micro_speech")->to_capsule();
  fe.params.AsAudioFrontendParams()->step_ms = 0;
  expect_error(convert(fe, &c), StatusCode::kMalformed, "step_ms (0) must be > 0");

  schema::DspBlockT imu = yaml_block("imu_features: {axes: 3}")->to_capsule();
  imu.params.AsImuFeaturesParams()->stats = 1u << 9;
  expect_error(convert(imu, &c), StatusCode::kMalformed, "stats 0x200 has unknown bits");
  imu = yaml_block("imu_features: {axes: 3}")->to_capsule();
  imu.params.AsImuFeaturesParams()->band_edges_hz.assign(40, 1.0f);
  expect_error(convert(imu, &c), StatusCode::kMalformed, "band_edges_hz has 40 edges");
  imu = yaml_block("imu_features: {axes: 3}")->to_capsule();
  imu.params.AsImuFeaturesParams()->stride_frames = 0;
  expect_error(convert(imu, &c), StatusCode::kMalformed, "stride_frames is 0");
  imu = yaml_block("imu_features: {axes: 3}")->to_capsule();
  imu.params.AsImuFeaturesParams()->filter = 5;
  expect_error(convert(imu, &c), StatusCode::kMalformed, "filter 5");

  schema::DspBlockT image = yaml_block("image_preprocess: {width: 8, height: 8}")->to_capsule();
  image.params.AsImagePreprocessParams()->crop = 1;
  expect_error(convert(image, &c), StatusCode::kMalformed, "crop rect");
  image = yaml_block("image_preprocess: {width: 8, height: 8}")->to_capsule();
  image.params.AsImagePreprocessParams()->quantization = 7;
  expect_error(convert(image, &c), StatusCode::kMalformed, "quantization 7");
}

TEST(DspFromCapsule, BlockLevelChecksAreLeftToTheBlock) {
  // Values inside the enums but refused by the block itself (e.g. an FFT
  // shorter than the frame) convert, and then the block says why.
  DspBlockConfig c;
  schema::DspBlockT b = mfcc_block();
  b.params.AsSpectralParams()->fft_length = 256;  // frame_length 480
  ASSERT_TRUE(convert(b, &c).is_ok());
  EXPECT_EQ(dsp_block_state_bytes(c), 0u);
  dsp::Mfcc mfcc;
  expect_error(mfcc.init(c.mfcc, nullptr, 0), StatusCode::kInvalidArgument,
               "fft_length 256 is shorter than frame_length 480");
}

}  // namespace
}  // namespace locus
