#include "catalog/dimensions.h"

#include <fmt/format.h>

#include <array>

#include "catalog/values.h"
#include "vocab/completion_status.h"

namespace ws {

namespace {

constexpr int kDaysPerWeek = 7;
constexpr int kMonthsPerQuarter = 3;
constexpr int kDateKeyYear = 10000;
constexpr int kDateKeyMonth = 100;
constexpr int kMorningStart = 5;
constexpr int kAfternoonStart = 12;
constexpr int kEveningStart = 17;
constexpr int kNightStart = 22;
constexpr int kAdultAge = 18;
constexpr int kBand25 = 25;
constexpr int kBand35 = 35;
constexpr int kBand45 = 45;
constexpr int kBand55 = 55;
constexpr int kBand65 = 65;
// 1970-01-01 was a Thursday (ISO weekday 4).
constexpr int kEpochIsoWeekday = 4;

constexpr std::array<std::string_view, 7> kWeekdayNames = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                           "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"January",   "February", "March",    "April",
                                                          "May",       "June",     "July",     "August",
                                                          "September", "October",  "November", "December"};

const std::array<CompletionStatusRow, kSessionStatusCount> kStatuses = {{
    {static_cast<int>(SessionStatus::kInProgress), SessionStatusName(SessionStatus::kInProgress),
     "open: events may still arrive"},
    {static_cast<int>(SessionStatus::kCompleted), SessionStatusName(SessionStatus::kCompleted),
     "a complete event, or the credits were reached"},
    {static_cast<int>(SessionStatus::kBounced), SessionStatusName(SessionStatus::kBounced),
     "watched less than bounce_seconds"},
    {static_cast<int>(SessionStatus::kStopped), SessionStatusName(SessionStatus::kStopped),
     "the last event is stop"},
    {static_cast<int>(SessionStatus::kAbandoned), SessionStatusName(SessionStatus::kAbandoned),
     "the player went silent (timed out)"},
}};

int IsoWeekdayOf(DayNumber d) {
  int w = (d.v + kEpochIsoWeekday - 1) % kDaysPerWeek;
  if (w < 0) w += kDaysPerWeek;
  return w + 1;
}

// ISO 8601 week-numbering year and week of `d`.
void IsoWeek(DayNumber d, int* iso_year, int* iso_week) {
  // The Thursday of d's week decides the year.
  DayNumber thursday{d.v - IsoWeekdayOf(d) + kEpochIsoWeekday};
  const int y = ToCivil(thursday).year;
  int32_t jan1 = FromCivil(y, 1, 1).v;
  *iso_year = y;
  *iso_week = (thursday.v - jan1) / kDaysPerWeek + 1;
}

}  // namespace

DateDim MakeDateDim(DayNumber day) {
  DateDim d;
  d.day = day;
  const CivilDate civil = ToCivil(day);
  d.year = civil.year;
  d.month = static_cast<int>(civil.month);
  d.day_of_month = static_cast<int>(civil.day);
  d.quarter = (d.month - 1) / kMonthsPerQuarter + 1;
  d.date_key = d.year * kDateKeyYear + d.month * kDateKeyMonth + d.day_of_month;
  IsoWeek(day, &d.iso_year, &d.iso_week);
  d.weekday = IsoWeekdayOf(day);
  d.weekend = d.weekday >= 6;
  d.weekday_name = kWeekdayNames[static_cast<size_t>(d.weekday - 1)];
  d.month_name = kMonthNames[civil.month - 1];
  return d;
}

std::string IsoWeekLabel(DayNumber day) {
  int y = 0;
  int w = 0;
  IsoWeek(day, &y, &w);
  return fmt::format("{:04d}-W{:02d}", y, w);
}

Daypart DaypartOfHour(int hour) {
  if (hour >= kMorningStart && hour < kAfternoonStart) return Daypart::kMorning;
  if (hour >= kAfternoonStart && hour < kEveningStart) return Daypart::kAfternoon;
  if (hour >= kEveningStart && hour < kNightStart) return Daypart::kEvening;
  return Daypart::kNight;
}

std::string_view DaypartName(Daypart d) {
  switch (d) {
    case Daypart::kMorning:
      return "morning";
    case Daypart::kAfternoon:
      return "afternoon";
    case Daypart::kEvening:
      return "evening";
    case Daypart::kNight:
      return "night";
  }
  return "night";
}

TimeDim MakeTimeDim(int hour) { return TimeDim{hour, DaypartOfHour(hour)}; }

AgeBand AgeBandOf(int age) {
  if (age < 0) return AgeBand::kUnknown;
  if (age < kAdultAge) return AgeBand::kUnder18;
  if (age < kBand25) return AgeBand::k18To24;
  if (age < kBand35) return AgeBand::k25To34;
  if (age < kBand45) return AgeBand::k35To44;
  if (age < kBand55) return AgeBand::k45To54;
  if (age < kBand65) return AgeBand::k55To64;
  return AgeBand::k65Plus;
}

std::string_view AgeBandName(AgeBand band) {
  switch (band) {
    case AgeBand::kUnknown:
      return "unknown";
    case AgeBand::kUnder18:
      return "under 18";
    case AgeBand::k18To24:
      return "18-24";
    case AgeBand::k25To34:
      return "25-34";
    case AgeBand::k35To44:
      return "35-44";
    case AgeBand::k45To54:
      return "45-54";
    case AgeBand::k55To64:
      return "55-64";
    case AgeBand::k65Plus:
      return "65+";
  }
  return "unknown";
}

std::span<const CompletionStatusRow> CompletionStatuses() { return kStatuses; }

}  // namespace ws
