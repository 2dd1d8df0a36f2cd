#include "host/dataset/dataset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "host/common/error.h"
#include "host/dataset/csv.h"
#include "host/dataset/dataset_testing.h"

namespace locus::host {
namespace {

using testing::error_of;
using testing::TempDir;
using testing::write_text;
using testing::write_tone;
namespace fs = std::filesystem;


std::string rel(const Dataset& d, const Sample& s) {
  return fs::path(s.path).lexically_relative(d.root).generic_string();
}

TEST(Csv, QuotesLineBreaksAndLineNumbers) {
  const std::vector<CsvRecord> r = parse_csv(
      "\xEF\xBB\xBFpath,label\r\n"
      "\"a, b.wav\",yes\r\n"
      "\r\n"
      "\"two\nlines\",\"say \"\"hi\"\"\"\n"
      "  c.wav , no \n"
      "d.wav,",
      "m.csv");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].fields, (std::vector<std::string>{"path", "label"}));
  EXPECT_EQ(r[1].fields, (std::vector<std::string>{"a, b.wav", "yes"}));
  EXPECT_EQ(r[2].line, 4u);
  EXPECT_EQ(r[2].fields, (std::vector<std::string>{"two\nlines", "say \"hi\""}));
  EXPECT_EQ(r[3].line, 6u);
  EXPECT_EQ(r[3].fields, (std::vector<std::string>{"c.wav", "no"}));
  EXPECT_EQ(r[4].fields, (std::vector<std::string>{"d.wav", ""}));
}

TEST(Csv, ErrorsNameTheLine) {
  EXPECT_EQ(error_of([] { parse_csv("a,b\n1,\"open\n2,3\n", "m.csv"); }),
            "m.csv:2: quoted field is not closed (missing '\"')");
  EXPECT_EQ(error_of([] { parse_csv("a,b\n\"x\"y,2\n", "m.csv"); }),
            "m.csv:2: unexpected 'y' after a quoted field");
}

TEST(Csv, FieldsRoundTrip) {
  for (const std::string v : {"plain", "a,b", "say \"hi\"", "two\nlines", " padded ", ""}) {
    const auto r = parse_csv(csv_field(v) + ",x\n", "t");
    ASSERT_EQ(r.size(), 1u) << v;
    EXPECT_EQ(r[0].fields[0], v);
  }
}

TEST(Dataset, GroupOfFile) {
  EXPECT_EQ(group_of_file("0a7c2a8d_nohash_0.wav"), "0a7c2a8d");
  EXPECT_EQ(group_of_file("backward_0c540988_nohash_0.wav.wav"), "0c540988");
  EXPECT_EQ(group_of_file("yes/0a7c2a8d_nohash_3.wav"), "0a7c2a8d");
  EXPECT_EQ(group_of_file("clip.wav"), "clip");
  EXPECT_EQ(group_of_file("rec.1.csv"), "rec.1");
  EXPECT_EQ(group_of_file("noext"), "noext");
}

