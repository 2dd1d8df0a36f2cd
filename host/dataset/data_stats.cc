#include "host/dataset/data_stats.h"

#include <sndfile.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>
#include <thread>

#include "host/common/error.h"
#include "host/sensors/imu_csv.h"

namespace locus::host {
namespace fs = std::filesystem;
namespace {

bool is_csv(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".csv";
}

void read_audio_stats(const std::string& path, FileStats& f) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) fail(sf_strerror(nullptr));
  struct Closer {
    SNDFILE* f;
    ~Closer() { sf_close(f); }
  } closer{file};
  if (info.channels < 1 || info.channels > 64) fail(info.channels, " channels");
  if (info.samplerate < 1 || info.samplerate > 1'000'000) {
    fail("sample rate ", info.samplerate, " Hz");
  }
  if (info.frames <= 0) fail("contains no audio frames");
  sf_command(file, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  f.sample_rate = static_cast<uint32_t>(info.samplerate);
  f.channels = info.channels;
  std::vector<int16_t> block(4096 * static_cast<size_t>(info.channels));
  sf_count_t total = 0;
  int peak = 0;
  size_t full_scale = 0;
  while (total < info.frames) {
    const sf_count_t want = std::min<sf_count_t>(4096, info.frames - total);
    const sf_count_t got = sf_readf_short(file, block.data(), want);
    if (got <= 0) {
      fail("truncated or corrupt (read ", total, " of ", info.frames,
           " frames: ", sf_strerror(file), ")");
    }
    for (sf_count_t i = 0; i < got * info.channels; ++i) {
      const int a = std::abs(static_cast<int>(block[i]));
      peak = std::max(peak, a);
      if (a >= 32767) ++full_scale;
    }
    total += got;
  }
  f.seconds = static_cast<double>(info.frames) / info.samplerate;
  f.peak_dbfs =
      peak == 0 ? -std::numeric_limits<double>::infinity() : 20.0 * std::log10(peak / 32768.0);
  f.clipped_share =
      static_cast<double>(full_scale) / (static_cast<double>(info.frames) * info.channels);
}

void read_imu_stats(const std::string& path, FileStats& f) {
  const ImuRecording r = read_imu_csv(path);
  f.imu = true;
  f.channels = static_cast<int>(r.axes());
  f.imu_rate_hz = r.sample_rate_hz;
  if (r.sample_rate_hz > 0.0) f.seconds = static_cast<double>(r.frames()) / r.sample_rate_hz;
  if (r.frames() == 0) fail("no rows");
}

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

std::string relative_to(const std::string& path, const std::string& root) {
  if (path.empty()) return "(dataset)";
  const fs::path rel = fs::path(path).lexically_relative(root);
  return rel.empty() || rel.native().rfind("..", 0) == 0 ? path : rel.string();
}

std::string split_title(const std::string& split) { return split.empty() ? "unassigned" : split; }

}  // namespace

std::string_view data_problem_name(DataProblemKind kind) {
  switch (kind) {
    case DataProblemKind::kUnreadable:
      return "unreadable";
    case DataProblemKind::kSilent:
      return "silent";
    case DataProblemKind::kClipped:
      return "clipped";
    case DataProblemKind::kSampleRate:
      return "sample_rate";
    case DataProblemKind::kTooShort:
      return "too_short";
    case DataProblemKind::kEmptyClass:
      return "empty_class";
    case DataProblemKind::kSingleClass:
      return "single_class";
    case DataProblemKind::kImbalanced:
      return "imbalanced";
  }
  return "?";
}

FileStats read_file_stats(const std::string& path) {
  FileStats f;
  f.path = path;
  try {
    if (is_csv(path)) {
      read_imu_stats(path, f);
    } else {
      read_audio_stats(path, f);
    }
    f.readable = true;
  } catch (const std::exception& e) {
    f = FileStats{};
    f.path = path;
    f.error = e.what();
  }
  return f;
}

