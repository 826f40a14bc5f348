// Derived dimensions (SPEC 3.4) as pure functions: date, time of day with
// dayparts, age bands and completion statuses.
//
// Devices are not derived here: the sessionizer takes device_id, device_type,
// platform and app_version from the first event of a session that carries
// each (SPEC 2.5); dim_devices is the distinct set of those in the facts.
//
// Thread safety: pure functions and constant tables.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "util/time.h"

namespace ws {

// dim_date: one row per UTC (or local) calendar day.
struct DateDim {
  DayNumber day;
  int32_t date_key = 0;  // YYYYMMDD, e.g. 20250630
  int year = 0;
  int quarter = 0;                // 1..4
  int month = 0;                  // 1..12
  int day_of_month = 0;           // 1..31
  int iso_year = 0;               // the year the ISO week belongs to
  int iso_week = 0;               // 1..53
  int weekday = 0;                // ISO: 1 = Monday .. 7 = Sunday
  bool weekend = false;           // Saturday or Sunday
  std::string_view weekday_name;  // "Monday"
  std::string_view month_name;    // "June"
};
DateDim MakeDateDim(DayNumber day);

// "2025-W27" for the ISO week of `day`.
std::string IsoWeekLabel(DayNumber day);

// dim_time: dayparts by local hour. Morning 05-12, afternoon 12-17,
// evening 17-22, night 22-05 (start inclusive, end exclusive).
enum class Daypart : uint8_t { kMorning = 0, kAfternoon = 1, kEvening = 2, kNight = 3 };
constexpr int kDaypartCount = 4;
// Requires 0 <= hour <= 23.
Daypart DaypartOfHour(int hour);
std::string_view DaypartName(Daypart d);  // "morning", "afternoon", "evening", "night"

struct TimeDim {
  int hour = 0;  // 0..23
  Daypart daypart = Daypart::kNight;
};
TimeDim MakeTimeDim(int hour);

// Age bands of dim_users.
enum class AgeBand : uint8_t {
  kUnknown = 0,
  kUnder18,
  k18To24,
  k25To34,
  k35To44,
  k45To54,
  k55To64,
  k65Plus,
};
AgeBand AgeBandOf(int age);                  // age < 0: kUnknown
std::string_view AgeBandName(AgeBand band);  // "under 18", "18-24", ..., "65+", "unknown"

// dim_completion_status: the statuses of SPEC 2.7. `key` equals the numeric
// value of SessionStatus (vocab/completion_status.h).
struct CompletionStatusRow {
  int key;
  std::string_view name;
  std::string_view description;
};
std::span<const CompletionStatusRow> CompletionStatuses();

}  // namespace ws