TEST(Dataset, FolderLayout) {
  TempDir dir;
  write_tone(dir / "yes/aaaa_nohash_0.wav", 16000, 0.1);
  write_tone(dir / "yes/aaaa_nohash_1.wav", 16000, 0.1);
  write_tone(dir / "yes/session2/bbbb_nohash_0.WAV", 16000, 0.1);
  write_text(dir / "wave/imu1.csv", "timestamp,accX\n0,1\n10,2\n");
  write_tone(dir / "_background_noise_/noise.wav", 16000, 0.1);
  write_tone(dir / "yes/.hidden.wav", 16000, 0.1);
  write_tone(dir / ".cache/x/y.wav", 16000, 0.1);
  write_text(dir / "yes/LICENSE", "text");
  write_text(dir / "yes/README.md", "text");
  write_text(dir / "yes/notes.txt", "text");
  write_text(dir / "README.md", "text");
  fs::create_directories(dir.path() / "empty");

  const Dataset d = load_dataset(dir.path().string());
  EXPECT_EQ(d.root, dir.path().string());
  ASSERT_EQ(d.samples.size(), 4u);
  EXPECT_EQ(rel(d, d.samples[0]), "wave/imu1.csv");
  EXPECT_EQ(rel(d, d.samples[1]), "yes/aaaa_nohash_0.wav");
  EXPECT_EQ(rel(d, d.samples[2]), "yes/aaaa_nohash_1.wav");
  EXPECT_EQ(rel(d, d.samples[3]), "yes/session2/bbbb_nohash_0.WAV");
  EXPECT_EQ(d.samples[0].label, "wave");
  EXPECT_EQ(d.samples[0].group, "imu1");
  EXPECT_EQ(d.samples[1].group, "aaaa");
  EXPECT_EQ(d.samples[3].label, "yes");
  EXPECT_EQ(d.samples[3].group, "bbbb");
  EXPECT_TRUE(d.samples[1].split.empty());
  EXPECT_TRUE(fs::path(d.samples[0].path).is_absolute());
  EXPECT_EQ(d.labels(), (std::vector<std::string>{"wave", "yes"}));
  EXPECT_EQ(d.empty_labels, (std::vector<std::string>{"empty"}));
}

TEST(Dataset, FolderErrors) {
  TempDir dir;
  EXPECT_EQ(error_of([&] { load_dataset(dir / "missing"); }),
            dir / "missing" + ": no such dataset folder");
  fs::create_directories(dir.path() / "yes");
  EXPECT_NE(error_of([&] { load_dataset(dir.path().string()); }).find(": no recordings"),
            std::string::npos);
}

TEST(Dataset, CsvManifest) {
  TempDir dir;
  write_tone(dir / "audio/a, b.wav", 16000, 0.1);
  write_tone(dir / "audio/c.wav", 16000, 0.1);
  write_tone(dir / "audio/d.wav", 16000, 0.1);
  write_text(dir / "lists/train.csv",
             "Path,label,split,location,speaker,device,gain\n"
             "\"../audio/a, b.wav\",yes,Training,kitchen,alice,mic1,3\n"
             "../audio/c.wav,no,,garage,,mic2,\n" +
                 dir / "audio/d.wav" + ",no,val,,,,\"1,5\"\n");
  DatasetOptions options;
  options.manifest = dir / "lists/train.csv";
  const Dataset d = load_dataset(dir.path().string(), options);
  ASSERT_EQ(d.samples.size(), 3u);
  const Sample& ab = d.samples[0];
  EXPECT_EQ(rel(d, ab), "audio/a, b.wav");
  EXPECT_EQ(ab.label, "yes");
  EXPECT_EQ(ab.split, "train");
  EXPECT_EQ(ab.location, "kitchen");
  EXPECT_EQ(ab.group, "alice");
  EXPECT_EQ(ab.extra, (std::map<std::string, std::string>{{"device", "mic1"}, {"gain", "3"}}));
  EXPECT_EQ(d.samples[1].group, "mic2");
  EXPECT_TRUE(d.samples[1].split.empty());
  EXPECT_EQ(d.samples[2].group, "d");
  EXPECT_EQ(d.samples[2].split, "validation");
  EXPECT_EQ(d.samples[2].extra.at("gain"), "1,5");
}

TEST(Dataset, DefaultManifestsAreFound) {
  TempDir dir;
  write_tone(dir / "x/1.wav", 16000, 0.1);
  write_tone(dir / "x/2.wav", 16000, 0.1);
  write_text(dir / "manifest.jsonl",
             "{\"path\": \"x/1.wav\", \"label\": \"on\", \"group\": \"g\", \"gain\": 2}\n"
             "\n"
             "{\"path\": \"x/2.wav\", \"label\": \"off\", \"split\": \"test\", \"note\": null}\n");
  Dataset d = load_dataset(dir.path().string());
  ASSERT_EQ(d.samples.size(), 2u);
  EXPECT_EQ(d.samples[0].label, "on");
  EXPECT_EQ(d.samples[0].group, "g");
  EXPECT_EQ(d.samples[0].extra.at("gain"), "2");
  EXPECT_EQ(d.samples[1].split, "test");
  write_text(dir / "manifest.csv", "path,label\nx/1.wav,csv\n");
  d = load_dataset(dir.path().string());  // manifest.csv comes first
  ASSERT_EQ(d.samples.size(), 1u);
  EXPECT_EQ(d.samples[0].label, "csv");
}

