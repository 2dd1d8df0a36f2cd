// locus train from the command line: help, errors, and a small run whose
// --json summary and files are checked.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "host/audio/audio_file.h"
#include "tests/support/command_testing.h"

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;
  std::string out;
};

Result locus(const std::string& args) {
  const std::string command = std::string(LOCUS_CLI_PATH) + " " + args + " 2>&1";
  const locus::testing::CommandResult c = locus::testing::run_command(command);
  Result r;
  r.exit_code = c.exit_code;
  r.out = c.out;
  return r;
}

// Two tones, a few clips each, slightly detuned so no two clips are equal.
void write_tones(const fs::path& root) {
  for (const auto& [label, hz] : {std::pair{"low", 400.0}, std::pair{"high", 2000.0}}) {
    fs::create_directories(root / label);
    for (int i = 0; i < 14; ++i) {
      locus::host::Audio a;
      a.sample_rate = 16000;
      a.samples.resize(16000);
      for (size_t t = 0; t < a.samples.size(); ++t) {
        a.samples[t] = static_cast<int16_t>(
            8000 * std::sin(2 * M_PI * hz * (1 + 0.01 * i) * double(t) / a.sample_rate));
      }
      locus::host::write_wav((root / label / ("speaker" + std::to_string(i) + "_nohash_0.wav")).string(), a);
    }
  }
}

TEST(TrainCli, HelpNamesEveryOption) {
  const Result help = locus("train --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--file", "--data", "--noise", "--output", "--work-dir", "--epochs",
                             "--fresh", "--max-per-class", "--sign", "--json"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
}

TEST(TrainCli, ErrorsNameTheProblem) {
  const Result missing = locus("train -f /nonexistent/locus.yml");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("/nonexistent/locus.yml"), std::string::npos) << missing.out;
}

TEST(TrainCli, TrainsAndPrintsAJsonSummary) {
  const fs::path dir = fs::path(::testing::TempDir()) / "locus_train_cli";
  fs::remove_all(dir);
  write_tones(dir / "tones");
  std::ofstream(dir / "locus.yml") << R"(name: tones
version: 1.0.0
input: { sensor: audio, sample_rate: 16000, window_ms: 1000 }
features:
  - audio_frontend: { output: int8 }
model: { arch: cnn, width: 4, labels: [low, high] }
train: { epochs: 3, batch: 8, variants: 0, split: { validation: 0.2, test: 0.2 } }
)";
  const std::string args = "train -f " + (dir / "locus.yml").string() + " --data " +
                           (dir / "tones").string() + " -o " + (dir / "tones.capsule").string() +
                           " --cache " + (dir / "cache").string() + " --json";
  const Result r = locus(args);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["labels"], nlohmann::json({"low", "high"}));
  EXPECT_EQ(j["history"].size(), 3u);
  EXPECT_GT(j["capsule_bytes"].get<int>(), 0);
  EXPECT_TRUE(j["int8"]["validation"].is_number());
  EXPECT_TRUE(fs::exists(dir / "tones.capsule"));
  EXPECT_TRUE(fs::exists(dir / "tones.train" / "training.json"));
  // The capsule is a normal capsule: the runtime verifies it.
  EXPECT_EQ(locus("verify " + (dir / "tones.capsule").string()).exit_code, 0);
  fs::remove_all(dir);
}

}  // namespace
