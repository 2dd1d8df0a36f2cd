// The evaluator against the runtime's Pipeline run directly: tiny image and
// IMU capsules (no data needed), and with LOCUS_TEST_DATA the micro_speech
// pipeline built from examples/micro_speech/locus.yml on TFLM's clips and on
// Speech Commands, and the ToyCar autoencoder on DCASE clips.
#include "host/evaluation/capsule_evaluator.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/features/feature_block.h"
#include "host/pipeline/pipeline_builder.h"
#include "host/pipeline/pipeline_file.h"
#include "host/pipeline/stream_runner.h"
#include "host/sensors/image_file.h"
#include "host/tflite/tflite_importer.h"
#include "tests/support/tiny_models.h"

namespace locus::host {
namespace {

namespace fs = std::filesystem;

Sample sample(const std::string& path, const std::string& label) {
  Sample s;
  s.path = path;
  s.label = label;
  return s;
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  write_file_atomic(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// tiny_classifier (3 labels a, b, c) behind a 2x2 gray image block.
std::vector<uint8_t> tiny_image_capsule() {
  CapsuleSpec spec = testing::tiny_classifier_spec();
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Image;
  spec.input = input;
  spec.dsp.push_back(make_feature_block(YAML::Load("image_preprocess: {width: 2, height: 2, "
                                                   "channels: 1, crop: none, resize: nearest, "
                                                   "quantization: raw}"),
                                        "image.yml")
                         ->to_capsule());
  return build_capsule(spec).bytes;
}

TEST(CapsuleEvaluator, ImageCapsuleGivesThePipelinesPredictions) {
  const std::vector<uint8_t> capsule = tiny_image_capsule();
  const std::string dir = fresh_dir("eval_images");
  std::vector<Sample> samples;
  std::mt19937 random(7);
  for (int i = 0; i < 12; ++i) {
    Image image;
    image.width = image.height = 4;
    for (int k = 0; k < 16; ++k) image.pixels.push_back(static_cast<uint8_t>(random() % 256));
    const std::string path = dir + "/img" + std::to_string(i) + ".pgm";
    const std::vector<uint8_t> pnm = encode_pnm(image);
    write_file_atomic(path, pnm);
    samples.push_back(sample(path, std::string(1, static_cast<char>('a' + i % 3))));
  }
  std::vector<size_t> progress;
  EvalOptions options;
  options.progress = [&](size_t done, size_t total) {
    EXPECT_EQ(total, 12u);
    progress.push_back(done);
  };
  const EvalResult r = evaluate_capsule(capsule, samples, options, "tiny");
  EXPECT_EQ(progress, (std::vector<size_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  ASSERT_EQ(r.predictions.size(), 12u);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.classes, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r.capsule.sensor, "image");
  EXPECT_EQ(r.capsule.capsule_bytes, capsule.size());
  EXPECT_EQ(r.latency.inferences, 12u);
  EXPECT_EQ(r.latency.threads, 2);
  std::set<int32_t> predicted;
  for (size_t i = 0; i < 12; ++i) {
    const SamplePrediction& p = r.predictions[i];
    EXPECT_EQ(p.path, samples[i].path);
    EXPECT_EQ(p.truth, static_cast<int32_t>(i % 3));
    // The same file streamed by `locus run`'s code.
    const LoadedCapsule loaded = open_capsule(copy_to_aligned(capsule), "tiny");
    PipelineResult direct;
    stream_file(loaded.capsule, p.path, [&](const StreamInference& s) { direct = s.result; });
    ASSERT_EQ(p.scores.size(), 3u);
    for (int j = 0; j < 3; ++j) EXPECT_EQ(p.scores[j], direct.scores[j]) << i;
    EXPECT_EQ(p.predicted, direct.top_label) << i;
    EXPECT_EQ(p.confidence, direct.scores[direct.top_label]);
    predicted.insert(p.predicted);
  }
  EXPECT_GE(predicted.size(), 2u);
  EXPECT_EQ(r.confusion.total(), 12u);

  // One thread gives the same predictions.
  EvalOptions one;
  one.threads = 1;
  const EvalResult single = evaluate_capsule(capsule, samples, one);
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(single.predictions[i].scores, r.predictions[i].scores);
}

TEST(CapsuleEvaluator, ImuClipsAreFittedToTheFirstWindow) {
  CapsuleSpec spec = testing::tiny_classifier_spec();
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Accelerometer;
  input.sample_rate_hz = 50;
  input.axes = 2;
  spec.input = input;
  spec.dsp.push_back(make_feature_block(
                         YAML::Load("imu_features: {axes: 2, sample_rate: 50, window_ms: 200, "
                                    "stride_ms: 60, stats: [rms, mean], spectrum: {kind: none}, "
                                    "peaks: {count: 0}}"),
                         "imu.yml")
                         ->to_capsule());
  const std::vector<uint8_t> capsule = build_capsule(spec).bytes;
  const std::string dir = fresh_dir("eval_imu");
  // 25 frames: the evaluator keeps the first 10 (one 200 ms window).
  std::string csv = "timestamp,accX,accY\n", first10 = csv;
  for (int i = 0; i < 25; ++i) {
    const std::string row = std::to_string(i * 20) + "," + std::to_string(0.3 * (i % 5) - 0.4) +
                            "," + std::to_string(-0.2 * (i % 3)) + "\n";
    csv += row;
    if (i < 10) first10 += row;
  }
  write_text(dir + "/long.csv", csv);
  write_text(dir + "/first10.csv", first10);
  write_text(dir + "/short.csv", "timestamp,accX,accY\n0,0.5,0.5\n20,0.25,-1\n");
  write_text(dir + "/three_axes.csv", "timestamp,x,y,z\n0,1,2,3\n");
  const EvalResult r = evaluate_capsule(
      capsule,
      {sample(dir + "/long.csv", "a"), sample(dir + "/short.csv", "b"),
       sample(dir + "/three_axes.csv", "c")});
  EXPECT_EQ(r.capsule.fit_samples, 10u);
  ASSERT_EQ(r.predictions.size(), 2u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, dir + "/three_axes.csv: has 3 axes, the capsule expects 2");
  const LoadedCapsule loaded = open_capsule(copy_to_aligned(capsule), "imu");
  std::vector<PipelineResult> direct;
  stream_file(loaded.capsule, dir + "/first10.csv",
              [&](const StreamInference& s) { direct.push_back(s.result); });
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_EQ(r.predictions[0].inferences, 1u);
  for (int j = 0; j < 3; ++j) EXPECT_EQ(r.predictions[0].scores[j], direct[0].scores[j]);
  // Two frames padded with zeros to ten still give one inference.
  EXPECT_EQ(r.predictions[1].inferences, 1u);
}

TEST(CapsuleEvaluator, RefusesCapsulesItCannotEvaluate) {
  const std::vector<Sample> none;
  EXPECT_EQ(error_of([&] { evaluate_capsule(testing::tiny_classifier_capsule(), none, {}, "t.capsule"); }),
            "t.capsule: this capsule has no sensor pipeline (no sensor or DSP block); eval needs "
            "one to run recordings");
  EXPECT_EQ(error_of([&] { evaluate_capsule(std::vector<uint8_t>(64, 7), none, {}, "junk"); })
                .rfind("junk: capsule: missing file identifier", 0),
            0u);
  // One flipped byte inside the body: the digest no longer matches.
  std::vector<uint8_t> bytes = tiny_image_capsule();
  const LoadedCapsule loaded = open_capsule(copy_to_aligned(bytes), "x");
  const size_t body_offset = static_cast<size_t>(loaded.capsule.body_bytes() - loaded.bytes.data());
  const std::string name = "tiny";
  const auto at = std::search(bytes.begin() + static_cast<long>(body_offset), bytes.end(),
                              name.begin(), name.end());
  ASSERT_NE(at, bytes.end());
  *at = 'T';
  EXPECT_NE(error_of([&] { evaluate_capsule(bytes, none, {}, "flipped"); })
                .find("flipped: digest check failed"),
            std::string::npos);
  EvalOptions zero;
  zero.threads = 0;
  EXPECT_EQ(error_of([&] { evaluate_capsule(tiny_image_capsule(), none, zero); }),
            "eval: threads must be at least 1 (got 0)");
}

// ---------------------------------------------------------------------------
// Real models (LOCUS_TEST_DATA).

#define NEED_DATA(data)                                   \
  const std::string data = testing::test_data_dir();      \
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; this test needs the datasets"

const std::vector<uint8_t>& micro_speech_capsule() {
  static const std::vector<uint8_t> bytes =
      build_pipeline(load_pipeline(std::string(LOCUS_SOURCE_DIR) + "/examples/micro_speech/locus.yml"),
                     {})
          .bytes;
  return bytes;
}

TEST(CapsuleEvaluator, MicroSpeechOnTflmClips) {
  NEED_DATA(data);
  const std::string dir = fresh_dir("eval_tflm");
  std::vector<Sample> samples;
  for (const char* label : {"yes", "no", "silence"}) {
    const std::string path = dir + "/" + label + "/" + label + "_1000ms.wav";
    fs::create_directories(dir + "/" + label);
    fs::copy_file(data + "/tflm_micro_speech/" + label + "_1000ms.wav", path);
    samples.push_back(sample(path, label));
  }
  // A word the capsule does not know, and a file that is not audio.
  fs::create_directories(dir + "/up");
  fs::copy_file(data + "/tflm_micro_speech/noise_1000ms.wav", dir + "/up/noise.wav");
  samples.push_back(sample(dir + "/up/noise.wav", "up"));
  write_text(dir + "/no/broken.wav", "RIFF....not a wave file");
  samples.push_back(sample(dir + "/no/broken.wav", "no"));

  const EvalResult r = evaluate_capsule(micro_speech_capsule(), samples, {}, "micro_speech.capsule");
  EXPECT_EQ(r.capsule.name, "micro_speech");
  EXPECT_EQ(r.capsule.dsp_block, "audio_frontend");
  EXPECT_EQ(r.capsule.fit_samples, 16000u);
  EXPECT_GT(r.capsule.memory_bytes, r.capsule.arena_bytes);
  EXPECT_EQ(r.classes, (std::vector<std::string>{"silence", "unknown", "yes", "no"}));
  ASSERT_EQ(r.predictions.size(), 3u);
  EXPECT_EQ(r.predictions[0].label, "yes");
  EXPECT_EQ(r.classes[static_cast<size_t>(r.predictions[0].predicted)], "yes");
  EXPECT_EQ(r.classes[static_cast<size_t>(r.predictions[1].predicted)], "no");
  EXPECT_EQ(r.classes[static_cast<size_t>(r.predictions[2].predicted)], "silence");
  EXPECT_GT(r.predictions[0].confidence, 0.5f);
  EXPECT_DOUBLE_EQ(r.metrics.accuracy, 1.0);
  EXPECT_EQ(r.skipped_labels, (std::map<std::string, uint64_t>{{"up", 1}}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, dir + "/no/broken.wav");
  EXPECT_NE(r.errors[0].message.find(dir + "/no/broken.wav"), std::string::npos);
  EXPECT_EQ(r.latency.inferences, 3u);
  EXPECT_GT(r.latency.mean_model_us, 0.0);
  // The scores are the pipeline's first window: TFLM's golden scores.
  const AlignedBuffer golden =
      read_file(data + "/golden/micro_speech/frontend_head/yes_1000ms.scores_i8.bin");
  for (int j = 0; j < 4; ++j) {
    EXPECT_EQ(r.predictions[0].scores[j], (static_cast<int8_t>(golden.data()[j]) + 128) / 256.0f);
  }
}

TEST(CapsuleEvaluator, MicroSpeechOnSpeechCommandsIsWellAboveChance) {
  NEED_DATA(data);
  std::vector<Sample> samples;
  for (const char* label : {"yes", "no"}) {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(data + "/speech_commands_test_v0.02/" + label)) {
      files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < 30 && i < files.size(); ++i) samples.push_back(sample(files[i], label));
  }
  ASSERT_EQ(samples.size(), 60u);
  const EvalResult r = evaluate_capsule(micro_speech_capsule(), samples);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.metrics.total, 60u);
  // Chance is 1/4 over the model's classes (1/2 between yes and no).
  EXPECT_GT(r.metrics.accuracy, 0.7) << r.metrics.accuracy;
  EXPECT_GT(r.metrics.classes[2].recall, 0.6);
  EXPECT_GT(r.metrics.classes[3].recall, 0.6);
}

TEST(CapsuleEvaluator, ToyCarAnomalyScoresAreClipMeans) {
  NEED_DATA(data);
  Graph graph = import_tflite(read_file(data + "/mlperf_tiny_models/ad01_int8.tflite").span());
  const TensorDef& in = graph.tensors.at(static_cast<size_t>(graph.inputs.at(0)));
  CapsuleSpec spec;
  spec.identity.name = "toycar";
  spec.identity.version = "1.0.0";
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Audio;
  input.sample_rate_hz = 16000;
  spec.input = input;
  spec.dsp.push_back(
      make_feature_block(
          YAML::Load("mfe: {sample_rate: 16000, frame_length: 1024, frame_step: 512, "
                     "fft_length: 1024, mel_bands: 128, lower_hz: 0, upper_hz: 8000, "
                     "spectrum: power, log: decibel, log_offset: 1.0e-10, quantize: {scale: " +
                     std::to_string(in.scale.at(0)) +
                     ", zero_point: " + std::to_string(in.zero_point.at(0)) + "}}"),
          "ad01.yml")
          ->to_capsule());
  schema::PostProcessT post;
  post.kind = schema::PostProcessKind::Anomaly;
  post.anomaly_threshold = 1e30f;
  spec.postprocess = post;
  schema::FeatureWindowT window;
  window.frames = 5;
  window.features = 128;
  window.stride_frames = 5;
  spec.feature_window = window;
  spec.graph = graph;
  const std::vector<uint8_t> capsule = build_capsule(spec).bytes;

  const std::string clips = data + "/dcase2020_toycar_samples/";
  const std::vector<Sample> samples = {sample(clips + "anomaly_id_01_00000000.wav", "anomaly"),
                                       sample(clips + "normal_id_01_00000000.wav", "normal"),
                                       sample(clips + "normal_id_01_00000001.wav", "normal")};
  const EvalResult r = evaluate_capsule(capsule, samples);
  ASSERT_TRUE(r.anomaly.has_value());
  EXPECT_EQ(r.classes, (std::vector<std::string>{"normal", "anomalous"}));
  EXPECT_EQ(r.anomaly->normal, 2u);
  EXPECT_EQ(r.anomaly->anomalous, 1u);
  EXPECT_EQ(r.anomaly->anomalous_labels, (std::vector<std::string>{"anomaly"}));
  ASSERT_EQ(r.predictions.size(), 3u);
  const LoadedCapsule loaded = open_capsule(copy_to_aligned(capsule), "toycar");
  for (const SamplePrediction& p : r.predictions) {
    double sum = 0;
    size_t n = 0;
    stream_file(loaded.capsule, p.path, [&](const StreamInference& s) {
      sum += s.result.anomaly_score;
      ++n;
    });
    EXPECT_EQ(p.inferences, n);
    EXPECT_GT(n, 50u);  // 11 s: every window of the clip
    EXPECT_NEAR(p.anomaly_score, sum / n, 1e-6 * sum / n);
    EXPECT_EQ(p.predicted, 0);  // below the 1e30 threshold
  }
  ASSERT_FALSE(r.anomaly->roc.empty());
  // One anomalous clip against two normal ones: AUC is 0, 0.5 or 1.
  const double auc = r.anomaly->auc;
  EXPECT_TRUE(auc == 0.0 || auc == 0.5 || auc == 1.0) << auc;
  const bool above = r.predictions[0].anomaly_score > std::max(r.predictions[1].anomaly_score,
                                                              r.predictions[2].anomaly_score);
  if (above) EXPECT_EQ(auc, 1.0);

  // Labels named explicitly; an unknown one is warned about.
  EvalOptions options;
  options.anomalous_labels = {"normal", "broken"};
  const EvalResult flipped = evaluate_capsule(capsule, samples, options);
  EXPECT_EQ(flipped.anomaly->anomalous, 2u);
  EXPECT_NEAR(flipped.anomaly->auc, 1.0 - auc, 1e-12);
  EXPECT_NE(std::find(flipped.warnings.begin(), flipped.warnings.end(),
                      "anomalous label 'broken' does not occur in the data"),
            flipped.warnings.end());
}

}  // namespace
}  // namespace locus::host
