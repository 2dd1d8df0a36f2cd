// `locus synth ...` as a user runs it: the real binary, real files, real
// exit codes and messages.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "host/audio/audio_file.h"
#include "host/dataset/dataset.h"
#include "host/dataset/dataset_testing.h"
#include "host/synth/espeak.h"
#include "tests/support/command_testing.h"

namespace locus {
namespace {

using host::testing::TempDir;
namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
  std::string stdout_only;
};

Result locus(const std::string& args, bool merge_stderr = true) {
  const std::string command =
      std::string(LOCUS_CLI_PATH) + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  const testing::CommandResult c = testing::run_command(command);
  Result r;
  r.exit_code = c.exit_code;
  r.out = c.out;
  return r;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(SynthCli, Help) {
  Result r = locus("synth --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(has(r.out, "speech")) << r.out;
  EXPECT_TRUE(has(r.out, "machine")) << r.out;
  for (const char* sub : {"speech", "machine"}) {
    Result help = locus(std::string("synth ") + sub + " --help");
    EXPECT_EQ(help.exit_code, 0) << sub;
    EXPECT_TRUE(has(help.out, "--seed")) << help.out;
    EXPECT_TRUE(has(help.out, "--soundscape")) << help.out;
  }
  EXPECT_NE(locus("synth").exit_code, 0);
}

TEST(SynthCli, VoicesListsTheOrderVoicesNTakes) {
  if (!host::espeak_available()) GTEST_SKIP() << "espeak-ng is not installed";
  Result r = locus("synth voices --language et --json", false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto list = nlohmann::json::parse(r.out).get<std::vector<std::string>>();
  ASSERT_GT(list.size(), 20u);
  EXPECT_EQ(list[0], "et+m1");
  EXPECT_EQ(list[1], "et+f1");
  EXPECT_EQ(std::vector<std::string>(list.begin(), list.begin() + 4), host::resolve_voices("4", "et"));
}

TEST(SynthCli, MachineJsonAndManifest) {
  TempDir dir;
  const std::string out = dir / "m";
  Result r = locus("synth machine --location hall --normal 4 --anomalous 2 --clip-ms 200 "
                   "--soundscape traffic --snr 5:10 --seed 3 --json -o " + out, false);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["clips"], 6);
  EXPECT_EQ(j["labels"]["normal"], 4);
  EXPECT_EQ(j["labels"]["anomalous"], 2);
  const host::Dataset d = host::load_dataset(out);
  EXPECT_EQ(d.samples.size(), 6u);
  Result again = locus("synth machine --location hall --normal 4 --anomalous 2 --clip-ms 200 "
                       "--soundscape traffic --snr 5:10 --seed 3 --json -o " + out);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(has(again.out, "not empty")) << again.out;
}

TEST(SynthCli, ThePipelineSetsRateAndLength) {
  TempDir dir;
  host::testing::write_text(dir / "locus.yml",
      "name: t\nversion: 1.0.0\n"
      "input: { sensor: audio, sample_rate: 8000, window_ms: 500, stride_ms: 250 }\n"
      "features:\n  - mfe: { window_ms: 32, step_ms: 16, fft_length: 256, mel_bands: 20 }\n"
      "model: { arch: kmeans, clusters: 2 }\n"
      "postprocess: { kind: anomaly, anomaly_threshold: 1.0 }\n");
  Result r = locus("synth machine --normal 1 --anomalous 1 -f " + (dir / "locus.yml") + " -o " +
                   (dir / "a"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const host::Sample& s : host::load_dataset(dir / "a").samples) {
    const host::Audio audio = host::read_audio(s.path);
    EXPECT_EQ(audio.sample_rate, 8000u);
    EXPECT_EQ(audio.samples.size(), 4000u);
  }
  r = locus("synth machine --normal 1 --anomalous 0 --clip-ms 250 -f " + (dir / "locus.yml") +
            " -o " + (dir / "b"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(host::read_audio(dir / "b/normal/normal_00000.wav").samples.size(), 2000u);
}

TEST(SynthCli, BadOptionsGiveClearErrors) {
  TempDir dir;
  const std::string out = " -o " + (dir / "x");
  struct Case {
    std::string args, message;
  } cases[] = {
      {"synth speech --words up --pitch 80:20", "--pitch '80:20': the low end is above"},
      {"synth speech --words up --speed 10:20", "--speed '10:20': values must lie within 80:450"},
      {"synth speech --words up --label-map up", "--label-map: 'up' is not WORD=LABEL"},
      {"synth speech --words up --soundscape rain", "--soundscape: unknown name 'rain'"},
      {"synth machine --anomalies squeak", "--anomalies: unknown name 'squeak'"},
      {"synth machine --severity 0:2", "--severity '0:2'"},
  };
  for (const Case& c : cases) {
    Result r = locus(c.args + out);
    EXPECT_EQ(r.exit_code, 1) << c.args << "\n" << r.out;
    EXPECT_TRUE(has(r.out, "locus: error: ")) << r.out;
    EXPECT_TRUE(has(r.out, c.message)) << c.args << "\n" << r.out;
  }
  EXPECT_FALSE(fs::exists(dir / "x"));
}

TEST(SynthCli, SpeechIsByteIdenticalAcrossRuns) {
  if (!host::espeak_available()) GTEST_SKIP() << "espeak-ng is not installed";
  TempDir dir;
  const std::string args =
      "synth speech --words up,down --language en-us --voices en-us+m3,en-us+f2 --variants 2 "
      "--soundscape babble --snr 10:15 --location cafe --seed 11 --validation 0.3 --test 0.3 -o ";
  Result a = locus(args + (dir / "a"));
  ASSERT_EQ(a.exit_code, 0) << a.out;
  EXPECT_TRUE(has(a.out, "synth: 8/8")) << a.out;
  Result b = locus(args + (dir / "b") + " -j 1");
  ASSERT_EQ(b.exit_code, 0) << b.out;
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "a")) {
    if (!e.is_regular_file()) continue;
    ++files;
    const fs::path rel = fs::relative(e.path(), dir / "a");
    EXPECT_EQ(read_bytes(e.path()), read_bytes(dir.path() / "b" / rel)) << rel;
  }
  EXPECT_EQ(files, 9u);
  const host::Dataset d = host::load_dataset(dir / "a");
  for (const host::Sample& s : d.samples) {
    EXPECT_FALSE(s.split.empty());
    EXPECT_EQ(s.extra.at("noise"), "soundscape:babble");
  }
  Result bad = locus("synth speech --words up --voices 2 --language qq-zz -o " + (dir / "c"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(has(bad.out, "no voice or language 'qq-zz'")) << bad.out;
}

}  // namespace
}  // namespace locus
