// A labelled dataset on disk: a folder of class folders (Speech Commands
// style, `ROOT/LABEL/FILE.wav`) or a manifest (CSV or JSON lines with at
// least path and label; split, location, group/speaker/device and any other
// columns are kept). Splits are deterministic and group-disjoint: no speaker
// or device is in two splits.
#ifndef LOCUS_HOST_DATASET_DATASET_H_
#define LOCUS_HOST_DATASET_DATASET_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace locus::host {

inline constexpr std::string_view kTrainSplit = "train";
inline constexpr std::string_view kValidationSplit = "validation";
inline constexpr std::string_view kTestSplit = "test";
// Labels with a meaning of their own in keyword datasets.
inline constexpr std::string_view kSilenceLabel = "_silence_";
inline constexpr std::string_view kUnknownLabel = "_unknown_";

struct Sample {
  std::string path;      // absolute
  std::string label;
  std::string split;     // train | validation | test, or empty until assigned
  std::string location;  // may be empty
  std::string group;     // speaker or device; never empty after loading
  std::map<std::string, std::string> extra;  // other manifest columns
};

struct Dataset {
  std::string root;  // absolute
  std::vector<Sample> samples;  // sorted by path
  // Class folders that hold no recording (folder layout only), sorted.
  std::vector<std::string> empty_labels;

  // Distinct labels, sorted.
  std::vector<std::string> labels() const;
  std::vector<const Sample*> split(std::string_view name) const;
};

struct DatasetOptions {
  // Manifest file; empty: ROOT/manifest.csv or ROOT/manifest.jsonl when
  // present, else the folder layout.
  std::string manifest;
};

// Throws Error naming the file (and line) for a missing folder, an empty
// dataset, a manifest row without path or label, a listed file that does
// not exist, or a file outside the dataset's root.
Dataset load_dataset(const std::string& dir, const DatasetOptions& options = {});

// The group of a file without a manifest group: for Speech Commands names
// (`SPEAKER_nohash_N.wav`) the part before `_nohash_`, else the file stem.
// Where that part has a word in front (`WORD_SPEAKER_nohash_N.wav`, as in
// the test set's `_unknown_` folder) the group is the speaker alone, the
// text after the last '_'. A path's folders are ignored.
std::string group_of_file(std::string_view file_name);

struct SplitOptions {
  double validation_share = 0.1;
  double test_share = 0.1;
  uint64_t seed = 0;
  bool keep_manifest_splits = true;  // samples that already have a split keep it
};

// Assigns every sample without a split by hashing its group with the seed,
// so a group's samples always land together and the same inputs give the
// same splits on every machine.
// Throws Error for shares outside 0..1 or adding up to 1 or more. Samples
// without a split whose group already has one (from the manifest) join it.
void assign_splits(Dataset& dataset, const SplitOptions& options = {});

// Where `group` falls in [0, 1) for `seed`: the first 64 bits of
// SHA-256("locus-split-v1", seed as 8 little-endian bytes, group) over 2^64.
// Below test_share is test, below test_share + validation_share validation,
// the rest train.
double split_fraction(std::string_view group, uint64_t seed);

// Writes the dataset as a manifest: CSV (columns path, label, split,
// location, group, then the extra columns sorted), or JSON lines when `path`
// ends in .jsonl. Paths are relative to the manifest's folder. Atomic.
void write_manifest(const Dataset& dataset, const std::string& path);

// The model class a dataset label trains and evaluates as: its own index in
// `model_labels`, else the index of `_unknown_` when the model has that
// class (other words), else -1 (the sample is not used).
int32_t model_label_index(std::string_view label, const std::vector<std::string>& model_labels);

}  // namespace locus::host

#endif  // LOCUS_HOST_DATASET_DATASET_H_
