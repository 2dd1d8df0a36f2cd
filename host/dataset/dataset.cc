#include "host/dataset/dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "host/common/error.h"
#include "host/dataset/manifest.h"

namespace locus::host {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kBackgroundNoiseFolder = "_background_noise_";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_recording(const fs::path& file) {
  const std::string ext = lower(file.extension().string());
  return ext == ".wav" || ext == ".flac" || ext == ".ogg" || ext == ".csv";
}

// Hidden files, and the README / LICENSE files datasets ship beside the data.
bool is_ignored_file(const std::string& name) {
  if (name.empty() || name[0] == '.') return true;
  const std::string stem = lower(fs::path(name).stem().string());
  return stem == "readme" || stem == "license" || stem == "licence" || stem == "copying";
}

// Recordings under one class folder, at any depth (hidden folders skipped).
void collect_class(const fs::path& folder, const std::string& label, std::vector<Sample>& out) {
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, fs::directory_options::follow_directory_symlink, ec);
  if (ec) fail(folder.string(), ": cannot list (", ec.message(), ")");
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) fail(folder.string(), ": cannot list (", ec.message(), ")");
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      if (!name.empty() && name[0] == '.') it.disable_recursion_pending();
      continue;
    }
    if (is_ignored_file(name) || !is_recording(it->path()) || !it->is_regular_file(ec)) continue;
    Sample s;
    s.path = it->path().lexically_normal().string();
    s.label = label;
    s.group = group_of_file(name);
    out.push_back(std::move(s));
  }
}

}  // namespace

std::vector<std::string> Dataset::labels() const {
  std::set<std::string> labels;
  for (const Sample& s : samples) labels.insert(s.label);
  return {labels.begin(), labels.end()};
}

std::vector<const Sample*> Dataset::split(std::string_view name) const {
  std::vector<const Sample*> out;
  for (const Sample& s : samples) {
    if (s.split == name) out.push_back(&s);
  }
  return out;
}

Dataset load_dataset(const std::string& dir, const DatasetOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail(dir, ": no such dataset folder");
  Dataset dataset;
  const fs::path root = fs::absolute(fs::path(dir)).lexically_normal();
  dataset.root = root.string();
  if (dataset.root.size() > 1 && dataset.root.back() == '/') dataset.root.pop_back();

  std::string manifest = options.manifest;
  if (manifest.empty()) {
    for (const char* name : {"manifest.csv", "manifest.jsonl"}) {
      if (fs::is_regular_file(root / name, ec)) {
        manifest = (root / name).string();
        break;
      }
    }
  }

  if (!manifest.empty()) {
    dataset.samples = read_manifest(manifest, dataset.root);
    if (dataset.samples.empty()) fail(manifest, ": lists no samples");
  } else {
    std::vector<fs::path> folders;
    fs::directory_iterator it(root, ec);
    if (ec) fail(dir, ": cannot list (", ec.message(), ")");
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) fail(dir, ": cannot list (", ec.message(), ")");
      const std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.' || name == kBackgroundNoiseFolder) continue;
      if (it->is_directory(ec)) folders.push_back(it->path());
    }
    std::sort(folders.begin(), folders.end());
    for (const fs::path& folder : folders) {
      const size_t before = dataset.samples.size();
      collect_class(folder, folder.filename().string(), dataset.samples);
      if (dataset.samples.size() == before)
        dataset.empty_labels.push_back(folder.filename().string());
    }
    if (dataset.samples.empty()) {
      fail(dir,
           ": no recordings (expected class folders LABEL/*.wav, .flac, .ogg or .csv, "
           "or a manifest.csv / manifest.jsonl)");
    }
  }
  std::sort(dataset.samples.begin(), dataset.samples.end(),
            [](const Sample& a, const Sample& b) { return a.path < b.path; });
  return dataset;
}

std::string group_of_file(std::string_view file_name) {
  const size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const size_t nohash = file_name.find("_nohash_");
  if (nohash != std::string_view::npos && nohash > 0) {
    std::string_view head = file_name.substr(0, nohash);
    const size_t underscore = head.find_last_of('_');
    if (underscore != std::string_view::npos && underscore + 1 < head.size()) {
      head.remove_prefix(underscore + 1);
    }
    return std::string(head);
  }
  const size_t dot = file_name.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0) file_name = file_name.substr(0, dot);
  return std::string(file_name);
}

int32_t model_label_index(std::string_view label, const std::vector<std::string>& model_labels) {
  int32_t unknown = -1;
  for (size_t i = 0; i < model_labels.size(); ++i) {
    if (model_labels[i] == label) return static_cast<int32_t>(i);
    if (model_labels[i] == kUnknownLabel && unknown < 0) unknown = static_cast<int32_t>(i);
  }
  return unknown;
}

}  // namespace locus::host
