#include "host/dataset/data_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "host/dataset/dataset_testing.h"

namespace locus::host {
namespace {

using testing::TempDir;
using testing::write_text;
using testing::write_tone;
namespace fs = std::filesystem;

std::vector<std::string> problems_of(const DataStats& s, DataProblemKind kind) {
  std::vector<std::string> out;
  for (const DataProblem& p : s.problems) {
    if (p.kind != kind) continue;
    out.push_back(p.path.empty() ? p.detail : fs::path(p.path).lexically_relative(s.root).string());
  }
  return out;
}

void write_samples(const std::string& path, uint32_t rate, std::vector<int16_t> samples) {
  Audio a;
  a.sample_rate = rate;
  a.samples = std::move(samples);
  write_wav(path, a);
}

class DataStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_tone(dir / "yes/ok.wav");  // 1 s, -6 dBFS
    write_samples(dir / "yes/zero.wav", 16000, std::vector<int16_t>(16000, 0));
    write_tone(dir / "yes/quiet.wav", 16000, 1.0, 0.0003);  // about -70 dBFS
    std::vector<int16_t> square(16000);
    for (size_t i = 0; i < square.size(); ++i) square[i] = (i / 20) % 2 ? 32767 : -32768;
    write_samples(dir / "yes/clipped.wav", 16000, square);
    write_tone(dir / "no/eight_k.wav", 8000, 1.0);
    write_tone(dir / "no/short.wav", 16000, 0.1);
    write_text(dir / "no/corrupt.wav", "RIFF....WAVEfmt garbage");
    write_text(dir / "wave/imu.csv", "timestamp,accX,accY\n0,1,2\n10,3,4\n20,5,6\n30,7,8\n");
    fs::create_directories(dir.path() / "stop");
  }
  TempDir dir;
};

