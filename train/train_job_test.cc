// The train job end to end on small data: a keyword model on a Speech
// Commands subset (int8 capsule checked through the runtime against the float
// model), anomaly models on a generated machine-sound set, resumption, and
// bad input refused before training.
#include "train/train_job.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"

namespace locus::train {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("locus_train_job_test_" + name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& leaf) const { return (path_ / leaf).string(); }

 private:
  fs::path path_;
};

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

TrainJobOptions quiet_job(const std::string& pipeline, const TempDir& dir) {
  TrainJobOptions o;
  o.pipeline = pipeline;
  o.output = dir / "model.capsule";
  o.cache_dir = dir / "cache";
  o.show_progress = false;
  return o;
}

const char* test_data() { return std::getenv("LOCUS_TEST_DATA"); }

// The tolerance between the float model and the int8 capsule on held-out
// clips: post-training quantisation may flip a few borderline clips.
constexpr double kInt8Tolerance = 0.03;

TEST(TrainJob, KeywordModelLearnsAndTheInt8CapsuleMatchesTheFloatModel) {
  if (test_data() == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  TempDir dir("keywords");
  const std::string data = std::string(test_data()) + "/speech_commands_test_v0.02";
  write_text(dir / "locus.yml", R"(name: yesno
version: 1.0.0
input: { sensor: audio, sample_rate: 16000, window_ms: 1000, stride_ms: 200 }
features:
  - audio_frontend: { output: int8 }
model: { arch: cnn, width: 8, labels: [yes, no, _silence_] }
postprocess: { average_ms: 600, threshold: 0.7 }
train:
  data: )" + data + R"(
  noise: )" + std::string(test_data()) + R"(/speech_commands_background_noise
  variants: 1
  max_per_class: 60
  epochs: 8
  batch: 32
  learning_rate: 0.005
  seed: 1
  qat: { epochs: 2, learning_rate: 0.001 }
)");
  const TrainJobResult r = run_train_job(quiet_job(dir / "locus.yml", dir));
  EXPECT_EQ(r.labels, (std::vector<std::string>{"yes", "no", "_silence_"}));
  EXPECT_GT(r.float_validation, 0.70) << "chance is 0.33";
  EXPECT_GT(r.float_test, 0.70);
  EXPECT_NEAR(r.int8_validation, r.float_validation, kInt8Tolerance);
  EXPECT_NEAR(r.int8_test, r.float_test, kInt8Tolerance);
  EXPECT_GT(r.outcome.history.back().accuracy, r.outcome.history.front().accuracy);
  // The capsule on disk is the one reported, it verifies, and its self-test
  // was recorded by the builder.
  const host::LoadedCapsule loaded = host::load_capsule(dir / "model.capsule");
  EXPECT_EQ(loaded.bytes.size(), r.capsule.size());
  EXPECT_TRUE(fs::exists(r.work_dir + "/training.json"));
  EXPECT_TRUE(fs::exists(r.work_dir + "/checkpoint.pt"));

  // Again: every feature from the cache, training resumed after its last
  // epoch, the same figures.
  const TrainJobResult again = run_train_job(quiet_job(dir / "locus.yml", dir));
  EXPECT_EQ(again.cache.misses, 0u);
  EXPECT_EQ(again.outcome.resumed_from_epoch, static_cast<int32_t>(r.outcome.history.size()));
  EXPECT_DOUBLE_EQ(again.float_test, r.float_test);
  EXPECT_DOUBLE_EQ(again.int8_test, r.int8_test);

  // Quantisation-aware fine-tuning on request: it runs after the resumed
  // training, and the capsule kept is the better one on validation.
  TrainJobOptions aware = quiet_job(dir / "locus.yml", dir);
  aware.qat_when = "always";
  const TrainJobResult q = run_train_job(aware);
  ASSERT_TRUE(q.qat.ran);
  // auto: fine-tuning runs only when post-training quantisation loses more
  // than a point on validation.
  EXPECT_EQ(r.qat.ran, r.float_validation - r.qat.post_training_int8_validation > 0.01);
  EXPECT_EQ(q.qat.outcome.history.size(), 2u);
  EXPECT_TRUE(fs::exists(q.work_dir + "/qat_checkpoint.pt"));
  const double post_training = q.qat.post_training_int8_validation;
  EXPECT_DOUBLE_EQ(post_training, r.qat.post_training_int8_validation);
  EXPECT_DOUBLE_EQ(q.int8_validation, std::max(post_training, q.qat.int8_validation));
  EXPECT_EQ(q.qat.kept, q.qat.int8_validation >= post_training);
  EXPECT_NEAR(q.int8_test, q.float_test, kInt8Tolerance);
  const nlohmann::json summary = train_summary_json(q);
  EXPECT_EQ(summary["quantization"]["method"], q.qat.kept ? "quantization-aware" : "post-training");
  EXPECT_EQ(summary["quantization"]["aware_fine_tuning"]["epochs"], 2);
}

// A machine hum (fundamental and harmonics, a little noise); anomalous
// machines add a bearing tick or drift in frequency.
host::Audio machine(uint32_t seed, bool anomalous) {
  host::Audio a;
  a.sample_rate = 16000;
  a.samples.resize(32000);
  uint32_t state = seed * 2654435761u + 1;
  const double f0 = 120.0 * (1.0 + 0.01 * (seed % 5));
  for (size_t i = 0; i < a.samples.size(); ++i) {
    const double t = double(i) / a.sample_rate;
    const double f = anomalous && seed % 2 == 0 ? f0 * (1.0 + 0.15 * t) : f0;
    double v = 0.3 * std::sin(2 * M_PI * f * t) + 0.15 * std::sin(2 * M_PI * 3 * f * t) +
               0.08 * std::sin(2 * M_PI * 7 * f * t);
    state = state * 1664525u + 1013904223u;
    v += 0.03 * (double(state >> 8) / double(1u << 24) - 0.5);
    if (anomalous && seed % 2 == 1 && i % 1600 < 40) v += 0.5 * std::sin(2 * M_PI * 3000 * t);
    a.samples[i] = static_cast<int16_t>(std::lround(v * 20000));
  }
  return a;
}

std::string machine_dataset(const TempDir& dir) {
  std::string manifest = "path,label,split\n";
  int n = 0;
  auto add = [&](const std::string& split, bool anomalous, int count) {
    for (int i = 0; i < count; ++i, ++n) {
      const std::string name = (anomalous ? "anomalous/" : "normal/") + std::to_string(n) + ".wav";
      fs::create_directories(dir / "machines" + std::string("/") +
                             (anomalous ? "anomalous" : "normal"));
      host::write_wav(dir / ("machines/" + name), machine(static_cast<uint32_t>(n), anomalous));
      manifest += name + "," + (anomalous ? "anomalous" : "normal") + "," + split + "\n";
    }
  };
  add("train", false, 16);
  add("validation", false, 4);
  add("test", false, 6);
  add("test", true, 6);
  write_text(dir / "machines/manifest.csv", manifest);
  return dir / "machines";
}

class AnomalyJob : public testing::TestWithParam<const char*> {};

TEST_P(AnomalyJob, SeparatesAnomalousMachinesThroughTheInt8Capsule) {
  TempDir dir(std::string("anomaly_") + GetParam());
  const std::string data = machine_dataset(dir);
  const std::string arch = GetParam() == std::string("kmeans")
                               ? "{ arch: kmeans, clusters: 4 }"
                               : "{ arch: autoencoder, width: 32, depth: 2, bottleneck: 4 }";
  write_text(dir / "locus.yml", R"(name: machine
version: 1.0.0
input: { sensor: audio, sample_rate: 16000, window_ms: 192, stride_ms: 32 }
features:
  - mfe: { window_ms: 64, step_ms: 32, fft_length: 1024, mel_bands: 32, log: decibel,
           lower_hz: 20, upper_hz: 8000 }
model: )" + arch + R"(
postprocess: { kind: anomaly, anomaly_threshold: 1.0 }
train: { data: )" + data + R"(, epochs: 30, batch: 64, learning_rate: 0.003, seed: 2 }
)");
  const TrainJobResult r = run_train_job(quiet_job(dir / "locus.yml", dir));
  EXPECT_EQ(r.test.clips, 12u);
  EXPECT_GE(r.float_test, 0.9) << "AUC";
  EXPECT_GE(r.int8_test, 0.9) << "AUC of the int8 capsule";
  if (std::string(GetParam()) == "kmeans") {
    EXPECT_GT(r.silhouette, 0.0);
    EXPECT_LE(r.silhouette, 1.0);
  }
  // The block now quantises for the int8 model input.
  const host::LoadedCapsule loaded = host::load_capsule(dir / "model.capsule");
  EXPECT_GT(loaded.bytes.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Models, AnomalyJob, testing::Values("autoencoder", "kmeans"));

std::string error_of(const TrainJobOptions& o) {
  try {
    run_train_job(o);
  } catch (const host::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(TrainJob, RefusesBadInputBeforeTraining) {
  TempDir dir("bad");
  host::Audio tone = machine(1, false);
  tone.samples.resize(16000);
  const std::string pipeline = R"(name: bad
version: 1.0.0
input: { sensor: audio, sample_rate: 16000, window_ms: 1000 }
features:
  - audio_frontend: { output: int8 }
model: { arch: cnn, labels: [yes, no] }
train:
  epochs: 1
)";
  write_text(dir / "locus.yml", pipeline);
  fs::create_directories(dir / "one/yes");
  for (int i = 0; i < 4; ++i) host::write_wav(dir / ("one/yes/" + std::to_string(i) + ".wav"), tone);
  TrainJobOptions o = quiet_job(dir / "locus.yml", dir);
  EXPECT_NE(error_of(o).find("no training data"), std::string::npos) << error_of(o);
  o.data = dir / "one";
  EXPECT_NE(error_of(o).find("only 1 class"), std::string::npos) << error_of(o);

  // An unreadable file is named before training starts.
  fs::create_directories(dir / "two/no");
  for (int i = 0; i < 4; ++i) host::write_wav(dir / ("two/no/" + std::to_string(i) + ".wav"), tone);
  fs::create_directories(dir / "two/yes");
  write_text(dir / "two/yes/broken.wav", "RIFF nonsense");
  o.data = dir / "two";
  EXPECT_NE(error_of(o).find("broken.wav"), std::string::npos) << error_of(o);

  // Imported models are built, not trained; an unknown setting is refused
  // with its position.
  write_text(dir / "import.yml", "name: x\nversion: 1.0.0\ninput: { sensor: audio }\n"
                                 "features:\n  - audio_frontend: {}\n"
                                 "model: { import: m.tflite, labels: [a, b] }\n");
  EXPECT_NE(error_of(quiet_job(dir / "import.yml", dir)).find("imports its model"),
            std::string::npos);
  write_text(dir / "typo.yml", pipeline + "  epoch: 3\n");
  const std::string typo = error_of(quiet_job(dir / "typo.yml", dir));
  EXPECT_NE(typo.find("typo.yml:9"), std::string::npos) << typo;
}

}  // namespace
}  // namespace locus::train
