// Tests of util/time.h: RFC 3339, civil dates, seconds formatting, zones.

#include "util/time.h"

#include <gtest/gtest.h>

#include <limits>

namespace ws {
namespace {

int64_t Ms(std::string_view text) {
  std::optional<EpochMillis> t = ParseRfc3339(text, nullptr);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? t->v : 0;
}

TEST(Rfc3339, ParsesVariants) {
  constexpr int64_t kBase = 1790885703000;  // 2026-10-01T20:15:03Z
  EXPECT_EQ(Ms("2026-10-01T20:15:03Z"), kBase);
  EXPECT_EQ(Ms("2026-10-01t20:15:03z"), kBase);
  EXPECT_EQ(Ms("2026-10-01 20:15:03Z"), kBase);
  EXPECT_EQ(Ms("2026-10-01T20:15:03.2Z"), kBase + 200);
  EXPECT_EQ(Ms("2026-10-01T20:15:03.25Z"), kBase + 250);
  EXPECT_EQ(Ms("2026-10-01T20:15:03.250Z"), kBase + 250);
  EXPECT_EQ(Ms("2026-10-01T20:15:03.2509Z"), kBase + 250);
  EXPECT_EQ(Ms("2026-10-01T20:15:03.999999999Z"), kBase + 999);
  EXPECT_EQ(Ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Ms("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(Ms("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(Ms("2026-10-01T23:59:60Z"), Ms("2026-10-02T00:00:00Z"));  // leap second
}

TEST(Rfc3339, Offsets) {
  std::optional<int> offset;
  std::optional<EpochMillis> t = ParseRfc3339("2026-10-02T05:15:03.250+09:00", &offset);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->v, Ms("2026-10-01T20:15:03.250Z"));
  ASSERT_TRUE(offset);
  EXPECT_EQ(*offset, 540);

  t = ParseRfc3339("2026-10-01T14:45:03-05:30", &offset);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->v, Ms("2026-10-01T20:15:03Z"));
  EXPECT_EQ(*offset, -330);

  t = ParseRfc3339("2026-10-01T20:15:03+00:00", &offset);
  ASSERT_TRUE(t);
  EXPECT_EQ(*offset, 0);

  // "-00:00" is UTC with an unknown local offset: like 'Z'.
  t = ParseRfc3339("2026-10-01T20:15:03-00:00", &offset);
  ASSERT_TRUE(t);
  EXPECT_FALSE(offset);
  t = ParseRfc3339("2026-10-01T20:15:03Z", &offset);
  ASSERT_TRUE(t);
  EXPECT_FALSE(offset);

  // Crossing a date boundary.
  EXPECT_EQ(Ms("2026-01-01T00:30:00+01:00"), Ms("2025-12-31T23:30:00Z"));
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad : {
           "",
           "2026-10-01",
           "2026-10-01T20:15:03",
           "2026-10-01T20:15:03.Z",
           "2026-10-01T20:15:03.123",
           "2026-13-01T20:15:03Z",
           "2026-00-01T20:15:03Z",
           "2026-02-29T20:15:03Z",
           "2026-04-31T20:15:03Z",
           "2026-10-00T20:15:03Z",
           "2026-10-01T24:00:00Z",
           "2026-10-01T20:60:03Z",
           "2026-10-01T20:15:61Z",
           "2026-10-01X20:15:03Z",
           "2026/10/01T20:15:03Z",
           "2026-10-01T20:15:03+0900",
           "2026-10-01T20:15:03+09",
           "2026-10-01T20:15:03+24:00",
           "2026-10-01T20:15:03-24:00",
           " 2026-10-01T20:15:03Z",
           "2026-10-01T20:15:03Z ",
           "2026-10-01T20:15:03+09:60",
           "2026-10-01T20:15:03Zjunk",
           "2026-10-01T20:15:03+09:00junk",
           "26-10-01T20:15:03Z",
           "2026-1-01T20:15:03Z",
           "２026-10-01T20:15:03Z",
       }) {
    std::optional<int> offset;
    EXPECT_FALSE(ParseRfc3339(bad, &offset).has_value()) << bad;
  }
}

TEST(Rfc3339, FormatRoundTrips) {
  EXPECT_EQ(FormatRfc3339(EpochMillis{0}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(EpochMillis{1790885703250}), "2026-10-01T20:15:03.250Z");
  EXPECT_EQ(FormatRfc3339(EpochMillis{-1}), "1969-12-31T23:59:59.999Z");
  for (int64_t t = -5000000000000; t < 5000000000000; t += 123456789013) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(EpochMillis{t}), nullptr)->v, t);
  }
}