TEST(Dataset, ManifestErrorsNameFileAndLine) {
  TempDir dir;
  write_tone(dir / "a.wav", 16000, 0.1);
  TempDir outside;
  write_tone(outside / "o.wav", 16000, 0.1);
  const std::string m = dir / "m.csv";
  auto load = [&](const std::string& text) {
    write_text(m, text);
    return error_of([&] { load_dataset(dir.path().string(), {m}); });
  };
  EXPECT_EQ(load("file,label\na.wav,yes\n"),
            m + ":1: the header has no 'path' column (columns: path, label, and optionally "
                "split, location, group)");
  EXPECT_EQ(load("path,label\na.wav,yes\na.wav,\n"), m + ":3: no label for a.wav");
  EXPECT_EQ(load("path,label\n,yes\n"), m + ":2: no path");
  EXPECT_EQ(load("path,label\n\nb.wav,yes\n"), m + ":3: b.wav: no such file");
  EXPECT_EQ(load("path,label\na.wav,yes,extra\n"), m + ":2: 3 fields, the header has 2");
  EXPECT_EQ(load("path,label,split\na.wav,yes,holdout\n"),
            m + ":2: split 'holdout' is not train, validation or test");
  EXPECT_EQ(load("path,label\na.wav,yes\n./a.wav,no\n"),
            m + ":3: ./a.wav is listed twice (also on line 2)");
  EXPECT_EQ(
      load("path,label\n" + outside / "o.wav" + ",yes\n"),
      m + ":2: " + outside / "o.wav" + " is outside the dataset's root " + dir.path().string());
  EXPECT_EQ(load("path,label\n../x/../" + dir.path().filename().string() + "/../o.wav,y\n")
                .find(m + ":2: "),
            0u);
  EXPECT_EQ(load("path,path,label\n"), m + ":1: column 'path' appears twice in the header");
  EXPECT_EQ(load(""), m + ": empty manifest (expected a header row with path,label)");
  const std::string j = dir / "m.jsonl";
  write_text(j, "{\"path\": \"a.wav\", \"label\": \"yes\"}\n{\"path\": \"a.wav\",\n");
  EXPECT_EQ(
      error_of([&] { load_dataset(dir.path().string(), {j}); }).rfind(j + ":2: not valid JSON", 0),
      0u);
  write_text(j, "{\"path\": 3, \"label\": \"yes\"}\n");
  EXPECT_EQ(error_of([&] { load_dataset(dir.path().string(), {j}); }),
            j + ":1: 'path' must be a string");
  EXPECT_EQ(error_of([&] { load_dataset(dir.path().string(), {dir / "none.csv"}); }),
            dir / "none.csv" + ": no such manifest file");
}

TEST(Dataset, ManifestRoundTrip) {
  TempDir dir;
  write_tone(dir / "yes/p1_nohash_0.wav", 16000, 0.1);
  write_tone(dir / "yes/p2_nohash_0.wav", 16000, 0.1);
  write_tone(dir / "no/p1_nohash_1.wav", 16000, 0.1);
  Dataset d = load_dataset(dir.path().string());
  d.samples[0].location = "hall, east";
  d.samples[1].extra["gain"] = "say \"3\"";
  assign_splits(d, {0.3, 0.3, 7});
  TempDir elsewhere;
  for (const std::string& name : {dir / "lists/out.csv", dir / "out.jsonl", elsewhere / "m.csv"}) {
    write_manifest(d, name);
    const Dataset back = load_dataset(dir.path().string(), {name});
    ASSERT_EQ(back.samples.size(), d.samples.size()) << name;
    for (size_t i = 0; i < d.samples.size(); ++i) {
      EXPECT_EQ(back.samples[i].path, d.samples[i].path) << name;
      EXPECT_EQ(back.samples[i].label, d.samples[i].label);
      EXPECT_EQ(back.samples[i].split, d.samples[i].split);
      EXPECT_EQ(back.samples[i].location, d.samples[i].location);
      EXPECT_EQ(back.samples[i].group, d.samples[i].group);
      for (const auto& [k, v] : d.samples[i].extra) EXPECT_EQ(back.samples[i].extra.at(k), v);
    }
  }
}

