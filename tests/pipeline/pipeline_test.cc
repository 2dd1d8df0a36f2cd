// Pipelines around small models: hand-made IMU and image pipelines on the
// tiny classifier, capsules and calls that must be refused (some built
// around TFLM's micro_speech model, skipped without LOCUS_TEST_DATA), and
// the memory layout.
#include "runtime/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "host/audio/audio_file.h"
#include "host/planner/memory_planner.h"
#include "runtime/dsp/imu/imu_features.h"
#include "runtime/dsp/spectral/spectral_block.h"
#include "tests/support/pipeline_testing.h"

namespace locus {
namespace {

using pipeline_test::build;
using pipeline_test::make_pipeline;
using pipeline_test::micro_speech_spec;
using pipeline_test::PipelineWithMemory;
using pipeline_test::micro_speech;

// ---------------------------------------------------------------------------
// IMU and image pipelines around the tiny classifier (int8 [1,4] input,
// scale 0.5, 3 softmax scores).

TEST(ImuPipeline, WindowsStrideAndQuantisationMatchTheBlock) {
  host::CapsuleSpec spec = testing::tiny_classifier_spec();
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Accelerometer;
  input.sample_rate_hz = 50;
  input.axes = 2;
  spec.input = input;
  auto block = host::make_feature_block(
      YAML::Load("imu_features: {axes: 2, sample_rate: 50, window_ms: 200, stride_ms: 60, "
                 "stats: [rms, mean], spectrum: {kind: none}, peaks: {count: 0}}"),
      "imu.yml");
  spec.dsp.push_back(block->to_capsule());
  schema::PostProcessT post;
  post.threshold = 0.5f;
  spec.postprocess = post;
  const auto capsule = build(spec);
  PipelineWithMemory p;
  Status s = make_pipeline(capsule->capsule, &p);
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(p.pipeline.plan().window_frames, 1u);  // derived: 4 features fill the input
  EXPECT_EQ(p.pipeline.plan().features, 4u);

  // 10-frame windows every 3 frames of a 2-axis signal.
  std::vector<float> samples;
  for (int i = 0; i < 40; ++i) {
    samples.push_back(0.25f * static_cast<float>(i % 7) - 0.5f);
    samples.push_back(static_cast<float>((i * 5) % 11) * 0.3f);
  }
  std::vector<PipelineResult> results;
  size_t at = 0;
  while (at < 40) {
    size_t used = 0;
    bool has = false;
    PipelineResult r;
    ASSERT_TRUE(p.pipeline.push_imu(samples.data() + at * 2, std::min<size_t>(4, 40 - at), &used,
                                    &r, &has).is_ok());
    at += used;
    if (has) results.push_back(r);
  }
  ASSERT_EQ(results.size(), 1u + (40u - 10u) / 3u);

  dsp::ImuFeaturesConfig config = dsp::ImuFeaturesConfig::defaults();
  config.axes = 2;
  config.sample_rate_hz = 50;
  config.max_frames = 10;
  config.stats = dsp::kImuStatRms | dsp::kImuStatMean;
  config.spectrum = dsp::ImuSpectrum::kNone;
  config.peak_count = 0;
  dsp::ImuFeatures imu;
  std::vector<uint8_t> state(dsp::ImuFeatures::state_bytes(config));
  ASSERT_TRUE(imu.init(config, state.data(), state.size()).is_ok());
  host::AlignedBuffer arena(capsule->capsule.arena_bytes());
  Engine engine;
  ASSERT_TRUE(engine.init(capsule->capsule, arena.data(), arena.size()).is_ok());
  for (size_t k = 0; k < results.size(); ++k) {
    EXPECT_EQ(results[k].end_index, 10 + 3 * k);
    EXPECT_EQ(results[k].timestamp_ms, (10 + 3 * k) * 20);
    float f[4];
    ASSERT_TRUE(imu.compute(samples.data() + 3 * k * 2, 10, f).is_ok());
    dsp::quantize_features(f, 4, 0.5f, 0, engine.input(0).as<int8_t>());
    ASSERT_TRUE(engine.invoke().is_ok());
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(results[k].scores[j], (engine.output(0).as<int8_t>()[j] + 128) / 256.0f);
    }
  }
  // Audio into an IMU pipeline is refused.
  int16_t pcm[4] = {};
  size_t used = 0;
  bool has = false;
  PipelineResult r;
  s = p.pipeline.push(pcm, 4, &used, &r, &has);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(s.message()).find("accelerometer"), std::string::npos) << s.message();
}

