// Time types and conversions used across watchstats.
//
// All instants are UTC milliseconds since the Unix epoch (EpochMillis);
// durations inside the engine are integer milliseconds (DurationMillis) so
// that sums are exact and independent of the order of addition.
// Thread safety: pure functions; time-zone lookups go through the date-tz
// database, which is safe for concurrent reads.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ws {

struct EpochMillis {
  int64_t v = 0;
  auto operator<=>(const EpochMillis&) const = default;
};

using DurationMillis = int64_t;

// The system clock (UTC) now. Thread-safe.
EpochMillis SystemNow();

constexpr int64_t kMillisPerSecond = 1000;
constexpr int64_t kMillisPerMinute = 60 * kMillisPerSecond;
constexpr int64_t kMillisPerHour = 60 * kMillisPerMinute;
constexpr int64_t kMillisPerDay = 24 * kMillisPerHour;

// A UTC calendar date as days since 1970-01-01 (the storage partition key).
struct DayNumber {
  int32_t v = 0;
  auto operator<=>(const DayNumber&) const = default;
};

inline DayNumber DayOf(EpochMillis t) {
  int64_t d = t.v / kMillisPerDay;
  if (t.v % kMillisPerDay < 0) --d;
  return DayNumber{static_cast<int32_t>(d)};
}

// Parses an RFC 3339 timestamp ("2026-10-01T20:15:03.250Z", "...+09:00",
// fractional seconds optional, 'T' or ' ' separator). On success returns the
// instant and, through offset_minutes, the UTC offset written in the text
// (nullopt for 'Z'). Returns nullopt when the text is not RFC 3339.
std::optional<EpochMillis> ParseRfc3339(std::string_view text, std::optional<int>* offset_minutes);

// Formats as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string FormatRfc3339(EpochMillis t);

// "YYYY-MM-DD" <-> DayNumber. ParseDate returns nullopt on malformed text
// (exactly ten characters: no blanks around the date).
std::string FormatDate(DayNumber d);
std::optional<DayNumber> ParseDate(std::string_view text);

// A day written either as a date ("2025-06-30", ParseDate) or as an RFC 3339
// instant ("2025-06-30T23:30:00-02:00", ParseRfc3339), which stands for its
// UTC day (here 2025-07-01). nullopt when the text is neither.
std::optional<DayNumber> ParseDateOrInstant(std::string_view text);

// Civil fields of a day.
struct CivilDate {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};
CivilDate ToCivil(DayNumber d);
DayNumber FromCivil(int year, unsigned month, unsigned day);

// Formats milliseconds as seconds with exactly three decimals ("12.345").
std::string FormatSeconds(int64_t millis);

// Local wall-clock view of an instant.
struct LocalTime {
  DayNumber date;  // local calendar date
  int hour;        // 0..23
};

// Returns true when `name` is a known IANA zone name.
bool IsKnownTimeZone(std::string_view name);

// Local time of `t` in IANA zone `zone`. Requires IsKnownTimeZone(zone).
LocalTime ToLocal(EpochMillis t, std::string_view zone);

// Local time of `t` at a fixed UTC offset.
LocalTime ToLocalFixed(EpochMillis t, int offset_minutes);

// One stretch of time over which a zone keeps one UTC offset.
struct OffsetInterval {
  EpochMillis begin;  // first instant with this offset
  int64_t offset_ms;  // local = UTC + offset_ms
};
// The offsets of IANA zone `zone` over [from, to], ascending by begin; the
// first interval begins at or before `from`, so the offset at t in [from,
// to] is that of the last interval with begin <= t. Requires
// IsKnownTimeZone(zone) (otherwise: one interval, offset 0).
std::vector<OffsetInterval> ZoneOffsets(std::string_view zone, EpochMillis from, EpochMillis to);

}  // namespace ws
