// The `locus` command as a user runs it: real files on disk, real exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "host/capsule/capsule_file.h"
#include "tests/support/tiny_models.h"

namespace locus {
namespace {

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

Result locus(const std::string& args) {
  const std::string command = std::string(LOCUS_CLI_PATH) + " " + args + " 2>&1";
  Result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) r.out.append(buffer, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

TEST(Cli, HelpListsEveryCommand) {
  Result r = locus("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* command : {"import", "inspect", "run"}) {
    EXPECT_NE(r.out.find(command), std::string::npos) << r.out;
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

}  // namespace
}  // namespace locus