TEST(ImagePipeline, PreprocessesIntoTheModelInput) {
  host::CapsuleSpec spec = testing::tiny_classifier_spec();
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Image;
  spec.input = input;
  spec.dsp.push_back(host::make_feature_block(
                         YAML::Load("image_preprocess: {width: 2, height: 2, channels: 1, "
                                    "crop: none, resize: nearest, quantization: raw}"),
                         "image.yml")
                         ->to_capsule());
  const auto capsule = build(spec);
  PipelineWithMemory p;
  Status s = make_pipeline(capsule->capsule, &p);
  ASSERT_TRUE(s.is_ok()) << s.message();
  // 4x4 gray, nearest-neighbour down to 2x2 picks pixels (1,1) (3,1) (1,3) (3,3).
  uint8_t pixels[16];
  for (int i = 0; i < 16; ++i) pixels[i] = static_cast<uint8_t>(i);
  PipelineResult r;
  s = p.pipeline.infer_image(pixels, 4, 4, dsp::PixelFormat::kGray8, &r);
  ASSERT_TRUE(s.is_ok()) << s.message();
  host::AlignedBuffer arena(capsule->capsule.arena_bytes());
  Engine engine;
  ASSERT_TRUE(engine.init(capsule->capsule, arena.data(), arena.size()).is_ok());
  const int8_t expected_in[4] = {5, 7, 13, 15};
  std::memcpy(engine.input(0).data, expected_in, 4);
  ASSERT_TRUE(engine.invoke().is_ok());
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(r.scores[j], (engine.output(0).as<int8_t>()[j] + 128) / 256.0f);
  }
  EXPECT_EQ(r.end_index, 1u);
  EXPECT_FALSE(r.event);  // no post-processing in the capsule: no events
}

// ---------------------------------------------------------------------------
// Capsules and calls that must be refused with a clear message.

Status init_status(host::CapsuleSpec spec) {
  const auto capsule = build(std::move(spec));
  size_t bytes = 0;
  Status s = Pipeline::memory_bytes(capsule->capsule, &bytes);
  if (!s) return s;
  PipelineWithMemory p;
  return make_pipeline(capsule->capsule, &p);
}

void expect_error(const Status& s, StatusCode code, const std::string& text) {
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_NE(std::string(s.message()).find(text), std::string::npos) << s.message();
}

TEST(PipelineErrors, WindowThatDoesNotChain) {
  NEED_DATA(data);
  host::CapsuleSpec spec = micro_speech_spec(data);
  spec.feature_window->frames = 48;
  expect_error(init_status(spec), StatusCode::kMalformed,
               "feature window 48 frames x 40 features x 1 bytes = 1920 bytes, model input 0 "
               "has 1960");
  spec = micro_speech_spec(data);
  spec.feature_window->features = 32;
  expect_error(init_status(spec), StatusCode::kMalformed,
               "feature window has 32 features per frame, dsp block 0 (audio_frontend) produces 40");
}

TEST(PipelineErrors, FeatureTypeMismatch) {
  NEED_DATA(data);
  host::CapsuleSpec spec = micro_speech_spec(data);
  spec.dsp[0] = host::make_feature_block(
                    YAML::Load("audio_frontend: {preset: micro_speech, output: uint16}"), "t")
                    ->to_capsule();
  expect_error(init_status(spec), StatusCode::kMalformed,
               "dsp block 0 (audio_frontend) produces uint16 features, model input 0 is int8");
  spec.dsp[0] = host::make_feature_block(
                    YAML::Load("mfcc: {frame_length: 480, frame_step: 320, coefficients: 40}"), "t")
                    ->to_capsule();
  expect_error(init_status(spec), StatusCode::kMalformed,
               "dsp block 0 (mfcc) produces float32 features, model input 0 is int8 (set quantize)");
}

TEST(PipelineErrors, UnknownImplementationVersion) {
  NEED_DATA(data);
  host::CapsuleSpec spec = micro_speech_spec(data);
  spec.dsp[0].implementation_version = 3;
  const Status s = init_status(spec);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_STREQ(s.message(),
               "dsp block 0 (audio_frontend): implementation version 3 not available (this "
               "runtime has 1)");
}

TEST(PipelineErrors, MissingOrWrongDspBlock) {
  NEED_DATA(data);
  host::CapsuleSpec spec = micro_speech_spec(data);
  spec.dsp.clear();
  expect_error(init_status(spec), StatusCode::kMalformed,
               "capsule has 0 dsp blocks, a audio pipeline needs exactly one (audio_frontend, "
               "spectrogram, mfe or mfcc)");
  spec = micro_speech_spec(data);
  spec.input->sensor = schema::SensorKind::Image;
  expect_error(init_status(spec), StatusCode::kMalformed,
               "dsp block 0 (audio_frontend): does not take image input");
  spec = micro_speech_spec(data);
  spec.input.reset();
  expect_error(init_status(spec), StatusCode::kMalformed, "capsule has no input spec");
  spec = micro_speech_spec(data);
  spec.input->sensor = schema::SensorKind::Raw;
  expect_error(init_status(spec), StatusCode::kUnsupported, "input sensor raw");
}

