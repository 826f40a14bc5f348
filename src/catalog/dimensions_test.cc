#include "catalog/dimensions.h"

#include <gtest/gtest.h>

#include "util/time.h"

namespace ws {
namespace {

DayNumber D(std::string_view s) { return *ParseDate(s); }

TEST(DimensionsTest, DateDimension) {
  DateDim d = MakeDateDim(D("2025-06-30"));
  EXPECT_EQ(d.date_key, 20250630);
  EXPECT_EQ(d.year, 2025);
  EXPECT_EQ(d.quarter, 2);
  EXPECT_EQ(d.month, 6);
  EXPECT_EQ(d.day_of_month, 30);
  EXPECT_EQ(d.weekday, 1);
  EXPECT_EQ(d.weekday_name, "Monday");
  EXPECT_FALSE(d.weekend);
  EXPECT_EQ(d.iso_week, 27);
  EXPECT_EQ(d.month_name, "June");
  EXPECT_TRUE(MakeDateDim(D("2025-07-06")).weekend);
  EXPECT_EQ(MakeDateDim(D("1970-01-01")).weekday, 4);
}

TEST(DimensionsTest, IsoWeeksAtYearBoundaries) {
  EXPECT_EQ(IsoWeekLabel(D("2024-12-30")), "2025-W01");
  EXPECT_EQ(IsoWeekLabel(D("2021-01-03")), "2020-W53");
  EXPECT_EQ(IsoWeekLabel(D("2021-01-04")), "2021-W01");
  EXPECT_EQ(IsoWeekLabel(D("2026-12-31")), "2026-W53");
  EXPECT_EQ(MakeDateDim(D("2021-01-03")).iso_year, 2020);
}

TEST(DimensionsTest, Dayparts) {
  EXPECT_EQ(DaypartOfHour(4), Daypart::kNight);
  EXPECT_EQ(DaypartOfHour(5), Daypart::kMorning);
  EXPECT_EQ(DaypartOfHour(11), Daypart::kMorning);
  EXPECT_EQ(DaypartOfHour(12), Daypart::kAfternoon);
  EXPECT_EQ(DaypartOfHour(17), Daypart::kEvening);
  EXPECT_EQ(DaypartOfHour(21), Daypart::kEvening);
  EXPECT_EQ(DaypartOfHour(22), Daypart::kNight);
  EXPECT_EQ(DaypartOfHour(0), Daypart::kNight);
  EXPECT_EQ(DaypartName(MakeTimeDim(18).daypart), "evening");
}

TEST(DimensionsTest, AgeBands) {
  EXPECT_EQ(AgeBandName(AgeBandOf(-1)), "unknown");
  EXPECT_EQ(AgeBandName(AgeBandOf(17)), "under 18");
  EXPECT_EQ(AgeBandName(AgeBandOf(18)), "18-24");
  EXPECT_EQ(AgeBandName(AgeBandOf(24)), "18-24");
  EXPECT_EQ(AgeBandName(AgeBandOf(25)), "25-34");
  EXPECT_EQ(AgeBandName(AgeBandOf(44)), "35-44");
  EXPECT_EQ(AgeBandName(AgeBandOf(54)), "45-54");
  EXPECT_EQ(AgeBandName(AgeBandOf(64)), "55-64");
  EXPECT_EQ(AgeBandName(AgeBandOf(65)), "65+");
}

TEST(DimensionsTest, CompletionStatuses) {
  auto rows = CompletionStatuses();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].name, "in_progress");
  EXPECT_EQ(rows[1].name, "completed");
  EXPECT_EQ(rows[4].name, "abandoned");
  EXPECT_EQ(rows[4].key, 4);
}

}  // namespace
}  // namespace ws
