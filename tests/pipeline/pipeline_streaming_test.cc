// The streaming pipeline on real models and recordings: TFLM's micro_speech
// behind the audio front end (golden scores for any chunking, reset, stride
// and averaging, keyword events on a concatenated stream) and the MLPerf
// Tiny ToyCar autoencoder behind an MFE block (anomaly scores). Needs
// LOCUS_TEST_DATA; skips without it.
#include "runtime/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "host/audio/audio_file.h"
#include "tests/support/pipeline_testing.h"


namespace locus {
namespace {

using pipeline_test::build;
using pipeline_test::make_pipeline;
using pipeline_test::micro_speech_spec;
using pipeline_test::PipelineWithMemory;
using pipeline_test::fake_clock;
using pipeline_test::micro_speech;
using pipeline_test::read_i8;
using pipeline_test::stream;

// ---------------------------------------------------------------------------
// micro_speech: the first full window must give TFLM's golden scores, for
// any chunking of the stream.

class MicroSpeechStreaming
    : public ::testing::TestWithParam<std::tuple<std::string, size_t>> {};

TEST_P(MicroSpeechStreaming, FirstWindowGivesGoldenScores) {
  NEED_DATA(data);
  const auto& [clip, chunk] = GetParam();
  PipelineWithMemory p;
  const Status s = make_pipeline(micro_speech(data).capsule, &p);
  ASSERT_TRUE(s.is_ok()) << s.message();
  const host::Audio audio = host::read_audio(data + "/tflm_micro_speech/" + clip + ".wav", 16000);
  ASSERT_EQ(audio.samples.size(), 16000u);
  const std::vector<PipelineResult> results = stream(p.pipeline, audio.samples, chunk);
  // 49 frames of 480 samples every 320: the window fills at sample 15840.
  ASSERT_EQ(results.size(), 1u);
  const PipelineResult& r = results[0];
  EXPECT_EQ(r.end_index, 480u + 48u * 320u);
  EXPECT_EQ(r.timestamp_ms, 990u);
  const std::vector<int8_t> golden =
      read_i8(data + "/golden/micro_speech/frontend_head/" + clip + ".scores_i8.bin");
  ASSERT_EQ(golden.size(), 4u);
  ASSERT_EQ(r.label_count, 4u);
  int32_t best = 0;
  for (int j = 0; j < 4; ++j) {
    // Output 0 is int8 softmax: scale 1/256, zero point -128.
    EXPECT_EQ(r.scores[j], (golden[j] + 128) / 256.0f) << clip << " label " << j;
    EXPECT_EQ(r.average[j], r.scores[j]);  // one inference averaged so far
    if (golden[j] > golden[best]) best = j;
  }
  EXPECT_EQ(r.top_label, best);
  EXPECT_EQ(r.top_score, r.scores[best]);
  // No clock installed: no times.
  EXPECT_EQ(r.dsp_us + r.model_us + r.post_us, 0u);
  EXPECT_EQ(p.pipeline.position(), 16000u);
}

INSTANTIATE_TEST_SUITE_P(
    Clips, MicroSpeechStreaming,
    ::testing::Combine(::testing::Values("yes_1000ms", "no_1000ms", "silence_1000ms",
                                         "noise_1000ms"),
                       ::testing::Values(size_t{1}, size_t{160}, size_t{1000})),
    [](const auto& info) {
      return std::get<0>(info.param) + "_chunk" + std::to_string(std::get<1>(info.param));
    });

TEST(MicroSpeechPipeline, ResetRestartsTheStreamAndClockTimesStages) {
  NEED_DATA(data);
  PipelineWithMemory p;
  ASSERT_TRUE(make_pipeline(micro_speech(data).capsule, &p).is_ok());
  uint64_t ticks = 0;
  p.pipeline.set_clock(fake_clock, &ticks);
  const host::Audio yes = host::read_audio(data + "/tflm_micro_speech/yes_1000ms.wav", 16000);
  // Half a clip, then reset: the next full clip must still give the golden
  // first window (the earlier samples are forgotten).
  std::vector<int16_t> half(yes.samples.begin(), yes.samples.begin() + 9000);
  EXPECT_TRUE(stream(p.pipeline, half, 512).empty());
  p.pipeline.reset();
  EXPECT_EQ(p.pipeline.position(), 0u);
  const auto results = stream(p.pipeline, yes.samples, 512);
  ASSERT_EQ(results.size(), 1u);
  const auto golden = read_i8(data + "/golden/micro_speech/frontend_head/yes_1000ms.scores_i8.bin");
  EXPECT_EQ(results[0].scores[2], (golden[2] + 128) / 256.0f);
  EXPECT_EQ(results[0].end_index, 15840u);
  // Every clock reading advances 7 us: each stage saw at least one interval.
  EXPECT_GT(results[0].dsp_us, 0u);
  EXPECT_EQ(results[0].model_us, 7u);
  EXPECT_EQ(results[0].post_us, 7u);
}

TEST(MicroSpeechPipeline, StrideAndAveragingOverALongStream) {
  NEED_DATA(data);
  PipelineWithMemory p;
  ASSERT_TRUE(make_pipeline(micro_speech(data).capsule, &p).is_ok());
  // average_ms 1000 / (10 frames x 20 ms) = 5 inferences.
  EXPECT_EQ(p.pipeline.plan().post.average_count, 5u);
  EXPECT_DOUBLE_EQ(p.pipeline.plan().stride_ms, 200.0);
  const host::Audio noise = host::read_audio(data + "/tflm_micro_speech/noise_1000ms.wav", 16000);
  std::vector<int16_t> samples;
  for (int i = 0; i < 3; ++i) samples.insert(samples.end(), noise.samples.begin(), noise.samples.end());
  const auto results = stream(p.pipeline, samples, 4000);
  // Frames complete every 320 samples from 480; inferences at frame 49, 59, ...
  const size_t frames = 1 + (samples.size() - 480) / 320;
  ASSERT_EQ(results.size(), 1 + (frames - 49) / 10);
  std::vector<std::vector<float>> scores;
  for (size_t k = 0; k < results.size(); ++k) {
    EXPECT_EQ(results[k].end_index, 480u + (48u + 10u * k) * 320u);
    scores.emplace_back(results[k].scores, results[k].scores + 4);
    for (int j = 0; j < 4; ++j) {
      float sum = 0;
      const size_t first = k >= 4 ? k - 4 : 0;
      for (size_t i = first; i <= k; ++i) sum += scores[i][j];
      EXPECT_FLOAT_EQ(results[k].average[j], sum / static_cast<float>(k - first + 1));
    }
  }
}

// ---------------------------------------------------------------------------
// Keyword events on a real stream: silence, yes, silence, no, silence.
//
// Threshold 0.7, from the averaged scores (5 inferences, 1 s) on this
// stream: the keywords peak at 0.87 (yes) and 0.95 (no); every
// non-background label elsewhere stays below 0.5 (the highest: yes 0.37 as
// the window slides from yes towards no; unknown reaches 0.49 but is a
// background label). 0.7 sits in the middle of that gap. The averaged
// keyword score stays above 0.7 for up to 800 ms after it first crosses,
// so suppress_ms 1500 is what keeps each keyword to one event; the no
// event comes one inference after its first crossing because the yes event
// 1.4 s earlier still suppresses (suppression is across labels, as TFLM's
// RecognizeCommands does).

TEST(MicroSpeechPipeline, OneEventPerKeywordInAConcatenation) {
  NEED_DATA(data);
  PipelineWithMemory p;
  ASSERT_TRUE(make_pipeline(micro_speech(data).capsule, &p).is_ok());
  auto clip = [&](const char* name) {
    return host::read_audio(data + "/tflm_micro_speech/" + name + ".wav", 16000).samples;
  };
  const std::vector<int16_t> silence = clip("silence_1000ms"), yes = clip("yes_1000ms"),
                             no = clip("no_1000ms");
  std::vector<int16_t> samples;
  for (const auto* part : {&silence, &yes, &silence, &no, &silence}) {
    samples.insert(samples.end(), part->begin(), part->end());
  }
  const auto results = stream(p.pipeline, samples, 1600);
  std::vector<PipelineResult> events;
  for (const auto& r : results) {
    if (r.event) events.push_back(r);
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_STREQ(p.pipeline.label(events[0].top_label), "yes");
  EXPECT_STREQ(p.pipeline.label(events[1].top_label), "no");
  // The yes clip is 1000..2000 ms, the no clip 3000..4000 ms. Times are the
  // end of the model's 1 s window: it must have seen at least half of the
  // clip and not yet have left it.
  // (Measured: 2390 ms and 3990 ms.)
  EXPECT_GT(events[0].timestamp_ms, 1500u);
  EXPECT_LT(events[0].timestamp_ms, 3000u);
  EXPECT_GT(events[1].timestamp_ms, 3500u);
  EXPECT_LT(events[1].timestamp_ms, 5000u);
  for (const auto& e : events) EXPECT_GE(e.top_average, 0.7f);
}

// ---------------------------------------------------------------------------
// Anomaly scoring: MLPerf Tiny's ToyCar autoencoder (640 int8 in and out:
// 5 frames x 128 log mel energies) behind an MFE block.

TEST(AnomalyPipeline, ScoreIsTheReconstructionErrorOfTheWindow) {
  NEED_DATA(data);
  host::Graph graph = pipeline_test::import_model(data + "/mlperf_tiny_models/ad01_int8.tflite");
  const host::TensorDef& in = graph.tensors.at(static_cast<size_t>(graph.inputs.at(0)));
  ASSERT_EQ(in.element_count(), 640);
  ASSERT_EQ(in.type, schema::TensorType::Int8);
  const float scale = in.scale.at(0);
  const int32_t zero_point = in.zero_point.at(0);

  const std::string yaml = "mfe: {sample_rate: 16000, frame_length: 1024, frame_step: 512, "
                           "fft_length: 1024, mel_bands: 128, lower_hz: 0, upper_hz: 8000, "
                           "spectrum: power, log: decibel, log_offset: 1.0e-10, "
                           "quantize: {scale: " + std::to_string(scale) +
                           ", zero_point: " + std::to_string(zero_point) + "}}";
  auto block = host::make_feature_block(YAML::Load(yaml), "ad01.yml");
  host::CapsuleSpec spec;
  spec.identity.name = "toycar";
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Audio;
  input.sample_rate_hz = 16000;
  spec.input = input;
  spec.dsp.push_back(block->to_capsule());
  schema::PostProcessT post;
  post.kind = schema::PostProcessKind::Anomaly;
  post.anomaly_threshold = 0.0f;  // set below from the scores
  spec.postprocess = post;
  schema::FeatureWindowT window;
  window.frames = 5;
  window.features = 128;
  window.stride_frames = 3;
  spec.feature_window = window;
  spec.graph = graph;
  // Threshold: anything above 1e30 never fires, 0 always does; check both
  // ends plus the exact comparison in between.
  spec.postprocess->anomaly_threshold = 1e30f;
  const auto capsule = build(spec);
  PipelineWithMemory p;
  Status s = make_pipeline(capsule->capsule, &p);
  ASSERT_TRUE(s.is_ok()) << s.message();

  const host::Audio clip =
      host::read_audio(data + "/dcase2020_toycar_samples/anomaly_id_01_00000000.wav", 16000);
  std::vector<int16_t> samples(clip.samples.begin(),
                               clip.samples.begin() + std::min<size_t>(clip.samples.size(), 48000));
  const auto results = stream(p.pipeline, samples, 777);
  const size_t frames = 1 + (samples.size() - 1024) / 512;
  ASSERT_EQ(results.size(), 1 + (frames - 5) / 3);

  // Independent computation: the host block's features for the whole clip,
  // the window ending at each result's frame, a separate engine, and the
  // mean squared error in double.
  host::Audio part = clip;
  part.samples = samples;
  auto* audio_block = dynamic_cast<host::AudioFeatureBlock*>(block.get());
  ASSERT_NE(audio_block, nullptr);
  const host::FeatureMatrix features = audio_block->compute(part);
  ASSERT_EQ(static_cast<size_t>(features.frames), frames);
  host::AlignedBuffer arena(capsule->capsule.arena_bytes());
  Engine engine;
  ASSERT_TRUE(engine.init(capsule->capsule, arena.data(), arena.size()).is_ok());
  for (const PipelineResult& r : results) {
    const size_t last = (r.end_index - 1024) / 512;  // frame that completed the window
    ASSERT_EQ(1024 + last * 512, r.end_index);
    std::vector<int8_t> window_in(640);
    for (size_t i = 0; i < 640; ++i) {
      window_in[i] = static_cast<int8_t>(features.values[(last - 4) * 128 + i]);
    }
    const TensorView ein = engine.input(0);
    std::memcpy(ein.data, window_in.data(), 640);
    ASSERT_TRUE(engine.invoke().is_ok());
    const TensorView eout = engine.output(0);
    double sum = 0;
    for (size_t i = 0; i < 640; ++i) {
      const double x = static_cast<double>(scale) * (window_in[i] - zero_point);
      const double y = static_cast<double>(eout.scale) * (eout.as<int8_t>()[i] - eout.zero_point);
      sum += (y - x) * (y - x);
    }
    const double mse = sum / 640;
    EXPECT_NEAR(r.anomaly_score, mse, 1e-5 * mse + 1e-9) << "window ending at frame " << last;
    EXPECT_GT(r.anomaly_score, 0.0f);
    EXPECT_FALSE(r.event);
    EXPECT_EQ(r.top_label, -1);
  }

  // Threshold between two scores: events exactly for scores >= it.
  std::vector<float> sorted;
  for (const auto& r : results) sorted.push_back(r.anomaly_score);
  std::sort(sorted.begin(), sorted.end());
  spec.postprocess->anomaly_threshold = sorted[sorted.size() / 2];
  const auto capsule2 = build(spec);
  PipelineWithMemory p2;
  ASSERT_TRUE(make_pipeline(capsule2->capsule, &p2).is_ok());
  const auto results2 = stream(p2.pipeline, samples, 4096);
  ASSERT_EQ(results2.size(), results.size());
  size_t events = 0;
  for (size_t k = 0; k < results2.size(); ++k) {
    EXPECT_EQ(results2[k].anomaly_score, results[k].anomaly_score);
    EXPECT_EQ(results2[k].event, results2[k].anomaly_score >= sorted[sorted.size() / 2]);
    events += results2[k].event;
  }
  EXPECT_GT(events, 0u);
  EXPECT_LT(events, results2.size());
}


}  // namespace
}  // namespace locus