TEST(PipelineErrors, TooManyLabels) {
  NEED_DATA(data);
  host::CapsuleSpec spec = micro_speech_spec(data);
  spec.labels.clear();
  for (int i = 0; i < 65; ++i) spec.labels.push_back("label" + std::to_string(i));
  expect_error(init_status(spec), StatusCode::kUnsupported,
               "65 labels, this runtime supports at most 64");
  spec = micro_speech_spec(data);
  spec.labels.pop_back();
  expect_error(init_status(spec), StatusCode::kMalformed,
               "capsule has 3 labels, model output 0 has 4 scores");
  spec = micro_speech_spec(data);
  spec.postprocess->background_labels = {0, 4};
  expect_error(init_status(spec), StatusCode::kMalformed,
               "background label 4 is not one of the 4 labels");
}

TEST(PipelineErrors, MemoryTooSmallOrMisaligned) {
  NEED_DATA(data);
  const Capsule& capsule = micro_speech(data).capsule;
  size_t bytes = 0;
  ASSERT_TRUE(Pipeline::memory_bytes(capsule, &bytes).is_ok());
  host::AlignedBuffer memory(bytes + 16);
  Pipeline pipeline;
  Status s = pipeline.init(capsule, memory.data(), bytes - 1);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(s.message()).find("needs " + std::to_string(bytes)), std::string::npos)
      << s.message();
  EXPECT_FALSE(pipeline.initialized());
  s = pipeline.init(capsule, memory.data() + 4, bytes);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  // Not initialised: streaming is refused.
  int16_t pcm[1] = {};
  size_t used = 0;
  bool has = false;
  PipelineResult r;
  EXPECT_EQ(pipeline.push(pcm, 1, &used, &r, &has).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(pipeline.init(capsule, memory.data(), bytes).is_ok());
  EXPECT_TRUE(pipeline.push(pcm, 1, &used, &r, &has).is_ok());
  EXPECT_EQ(used, 1u);
  EXPECT_EQ(pipeline.infer_image(nullptr, 1, 1, dsp::PixelFormat::kGray8, &r).code(),
            StatusCode::kFailedPrecondition);
}

TEST(PipelineErrors, FailingSelfTest) {
  // The tiny image pipeline, written with self-test outputs that the model
  // does not produce: init must refuse to serve.
  host::CapsuleSpec spec = testing::tiny_classifier_spec();
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Image;
  spec.input = input;
  spec.dsp.push_back(host::make_feature_block(
                         YAML::Load("image_preprocess: {width: 2, height: 2, channels: 1}"), "t")
                         ->to_capsule());
  host::plan_memory(spec.graph);
  spec.self_test_inputs = {{2, 4, 6, 8}};
  spec.self_test_outputs = {{1, 2, 3}, {9, 9, 9}};
  const host::LoadedCapsule loaded =
      host::open_capsule(host::copy_to_aligned(host::write_capsule(spec)), "bad self-test");
  PipelineWithMemory p;
  const Status s = make_pipeline(loaded.capsule, &p);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.message();
  EXPECT_NE(std::string(s.message()).find("pipeline: self-test failed"), std::string::npos)
      << s.message();
  EXPECT_FALSE(p.pipeline.initialized());
}

TEST(PipelineMemory, MicroSpeechBudget) {
  NEED_DATA(data);
  const Capsule& capsule = micro_speech(data).capsule;
  Pipeline::Plan plan;
  ASSERT_TRUE(Pipeline::make_plan(capsule, &plan).is_ok());
  // Every part is 16-byte aligned and they follow each other.
  for (size_t offset : {plan.dsp_offset, plan.ring_offset, plan.scratch_offset,
                        plan.history_offset, plan.arena_offset}) {
    EXPECT_EQ(offset % 16, 0u);
  }
  EXPECT_EQ(plan.ring_bytes, (49u * 40u + 15) / 16 * 16);
  EXPECT_EQ(plan.scratch_bytes, 160u);
  EXPECT_EQ(plan.history_bytes, 5u * 4u * 4u + 16u);
  EXPECT_EQ(plan.arena_bytes, (capsule.arena_bytes() + 15) / 16 * 16);
  size_t bytes = 0;
  ASSERT_TRUE(Pipeline::memory_bytes(capsule, &bytes).is_ok());
  EXPECT_EQ(bytes, plan.total_bytes);
  EXPECT_EQ(bytes, plan.arena_offset + plan.arena_bytes);
  std::printf("micro_speech pipeline memory: %zu bytes (dsp %zu, ring %zu, scratch %zu, "
              "history %zu, arena %zu)\n",
              bytes, plan.dsp_bytes, plan.ring_bytes, plan.scratch_bytes, plan.history_bytes,
              plan.arena_bytes);
  std::printf("sizeof(Pipeline) = %zu, sizeof(PipelineResult) = %zu\n", sizeof(Pipeline),
              sizeof(PipelineResult));
}

}  // namespace
}  // namespace locus
