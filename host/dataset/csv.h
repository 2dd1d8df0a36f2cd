// CSV as RFC 4180 writes it: a header row, comma-separated fields, fields in
// double quotes may hold commas, line breaks and doubled quotes (""). Blank
// lines are skipped, CRLF and a UTF-8 byte order mark are fine, spaces around
// unquoted fields are trimmed.
#ifndef LOCUS_HOST_DATASET_CSV_H_
#define LOCUS_HOST_DATASET_CSV_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace locus::host {

struct CsvRecord {
  size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Throws Error naming `origin`:line for an unterminated quoted field or
// text after a closing quote.
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& origin);

// The field as CSV: quoted (with doubled quotes) when it holds a comma, a
// quote, a line break or leading/trailing spaces, else as is.
std::string csv_field(std::string_view value);

}  // namespace locus::host

#endif  // LOCUS_HOST_DATASET_CSV_H_