TEST_F(DataStatsTest, CountsDurationsAndProblems) {
  Dataset d = load_dataset(dir.path().string());
  DataStatsOptions options;
  options.expected_sample_rate = 16000;
  const DataStats s = compute_data_stats(d, options);
  EXPECT_EQ(s.samples, 8u);
  EXPECT_EQ(s.readable, 7u);
  EXPECT_EQ(s.labels, (std::vector<std::string>{"no", "wave", "yes"}));
  EXPECT_EQ(s.label_counts.at("yes"), 4u);
  EXPECT_EQ(s.label_counts.at("no"), 3u);
  EXPECT_EQ(s.counts.at("yes").at("").at(""), 4u);
  EXPECT_EQ(s.splits, (std::vector<std::string>{""}));
  EXPECT_DOUBLE_EQ(s.label_seconds.at("yes"), 4.0);
  EXPECT_DOUBLE_EQ(s.label_seconds.at("no"), 1.1);
  EXPECT_DOUBLE_EQ(s.label_seconds.at("wave"), 0.04);  // 4 rows at 100 Hz
  EXPECT_NEAR(s.total_seconds, 5.14, 1e-9);
  EXPECT_EQ(s.sample_rates, (std::map<uint32_t, size_t>{{8000, 1}, {16000, 5}}));
  EXPECT_EQ(s.imu_rates_hz, (std::map<double, size_t>{{100.0, 1}}));
  EXPECT_EQ(s.channels, (std::map<int, size_t>{{1, 6}, {2, 1}}));
  EXPECT_EQ(s.smallest_label, "wave");
  EXPECT_EQ(s.largest_label, "yes");
  EXPECT_DOUBLE_EQ(s.class_balance, 0.25);

  EXPECT_EQ(problems_of(s, DataProblemKind::kUnreadable),
            (std::vector<std::string>{"no/corrupt.wav"}));
  EXPECT_EQ(problems_of(s, DataProblemKind::kSilent),
            (std::vector<std::string>{"yes/quiet.wav", "yes/zero.wav"}));
  EXPECT_EQ(problems_of(s, DataProblemKind::kClipped),
            (std::vector<std::string>{"yes/clipped.wav"}));
  EXPECT_EQ(problems_of(s, DataProblemKind::kSampleRate),
            (std::vector<std::string>{"no/eight_k.wav"}));
  EXPECT_EQ(problems_of(s, DataProblemKind::kTooShort), (std::vector<std::string>{"no/short.wav"}));
  EXPECT_EQ(problems_of(s, DataProblemKind::kEmptyClass), (std::vector<std::string>{"stop"}));
  EXPECT_TRUE(problems_of(s, DataProblemKind::kSingleClass).empty());
  EXPECT_TRUE(problems_of(s, DataProblemKind::kImbalanced).empty());

  const FileStats& clipped = s.files[4];
  EXPECT_EQ(fs::path(clipped.path).filename(), "clipped.wav");
  EXPECT_DOUBLE_EQ(clipped.clipped_share, 1.0);
  EXPECT_NEAR(s.files[6].peak_dbfs, -70.3, 0.2);  // yes/quiet.wav
  EXPECT_NEAR(s.files[5].peak_dbfs, -6.0, 0.1);   // yes/ok.wav
  EXPECT_TRUE(std::isinf(s.files[7].peak_dbfs));  // yes/zero.wav
  EXPECT_FALSE(s.files[0].readable);
  EXPECT_NE(s.files[0].error, "");

  const std::string text = render_data_stats(s);
  EXPECT_NE(text.find("8 samples, 3 labels, 5.1 s (1 unreadable)"), std::string::npos) << text;
  EXPECT_NE(text.find("sample rates: 8000 Hz (1) 16000 Hz (5)"), std::string::npos) << text;
  EXPECT_NE(text.find("class balance: 0.25 (smallest 'wave' 1, largest 'yes' 4)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  silent       yes/zero.wav: all samples are zero (below -60 dBFS)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  sample_rate  no/eight_k.wav: 8000 Hz, expected 16000 Hz"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  empty_class  stop: class folder 'stop' holds no recordings"),
            std::string::npos)
      << text;

  const nlohmann::json j = data_stats_json(s);
  EXPECT_EQ(j["samples"], 8);
  EXPECT_EQ(j["counts"]["yes"]["unassigned"][""], 4);
  EXPECT_EQ(j["sample_rates"]["16000"], 5);
  EXPECT_EQ(j["class_balance"]["smallest"], "wave");
  EXPECT_EQ(j["problems"].size(), s.problems.size());
  EXPECT_EQ(j["problems"][0]["kind"], "unreadable");
  EXPECT_NO_THROW(nlohmann::json::parse(j.dump()));
}

TEST_F(DataStatsTest, OneWorkerAndTwoAgree) {
  const Dataset d = load_dataset(dir.path().string());
  DataStatsOptions one, two;
  one.threads = 1;
  two.threads = 2;
  EXPECT_EQ(data_stats_json(compute_data_stats(d, one)).dump(),
            data_stats_json(compute_data_stats(d, two)).dump());
}

TEST(DataStats, SplitsLocationsSingleClassAndImbalance) {
  TempDir dir;
  for (int i = 0; i < 12; ++i) write_tone(dir / ("a/s" + std::to_string(i) + ".wav"), 16000, 0.3);
  write_tone(dir / "b/t.wav", 16000, 0.3);
  write_text(dir / "m.csv",
             "path,label,split,location\n"
             "a/s0.wav,a,test,kitchen\na/s1.wav,a,validation,kitchen\na/s2.wav,a,train,garage\n"
             "a/s3.wav,a,train,\na/s4.wav,a,train,\na/s5.wav,a,train,\na/s6.wav,a,train,\n"
             "a/s7.wav,a,train,\na/s8.wav,a,train,\na/s9.wav,a,train,\na/s10.wav,a,train,\n"
             "a/s11.wav,a,train,\nb/t.wav,b,train,garage\n");
  Dataset d = load_dataset(dir.path().string(), {dir / "m.csv"});
  DataStats s = compute_data_stats(d);
  EXPECT_EQ(s.splits, (std::vector<std::string>{"train", "validation", "test"}));
  EXPECT_EQ(s.locations, (std::vector<std::string>{"", "garage", "kitchen"}));
  EXPECT_EQ(s.counts.at("a").at("train").at("garage"), 1u);
  EXPECT_EQ(s.counts.at("a").at("train").at(""), 9u);
  EXPECT_EQ(problems_of(s, DataProblemKind::kEmptyClass),
            (std::vector<std::string>{"label 'b' has no samples in validation",
                                      "label 'b' has no samples in test"}));
  EXPECT_EQ(problems_of(s, DataProblemKind::kImbalanced),
            (std::vector<std::string>{"'b' has 1 samples, 'a' 12 (ratio 0.083)"}));
  const std::string text = render_data_stats(s);
  EXPECT_NE(text.find("kitchen"), std::string::npos) << text;
  EXPECT_NE(text.find("validation"), std::string::npos) << text;

  d.samples.pop_back();
  s = compute_data_stats(d);
  EXPECT_EQ(problems_of(s, DataProblemKind::kSingleClass),
            (std::vector<std::string>{"only one label ('a'): a classifier needs at least two"}));
}

TEST(DataStats, SpeechCommandsTestSet) {
  const std::string data = testing::test_data();
  if (data.empty())
    GTEST_SKIP() << "LOCUS_TEST_DATA is not set; skipping the Speech Commands stats test";
  const std::string root = data + "/speech_commands_test_v0.02";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " is missing";
  Dataset d = load_dataset(root);
  assign_splits(d);
  DataStatsOptions options;
  options.expected_sample_rate = 16000;
  const DataStats s = compute_data_stats(d, options);
  EXPECT_EQ(s.samples, 4890u);
  EXPECT_EQ(s.readable, 4890u);
  EXPECT_EQ(s.labels.size(), 12u);
  EXPECT_EQ(s.sample_rates, (std::map<uint32_t, size_t>{{16000, 4890}}));
  EXPECT_EQ(s.channels, (std::map<int, size_t>{{1, 4890}}));
  EXPECT_NEAR(s.total_seconds, 4890.0, 1.0);
  EXPECT_GT(s.class_balance, 0.9);
  EXPECT_TRUE(problems_of(s, DataProblemKind::kUnreadable).empty());
  EXPECT_TRUE(problems_of(s, DataProblemKind::kSampleRate).empty());
  EXPECT_TRUE(problems_of(s, DataProblemKind::kEmptyClass).empty());
  EXPECT_EQ(s.splits, (std::vector<std::string>{"train", "validation", "test"}));
}

}  // namespace
}  // namespace locus::host
