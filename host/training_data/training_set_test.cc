#include "host/training_data/training_set.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "host/common/error.h"
#include "host/training_data/training_data_testing.h"

namespace locus::host {
namespace {

using testing::ClassSpec;

const std::vector<std::string> kKeywordLabels = {"yes", "no", "_unknown_", "_silence_"};

// yes 10, no 8 (mean 9), other words cat 30 + dog 20 + _unknown_ 4, two real
// _silence_ clips, and a validation split that must not leak in.
const Dataset& keywords() {
  static const Dataset d = testing::make_dataset(
      testing::fresh_dir("keywords"),
      {{"yes", 10}, {"no", 8}, {"cat", 30}, {"dog", 20}, {"_unknown_", 4}, {"_silence_", 2},
       {"yes", 3, "validation"}, {"no", 3, "validation"}, {"cat", 5, "validation"}},
      800);
  return d;
}

std::string error_of(const Dataset& d, const TrainingSetOptions& o, bool noise) {
  try {
    compose_training_set(d, o, noise);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

std::string where(const Dataset& d, const std::string& split = "train") {
  return "training set (dataset " + d.root + ", split '" + split + "')";
}

TEST(TrainingSet, MapsOtherWordsToUnknownAndBalances) {
  const Dataset& d = keywords();
  TrainingSetOptions o;
  o.labels = kKeywordLabels;
  const TrainingSet set = compose_training_set(d, o, /*have_noise=*/true);
  // mean of the named classes = (10 + 8) / 2 = 9.
  EXPECT_EQ(set.counts_per_label, (std::vector<size_t>{10, 8, 9, 9}));
  EXPECT_TRUE(set.warnings.empty()) << set.warnings[0];
  size_t generated = 0, real_silence = 0;
  for (const auto& e : set.examples) {
    EXPECT_EQ(e.variant, e.source == nullptr ? e.variant : 0u);
    if (e.source == nullptr) {
      EXPECT_EQ(e.label, 3);
      EXPECT_EQ(e.variant, generated);  // generated clips are numbered
      ++generated;
      continue;
    }
    EXPECT_EQ(e.source->split, "train");
    const std::string& label = e.source->label;
    if (label == "yes") EXPECT_EQ(e.label, 0);
    if (label == "no") EXPECT_EQ(e.label, 1);
    if (label == "cat" || label == "dog" || label == "_unknown_") EXPECT_EQ(e.label, 2);
    if (label == "_silence_") {
      EXPECT_EQ(e.label, 3);
      ++real_silence;
    }
  }
  EXPECT_EQ(real_silence, 2u);
  EXPECT_EQ(generated, 7u);  // topped up to 9
}

std::set<std::string> unknown_paths(const TrainingSet& set) {
  std::set<std::string> paths;
  for (const auto& e : set.examples) {
    if (e.label == 2) paths.insert(e.source->path);
  }
  return paths;
}

TEST(TrainingSet, UnknownSubsetIsChosenBySeed) {
  const Dataset& d = keywords();
  TrainingSetOptions o;
  o.labels = kKeywordLabels;
  const auto a = unknown_paths(compose_training_set(d, o, true));
  const auto b = unknown_paths(compose_training_set(d, o, true));
  o.seed = 1;
  const auto c = unknown_paths(compose_training_set(d, o, true));
  EXPECT_EQ(a.size(), 9u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(c.size(), 9u);

  // The choice depends on paths inside the dataset, not on where it lives.
  Dataset moved = d;
  moved.root = "/elsewhere/keywords";
  for (auto& s : moved.samples) s.path = moved.root + s.path.substr(d.root.size());
  o.seed = 0;
  std::set<std::string> relocated;
  for (const auto& p : unknown_paths(compose_training_set(moved, o, true))) {
    relocated.insert(d.root + p.substr(moved.root.size()));
  }
  EXPECT_EQ(relocated, a);

  o.unknown_share = 2.0;  // 18 of the 54 other-word clips
  EXPECT_EQ(compose_training_set(d, o, true).counts_per_label[2], 18u);
  o.unknown_share = 10.0;  // more than there are: all 54, with a warning
  const TrainingSet all = compose_training_set(d, o, true);
  EXPECT_EQ(all.counts_per_label[2], 54u);
  ASSERT_EQ(all.warnings.size(), 1u);
  EXPECT_EQ(all.warnings[0], where(d) + ": _unknown_ has 54 clips of other words, fewer than the 90 wanted");
}

TEST(TrainingSet, AugmentedVariantsFollowEachClip) {
  const Dataset& d = keywords();
  TrainingSetOptions o;
  o.labels = kKeywordLabels;
  o.augment_variants = 2;
  const TrainingSet set = compose_training_set(d, o, true);
  EXPECT_EQ(set.counts_per_label, (std::vector<size_t>{30, 24, 27, 27}));
  size_t i = 0;
  while (i < set.examples.size() && set.examples[i].source != nullptr) {
    for (uint32_t v = 0; v < 3; ++v) {
      ASSERT_EQ(set.examples[i + v].source, set.examples[i].source);
      EXPECT_EQ(set.examples[i + v].variant, v);
    }
    i += 3;
  }
  EXPECT_EQ(set.examples.size() - i, 21u);  // 7 generated silences x 3
}

TEST(TrainingSet, WholeSplitKeepsEveryClipAndGeneratesNothing) {
  const Dataset& d = keywords();
  TrainingSetOptions o;
  o.labels = kKeywordLabels;
  o.whole_split = true;
  o.unknown_share = 0.5;  // shares do not apply to a whole split
  const TrainingSet set = compose_training_set(d, o, /*have_noise=*/true);
  EXPECT_EQ(set.counts_per_label, (std::vector<size_t>{10, 8, 54, 2}));
  EXPECT_EQ(set.examples.size(), 74u);
  for (const auto& e : set.examples) EXPECT_NE(e.source, nullptr);
  EXPECT_TRUE(set.warnings.empty()) << set.warnings[0];

  // A label with no clips in the split is absent, not an error.
  o.split = "validation";
  const TrainingSet validation = compose_training_set(d, o, true);
  EXPECT_EQ(validation.counts_per_label, (std::vector<size_t>{3, 3, 5, 0}));
  ASSERT_EQ(validation.warnings.size(), 1u);
  EXPECT_EQ(validation.warnings[0], where(d, "validation") + ": no clips for model label _silence_");
}

TEST(TrainingSet, SilenceWithoutNoiseUsesTheDatasetsClips) {
  const Dataset& d = keywords();
  TrainingSetOptions o;
  o.labels = kKeywordLabels;
  const TrainingSet set = compose_training_set(d, o, /*have_noise=*/false);
  EXPECT_EQ(set.counts_per_label[3], 2u);
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_EQ(set.warnings[0], where(d) + ": _silence_ has only the dataset's 2 clips (no background "
                                        "noise to generate 7 more)");
  o.silence_share = 0;  // the real clips stay
  EXPECT_EQ(compose_training_set(d, o, true).counts_per_label[3], 2u);
}

TEST(TrainingSet, OnlyGeneratedSilenceWhenTheDatasetHasNone) {
  const Dataset d = testing::make_dataset(testing::fresh_dir("no_silence"),
                                          {{"up", 4}, {"down", 6}}, 400);
  TrainingSetOptions o;
  o.labels = {"up", "down", "_silence_"};
  o.silence_share = 0.5;
  const TrainingSet set = compose_training_set(d, o, true);
  EXPECT_EQ(set.counts_per_label, (std::vector<size_t>{4, 6, 3}));  // round(0.5 * 5)
  EXPECT_EQ(error_of(d, o, false),
            where(d) + ": no examples for model label _silence_ (dataset labels: down, up); "
                       "_silence_ needs the dataset's own _silence_ clips or a background noise "
                       "folder to generate them");
}

TEST(TrainingSet, WarnsAboutUnusedLabelsAndSmallClasses) {
  const Dataset& d = keywords();
  TrainingSetOptions o;
  o.labels = {"yes", "no"};  // no _unknown_: other words are not used
  const TrainingSet set = compose_training_set(d, o, true);
  EXPECT_EQ(set.counts_per_label, (std::vector<size_t>{10, 8}));
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_EQ(set.warnings[0],
            where(d) + ": dataset labels that are not model labels (and the model has no "
                       "_unknown_ class), 56 clips not used: _silence_ (2), _unknown_ (4), "
                       "cat (30), dog (20)");

  const Dataset small = testing::make_dataset(testing::fresh_dir("small_class"),
                                              {{"a", 20}, {"b", 20}, {"c", 2}}, 200);
  o.labels = {"a", "b", "c"};
  const TrainingSet s = compose_training_set(small, o, false);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_EQ(s.warnings[0], where(small) + ": class 'c' has only 2 clips against a mean of 14 per class");
}

TEST(TrainingSet, RefusesBadInputBeforeTraining) {
  const Dataset& d = keywords();
  TrainingSetOptions o;
  o.labels = {"yes"};
  EXPECT_EQ(error_of(d, o, true), where(d) + ": the model needs at least two labels, got 1 (yes)");
  o.labels = {"yes", "no", "yes"};
  EXPECT_EQ(error_of(d, o, true), where(d) + ": model label 'yes' appears twice");
  o.labels = {"yes", "no", "left", "right"};
  EXPECT_EQ(error_of(d, o, true),
            where(d) + ": no examples for model labels left, right (dataset labels: _silence_, "
                       "_unknown_, cat, dog, no, yes)");
  o.labels = {"yes", "no"};
  o.split = "test";
  EXPECT_EQ(error_of(d, o, true),
            where(d, "test") + ": no samples in this split (85 samples in splits: train, validation)");
  o.split = "train";
  o.unknown_share = -1;
  EXPECT_EQ(error_of(d, o, true), where(d) + ": unknown_share must be a number >= 0, got -1");
  o.unknown_share = 1;
  o.silence_share = std::nan("");
  EXPECT_EQ(error_of(d, o, true), where(d) + ": silence_share must be a number >= 0, got nan");
  o.silence_share = 1;
  o.labels = {"yes", "no", "_unknown_"};
  o.unknown_share = 0;
  EXPECT_EQ(error_of(d, o, true),
            where(d) + ": no examples for model label _unknown_ (dataset labels: _silence_, "
                       "_unknown_, cat, dog, no, yes); _unknown_ is used only when "
                       "unknown_share > 0");

  const Dataset one = testing::make_dataset(testing::fresh_dir("one_class"), {{"yes", 3}}, 200);
  o.labels = {"yes", "no"};
  o.unknown_share = 1;
  EXPECT_EQ(error_of(one, o, true),
            where(one) + ": the dataset has only 1 class ('yes'); a classifier needs examples of at "
                         "least two");
}

TEST(TrainingSet, FromALoadedFolderDataset) {
  // The same folder read back through the dataset layer.
  const std::string root = testing::fresh_dir("loaded");
  testing::make_dataset(root, {{"on", 5}, {"off", 5}, {"bird", 7}}, 200);
  Dataset d = load_dataset(root);
  for (auto& s : d.samples) s.split = "train";
  TrainingSetOptions o;
  o.labels = {"on", "off", "_unknown_"};
  const TrainingSet set = compose_training_set(d, o, false);
  EXPECT_EQ(set.counts_per_label, (std::vector<size_t>{5, 5, 5}));
  for (const auto& e : set.examples) {
    ASSERT_NE(e.source, nullptr);
    EXPECT_GE(e.source, d.samples.data());
    EXPECT_LT(e.source, d.samples.data() + d.samples.size());
  }
}

}  // namespace
}  // namespace locus::host
