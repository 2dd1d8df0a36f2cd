#include "host/dataset/csv.h"

#include "host/common/error.h"

namespace locus::host {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && is_space(s[a])) ++a;
  while (b > a && is_space(s[b - 1])) --b;
  return std::string(s.substr(a, b - a));
}

}  // namespace

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& origin) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> records;
  size_t i = 0;
  size_t line = 1;
  while (i < text.size()) {
    CsvRecord record;
    record.line = line;
    bool all_empty = true;
    while (true) {  // one field per iteration
      std::string field;
      size_t a = i;
      while (a < text.size() && is_space(text[a])) ++a;
      if (a < text.size() && text[a] == '"') {
        const size_t opened_line = line;
        i = a + 1;
        while (true) {
          if (i >= text.size()) {
            fail(origin, ":", opened_line, ": quoted field is not closed (missing '\"')");
          }
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        while (i < text.size() && is_space(text[i])) ++i;
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          fail(origin, ":", line, ": unexpected '", text[i], "' after a quoted field");
        }
        all_empty = false;
      } else {
        size_t end = i;
        while (end < text.size() && text[end] != ',' && text[end] != '\n' && text[end] != '\r') {
          ++end;
        }
        field = trim(text.substr(i, end - i));
        if (!field.empty()) all_empty = false;
        i = end;
      }
      record.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
        all_empty = false;
        continue;
      }
      // End of record: \r\n, \n, \r or end of text.
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') ++i;
      ++line;
      break;
    }
    if (!(all_empty && record.fields.size() == 1)) records.push_back(std::move(record));
  }
  return records;
}

std::string csv_field(std::string_view value) {
  bool quote = !value.empty() && (is_space(value.front()) || is_space(value.back()));
  for (char c : value) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') quote = true;
  }
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace locus::host
