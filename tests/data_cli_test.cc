// `locus data ...` as a user runs it: real files on disk, real exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "host/dataset/dataset.h"
#include "host/dataset/dataset_testing.h"
#include "tests/support/command_testing.h"

namespace locus {
namespace {

using host::testing::TempDir;
using host::testing::write_text;
using host::testing::write_tone;
namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

Result locus(const std::string& args) {
  const std::string command = std::string(LOCUS_CLI_PATH) + " " + args + " 2>&1";
  const testing::CommandResult c = testing::run_command(command);
  Result r;
  r.exit_code = c.exit_code;
  r.out = c.out;
  return r;
}

// Two labels, six speakers.
void make_dataset(const TempDir& dir) {
  for (const char* speaker :
       {"aaaa0001", "bbbb0002", "cccc0003", "dddd0004", "eeee0005", "ffff0006"}) {
    write_tone(dir / ("data/yes/" + std::string(speaker) + "_nohash_0.wav"), 16000, 0.5);
    write_tone(dir / ("data/no/" + std::string(speaker) + "_nohash_0.wav"), 16000, 0.5, 0.4, 300);
  }
}

TEST(DataCli, HelpForEverySubcommand) {
  Result r = locus("--help");
  EXPECT_NE(r.out.find("data"), std::string::npos) << r.out;
  r = locus("data --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"stats", "split", "import-ei", "export-ei"}) {
    EXPECT_NE(r.out.find(sub), std::string::npos) << r.out;
    Result help = locus(std::string("data ") + sub + " --help");
    EXPECT_EQ(help.exit_code, 0) << sub;
    EXPECT_NE(help.out.find("--"), std::string::npos) << help.out;
  }
  EXPECT_NE(locus("data").exit_code, 0);
}

TEST(DataCli, SplitWritesAManifestStatsReadsIt) {
  TempDir dir;
  make_dataset(dir);
  const std::string manifest = dir / "data/splits.csv";
  Result r =
      locus("data split " + dir / "data" + " --validation 0.2 --test 0.2 --seed 3 -o " + manifest);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("12 samples"), std::string::npos) << r.out;
  const host::Dataset d = host::load_dataset(dir / "data", {manifest});
  ASSERT_EQ(d.samples.size(), 12u);
  for (const host::Sample& s : d.samples) EXPECT_FALSE(s.split.empty());
  EXPECT_EQ(d.samples[0].path, dir / "data/no/aaaa0001_nohash_0.wav");

  r = locus("data stats " + dir / "data" + " --manifest " + manifest +
            " --sample-rate 8000 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["samples"], 12);
  EXPECT_EQ(j["label_counts"]["yes"], 6);
  EXPECT_EQ(j["problems"][0]["kind"], "sample_rate");

  r = locus("data stats " + dir / "data");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("12 samples, 2 labels, 6.0 s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("train"), std::string::npos) << r.out;

  r = locus("data split " + dir / "data" + " --validation 0.6 --test 0.6 -o " + dir / "x.csv");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("locus: error: split: validation share 0.6 and test share 0.6 add up to 1"),
            std::string::npos)
      << r.out;
}

TEST(DataCli, EdgeImpulseExportImport) {
  TempDir dir;
  make_dataset(dir);
  Result r = locus("data export-ei " + dir / "data" + " -o " + dir / "ei" +
                   " --format cbor --hmac-key s3cret");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("exported 12 file(s)"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir.path() / "ei/yes.aaaa0001_nohash_0.cbor"));

  r = locus("data import-ei " + dir / "ei" + " -o " + dir / "bad" + " --hmac-key wrong");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("signature does not match the HMAC key"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir.path() / "bad"));

  r = locus("data import-ei " + dir / "ei" + " -o " + dir / "back" + " --hmac-key s3cret");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("imported 12 file(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("12 signature(s) verified"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir.path() / "back/no/ffff0006_nohash_0.wav"));

  r = locus("data export-ei " + dir / "data" + " -o " + dir / "train_only" + " --split train");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = locus("data import-ei " + dir / "train_only" + " -o " + dir / "back2");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;  // unsigned: nothing to verify

  write_text(dir / "broken/yes.1.json", "{\"protected\": {\"ver\": \"v1\"");
  r = locus("data import-ei " + dir / "broken" + " -o " + dir / "back3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("locus: error: " + dir / "broken/yes.1.json" + ": not valid JSON"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace locus
