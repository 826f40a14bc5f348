// Implementation of util/time.h.
//
// RFC 3339 parsing is hand-written (it runs once per ingested event); civil
// date math uses Howard Hinnant's days-from-civil algorithms; time-zone
// lookups go through date-tz with a per-thread cache of zone pointers.

// clang-format off
// <date/tz.h> must come before any declaration of namespace ws: date.h calls
// std::ws unqualified (`ws(is)`), which a visible namespace named ws breaks.
#include <date/tz.h>
#include "util/time.h"
// clang-format on

#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace ws {
namespace {

constexpr int kMinutesPerHour = 60;
constexpr int kSecondsPerMinute = 60;
constexpr int kHoursPerDay = 24;
constexpr int kMaxOffsetHours = 23;
constexpr int kMaxMinute = 59;
constexpr int kMaxSecond = 60;  // RFC 3339 allows a leap second
constexpr int kMillisDigits = 3;
constexpr int kDaysPerEra = 146097;
constexpr int kYearsPerEra = 400;
constexpr int kMaxYear = 9999;
// Zone names that were looked up and are unknown are cached only while the
// cache is smaller than this, so garbage input cannot grow it without bound.
constexpr size_t kMaxCachedZones = 1024;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at p; returns false if any is not a digit.
bool ReadDigits(const char* p, int n, int* out) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(p[i])) return false;
    v = v * 10 + (p[i] - '0');
  }
  *out = v;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Appends `v` as exactly `width` zero-padded digits (v >= 0).
char* PutDigits(char* p, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

// Transparent hash so the cache can be probed with a string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Returns the zone for `name`, or nullptr when it is unknown.
const date::time_zone* FindZone(std::string_view name) {
  thread_local std::unordered_map<std::string, const date::time_zone*, StringHash, std::equal_to<>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  const date::time_zone* zone = nullptr;
  if (!name.empty()) {
    try {
      zone = date::locate_zone(name);
    } catch (const std::runtime_error&) {
      // date-tz reports an unknown zone name only by throwing; here that is
      // an expected answer ("not a zone"), not a failure.
      zone = nullptr;
    }
  }
  if (zone != nullptr || cache.size() < kMaxCachedZones) cache.emplace(std::string(name), zone);
  return zone;
}

LocalTime LocalFromMillis(int64_t local_millis) {
  DayNumber day = DayOf(EpochMillis{local_millis});
  int64_t in_day = local_millis - static_cast<int64_t>(day.v) * kMillisPerDay;
  return LocalTime{day, static_cast<int>(in_day / kMillisPerHour)};
}

}  // namespace

DayNumber FromCivil(int year, unsigned month, unsigned day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - (kYearsPerEra - 1)) / kYearsPerEra;
  const unsigned yoe = static_cast<unsigned>(y - era * kYearsPerEra);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return DayNumber{era * kDaysPerEra + static_cast<int>(doe) - 719468};
}

CivilDate ToCivil(DayNumber d) {
  const int z = d.v + 719468;
  const int era = (z >= 0 ? z : z - (kDaysPerEra - 1)) / kDaysPerEra;
  const unsigned doe = static_cast<unsigned>(z - era * kDaysPerEra);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * kYearsPerEra;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (month <= 2 ? 1 : 0), month, day};
}

EpochMillis SystemNow() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return EpochMillis{std::chrono::duration_cast<std::chrono::milliseconds>(now).count()};
}

std::optional<EpochMillis> ParseRfc3339(std::string_view text, std::optional<int>* offset_minutes) {
  // Shortest form: "YYYY-MM-DDTHH:MM:SSZ" (20 characters).
  constexpr size_t kMinLength = 20;
  if (text.size() < kMinLength) return std::nullopt;
  const char* p = text.data();
  const char* end = p + text.size();
  int year, month, day, hour, minute, second;
  if (!ReadDigits(p, 4, &year) || p[4] != '-' || !ReadDigits(p + 5, 2, &month) || p[7] != '-' ||
      !ReadDigits(p + 8, 2, &day)) {
    return std::nullopt;
  }
  if (p[10] != 'T' && p[10] != 't' && p[10] != ' ') return std::nullopt;
  if (!ReadDigits(p + 11, 2, &hour) || p[13] != ':' || !ReadDigits(p + 14, 2, &minute) || p[16] != ':' ||
      !ReadDigits(p + 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month) ||
      hour >= kHoursPerDay || minute > kMaxMinute || second > kMaxSecond) {
    return std::nullopt;
  }
  p += 19;
  int millis = 0;
  if (*p == '.') {
    ++p;
    const char* frac = p;
    while (p < end && IsDigit(*p)) {
      if (p - frac < kMillisDigits) millis = millis * 10 + (*p - '0');
      ++p;
    }
    if (p == frac) return std::nullopt;
    for (int64_t n = p - frac; n < kMillisDigits; ++n) millis *= 10;
  }
  if (p >= end) return std::nullopt;
  std::optional<int> offset;
  if (*p == 'Z' || *p == 'z') {
    ++p;
  } else if (*p == '+' || *p == '-') {
    const int sign = *p == '-' ? -1 : 1;
    int oh, om;
    if (end - p != 6 || !ReadDigits(p + 1, 2, &oh) || p[3] != ':' || !ReadDigits(p + 4, 2, &om) ||
        oh > kMaxOffsetHours || om > kMaxMinute) {
      return std::nullopt;
    }
    p += 6;
    const int total = sign * (oh * kMinutesPerHour + om);
    // "-00:00" means "UTC, local offset unknown" (RFC 3339 4.3): like 'Z'.
    if (!(sign < 0 && total == 0)) offset = total;
  } else {
    return std::nullopt;
  }
  if (p != end) return std::nullopt;

  const int64_t days = FromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)).v;
  const int64_t seconds_of_day =
      (static_cast<int64_t>(hour) * kMinutesPerHour + minute) * kSecondsPerMinute + second;
  int64_t ms = days * kMillisPerDay + seconds_of_day * kMillisPerSecond + millis;
  if (offset) ms -= static_cast<int64_t>(*offset) * kMillisPerMinute;
  if (offset_minutes != nullptr) *offset_minutes = offset;
  return EpochMillis{ms};
}