DataStats compute_data_stats(const Dataset& dataset, const DataStatsOptions& options) {
  DataStats stats;
  stats.root = dataset.root;
  stats.samples = dataset.samples.size();
  stats.files.resize(dataset.samples.size());

  // Read the files: workers take the next index until none are left.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < dataset.samples.size(); i = next++) {
      stats.files[i] = read_file_stats(dataset.samples[i].path);
    }
  };
  const size_t workers = std::clamp<size_t>(static_cast<size_t>(std::max(options.threads, 1)), 1,
                                            std::max<size_t>(dataset.samples.size(), 1));
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();

  std::set<std::string> splits, locations;
  for (size_t i = 0; i < dataset.samples.size(); ++i) {
    const Sample& s = dataset.samples[i];
    const FileStats& f = stats.files[i];
    stats.counts[s.label][s.split][s.location]++;
    stats.label_counts[s.label]++;
    splits.insert(s.split);
    locations.insert(s.location);
    if (!f.readable) {
      stats.problems.push_back({DataProblemKind::kUnreadable, s.path, f.error});
      continue;
    }
    stats.readable++;
    stats.total_seconds += f.seconds;
    stats.label_seconds[s.label] += f.seconds;
    stats.channels[f.channels]++;
    if (f.imu) {
      if (f.imu_rate_hz > 0.0) stats.imu_rates_hz[std::round(f.imu_rate_hz * 10.0) / 10.0]++;
      continue;
    }
    stats.sample_rates[f.sample_rate]++;
    if (f.peak_dbfs < options.silence_dbfs) {
      stats.problems.push_back(
          {DataProblemKind::kSilent, s.path,
           (std::isinf(f.peak_dbfs) ? std::string("all samples are zero")
                                    : "peak " + format("%.1f", f.peak_dbfs) + " dBFS") +
               " (below " + format("%.0f", options.silence_dbfs) + " dBFS)"});
    }
    if (f.clipped_share > options.clipped_share) {
      stats.problems.push_back(
          {DataProblemKind::kClipped, s.path,
           format("%.2f", f.clipped_share * 100.0) + "% of samples at full scale"});
    }
    if (options.expected_sample_rate != 0 && f.sample_rate != options.expected_sample_rate) {
      stats.problems.push_back({DataProblemKind::kSampleRate, s.path,
                                std::to_string(f.sample_rate) + " Hz, expected " +
                                    std::to_string(options.expected_sample_rate) + " Hz"});
    }
    if (f.seconds < options.min_seconds) {
      stats.problems.push_back({DataProblemKind::kTooShort, s.path,
                                format("%.3f", f.seconds) + " s (shorter than " +
                                    format("%g", options.min_seconds) + " s)"});
    }
  }

  for (const auto& [label, n] : stats.label_counts) stats.labels.push_back(label);
  for (std::string_view name : {kTrainSplit, kValidationSplit, kTestSplit}) {
    if (splits.count(std::string(name))) stats.splits.emplace_back(name);
  }
  if (splits.count("")) stats.splits.emplace_back("");
  stats.locations.assign(locations.begin(), locations.end());

  // Dataset-wide problems.
  for (const std::string& label : dataset.empty_labels) {
    stats.problems.push_back({DataProblemKind::kEmptyClass,
                              (fs::path(dataset.root) / label).string(),
                              "class folder '" + label + "' holds no recordings"});
  }
  for (const std::string& split : stats.splits) {
    if (split.empty()) continue;
    for (const std::string& label : stats.labels) {
      if (!stats.counts[label].count(split)) {
        stats.problems.push_back(
            {DataProblemKind::kEmptyClass, "", "label '" + label + "' has no samples in " + split});
      }
    }
  }
  if (stats.labels.size() == 1) {
    stats.problems.push_back(
        {DataProblemKind::kSingleClass, "",
         "only one label ('" + stats.labels[0] + "'): a classifier needs at least two"});
  }
  if (!stats.label_counts.empty()) {
    auto [lo, hi] =
        std::minmax_element(stats.label_counts.begin(), stats.label_counts.end(),
                            [](const auto& a, const auto& b) { return a.second < b.second; });
    stats.smallest_label = lo->first;
    stats.largest_label = hi->first;
    stats.class_balance = static_cast<double>(lo->second) / static_cast<double>(hi->second);
    if (stats.labels.size() > 1 && stats.class_balance < options.min_class_balance) {
      stats.problems.push_back({DataProblemKind::kImbalanced, "",
                                "'" + lo->first + "' has " + std::to_string(lo->second) +
                                    " samples, '" + hi->first + "' " + std::to_string(hi->second) +
                                    " (ratio " + format("%.3f", stats.class_balance) + ")"});
    }
  }
  return stats;
}

