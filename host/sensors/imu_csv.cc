#include "host/sensors/imu_csv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>

#include "host/common/error.h"

namespace locus::host {
namespace {

constexpr size_t kMaxAxes = 9;

struct Field {
  std::string_view text;  // trimmed
  size_t column;          // 1-based column of the field's first character
};

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::vector<Field> split_row(std::string_view line) {
  std::vector<Field> fields;
  size_t start = 0;
  while (true) {
    size_t end = line.find(',', start);
    if (end == std::string_view::npos) end = line.size();
    size_t a = start, b = end;
    while (a < b && is_space(line[a])) ++a;
    while (b > a && is_space(line[b - 1])) --b;
    fields.push_back(Field{line.substr(a, b - a), (a < end ? a : start) + 1});
    if (end == line.size()) break;
    start = end + 1;
  }
  return fields;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Seconds per unit of a timestamp column, or 0 if `name` is not one.
double timestamp_unit(std::string_view name) {
  const std::string n = lower(name);
  if (n == "timestamp" || n == "timestamp_ms" || n == "time_ms") return 1e-3;
  if (n == "timestamp_s" || n == "time_s" || n == "time") return 1.0;
  if (n == "timestamp_us" || n == "time_us") return 1e-6;
  return 0.0;
}

double parse_number(const Field& f, const std::string& origin, size_t line) {
  std::string_view t = f.text;
  if (t.empty()) fail(origin, ":", line, ":", f.column, ": empty field, expected a number");
  if (t.front() == '+') t.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec == std::errc::result_out_of_range) {
    fail(origin, ":", line, ":", f.column, ": number '", f.text, "' is out of range");
  }
  if (ec != std::errc() || end != t.data() + t.size()) {
    fail(origin, ":", line, ":", f.column, ": expected a number, got '", f.text, "'");
  }
  if (!std::isfinite(value)) {
    fail(origin, ":", line, ":", f.column, ": '", f.text, "' is not a finite number");
  }
  return value;
}

}  // namespace

ImuRecording parse_imu_csv(std::string_view text, const std::string& origin) {
  ImuRecording rec;
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xef &&
      static_cast<unsigned char>(text[1]) == 0xbb && static_cast<unsigned char>(text[2]) == 0xbf) {
    text.remove_prefix(3);  // UTF-8 byte order mark
  }
  size_t line_number = 0;
  size_t pos = 0;
  bool have_header = false;
  size_t columns = 0;
  double unit = 0.0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (std::all_of(line.begin(), line.end(), is_space)) continue;

    const std::vector<Field> fields = split_row(line);
    if (!have_header) {
      have_header = true;
      columns = fields.size();
      unit = timestamp_unit(fields[0].text.size() >= 2 && fields[0].text.front() == '"'
                                ? fields[0].text.substr(1, fields[0].text.size() - 2)
                                : fields[0].text);
      for (size_t i = unit > 0 ? 1 : 0; i < fields.size(); ++i) {
        std::string_view name = fields[i].text;
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
          name = name.substr(1, name.size() - 2);
        }
        if (name.empty()) fail(origin, ":", line_number, ":", fields[i].column, ": empty column name");
        for (const std::string& seen : rec.axis_names) {
          if (seen == name) {
            fail(origin, ":", line_number, ":", fields[i].column, ": column '", name,
                 "' appears twice");
          }
        }
        rec.axis_names.emplace_back(name);
      }
      if (rec.axis_names.empty()) {
        fail(origin, ":", line_number, ": header has no axis columns (only a timestamp)");
      }
      if (rec.axis_names.size() > kMaxAxes) {
        fail(origin, ":", line_number, ": header has ", rec.axis_names.size(),
             " axis columns, at most ", kMaxAxes, " are supported");
      }
      continue;
    }
    if (fields.size() != columns) {
      fail(origin, ":", line_number, ": row has ", fields.size(), " fields, the header has ",
           columns);
    }
    size_t i = 0;
    if (unit > 0) {
      const double t = parse_number(fields[0], origin, line_number) * unit;
      if (!rec.timestamps.empty() && !(t > rec.timestamps.back())) {
        fail(origin, ":", line_number, ":", fields[0].column, ": timestamp ", fields[0].text,
             " is not after the previous row's");
      }
      rec.timestamps.push_back(t);
      i = 1;
    }
    for (; i < fields.size(); ++i) {
      const double v = parse_number(fields[i], origin, line_number);
      if (std::fabs(v) > 3.0e38) {
        fail(origin, ":", line_number, ":", fields[i].column, ": ", fields[i].text,
             " does not fit in a float");
      }
      rec.samples.push_back(static_cast<float>(v));
    }
  }
  if (!have_header) fail(origin, ": empty file, expected a header row");
  if (rec.samples.empty()) fail(origin, ": no data rows after the header");
  if (rec.timestamps.size() >= 2) {
    std::vector<double> dt;
    dt.reserve(rec.timestamps.size() - 1);
    for (size_t k = 1; k < rec.timestamps.size(); ++k) {
      dt.push_back(rec.timestamps[k] - rec.timestamps[k - 1]);
    }
    std::nth_element(dt.begin(), dt.begin() + static_cast<std::ptrdiff_t>(dt.size() / 2), dt.end());
    double median = dt[dt.size() / 2];
    if (dt.size() % 2 == 0) {
      const double lower_half =
          *std::max_element(dt.begin(), dt.begin() + static_cast<std::ptrdiff_t>(dt.size() / 2));
      median = 0.5 * (median + lower_half);
    }
    rec.sample_rate_hz = 1.0 / median;
  }
  return rec;
}

ImuRecording read_imu_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, ": cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(path, ": read error");
  return parse_imu_csv(buffer.str(), path);
}

}  // namespace locus::host