namespace {

// Writes "YYYY-MM-DD" (a sign and five digits for years outside 0..9999)
// at p; returns the end.
char* PutDate(char* p, const CivilDate& c) {
  int year = c.year;
  if (year < 0) {
    *p++ = '-';
    year = -year;
  }
  p = PutDigits(p, year, year > kMaxYear ? 5 : 4);
  *p++ = '-';
  p = PutDigits(p, c.month, 2);
  *p++ = '-';
  return PutDigits(p, c.day, 2);
}

}  // namespace

std::string FormatRfc3339(EpochMillis t) {
  const DayNumber day = DayOf(t);
  int64_t in_day = t.v - static_cast<int64_t>(day.v) * kMillisPerDay;
  char buf[32];
  char* p = PutDate(buf, ToCivil(day));
  *p++ = 'T';
  p = PutDigits(p, in_day / kMillisPerHour, 2);
  *p++ = ':';
  p = PutDigits(p, in_day / kMillisPerMinute % kMinutesPerHour, 2);
  *p++ = ':';
  p = PutDigits(p, in_day / kMillisPerSecond % kSecondsPerMinute, 2);
  *p++ = '.';
  p = PutDigits(p, in_day % kMillisPerSecond, kMillisDigits);
  *p++ = 'Z';
  return std::string(buf, p);
}

std::string FormatDate(DayNumber d) {
  char buf[16];
  char* p = PutDate(buf, ToCivil(d));
  return std::string(buf, p);
}

std::optional<DayNumber> ParseDate(std::string_view text) {
  constexpr size_t kDateLength = 10;
  if (text.size() != kDateLength) return std::nullopt;
  const char* p = text.data();
  int year, month, day;
  if (!ReadDigits(p, 4, &year) || p[4] != '-' || !ReadDigits(p + 5, 2, &month) || p[7] != '-' ||
      !ReadDigits(p + 8, 2, &day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return FromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::optional<DayNumber> ParseDateOrInstant(std::string_view text) {
  if (std::optional<DayNumber> d = ParseDate(text)) return d;
  if (std::optional<EpochMillis> t = ParseRfc3339(text, nullptr)) return DayOf(*t);
  return std::nullopt;
}

std::string FormatSeconds(int64_t millis) {
  // Work on the magnitude as unsigned so INT64_MIN is handled too.
  const bool negative = millis < 0;
  const uint64_t mag = negative ? 0 - static_cast<uint64_t>(millis) : static_cast<uint64_t>(millis);
  std::string out = negative ? "-" : "";
  out += std::to_string(mag / kMillisPerSecond);
  out += '.';
  char frac[kMillisDigits];
  PutDigits(frac, static_cast<int64_t>(mag % kMillisPerSecond), kMillisDigits);
  out.append(frac, kMillisDigits);
  return out;
}

bool IsKnownTimeZone(std::string_view name) { return FindZone(name) != nullptr; }

LocalTime ToLocal(EpochMillis t, std::string_view zone) {
  const date::time_zone* tz = FindZone(zone);
  if (tz == nullptr) return LocalFromMillis(t.v);  // contract violated: fall back to UTC
  const date::sys_time<std::chrono::milliseconds> sys{std::chrono::milliseconds{t.v}};
  const date::sys_info info = tz->get_info(date::floor<std::chrono::seconds>(sys));
  const int64_t offset_ms = std::chrono::duration_cast<std::chrono::milliseconds>(info.offset).count();
  return LocalFromMillis(t.v + offset_ms);
}

LocalTime ToLocalFixed(EpochMillis t, int offset_minutes) {
  return LocalFromMillis(t.v + static_cast<int64_t>(offset_minutes) * kMillisPerMinute);
}

std::vector<OffsetInterval> ZoneOffsets(std::string_view zone, EpochMillis from, EpochMillis to) {
  std::vector<OffsetInterval> out;
  const date::time_zone* tz = FindZone(zone);
  if (tz == nullptr) {
    out.push_back({from, 0});
    return out;
  }
  using Seconds = std::chrono::seconds;
  date::sys_seconds at =
      date::floor<Seconds>(date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{from.v}});
  const date::sys_seconds end =
      date::floor<Seconds>(date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{to.v}});
  while (true) {
    const date::sys_info info = tz->get_info(at);
    const int64_t begin_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(info.begin.time_since_epoch()).count();
    out.push_back({EpochMillis{std::min(begin_ms, from.v)},
                   std::chrono::duration_cast<std::chrono::milliseconds>(info.offset).count()});
    if (out.size() > 1) out.back().begin = EpochMillis{begin_ms};
    if (info.end > end) break;
    at = info.end;
  }
  return out;
}

}  // namespace ws