std::string render_data_stats(const DataStats& s) {
  std::ostringstream out;
  out << s.root << ": " << s.samples << " samples, " << s.labels.size() << " labels, "
      << format("%.1f", s.total_seconds) << " s";
  if (s.readable != s.samples) out << " (" << s.samples - s.readable << " unreadable)";
  out << "\n";
  if (!s.sample_rates.empty()) {
    out << "sample rates:";
    for (const auto& [rate, n] : s.sample_rates) out << " " << rate << " Hz (" << n << ")";
    out << "\n";
  }
  if (!s.imu_rates_hz.empty()) {
    out << "IMU rates:";
    for (const auto& [rate, n] : s.imu_rates_hz)
      out << " " << format("%g", rate) << " Hz (" << n << ")";
    out << "\n";
  }
  if (!s.channels.empty()) {
    out << "channels:";
    for (const auto& [c, n] : s.channels) out << " " << c << " (" << n << ")";
    out << "\n";
  }
  if (!s.label_counts.empty()) {
    out << "class balance: " << format("%.2f", s.class_balance) << " (smallest '"
        << s.smallest_label << "' " << s.label_counts.at(s.smallest_label) << ", largest '"
        << s.largest_label << "' " << s.label_counts.at(s.largest_label) << ")\n";
  }

  // label x split table.
  size_t width = 5;
  for (const std::string& l : s.labels) width = std::max(width, l.size());
  auto row = [&](const std::string& name, const std::vector<std::string>& cells) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%-*s", static_cast<int>(width), name.c_str());
    out << buf;
    for (const std::string& c : cells) {
      std::snprintf(buf, sizeof(buf), " %11s", c.c_str());
      out << buf;
    }
    out << "\n";
  };
  std::vector<std::string> head;
  for (const std::string& split : s.splits) head.push_back(split_title(split));
  head.insert(head.end(), {"total", "seconds"});
  out << "\n";
  row("label", head);
  std::map<std::string, size_t> split_totals;
  for (const std::string& label : s.labels) {
    std::vector<std::string> cells;
    const auto& by_split = s.counts.at(label);
    for (const std::string& split : s.splits) {
      size_t n = 0;
      if (const auto it = by_split.find(split); it != by_split.end()) {
        for (const auto& [loc, c] : it->second) n += c;
      }
      split_totals[split] += n;
      cells.push_back(std::to_string(n));
    }
    cells.push_back(std::to_string(s.label_counts.at(label)));
    const auto sec = s.label_seconds.find(label);
    cells.push_back(format("%.1f", sec == s.label_seconds.end() ? 0.0 : sec->second));
    row(label, cells);
  }
  std::vector<std::string> totals;
  for (const std::string& split : s.splits) totals.push_back(std::to_string(split_totals[split]));
  totals.push_back(std::to_string(s.samples));
  totals.push_back(format("%.1f", s.total_seconds));
  row("total", totals);

  // label x location, when any sample has a location.
  if (s.locations.size() > 1 || (s.locations.size() == 1 && !s.locations[0].empty())) {
    out << "\n";
    std::vector<std::string> locs;
    for (const std::string& l : s.locations) locs.push_back(l.empty() ? "(none)" : l);
    row("label", locs);
    for (const std::string& label : s.labels) {
      std::vector<std::string> cells;
      for (const std::string& loc : s.locations) {
        size_t n = 0;
        for (const auto& [split, by_loc] : s.counts.at(label)) {
          if (const auto it = by_loc.find(loc); it != by_loc.end()) n += it->second;
        }
        cells.push_back(std::to_string(n));
      }
      row(label, cells);
    }
  }

  out << "\n";
  if (s.problems.empty()) {
    out << "no problems found\n";
  } else {
    out << s.problems.size() << " problem(s):\n";
    for (const DataProblem& p : s.problems) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "  %-12s ", std::string(data_problem_name(p.kind)).c_str());
      out << buf;
      if (!p.path.empty()) out << relative_to(p.path, s.root) << ": ";
      out << p.detail << "\n";
    }
  }
  return out.str();
}

nlohmann::json data_stats_json(const DataStats& s) {
  nlohmann::json j;
  j["root"] = s.root;
  j["samples"] = s.samples;
  j["readable"] = s.readable;
  j["total_seconds"] = s.total_seconds;
  j["labels"] = s.labels;
  nlohmann::json splits = nlohmann::json::array();
  for (const std::string& split : s.splits) splits.push_back(split_title(split));
  j["splits"] = splits;
  j["locations"] = s.locations;
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& [label, by_split] : s.counts) {
    for (const auto& [split, by_loc] : by_split) {
      for (const auto& [loc, n] : by_loc) counts[label][split_title(split)][loc] = n;
    }
  }
  j["counts"] = counts;
  j["label_counts"] = s.label_counts;
  j["label_seconds"] = s.label_seconds;
  nlohmann::json rates = nlohmann::json::object();
  for (const auto& [rate, n] : s.sample_rates) rates[std::to_string(rate)] = n;
  j["sample_rates"] = rates;
  nlohmann::json imu_rates = nlohmann::json::object();
  for (const auto& [rate, n] : s.imu_rates_hz) imu_rates[format("%g", rate)] = n;
  j["imu_rates_hz"] = imu_rates;
  nlohmann::json channels = nlohmann::json::object();
  for (const auto& [c, n] : s.channels) channels[std::to_string(c)] = n;
  j["channels"] = channels;
  j["class_balance"] = {
      {"ratio", s.class_balance}, {"smallest", s.smallest_label}, {"largest", s.largest_label}};
  nlohmann::json problems = nlohmann::json::array();
  for (const DataProblem& p : s.problems) {
    nlohmann::json pj = {{"kind", data_problem_name(p.kind)}, {"detail", p.detail}};
    if (!p.path.empty()) pj["path"] = p.path;
    problems.push_back(pj);
  }
  j["problems"] = problems;
  return j;
}

}  // namespace locus::host
