#include "host/dataset/manifest.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/dataset/csv.h"

namespace locus::host {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One manifest row as column -> value, with its line for messages.
struct Row {
  size_t line = 0;
  std::vector<std::pair<std::string, std::string>> columns;  // lower-case known names
};

const std::set<std::string>& known_columns() {
  static const std::set<std::string> names = {"path",  "label",   "split", "location",
                                              "group", "speaker", "device"};
  return names;
}

// Known column names are matched without regard to case or spaces.
std::string column_key(const std::string& name) {
  std::string key = lower(name);
  key.erase(std::remove_if(key.begin(), key.end(), [](char c) { return c == ' '; }), key.end());
  return known_columns().count(key) ? key : name;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, ": cannot open manifest");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<Row> csv_rows(const std::string& path) {
  const std::vector<CsvRecord> records = parse_csv(read_text(path), path);
  if (records.empty()) fail(path, ": empty manifest (expected a header row with path,label)");
  std::vector<std::string> header;
  std::set<std::string> seen;
  for (const std::string& name : records[0].fields) {
    if (name.empty()) fail(path, ":", records[0].line, ": empty column name in the header");
    const std::string key = column_key(name);
    if (!seen.insert(key).second) {
      fail(path, ":", records[0].line, ": column '", name, "' appears twice in the header");
    }
    header.push_back(key);
  }
  for (const char* required : {"path", "label"}) {
    if (!seen.count(required)) {
      fail(path, ":", records[0].line, ": the header has no '", required,
           "' column (columns: path, label, and optionally split, location, group)");
    }
  }
  std::vector<Row> rows;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    if (record.fields.size() != header.size()) {
      fail(path, ":", record.line, ": ", record.fields.size(), " fields, the header has ",
           header.size());
    }
    Row row;
    row.line = record.line;
    for (size_t c = 0; c < header.size(); ++c)
      row.columns.emplace_back(header[c], record.fields[c]);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<Row> jsonl_rows(const std::string& path) {
  std::istringstream text(read_text(path));
  std::vector<Row> rows;
  std::string line_text;
  size_t line = 0;
  while (std::getline(text, line_text)) {
    ++line;
    if (!line_text.empty() && line_text.back() == '\r') line_text.pop_back();
    if (line_text.find_first_not_of(" \t") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line_text);
    } catch (const nlohmann::json::exception& e) {
      fail(path, ":", line, ": not valid JSON (", e.what(), ")");
    }
    if (!j.is_object()) fail(path, ":", line, ": expected a JSON object per line");
    Row row;
    row.line = line;
    for (const auto& [name, value] : j.items()) {
      const std::string key = column_key(name);
      std::string v;
      if (value.is_string()) {
        v = value.get<std::string>();
      } else if (value.is_null()) {
        v = "";
      } else if (key == "path" || key == "label") {
        fail(path, ":", line, ": '", name, "' must be a string");
      } else {
        v = value.dump();
      }
      row.columns.emplace_back(key, v);
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) fail(path, ": empty manifest (expected one JSON object per line)");
  return rows;
}

bool inside(const fs::path& file, const fs::path& root) {
  auto f = file.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++f) {
    if (r->empty()) continue;  // trailing separator
    if (f == file.end() || *f != *r) return false;
  }
  return true;
}

}  // namespace

std::string normalize_split_name(std::string_view name) {
  const std::string n = lower(name);
  if (n.empty()) return "";
  if (n == "train" || n == "training") return std::string(kTrainSplit);
  if (n == "validation" || n == "val" || n == "valid" || n == "dev") {
    return std::string(kValidationSplit);
  }
  if (n == "test" || n == "testing") return std::string(kTestSplit);
  return "?";
}

