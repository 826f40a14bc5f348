// Tests of the catalog readers' use of the shared vocabulary (src/vocab) and
// of util/time's date rules: legacy sessions CSV, users CSV, content
// documents and Extended JSON dates. The rules themselves are tested in
// vocab/vocab_test.cc and util/time_test.cc.

#include "catalog/readers.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "catalog/values.h"
#include "util/time.h"

namespace ws::catalog {
namespace {

constexpr std::string_view kSessionsHeader =
    "session_id,user_id,content_id,watch_date,watch_duration_minutes,completion_percentage,device_type,"
    "quality_level\n";

// Reads one legacy row with the given cells; returns the read result.
SessionsReadResult ReadSessionRow(const std::string& watch_date, const std::string& device,
                                  const std::string& quality) {
  std::string text(kSessionsHeader);
  text += "ls-1,u-1,m-1," + watch_date + ",10,50," + device + "," + quality + "\n";
  auto r = ReadLegacySessionsCsv(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : SessionsReadResult{};
}

TEST(LegacySessionsCsv, QualityFollowsTheSharedTable) {
  EXPECT_EQ(ReadSessionRow("2024-03-01", "tv", "SD").sessions.at(0).quality_height, 480);
  EXPECT_EQ(ReadSessionRow("2024-03-01", "tv", "QHD").sessions.at(0).quality_height, 1440);
  EXPECT_EQ(ReadSessionRow("2024-03-01", "tv", "8640p").sessions.at(0).quality_height, 8640);
  // Above the one maximum (8640, 16K): the old reader allowed up to 10000.
  for (const char* bad : {"9000", "9000p", "10000", "great"}) {
    SessionsReadResult r = ReadSessionRow("2024-03-01", "tv", bad);
    EXPECT_TRUE(r.sessions.empty()) << bad;
    ASSERT_EQ(r.errors.size(), 1u) << bad;
    EXPECT_NE(r.errors[0].reason.find("quality_level"), std::string::npos) << r.errors[0].reason;
  }
}

TEST(LegacySessionsCsv, DeviceTypeFollowsTheSharedAliases) {
  EXPECT_EQ(ReadSessionRow("2024-03-01", "Smart TV", "").sessions.at(0).device_type, DeviceType::kTv);
  EXPECT_EQ(ReadSessionRow("2024-03-01", "phone", "").sessions.at(0).device_type, DeviceType::kMobile);
  EXPECT_EQ(ReadSessionRow("2024-03-01", "Xbox", "").sessions.at(0).device_type, DeviceType::kConsole);
  EXPECT_EQ(ReadSessionRow("2024-03-01", "fridge", "").sessions.at(0).device_type, DeviceType::kOther);
  EXPECT_EQ(ReadSessionRow("2024-03-01", "", "").sessions.at(0).device_type, DeviceType::kUnknown);
}

// The divergence this fixes: the catalog's own RFC 3339 parser took
// "+24:00" and moved the instant (and so the watch date) by a whole day.
TEST(LegacySessionsCsv, WatchDateUsesTheSharedRfc3339Rules) {
  EXPECT_EQ(ReadSessionRow("2024-03-01", "", "").sessions.at(0).watch_date, ParseDate("2024-03-01"));
  EXPECT_EQ(ReadSessionRow("2024-03-01T23:30:00-02:00", "", "").sessions.at(0).watch_date,
            ParseDate("2024-03-02"));
  for (const char* bad :
       {"2024-03-01T12:00:00+24:00", "2024-03-01T12:00:00-24:00", "2024-03-01T12:00:00+09:60"}) {
    SessionsReadResult r = ReadSessionRow(bad, "", "");
    EXPECT_TRUE(r.sessions.empty()) << bad;
    ASSERT_EQ(r.errors.size(), 1u) << bad;
    EXPECT_NE(r.errors[0].reason.find("watch_date"), std::string::npos) << r.errors[0].reason;
  }
}

TEST(ExtendedJsonDates, UseTheSharedRfc3339Rules) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(
      parser
          .parse(std::string_view(
              R"({"ok": {"$date": "2025-06-30T09:00:00.250+09:00"}, "plus24": {"$date": "2025-06-30T00:00:00+24:00"},
                        "plus24_plain": "2025-06-30T00:00:00+24:00", "blank": " 2025-06-30T00:00:00Z",
                        "blank_date": " 2025-06-30", "hour25": "2025-06-30T25:00:00Z", "feb30": "2024-02-30"})"))
          .get(doc),
      simdjson::SUCCESS);
  EXPECT_EQ(ReadDate(doc["ok"].value()), ParseDate("2025-06-30"));
  for (const char* key : {"plus24", "plus24_plain", "blank", "blank_date", "hour25", "feb30"}) {
    EXPECT_FALSE(ReadDate(doc[key].value()).has_value()) << key;
  }
}

TEST(UsersCsv, CountryIsATwoLetterCodeUpperCased) {
  auto r = ReadUsersCsv("user_id,country\nu-1,kr\nu-2,KOR\nu-3,k1\nu-4,\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->users.size(), 2u);
  EXPECT_EQ(r->users[0].info.country, "KR");
  EXPECT_EQ(r->users[1].info.country, "");
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].line, 3);
  EXPECT_EQ(r->errors[1].line, 4);
}

TEST(ContentCatalog, CountriesAreTwoLetterCodesUpperCased) {
  ContentReadResult r = ReadContentCatalog(
      R"({"content_id":"m-1","type":"movie","title":"One","countries":["us","Kr"]}
{"content_id":"m-2","type":"movie","title":"Two","countries":["USA"]})");
  ASSERT_EQ(r.titles.size(), 1u);
  EXPECT_EQ(r.titles[0].info.countries, (std::vector<std::string>{"US", "KR"}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].reason.find("\"USA\""), std::string::npos) << r.errors[0].reason;
}

}  // namespace
}  // namespace ws::catalog
