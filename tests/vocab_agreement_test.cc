// The event parser (SPEC 1) and the legacy sessions CSV reader (SPEC 3.3)
// must classify the same text the same way, so that a breakdown by device
// type or quality puts event sessions and legacy sessions in the same rows.
// Both call src/vocab and util/time; this test feeds them the same spellings
// and compares what they keep.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "catalog/readers.h"
#include "event/parser.h"

namespace ws::testing {
namespace {

constexpr EpochMillis kNow{1790899200000};  // 2026-10-02T00:00:00Z

class Sink : public EventSink {
 public:
  void OnEvent(const Event& e, std::string_view, int64_t) override { events.push_back(e); }
  void OnReject(Rejection) override { ++rejects; }
  void OnWarning(WarningReason, int64_t) override {}
  std::vector<Event> events;
  int rejects = 0;
};

// What the event parser keeps of one event carrying these fields (the
// views of the returned Event are not used).
std::optional<Event> ParseEvent(const std::string& ts, const std::string& device,
                                const std::string& quality) {
  EventParser parser(ParserOptions{kNow});
  Sink sink;
  const std::string line = R"({"session_id":"s","user_id":"u","content_id":"c","type":"stop","ts":")" + ts +
                           R"(","device_type":")" + device + R"(","quality":")" + quality + "\"}\n";
  EXPECT_TRUE(parser.Parse(line, "test", 1, &sink).ok());
  if (sink.events.size() != 1) return std::nullopt;
  return sink.events[0];
}

std::optional<LegacySession> ReadLegacy(const std::string& date, const std::string& device,
                                        const std::string& quality) {
  const std::string text =
      "session_id,user_id,content_id,watch_date,watch_duration_minutes,completion_percentage,device_type,"
      "quality_level\nls,u,c," +
      date + ",10,50," + device + "," + quality + "\n";
  auto r = catalog::ReadLegacySessionsCsv(text);
  EXPECT_TRUE(r.ok());
  if (!r.ok() || r->sessions.size() != 1) return std::nullopt;
  return r->sessions[0];
}

TEST(VocabularyAgreement, DeviceTypes) {
  for (const char* device :
       {"tv", "TV", "Smart TV", "smarttv", "ctv", "phone", "Smartphone", "iPad", "laptop", "pc", "browser",
        "game console", "Xbox", "fridge", "android", "other", ""}) {
    std::optional<Event> e = ParseEvent("2026-10-01T12:00:00Z", device, "");
    std::optional<LegacySession> l = ReadLegacy("2026-10-01", device, "");
    ASSERT_TRUE(e && l) << device;
    EXPECT_EQ(e->device_type, l->device_type) << device;
  }
}

TEST(VocabularyAgreement, QualityLevels) {
  for (const char* quality : {"240p", "1080p", "1080", "576", "4K", "UHD", "HD", "FHD", "Full HD", "SD", "sd",
                              "QHD", "qhd", "8640", "9000", "10000", "best"}) {
    std::optional<Event> e = ParseEvent("2026-10-01T12:00:00Z", "tv", quality);
    std::optional<LegacySession> l = ReadLegacy("2026-10-01", "tv", quality);
    ASSERT_TRUE(e) << quality;
    // Unreadable: dropped from the event with a warning; the legacy row is rejected.
    const std::optional<int32_t> from_event =
        e->quality_height == 0 ? std::nullopt : std::optional<int32_t>(e->quality_height);
    const std::optional<int32_t> from_legacy = l ? std::optional<int32_t>(l->quality_height) : std::nullopt;
    EXPECT_EQ(from_event, from_legacy) << quality;
  }
}

TEST(VocabularyAgreement, InstantsAndTheirDays) {
  for (const char* ts : {"2026-10-01T12:00:00Z", "2026-10-01T23:30:00-02:00", "2026-10-01T00:30:00+09:00",
                         "2026-10-01T12:00:00+24:00", "2026-10-01T12:00:00-24:00",
                         "2026-10-01T12:00:00+23:60", "2026-10-01T25:00:00Z", "2026-10-01T12:00:00"}) {
    std::optional<Event> e = ParseEvent(ts, "", "");
    std::optional<LegacySession> l = ReadLegacy(ts, "", "");
    ASSERT_EQ(e.has_value(), l.has_value()) << ts;
    if (e) {
      EXPECT_EQ(DayOf(e->ts), l->watch_date) << ts;
    }
  }
}

}  // namespace
}  // namespace ws::testing
