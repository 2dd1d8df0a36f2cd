// Calibration on a small location in CI: a base keyword model trained on
// clean Speech Commands clips meets a factory whine; ten shots per class
// bring its held-out accuracy up (a real assertion with a margin), the
// capsule records its lineage, labels map and extend, and bad input is
// refused before training.
#include "train/calibrate/calibration_job.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_writer.h"
#include "host/common/error.h"
#include "train/train_job.h"

namespace locus::train {
namespace {

namespace fs = std::filesystem;

const char* test_data() { return std::getenv("LOCUS_TEST_DATA"); }

fs::path work_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() /
                 ("locus_calibration_test_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// Two tones of a machine's whine, 6 dB louder than the clip's speech.
host::Audio with_whine(host::Audio a, uint32_t seed) {
  double power = 0;
  for (int16_t s : a.samples) power += double(s) * s;
  const double rms = std::sqrt(power / std::max<size_t>(1, a.samples.size()));
  const double amplitude = std::max(300.0, rms * 2.0) * std::sqrt(2.0) / std::sqrt(2.0);
  const double phase = 0.37 * seed;
  for (size_t i = 0; i < a.samples.size(); ++i) {
    const double t = double(i) / a.sample_rate;
    const double v = a.samples[i] + amplitude * (0.7 * std::sin(2 * M_PI * 1250 * t + phase) +
                                                 0.5 * std::sin(2 * M_PI * 2900 * t));
    a.samples[i] = static_cast<int16_t>(std::clamp(v, -32768.0, 32767.0));
  }
  return a;
}

// The last `n` clips of each word (the base trains on the first ones), with
// the whine, in class folders; _silence_ is the whine alone.
std::string make_location(const std::string& name, const std::vector<std::string>& words, size_t n) {
  const fs::path root = work_dir() / name;
  const fs::path source = fs::path(test_data()) / "speech_commands_test_v0.02";
  uint32_t seed = 0;
  for (const auto& word : words) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(source / word)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    fs::create_directories(root / word);
    for (size_t i = files.size() - std::min(n, files.size()); i < files.size(); ++i) {
      host::write_wav((root / word / files[i].filename()).string(),
                      with_whine(host::read_audio(files[i].string(), 16000), ++seed));
    }
  }
  fs::create_directories(root / "_silence_");
  for (uint32_t i = 0; i < 30; ++i) {
    host::Audio quiet;
    quiet.sample_rate = 16000;
    quiet.samples.assign(16000, 0);
    host::write_wav((root / "_silence_" / ("whine" + std::to_string(i) + "_nohash_0.wav")).string(),
                    with_whine(quiet, i));
  }
  return root.string();
}

// A small base model on clean clips (as train_job_test trains it).
const std::string& base_capsule() {
  static const std::string path = [] {
    const fs::path dir = work_dir() / "base";
    fs::create_directories(dir);
    std::ofstream(dir / "locus.yml") << R"(name: yesno
version: 1.0.0
input: { sensor: audio, sample_rate: 16000, window_ms: 1000, stride_ms: 200 }
features:
  - audio_frontend: { output: int8 }
model: { arch: cnn, width: 8, labels: [yes, no, _silence_] }
postprocess: { average_ms: 600, threshold: 0.7 }
train:
  data: )" << test_data() << R"(/speech_commands_test_v0.02
  noise: )" << test_data() << R"(/speech_commands_background_noise
  variants: 1
  max_per_class: 60
  epochs: 8
  batch: 32
  learning_rate: 0.005
  seed: 1
  qat: { when: never }
)";
    TrainJobOptions o;
    o.pipeline = (dir / "locus.yml").string();
    o.output = (dir / "yesno.capsule").string();
    o.cache_dir = (work_dir() / "cache").string();
    o.show_progress = false;
    run_train_job(o);
    return o.output;
  }();
  return path;
}

CalibrationOptions options(const std::string& data, const std::string& output) {
  CalibrationOptions o;
  o.base = base_capsule();
  o.data = data;
  o.location = "factory";
  o.output = (work_dir() / output).string();
  o.shots = 10;
  o.epochs = 25;
  o.cache_dir = (work_dir() / "cache").string();
  o.show_progress = false;
  return o;
}

std::string error_of(const CalibrationOptions& o) {
  try {
    run_calibration(o);
  } catch (const host::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Calibration, TenShotsBringTheModelBackInANewSoundscape) {
  if (test_data() == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string location = make_location("factory", {"yes", "no"}, 70);
  const CalibrationResult r = run_calibration(options(location, "factory.capsule"));

  EXPECT_EQ(r.labels, (std::vector<std::string>{"yes", "no", "_silence_"}));
  EXPECT_EQ(r.shots, 30u);
  EXPECT_EQ(r.trials.size(), 3u);  // auto: head, partial, full
  EXPECT_GT(r.after.predictions.size(), 30u);
  EXPECT_EQ(r.after.predictions.size(), r.before.predictions.size());
  EXPECT_GE(r.after.metrics.accuracy, r.before.metrics.accuracy + 0.10)
      << "base " << r.before.metrics.accuracy << ", calibrated " << r.after.metrics.accuracy;

  // Lineage: parent digest, location, sequence and the calibration record.
  const host::LoadedCapsule base = host::load_capsule(base_capsule());
  const host::LoadedCapsule out = host::load_capsule(r.output);
  const host::Sha256 parent = host::sha256(base.capsule.body_bytes(), base.capsule.body_size());
  const auto* id = out.capsule.body()->identity();
  ASSERT_NE(id->parent_digest(), nullptr);
  EXPECT_TRUE(std::equal(parent.begin(), parent.end(), id->parent_digest()->begin()));
  EXPECT_EQ(id->location()->str(), "factory");
  EXPECT_EQ(id->sequence(), base.capsule.body()->identity()->sequence() + 1);
  EXPECT_EQ(id->producer()->str(), "locus calibrate");
  const auto* record = out.capsule.body()->calibration();
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->mode()->str(), r.mode);
  EXPECT_EQ(record->shots_per_class(), 10u);
  EXPECT_EQ(record->location_clips(), 30u);
  EXPECT_EQ(record->data_digest()->size(), 32u);
  EXPECT_FALSE(record->dsp_changed());
  EXPECT_EQ(calibration_summary_json(r)["parent_digest"], host::to_hex(parent.data(), parent.size()));
}

TEST(Calibration, ExtendsLabelsWithTheLocationsNewClasses) {
  if (test_data() == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string location = make_location("new_word", {"yes", "no", "go"}, 120);
  CalibrationOptions o = options(location, "new_word.capsule");
  o.extend_labels = true;
  const CalibrationResult r = run_calibration(o);
  EXPECT_EQ(r.added_labels, (std::vector<std::string>{"go"}));
  EXPECT_EQ(r.labels, (std::vector<std::string>{"yes", "no", "_silence_", "go"}));
  const host::LoadedCapsule out = host::load_capsule(r.output);
  ASSERT_EQ(out.capsule.body()->labels()->size(), 4u);
  EXPECT_EQ(out.capsule.body()->calibration()->labels_added()->Get(0)->str(), "go");
  // The new class is predicted, not just present: the base has no output
  // for it (recall 0). This tiny base model's features were learned for
  // yes/no only, so ten shots of a new word give it a modest recall.
  EXPECT_GT(r.after.metrics.accuracy, 0.6);
  for (const auto& c : r.after.metrics.classes) {
    if (c.label == "go") EXPECT_GT(c.recall, 0.2) << calibration_summary_json(r).dump(1);
  }
}

TEST(Calibration, RefusesBadInputBeforeTraining) {
  if (test_data() == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string location = make_location("errors", {"yes", "no"}, 40);
  CalibrationOptions o = options(location, "errors.capsule");
  o.shots = 500;
  EXPECT_NE(error_of(o).find(": fewer than 500 clips in the location's train split for yes ("),
            std::string::npos)
      << error_of(o);

  const std::string only_yes = make_location("only_yes", {"yes"}, 40);
  o = options(only_yes, "only_yes.capsule");
  EXPECT_EQ(error_of(o), only_yes + ": no clips for model label no in the location's train split; "
                                    "record some, replay the base data (--base-data) or give "
                                    "background noise (--noise) for _silence_");
  o = options(location, "x.capsule");
  o.location.clear();
  EXPECT_EQ(error_of(o), "calibrate: give the location's name (--location)");
  o = options(location, "x.capsule");
  o.mode = "everything";
  EXPECT_EQ(error_of(o), "calibrate: --mode must be head, partial, full or auto, got 'everything'");
}

}  // namespace
}  // namespace locus::train
