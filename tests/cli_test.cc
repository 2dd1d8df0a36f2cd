// The `locus` command as a user runs it: real files on disk, real exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

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

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

Result locus_env(const std::string& env, const std::string& args);
// Every test gets a private data directory so user keys and stores are untouched.
Result locus(const std::string& args) {
  return locus_env("LOCUS_HOME=" + ::testing::TempDir() + "/locus_home_default ", args);
}

Result locus_env(const std::string& env, const std::string& args) {
  const std::string command = env + std::string(LOCUS_CLI_PATH) + " " + args + " 2>&1";
  const testing::CommandResult c = testing::run_command(command);
  Result r;
  r.exit_code = c.exit_code;
  r.out = c.out;
  return r;
}

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

TEST(Cli, HelpListsEveryCommand) {
  Result r = locus("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* command : {"import", "inspect", "run", "features", "build", "init", "graph",
                              "keys", "verify", "sign", "ls", "tag", "rm"}) {
    EXPECT_NE(r.out.find(command), std::string::npos) << r.out;
    EXPECT_EQ(locus(std::string(command) + " --help").exit_code, 0) << command;
  }
  EXPECT_EQ(locus("--version").out.rfind("locus ", 0), 0u);
  for (const char* command : {"import", "inspect", "run"}) {
    Result help = locus(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("--json"), std::string::npos) << help.out;
  }
}

TEST(Cli, InspectAndRunTinyCapsule) {
  const std::string path = temp("tiny.capsule");
  host::write_file_atomic(path, testing::tiny_classifier_capsule());
  Result inspect = locus("inspect --json " + path);
  ASSERT_EQ(inspect.exit_code, 0) << inspect.out;
  nlohmann::json report = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(report["identity"]["name"], "tiny");
  EXPECT_EQ(report["operators"].size(), 3u);

  const std::string input = temp("tiny_input.bin");
  const std::vector<uint8_t> x = {2, 4, 6, 8};
  host::write_file_atomic(input, x);
  Result run = locus("run --json " + path + " --input " + input);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  nlohmann::json out = nlohmann::json::parse(run.out);
  EXPECT_EQ(out["argmax"], 2);
  EXPECT_EQ(out["label"], "c");
  EXPECT_EQ(out["self_test"], true);
}

TEST(Cli, ClearErrorsForBadInput) {
  const std::string junk = temp("junk.capsule");
  host::write_file_atomic(junk, std::vector<uint8_t>(100, 7));
  Result r = locus("inspect " + junk);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("junk.capsule: capsule: missing file identifier"), std::string::npos)
      << r.out;

  const std::string path = temp("tiny2.capsule");
  host::write_file_atomic(path, testing::tiny_classifier_capsule());
  const std::string wrong = temp("wrong_input.bin");
  host::write_file_atomic(wrong, std::vector<uint8_t>(5, 0));
  r = locus("run " + path + " --input " + wrong);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("input has 5 bytes; the capsule's input needs 4"), std::string::npos)
      << r.out;

  r = locus("import " + junk);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("tflite"), std::string::npos) << r.out;
}

TEST(Cli, ImportsAndRunsMicroSpeech) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string capsule = temp("micro_speech.capsule");
  Result r = locus("import " + data + "/tflm_micro_speech/micro_speech_quantized.tflite -o " +
                   capsule + " --labels silence,unknown,yes,no --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["inputs"][0]["shape"], nlohmann::json::array({1, 1960}));
  EXPECT_LE(report["arena_bytes"].get<int>(), 7312);  // TFLM's arena for this model

  r = locus("run " + capsule + " --json --input " + data +
            "/golden/micro_speech/frontend_head/yes_1000ms.features_i8.bin");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["label"], "yes");
}

TEST(Cli, InitWritesStarterPipelines) {
  const std::string path = temp("init_locus.yml");
  std::remove(path.c_str());
  Result r = locus("init --template imu -o " + path);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = locus("init --template imu -o " + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("already exists (use --force to overwrite)"), std::string::npos) << r.out;
  r = locus("build -f " + path + " -o " + temp("imu.capsule"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("model.tflite: cannot open"), std::string::npos) << r.out;
  EXPECT_EQ(locus("init --template nope -o " + temp("x.yml")).exit_code, 1);
}

// silence, yes, silence, no, silence from TFLM's clips.
std::string yes_no_recording(const std::string& data) {
  const std::string clips = data + "/tflm_micro_speech/";
  host::Audio all;
  all.sample_rate = 16000;
  for (const char* clip : {"silence", "yes", "silence", "no", "silence"}) {
    const host::Audio a = host::read_audio(clips + clip + "_1000ms.wav", 16000);
    all.samples.insert(all.samples.end(), a.samples.begin(), a.samples.end());
  }
  const std::string path = temp("yes_no.wav");
  host::write_wav(path, all);
  return path;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '{') lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

void expect_yes_then_no(const std::vector<nlohmann::json>& events) {
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["label"], "yes");
  EXPECT_EQ(events[1]["label"], "no");
  // yes is spoken in 1..2 s, no in 3..4 s; the averaged score crosses the
  // threshold within the following second.
  EXPECT_GT(events[0]["timestamp_ms"].get<int>(), 1000);
  EXPECT_LT(events[0]["timestamp_ms"].get<int>(), 3000);
  EXPECT_GT(events[1]["timestamp_ms"].get<int>(), 3000);
  EXPECT_LT(events[1]["timestamp_ms"].get<int>(), 5000);
}