// 150 speakers with 1..4 clips each in three word folders.
Dataset synthetic_speakers(const TempDir& dir) {
  const char* words[] = {"yes", "no", "up"};
  for (int speaker = 0; speaker < 150; ++speaker) {
    char id[16];
    std::snprintf(id, sizeof(id), "%08x", speaker * 2654435761u);
    for (int clip = 0; clip <= speaker % 4; ++clip) {
      write_text(dir / (std::string(words[(speaker + clip) % 3]) + "/" + id + "_nohash_" +
                        std::to_string(clip) + ".wav"),
                 "not read");
    }
  }
  return load_dataset(dir.path().string());
}

void expect_groups_disjoint(const Dataset& d) {
  std::map<std::string, std::string> split_of;
  for (const Sample& s : d.samples) {
    ASSERT_FALSE(s.split.empty()) << s.path;
    const auto [it, added] = split_of.emplace(s.group, s.split);
    EXPECT_EQ(it->second, s.split) << "group " << s.group << " is in two splits";
  }
}

TEST(Splits, GroupDisjointStableAndSeeded) {
  TempDir dir;
  Dataset a = synthetic_speakers(dir);
  Dataset b = synthetic_speakers(dir);
  Dataset c = synthetic_speakers(dir);
  assign_splits(a, {0.2, 0.2, 1});
  assign_splits(b, {0.2, 0.2, 1});
  assign_splits(c, {0.2, 0.2, 2});
  expect_groups_disjoint(a);
  expect_groups_disjoint(c);
  std::map<std::string, int> groups_per_split;
  std::set<std::string> seen;
  size_t same_as_other_seed = 0;
  for (size_t i = 0; i < a.samples.size(); ++i) {
    EXPECT_EQ(a.samples[i].split, b.samples[i].split);
    same_as_other_seed += a.samples[i].split == c.samples[i].split;
    if (seen.insert(a.samples[i].group).second) groups_per_split[a.samples[i].split]++;
  }
  EXPECT_LT(same_as_other_seed, a.samples.size());
  // 150 groups at 60/20/20: each share within a generous binomial margin.
  EXPECT_NEAR(groups_per_split["train"], 90, 20);
  EXPECT_NEAR(groups_per_split["validation"], 30, 15);
  EXPECT_NEAR(groups_per_split["test"], 30, 15);
}

