// `locus eval` as a user runs it: real files, real exit codes, JSON on
// stdout and progress on stderr.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_file.h"
#include "tests/support/tiny_models.h"
#include "tests/support/command_testing.h"

namespace locus {
namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Names carry the process id: CTest runs these tests in parallel processes.
std::string temp(const std::string& name) {
  return ::testing::TempDir() + "/" + std::to_string(getpid()) + "_" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result locus(const std::string& args) {
  const std::string err = temp("eval_cli_stderr.txt");
  const std::string command = "LOCUS_HOME=" + temp("eval_cli_home") + " " +
                              std::string(LOCUS_CLI_PATH) + " " + args + " 2>" + err;
  const testing::CommandResult c = testing::run_command(command);
  Result r;
  r.exit_code = c.exit_code;
  r.out = c.out;
  r.err = slurp(err);
  return r;
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = temp(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(EvalCli, HelpListsEveryOption) {
  const Result r = locus("eval --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--data", "--manifest", "--split", "--split-seed", "--json",
                             "--report", "--anomalous-labels", "--threads", "store reference"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option << "\n" << r.out;
  }
  EXPECT_NE(locus("--help").out.find("eval"), std::string::npos);
}

TEST(EvalCli, ClearErrorsForBadCapsules) {
  const std::string data = fresh_dir("eval_cli_tiny_data");
  fs::create_directories(data + "/a");
  host::Audio audio;
  audio.sample_rate = 16000;
  audio.samples.assign(1600, 0);
  host::write_wav(data + "/a/one.wav", audio);

  Result r = locus("eval " + temp("missing.capsule") + " --data " + data);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.capsule: no such file"), std::string::npos) << r.err;

  const std::string junk = temp("eval_junk.capsule");
  host::write_file_atomic(junk, std::vector<uint8_t>(100, 7));
  r = locus("eval " + junk + " --data " + data);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("eval_junk.capsule: capsule: missing file identifier"), std::string::npos)
      << r.err;

  const std::string tiny = temp("eval_tiny.capsule");
  host::write_file_atomic(tiny, testing::tiny_classifier_capsule());
  r = locus("eval " + tiny + " --data " + data);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("this capsule has no sensor pipeline"), std::string::npos) << r.err;

  r = locus("eval " + tiny + " --data " + data + " --threads 0");
  EXPECT_NE(r.exit_code, 0);
  r = locus("eval " + tiny + " --data " + temp("no_such_data_dir"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no_such_data_dir"), std::string::npos) << r.err;
}

TEST(EvalCli, MicroSpeechJsonAndReport) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string capsule = temp("eval_cli_ms.capsule");
  Result r = locus("build -f " + std::string(LOCUS_SOURCE_DIR) +
                   "/examples/micro_speech/locus.yml -o " + capsule);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const std::string dir = fresh_dir("eval_cli_ms_data");
  for (const char* label : {"yes", "no", "silence"}) {
    fs::create_directories(dir + "/" + label);
    fs::copy_file(data + "/tflm_micro_speech/" + label + "_1000ms.wav",
                  dir + "/" + label + "/" + label + "_1000ms.wav");
  }
  fs::create_directories(dir + "/up");
  fs::copy_file(data + "/tflm_micro_speech/noise_1000ms.wav", dir + "/up/noise.wav");
  host::write_file_atomic(dir + "/no/broken.wav", std::vector<uint8_t>(40, 1));

  const std::string report = temp("eval_cli_report");
  fs::remove_all(report);
  r = locus("eval " + capsule + " --data " + dir + " --json --report " + report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["capsule"]["name"], "micro_speech");
  EXPECT_EQ(j["metrics"]["total"], 3);
  EXPECT_EQ(j["metrics"]["accuracy"], 1.0);
  for (const auto& p : j["predictions"]) EXPECT_EQ(p["predicted"], p["label"]) << p;
  EXPECT_EQ(j["dataset"]["skipped_labels"]["up"], 1);
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_NE(j["errors"][0]["path"].get<std::string>().find("broken.wav"), std::string::npos);
  EXPECT_GT(j["capsule"]["memory_bytes"].get<int>(), j["capsule"]["arena_bytes"].get<int>());
  EXPECT_GT(j["latency"]["mean_model_us"].get<double>(), 0.0);
  // stderr: progress, the bad file, the skipped label.
  EXPECT_NE(r.err.find("eval: 4/4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("broken.wav"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("were skipped: up (1)"), std::string::npos) << r.err;

  for (const char* name : {"index.html", "report.json", "confusion.svg", "confusion.png"}) {
    EXPECT_TRUE(fs::exists(report + "/" + name)) << name;
  }
  const std::string svg = slurp(report + "/confusion.svg");
  const std::string html = slurp(report + "/index.html");
  for (const char* label : {">silence<", ">unknown<", ">yes<", ">no<"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label;
    EXPECT_NE(html.find(label), std::string::npos) << label;
  }
  EXPECT_NE(html.find(j["capsule"]["digest"].get<std::string>()), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(slurp(report + "/report.json"))["metrics"], j["metrics"]);

  // The text report.
  r = locus("eval " + capsule + " --data " + dir + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("100.00 % (3 of 3)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("confusion matrix (rows: true, columns: predicted)"), std::string::npos);
}

TEST(EvalCli, SplitOfSpeechCommandsBySpeaker) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string capsule = temp("eval_cli_ms_split.capsule");
  ASSERT_EQ(locus("build -f " + std::string(LOCUS_SOURCE_DIR) +
                  "/examples/micro_speech/locus.yml -o " + capsule)
                .exit_code,
            0);
  const std::string dir = fresh_dir("eval_cli_sc_data");
  for (const char* label : {"yes", "no"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(data + "/speech_commands_test_v0.02/" + label)) {
      files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    fs::create_directories(dir + "/" + label);
    for (size_t i = 0; i < 20; ++i) {
      fs::copy_file(files[i], dir + "/" + label + "/" + files[i].filename().string());
    }
  }
  const Result all = locus("eval " + capsule + " --data " + dir + " --json");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const Result train = locus("eval " + capsule + " --data " + dir + " --json --split train");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const nlohmann::json a = nlohmann::json::parse(all.out), t = nlohmann::json::parse(train.out);
  EXPECT_EQ(a["metrics"]["total"], 40);
  EXPECT_GT(a["metrics"]["accuracy"].get<double>(), 0.6);
  EXPECT_EQ(t["dataset"]["split"], "train");
  EXPECT_LT(t["metrics"]["total"].get<int>(), 40);
  EXPECT_GT(t["metrics"]["total"].get<int>(), 20);
  EXPECT_EQ(locus("eval " + capsule + " --data " + dir + " --split nope").exit_code, 1);
}

}  // namespace
}  // namespace locus
