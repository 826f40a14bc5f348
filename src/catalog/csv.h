// An RFC 4180 CSV reader over text held in memory.
//
// Fields are separated by commas; a field may be enclosed in double quotes,
// inside which commas, line breaks and doubled quotes ("") are literal.
// Records end with LF or CRLF. A UTF-8 byte order mark at the start is
// skipped. Blank lines (no characters at all) are skipped.
//
// Thread safety: one reader per thread; the text must outlive the reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ws::catalog {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // Reads the next record into `fields` (reusing its storage). Returns false
  // at the end of the text. On a malformed record (a quote inside an
  // unquoted field, text after a closing quote, an unterminated quote)
  // returns true with error() set; the reader resumes at the next line.
  bool Next(std::vector<std::string>* fields);

  // 1-based physical line on which the last record returned by Next starts.
  int64_t line() const { return record_line_; }
  // Non-empty when the last record was malformed: the reason.
  const std::string& error() const { return error_; }

 private:
  void SkipToNextLine();

  std::string_view text_;
  size_t pos_ = 0;
  int64_t next_line_ = 1;
  int64_t record_line_ = 0;
  std::string error_;
};

// Lower-cases ASCII letters and trims blanks at both ends.
std::string NormalizeHeaderName(std::string_view name);

}  // namespace ws::catalog