TEST(Cli, BuildsAndStreamsTheMicroSpeechPipeline) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string capsule = temp("pipeline_ms.capsule");
  Result r = locus("build -f " + std::string(LOCUS_SOURCE_DIR) +
                   "/examples/micro_speech/locus.yml -o " + capsule + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json build = nlohmann::json::parse(r.out);
  EXPECT_EQ(build["frames"], 49);
  EXPECT_EQ(build["stride_frames"], 10);

  const std::string recording = yes_no_recording(data);
  r = locus("run " + capsule + " " + recording + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  expect_yes_then_no(json_lines(r.out));

  // The same stream as raw PCM on stdin.
  host::Audio audio = host::read_audio(recording);
  const std::string pcm = temp("yes_no.pcm");
  host::write_file_atomic(pcm, {reinterpret_cast<const uint8_t*>(audio.samples.data()),
                                audio.samples.size() * 2});
  r = locus("run " + capsule + " - --json < " + pcm);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  expect_yes_then_no(json_lines(r.out));

  r = locus("graph " + capsule + " -o " + temp("ms.svg"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  host::AlignedBuffer svg = host::read_file(temp("ms.svg"));
  const std::string text(reinterpret_cast<const char*>(svg.data()), svg.size());
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("DEPTHWISE_CONV_2D"), std::string::npos);
  EXPECT_NE(locus("graph " + capsule).out.find("digraph"), std::string::npos);
}

TEST(Cli, CorruptAudioIsReportedByName) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string capsule = temp("pipeline_ms2.capsule");
  ASSERT_EQ(locus("build -f " + std::string(LOCUS_SOURCE_DIR) +
                  "/examples/micro_speech/locus.yml -o " + capsule).exit_code, 0);
  const std::string bad = temp("corrupt.wav");
  host::write_file_atomic(bad, std::vector<uint8_t>{'R', 'I', 'F', 'F', 1, 2, 3});
  Result r = locus("run " + capsule + " " + bad);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("corrupt.wav: cannot read audio"), std::string::npos) << r.out;
}

TEST(Cli, SignVerifyStoreAndTamper) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const std::string home = temp("locus_home_cli");
  std::filesystem::remove_all(home);
  const std::string env = "LOCUS_HOME=" + home + " ";
  auto run = [&](const std::string& args) { return locus_env(env, args); };

  ASSERT_EQ(run("keys generate release").exit_code, 0);
  ASSERT_EQ(run("keys generate other").exit_code, 0);
  EXPECT_EQ(run("keys generate release").exit_code, 1);  // never overwritten
  const std::string capsule = temp("signed_ms.capsule");
  Result r = run("build -f " + std::string(LOCUS_SOURCE_DIR) + "/examples/micro_speech/locus.yml -o " +
                 capsule + " --sign release -t micro_speech:1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["signed"], true);

  r = run("verify " + capsule + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = run("verify micro_speech:1 --key release");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  r = run("verify " + capsule + " --key other");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("signature"), std::string::npos) << r.out;

  // One flipped byte anywhere fails verification with a clear message.
  host::AlignedBuffer bytes = host::read_file(capsule);
  for (size_t at : {size_t{40}, bytes.size() / 2, bytes.size() - 10}) {
    std::vector<uint8_t> copy(bytes.data(), bytes.data() + bytes.size());
    copy[at] ^= 0x10;
    const std::string tampered = temp("tampered.capsule");
    host::write_file_atomic(tampered, copy);
    r = run("verify " + tampered);
    EXPECT_EQ(r.exit_code, 1) << "byte " << at;
    EXPECT_NE(r.out.find("check failed"), std::string::npos) << r.out;
  }

  r = run("ls --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("micro_speech"), std::string::npos) << r.out;
  EXPECT_EQ(run("tag micro_speech:1 micro_speech:latest").exit_code, 0);
  EXPECT_EQ(run("rm micro_speech:1").exit_code, 0);
  EXPECT_EQ(run("verify micro_speech:latest").exit_code, 0);
  EXPECT_EQ(run("verify micro_speech:1").exit_code, 1);
}

}  // namespace
}  // namespace locus