std::vector<Sample> read_manifest(const std::string& manifest_path, const std::string& root) {
  std::error_code ec;
  if (!fs::is_regular_file(manifest_path, ec)) fail(manifest_path, ": no such manifest file");
  const std::vector<Row> rows =
      ends_with(lower(manifest_path), ".jsonl") || ends_with(lower(manifest_path), ".ndjson")
          ? jsonl_rows(manifest_path)
          : csv_rows(manifest_path);
  const fs::path base = fs::absolute(fs::path(manifest_path)).parent_path();
  const fs::path root_path = fs::path(root).lexically_normal();
  std::vector<Sample> samples;
  std::map<std::string, size_t> line_of_path;
  for (const Row& row : rows) {
    Sample s;
    std::string group, speaker, device;
    for (const auto& [key, value] : row.columns) {
      if (key == "path")
        s.path = value;
      else if (key == "label")
        s.label = value;
      else if (key == "split")
        s.split = value;
      else if (key == "location")
        s.location = value;
      else if (key == "group")
        group = value;
      else if (key == "speaker")
        speaker = value;
      else if (key == "device")
        device = value;
      else
        s.extra[key] = value;
    }
    const std::string where = manifest_path + ":" + std::to_string(row.line);
    if (s.path.empty()) fail(where, ": no path");
    if (s.label.empty()) fail(where, ": no label for ", s.path);
    const std::string split = normalize_split_name(s.split);
    if (split == "?") {
      fail(where, ": split '", s.split, "' is not train, validation or test");
    }
    s.split = split;
    const std::string listed = s.path;
    fs::path file = fs::path(s.path);
    if (file.is_relative()) file = base / file;
    file = file.lexically_normal();
    if (!inside(file, root_path)) {
      fail(where, ": ", s.path, " is outside the dataset's root ", root_path.string());
    }
    if (!fs::is_regular_file(file, ec)) fail(where, ": ", s.path, ": no such file");
    s.path = file.string();
    const auto [it, added] = line_of_path.emplace(s.path, row.line);
    if (!added) fail(where, ": ", listed, " is listed twice (also on line ", it->second, ")");
    // The first of group, speaker, device with a value names the group; the
    // others stay as extra columns.
    const std::pair<const char*, std::string*> candidates[] = {
        {"group", &group}, {"speaker", &speaker}, {"device", &device}};
    for (const auto& [name, value] : candidates) {
      if (value->empty()) continue;
      if (s.group.empty())
        s.group = *value;
      else
        s.extra[name] = *value;
    }
    if (s.group.empty()) s.group = group_of_file(file.filename().string());
    samples.push_back(std::move(s));
  }
  return samples;
}

void write_manifest(const Dataset& dataset, const std::string& path) {
  const fs::path base = fs::absolute(fs::path(path)).parent_path();
  std::set<std::string> extra_columns;
  for (const Sample& s : dataset.samples) {
    for (const auto& [k, v] : s.extra) extra_columns.insert(k);
  }
  auto relative = [&](const std::string& file) {
    const fs::path rel = fs::path(file).lexically_relative(base);
    return rel.empty() ? file : rel.generic_string();
  };
  std::string out;
  if (ends_with(lower(path), ".jsonl") || ends_with(lower(path), ".ndjson")) {
    for (const Sample& s : dataset.samples) {
      nlohmann::ordered_json j = {{"path", relative(s.path)},
                                  {"label", s.label},
                                  {"split", s.split},
                                  {"location", s.location},
                                  {"group", s.group}};
      for (const auto& [k, v] : s.extra) j[k] = v;
      out += j.dump() + "\n";
    }
  } else {
    out = "path,label,split,location,group";
    for (const std::string& c : extra_columns) out += "," + csv_field(c);
    out += "\n";
    for (const Sample& s : dataset.samples) {
      out += csv_field(relative(s.path)) + "," + csv_field(s.label) + "," + csv_field(s.split) +
             "," + csv_field(s.location) + "," + csv_field(s.group);
      for (const std::string& c : extra_columns) {
        const auto it = s.extra.find(c);
        out += "," + csv_field(it == s.extra.end() ? "" : it->second);
      }
      out += "\n";
    }
  }
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  write_file_atomic(path, std::span(reinterpret_cast<const uint8_t*>(out.data()), out.size()));
}

}  // namespace locus::host
