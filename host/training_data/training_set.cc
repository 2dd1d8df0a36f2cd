#include "host/training_data/training_set.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "host/common/error.h"
#include "host/training_data/augment.h"

namespace locus::host {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// The sample's path inside the dataset, so that choices made by seed do
// not depend on where the dataset lives.
std::string relative_path(const Sample& sample, const std::string& root) {
  if (!root.empty() && sample.path.size() > root.size() &&
      sample.path.compare(0, root.size(), root) == 0 && sample.path[root.size()] == '/') {
    return sample.path.substr(root.size() + 1);
  }
  return sample.path;
}

int32_t index_of(const std::vector<std::string>& labels, std::string_view label) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == label) return static_cast<int32_t>(i);
  }
  return -1;
}

}  // namespace

TrainingSet compose_training_set(const Dataset& dataset, const TrainingSetOptions& options,
                                 bool have_noise) {
  const std::string where =
      "training set (dataset " + dataset.root + ", split '" + options.split + "')";
  const std::vector<std::string>& labels = options.labels;
  if (labels.size() < 2) {
    fail(where, ": the model needs at least two labels, got ", labels.size(),
         labels.empty() ? "" : " (" + join(labels) + ")");
  }
  std::set<std::string> seen;
  for (const auto& label : labels) {
    if (label.empty()) fail(where, ": a model label is empty");
    if (!seen.insert(label).second) fail(where, ": model label '", label, "' appears twice");
  }
  if (!(options.unknown_share >= 0) || !std::isfinite(options.unknown_share)) {
    fail(where, ": unknown_share must be a number >= 0, got ", options.unknown_share);
  }
  if (!(options.silence_share >= 0) || !std::isfinite(options.silence_share)) {
    fail(where, ": silence_share must be a number >= 0, got ", options.silence_share);
  }
  const std::vector<std::string> dataset_labels = dataset.labels();
  if (dataset_labels.size() < 2) {
    fail(where, ": the dataset has only ", dataset_labels.size(), " class",
         dataset_labels.empty() ? "" : " ('" + dataset_labels[0] + "')",
         "; a classifier needs examples of at least two");
  }
  const std::vector<const Sample*> samples = dataset.split(options.split);
  if (samples.empty()) {
    std::set<std::string> splits;
    for (const auto& s : dataset.samples) splits.insert(s.split.empty() ? "(none)" : s.split);
    fail(where, ": no samples in this split (", dataset.samples.size(),
         " samples in splits: ", join({splits.begin(), splits.end()}), ")");
  }

  const int32_t unknown = index_of(labels, kUnknownLabel);
  const int32_t silence = index_of(labels, kSilenceLabel);
  std::vector<std::vector<const Sample*>> direct(labels.size());
  std::vector<const Sample*> unknown_pool;
  std::map<std::string, size_t> unmapped;
  for (const Sample* s : samples) {
    const int32_t index = model_label_index(s->label, labels);
    if (index < 0) {
      ++unmapped[s->label];
    } else if (index == unknown) {
      unknown_pool.push_back(s);
    } else {
      direct[static_cast<size_t>(index)].push_back(s);
    }
  }

  TrainingSet set;
  if (!unmapped.empty()) {
    std::vector<std::string> items;
    size_t clips = 0;
    for (const auto& [label, count] : unmapped) {
      items.push_back(label + " (" + std::to_string(count) + ")");
      clips += count;
    }
    set.warnings.push_back(where + ": dataset labels that are not model labels (and the model has "
                                   "no _unknown_ class), " + std::to_string(clips) +
                           " clips not used: " + join(items));
  }

  // The mean size of the named classes sets the size of _unknown_ and _silence_.
  size_t named = 0, named_clips = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (static_cast<int32_t>(i) == unknown || static_cast<int32_t>(i) == silence) continue;
    ++named;
    named_clips += direct[i].size();
  }
  const double mean = named > 0 ? static_cast<double>(named_clips) / named
                                : static_cast<double>(unknown_pool.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    if (static_cast<int32_t>(i) == unknown || static_cast<int32_t>(i) == silence) continue;
    if (!direct[i].empty() && direct[i].size() * 4 < mean) {
      std::ostringstream w;
      w << where << ": class '" << labels[i] << "' has only " << direct[i].size()
        << " clips against a mean of " << std::lround(mean) << " per class";
      set.warnings.push_back(w.str());
    }
  }

  // _unknown_: a seed-chosen subset of the other words, back in path order.
  std::set<const Sample*> chosen_unknown;
  if (unknown >= 0) {
    size_t target = static_cast<size_t>(std::llround(options.unknown_share * mean));
    if (target == 0 && options.unknown_share > 0) target = 1;  // tiny classes still get one
    std::vector<std::pair<uint64_t, const Sample*>> ranked;
    for (const Sample* s : unknown_pool) {
      ranked.emplace_back(derive_seed(options.seed, relative_path(*s, dataset.root), 0), s);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second->path < b.second->path;
    });
    if (!options.whole_split && ranked.size() > target) ranked.resize(target);
    for (const auto& [_, s] : ranked) chosen_unknown.insert(s);
    if (!options.whole_split && unknown_pool.size() < target) {
      set.warnings.push_back(where + ": _unknown_ has " + std::to_string(unknown_pool.size()) +
                             " clips of other words, fewer than the " + std::to_string(target) +
                             " wanted");
    }
  }

  // _silence_: the dataset's own clips, topped up with generated ones.
  size_t generated = 0;
  if (silence >= 0) {
    size_t target = static_cast<size_t>(std::llround(options.silence_share * mean));
    if (target == 0 && options.silence_share > 0) target = 1;
    const size_t real = direct[static_cast<size_t>(silence)].size();
    if (!options.whole_split && target > real) {
      if (have_noise) {
        generated = target - real;
      } else if (real > 0) {
        set.warnings.push_back(where + ": _silence_ has only the dataset's " +
                               std::to_string(real) + " clips (no background noise to generate " +
                               std::to_string(target - real) + " more)");
      }
    }
  }

  const uint32_t copies = 1 + options.augment_variants;
  set.counts_per_label.assign(labels.size(), 0);
  for (const Sample* s : samples) {
    const int32_t index = model_label_index(s->label, labels);
    if (index < 0 || (index == unknown && !chosen_unknown.count(s))) continue;
    for (uint32_t v = 0; v < copies; ++v) set.examples.push_back({s, index, v});
    set.counts_per_label[static_cast<size_t>(index)] += copies;
  }
  for (size_t g = 0; g < generated * copies; ++g) {
    set.examples.push_back({nullptr, silence, static_cast<uint32_t>(g)});
  }
  if (silence >= 0) set.counts_per_label[static_cast<size_t>(silence)] += generated * copies;

  std::vector<std::string> empty;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (set.counts_per_label[i] == 0) empty.push_back(labels[i]);
  }
  if (!empty.empty() && options.whole_split) {
    // Measuring what the split holds: a label with no clips is only absent.
    set.warnings.push_back(where + ": no clips for model label" + (empty.size() > 1 ? "s " : " ") +
                           join(empty));
  } else if (!empty.empty()) {
    std::string hint;
    if (silence >= 0 && set.counts_per_label[static_cast<size_t>(silence)] == 0) {
      hint = have_noise ? "; _silence_ is generated only when silence_share > 0"
                        : "; _silence_ needs the dataset's own _silence_ clips or a background "
                          "noise folder to generate them";
    }
    if (unknown >= 0 && set.counts_per_label[static_cast<size_t>(unknown)] == 0) {
      hint += unknown_pool.empty() ? "; _unknown_ needs clips of words the model does not name"
                                   : "; _unknown_ is used only when unknown_share > 0";
    }
    fail(where, ": no examples for model label", empty.size() > 1 ? "s " : " ", join(empty),
         " (dataset labels: ", join(dataset_labels), ")", hint);
  }
  return set;
}

}  // namespace locus::host