TEST(Splits, FractionIsPinned) {
  // The same group, seed and version string give the same split everywhere;
  // these values must never change (they would move samples between splits).
  EXPECT_EQ(split_fraction("0a7c2a8d", 0), 0.40101380088957517);
  EXPECT_EQ(split_fraction("0a7c2a8d", 1), 0.9370559413407322);
  EXPECT_NE(split_fraction("0a7c2a8e", 0), split_fraction("0a7c2a8d", 0));
  for (int i = 0; i < 1000; ++i) {
    const double x = split_fraction(std::to_string(i), 42);
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
}

TEST(Splits, ManifestSplitsAreKeptAndPullTheirGroup) {
  TempDir dir;
  write_text(dir / "a/g1_nohash_0.wav", "x");
  write_text(dir / "a/g1_nohash_1.wav", "x");
  write_text(dir / "a/g2_nohash_0.wav", "x");
  write_text(dir / "m.csv",
             "path,label,split\na/g1_nohash_0.wav,a,test\na/g1_nohash_1.wav,a,\n"
             "a/g2_nohash_0.wav,a,\n");
  Dataset d = load_dataset(dir.path().string(), {dir / "m.csv"});
  assign_splits(d, {0.0, 0.0, 0});  // everything new goes to train
  EXPECT_EQ(d.samples[0].split, "test");
  EXPECT_EQ(d.samples[1].split, "test");  // same group as a test sample
  EXPECT_EQ(d.samples[2].split, "train");
  SplitOptions reassign{0.0, 0.0, 0, false};
  assign_splits(d, reassign);
  EXPECT_EQ(d.samples[0].split, "train");
}

TEST(Splits, SharesAreValidated) {
  Dataset d;
  EXPECT_EQ(error_of([&] {
              assign_splits(d, {-0.1, 0.1, 0});
            }),
            "split: validation share -0.1 is not between 0 and 1");
  EXPECT_EQ(error_of([&] {
              assign_splits(d, {0.1, 1.5, 0});
            }),
            "split: test share 1.5 is not between 0 and 1");
  EXPECT_EQ(error_of([&] {
              assign_splits(d, {0.1, std::nan(""), 0});
            }),
            "split: test share nan is not between 0 and 1");
  EXPECT_EQ(error_of([&] {
              assign_splits(d, {0.5, 0.5, 0});
            }),
            "split: validation share 0.5 and test share 0.5 add up to 1 or more, which leaves "
            "nothing to train on");
  EXPECT_EQ(error_of([&] { assign_splits(d, {0.0, 0.0, 0}); }), "(no error)");
}

TEST(Splits, SpeechCommandsTestSetBySpeaker) {
  const std::string data = testing::test_data();
  if (data.empty())
    GTEST_SKIP() << "LOCUS_TEST_DATA is not set; skipping the Speech Commands split test";
  const std::string root = data + "/speech_commands_test_v0.02";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " is missing";
  Dataset d = load_dataset(root);
  ASSERT_EQ(d.samples.size(), 4890u);
  ASSERT_EQ(d.labels().size(), 12u);
  EXPECT_TRUE(d.empty_labels.empty());
  assign_splits(d);
  expect_groups_disjoint(d);
  // Independently of group_of_file: the 8-hex speaker id before _nohash_.
  const std::regex speaker_re("([0-9a-f]{8})_nohash_");
  std::map<std::string, std::string> split_of_speaker;
  std::map<std::string, size_t> per_split;
  std::map<std::string, std::set<std::string>> labels_per_split;
  for (const Sample& s : d.samples) {
    per_split[s.split]++;
    labels_per_split[s.split].insert(s.label);
    std::smatch m;
    const std::string name = fs::path(s.path).filename().string();
    if (!std::regex_search(name, m, speaker_re)) continue;  // _silence_ clips
    const auto [it, added] = split_of_speaker.emplace(m[1], s.split);
    EXPECT_EQ(it->second, s.split) << "speaker " << m[1] << " in two splits";
  }
  EXPECT_EQ(split_of_speaker.size(), 239u);
  // Shares are of groups (239 speakers, 408 silence clips), so the shares of
  // clips stray further from 80/10/10 than a per-clip split would.
  EXPECT_NEAR(per_split["train"] / 4890.0, 0.8, 0.06);
  EXPECT_NEAR(per_split["validation"] / 4890.0, 0.1, 0.05);
  EXPECT_NEAR(per_split["test"] / 4890.0, 0.1, 0.05);
  for (const auto& [split, labels] : labels_per_split) EXPECT_EQ(labels.size(), 12u) << split;
}

TEST(Dataset, ModelLabelIndex) {
  const std::vector<std::string> kws = {"_silence_", "_unknown_", "yes", "no"};
  EXPECT_EQ(model_label_index("yes", kws), 2);
  EXPECT_EQ(model_label_index("_silence_", kws), 0);
  EXPECT_EQ(model_label_index("bed", kws), 1);
  EXPECT_EQ(model_label_index("bed", {"yes", "no"}), -1);
  EXPECT_EQ(model_label_index("no", {"yes", "no"}), 1);
  EXPECT_EQ(model_label_index("x", {}), -1);
}

}  // namespace
}  // namespace locus::host
