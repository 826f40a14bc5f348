// Fast text output for the generator: a line builder that formats numbers,
// timestamps and UUIDs by hand, a buffered file writer, civil-date
// arithmetic and the UTC offsets of the time zones the generator uses.
//
// Kept independent of util/time so the generator does not depend on the
// engine's parsing code (and stays fast: no allocation per field).
// Thread safety: values only; no shared state.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ws::gen {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};
Civil CivilFromDays(int64_t days);

// Floor division of epoch milliseconds into days.
inline int64_t DayOfMs(int64_t ms) { return ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay); }

// 0 = Sunday .. 6 = Saturday.
inline int Weekday(int64_t days) { return static_cast<int>(((days % 7) + 11) % 7); }

// Parses "YYYY-MM-DD" into days since the epoch; false on malformed text.
bool ParseIsoDate(std::string_view text, int64_t* days);

// Daylight-saving rules of the zones the generator assigns.
enum class DstRule : uint8_t { kNone, kEu, kUs };

// UTC offset in minutes of a zone with standard offset `std_minutes` and
// `rule`, at the UTC instant `utc_ms`.
int ZoneOffsetMinutes(int std_minutes, DstRule rule, int64_t utc_ms);

// Builds one line in a caller-provided buffer. The caller guarantees the
// buffer is large enough for the line (no bounds checks on the hot path).
class LineBuilder {
 public:
  explicit LineBuilder(char* buf) : begin_(buf), p_(buf) {}

  void Lit(std::string_view s) {
    for (char c : s) *p_++ = c;
  }
  void Char(char c) { *p_++ = c; }
  void UInt(uint64_t v);
  void Int(int64_t v) {
    if (v < 0) {
      *p_++ = '-';
      UInt(static_cast<uint64_t>(-v));
    } else {
      UInt(static_cast<uint64_t>(v));
    }
  }
  // Zero-padded to `width` digits.
  void UIntPadded(uint64_t v, int width);
  // Milliseconds as seconds with exactly three decimals ("12.345", "-0.500").
  void Millis3(int64_t ms);
  // "YYYY-MM-DDTHH:MM:SS.mmmZ" for UTC, or with "+HH:MM"/"-HH:MM" when
  // offset_minutes != 0 or force_offset (the wall-clock time at that offset).
  void Rfc3339(int64_t utc_ms, int offset_minutes, bool force_offset);
  // "YYYY-MM-DD".
  void Date(int64_t days);
  // Canonical lower-case 8-4-4-4-12 text of a UUID.
  void Uuid(uint64_t hi, uint64_t lo);
  // A JSON string literal with quotes; escapes '"', '\\' and control bytes.
  void JsonString(std::string_view s);

  size_t size() const { return static_cast<size_t>(p_ - begin_); }
  std::string_view view() const { return {begin_, size()}; }
  char* data() { return begin_; }
  // Truncates the line to `n` bytes. Requires: n <= size().
  void Truncate(size_t n) { p_ = begin_ + n; }

 private:
  char* begin_;
  char* p_;
};

// Appends bytes to a file through a large buffer. Write errors are sticky and
// reported by Close() as a Status naming the path.
class BufferedFile {
 public:
  BufferedFile() = default;
  BufferedFile(const BufferedFile&) = delete;
  BufferedFile& operator=(const BufferedFile&) = delete;
  ~BufferedFile();

  // Creates or truncates `path`.
  Status Open(const std::string& path);
  void Write(std::string_view bytes);
  // Flushes and closes; returns the first error met since Open.
  Status Close();
  uint64_t bytes_written() const { return bytes_; }

 private:
  void Flush();
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string path_;
  std::unique_ptr<char[]> buf_;
  size_t used_ = 0;
  uint64_t bytes_ = 0;
  Status error_;
};

}  // namespace ws::gen
