// What is in a dataset and what is wrong with it: counts per label, split
// and location, durations, sample rates and channels, class balance, and the
// problems worth fixing before training (unreadable, silent, clipped or very
// short files, a sample rate other than the pipeline's, empty classes, a
// single class, strong imbalance).
#ifndef LOCUS_HOST_DATASET_DATA_STATS_H_
#define LOCUS_HOST_DATASET_DATA_STATS_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/dataset/dataset.h"

namespace locus::host {

struct DataStatsOptions {
  uint32_t expected_sample_rate = 0;  // Hz; 0: no check
  double silence_dbfs = -60.0;        // a peak below this is a silent file
  double clipped_share = 0.001;       // more samples than this share at full scale: clipped
  double min_seconds = 0.25;          // shorter recordings are very short
  double min_class_balance = 0.1;     // smallest / largest class below this: imbalanced
  int threads = 2;                    // files are read by this many workers
};

enum class DataProblemKind {
  kUnreadable,
  kSilent,
  kClipped,
  kSampleRate,
  kTooShort,
  kEmptyClass,
  kSingleClass,
  kImbalanced,
};
std::string_view data_problem_name(DataProblemKind kind);  // "unreadable", "silent", ...

struct DataProblem {
  DataProblemKind kind;
  std::string path;    // absolute file or folder; empty for dataset-wide problems
  std::string detail;  // what was found, e.g. "peak -72.4 dBFS (below -60 dBFS)"
};

// One recording as read.
struct FileStats {
  std::string path;
  bool readable = false;
  std::string error;           // when unreadable
  bool imu = false;            // IMU CSV rather than audio
  uint32_t sample_rate = 0;    // audio, Hz
  double imu_rate_hz = 0.0;    // IMU, from the timestamps (0 without)
  int channels = 0;            // audio channels or IMU axes
  double seconds = 0.0;        // 0 for IMU without timestamps
  double peak_dbfs = 0.0;      // audio: -inf for digital silence
  double clipped_share = 0.0;  // audio: share of samples at full scale
};

struct DataStats {
  std::string root;
  size_t samples = 0;
  size_t readable = 0;
  double total_seconds = 0.0;
  std::vector<std::string> labels;     // sorted
  std::vector<std::string> splits;     // present, in train/validation/test order, "" last
  std::vector<std::string> locations;  // present, sorted ("" when some have none)
  // label -> split ("" unassigned) -> location ("" none) -> count
  std::map<std::string, std::map<std::string, std::map<std::string, size_t>>> counts;
  std::map<std::string, size_t> label_counts;
  std::map<std::string, double> label_seconds;
  std::map<uint32_t, size_t> sample_rates;  // audio files per rate
  std::map<double, size_t> imu_rates_hz;    // IMU files per rate (0.1 Hz steps)
  std::map<int, size_t> channels;           // files per channel / axis count
  std::string smallest_label, largest_label;
  double class_balance = 1.0;  // smallest / largest label count
  std::vector<DataProblem> problems;
  std::vector<FileStats> files;  // one per sample, in dataset order
};

// Reads every recording (options.threads workers) and adds it all up. Never
// throws for a bad file: it becomes an `unreadable` problem.
DataStats compute_data_stats(const Dataset& dataset, const DataStatsOptions& options = {});

// Summary, the label x split table (and label x location when locations
// exist) and the problems, as plain text.
std::string render_data_stats(const DataStats& stats);
nlohmann::json data_stats_json(const DataStats& stats);

// One file's statistics (audio through libsndfile, .csv as IMU).
FileStats read_file_stats(const std::string& path);

}  // namespace locus::host

#endif  // LOCUS_HOST_DATASET_DATA_STATS_H_