TEST(CivilDates, RoundTripAndKnownValues) {
  EXPECT_EQ(FromCivil(1970, 1, 1).v, 0);
  EXPECT_EQ(FromCivil(2000, 3, 1).v, 11017);
  EXPECT_EQ(FromCivil(1969, 12, 31).v, -1);
  EXPECT_EQ(FromCivil(2026, 10, 1).v, 20727);
  for (int32_t d = -800000; d <= 800000; d += 7) {
    CivilDate c = ToCivil(DayNumber{d});
    EXPECT_EQ(FromCivil(c.year, c.month, c.day).v, d);
  }
  CivilDate c = ToCivil(DayNumber{20727});
  EXPECT_EQ(c.year, 2026);
  EXPECT_EQ(c.month, 10u);
  EXPECT_EQ(c.day, 1u);
}

TEST(CivilDates, FormatAndParseDate) {
  EXPECT_EQ(FormatDate(DayNumber{0}), "1970-01-01");
  EXPECT_EQ(FormatDate(DayNumber{20727}), "2026-10-01");
  EXPECT_EQ(FormatDate(DayNumber{-1}), "1969-12-31");
  EXPECT_EQ(ParseDate("2026-10-01")->v, 20727);
  EXPECT_EQ(ParseDate("2024-02-29")->v, FromCivil(2024, 2, 29).v);
  for (const char* bad :
       {"", "2026-10-1", "2026-13-01", "2023-02-29", "2026/10/01", "2026-10-01T", "x026-10-01"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
}

TEST(CivilDates, DateOrInstantIsTheUtcDay) {
  EXPECT_EQ(ParseDateOrInstant("2025-06-30"), ParseDate("2025-06-30"));
  EXPECT_EQ(ParseDateOrInstant("2025-06-30T00:00:00Z"), ParseDate("2025-06-30"));
  EXPECT_EQ(ParseDateOrInstant("2025-06-30T23:30:00-02:00"), ParseDate("2025-07-01"));
  EXPECT_EQ(ParseDateOrInstant("2025-06-30T08:00:00+09:00"), ParseDate("2025-06-29"));
  // The same rules as ParseDate and ParseRfc3339: no blanks, offsets up to 23:59.
  for (const char* bad : {"", " 2025-06-30", "2025-06-30 ", "2025-02-30", "2025-06-30T00:00:00+24:00",
                          " 2025-06-30T00:00:00Z", "2025-06-30T00:00:00", "30/06/2025"}) {
    EXPECT_FALSE(ParseDateOrInstant(bad).has_value()) << bad;
  }
}

TEST(DayOfTest, NegativeInstants) {
  EXPECT_EQ(DayOf(EpochMillis{0}).v, 0);
  EXPECT_EQ(DayOf(EpochMillis{-1}).v, -1);
  EXPECT_EQ(DayOf(EpochMillis{-kMillisPerDay}).v, -1);
  EXPECT_EQ(DayOf(EpochMillis{kMillisPerDay - 1}).v, 0);
}

TEST(FormatSecondsTest, ThreeDecimals) {
  EXPECT_EQ(FormatSeconds(12345), "12.345");
  EXPECT_EQ(FormatSeconds(0), "0.000");
  EXPECT_EQ(FormatSeconds(1), "0.001");
  EXPECT_EQ(FormatSeconds(1000), "1.000");
  EXPECT_EQ(FormatSeconds(120050), "120.050");
  EXPECT_EQ(FormatSeconds(-5), "-0.005");
  EXPECT_EQ(FormatSeconds(-12345), "-12.345");
  EXPECT_EQ(FormatSeconds(std::numeric_limits<int64_t>::min()), "-9223372036854775.808");
  EXPECT_EQ(FormatSeconds(std::numeric_limits<int64_t>::max()), "9223372036854775.807");
}

TEST(TimeZones, Known) {
  EXPECT_TRUE(IsKnownTimeZone("Asia/Seoul"));
  EXPECT_TRUE(IsKnownTimeZone("America/New_York"));
  EXPECT_TRUE(IsKnownTimeZone("UTC"));
  EXPECT_TRUE(IsKnownTimeZone("Asia/Seoul"));  // cached
  EXPECT_FALSE(IsKnownTimeZone("Mars/Olympus"));
  EXPECT_FALSE(IsKnownTimeZone("Mars/Olympus"));  // cached negative
  EXPECT_FALSE(IsKnownTimeZone(""));
  EXPECT_FALSE(IsKnownTimeZone("asia/seoul"));
  EXPECT_FALSE(IsKnownTimeZone("../../etc/passwd"));
}

LocalTime Local(std::string_view utc, std::string_view zone) { return ToLocal(EpochMillis{Ms(utc)}, zone); }

TEST(TimeZones, Seoul) {
  LocalTime t = Local("2026-10-01T15:30:00Z", "Asia/Seoul");  // 00:30 next day
  EXPECT_EQ(FormatDate(t.date), "2026-10-02");
  EXPECT_EQ(t.hour, 0);
  t = Local("2026-10-01T14:59:59.999Z", "Asia/Seoul");
  EXPECT_EQ(FormatDate(t.date), "2026-10-01");
  EXPECT_EQ(t.hour, 23);
}

TEST(TimeZones, NewYorkAcrossDst) {
  // DST starts 2026-03-08 at 02:00 EST (07:00Z).
  LocalTime t = Local("2026-03-08T06:30:00Z", "America/New_York");
  EXPECT_EQ(FormatDate(t.date), "2026-03-08");
  EXPECT_EQ(t.hour, 1);
  t = Local("2026-03-08T07:30:00Z", "America/New_York");
  EXPECT_EQ(t.hour, 3);
  // Summer: UTC-4, the previous local day.
  t = Local("2026-07-01T03:00:00Z", "America/New_York");
  EXPECT_EQ(FormatDate(t.date), "2026-06-30");
  EXPECT_EQ(t.hour, 23);
  // DST ends 2026-11-01 at 02:00 EDT (06:00Z): 01:xx happens twice.
  EXPECT_EQ(Local("2026-11-01T05:30:00Z", "America/New_York").hour, 1);
  EXPECT_EQ(Local("2026-11-01T06:30:00Z", "America/New_York").hour, 1);
  EXPECT_EQ(Local("2026-11-01T07:30:00Z", "America/New_York").hour, 2);
  // Winter: UTC-5.
  t = Local("2026-01-15T04:59:59Z", "America/New_York");
  EXPECT_EQ(FormatDate(t.date), "2026-01-14");
  EXPECT_EQ(t.hour, 23);
}

TEST(TimeZones, FixedOffsets) {
  LocalTime t = ToLocalFixed(EpochMillis{Ms("2026-10-01T20:15:00Z")}, 540);
  EXPECT_EQ(FormatDate(t.date), "2026-10-02");
  EXPECT_EQ(t.hour, 5);
  t = ToLocalFixed(EpochMillis{Ms("2026-10-01T02:00:00Z")}, -330);
  EXPECT_EQ(FormatDate(t.date), "2026-09-30");
  EXPECT_EQ(t.hour, 20);
  t = ToLocalFixed(EpochMillis{-1}, 0);
  EXPECT_EQ(FormatDate(t.date), "1969-12-31");
  EXPECT_EQ(t.hour, 23);
}

}  // namespace
}  // namespace ws
