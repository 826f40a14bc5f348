// Tests of event parsing and validation (SPEC 1, 1.1) and of InputReader.

#include "event/parser.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "event/input.h"

namespace ws {
namespace {

// 2026-10-02T00:00:00Z: the server clock of most tests.
constexpr EpochMillis kNow{1790899200000};

struct OwnedEvent {
  Event e;  // string views point into the parser's arena
  std::string raw;
  int64_t line;
};

struct Warning {
  WarningReason reason;
  int64_t line;
};

class RecordingSink : public EventSink {
 public:
  void OnEvent(const Event& e, std::string_view raw, int64_t line) override {
    events.push_back(OwnedEvent{e, std::string(raw), line});
  }
  void OnReject(Rejection r) override { rejects.push_back(std::move(r)); }
  void OnWarning(WarningReason reason, int64_t line) override { warnings.push_back(Warning{reason, line}); }

  std::vector<OwnedEvent> events;
  std::vector<Rejection> rejects;
  std::vector<Warning> warnings;
};

std::string Base(std::string_view extra = "") {
  std::string s =
      R"({"session_id":"s1","user_id":"u1","content_id":"c1","type":"heartbeat","ts":"2026-10-01T20:15:03.250Z")";
  if (!extra.empty()) {
    s += ",";
    s += extra;
  }
  s += "}";
  return s;
}

class ParserTest : public ::testing::Test {
 protected:
  ParserTest() : parser_(ParserOptions{kNow}) {}

  void Parse(std::string_view data, int64_t first_line = 1) {
    ASSERT_TRUE(parser_.Parse(data, "test", first_line, &sink_).ok());
  }

  // Parses one line that must be accepted; returns its event.
  Event One(std::string_view line) {
    sink_ = RecordingSink();
    Parse(line);
    EXPECT_EQ(sink_.rejects.size(), 0u) << (sink_.rejects.empty() ? "" : sink_.rejects[0].message);
    EXPECT_EQ(sink_.events.size(), 1u) << line;
    return sink_.events.empty() ? Event{} : sink_.events[0].e;
  }

  // Parses one line that must be rejected; returns the rejection.
  Rejection Rejected(std::string_view line) {
    sink_ = RecordingSink();
    Parse(line);
    EXPECT_EQ(sink_.events.size(), 0u) << line;
    EXPECT_EQ(sink_.rejects.size(), 1u) << line;
    return sink_.rejects.empty() ? Rejection{} : sink_.rejects[0];
  }

  // Parses one line that must be accepted with exactly one warning.
  Event Warned(std::string_view line, WarningReason reason) {
    Event e = One(line);
    EXPECT_EQ(sink_.warnings.size(), 1u) << line;
    if (!sink_.warnings.empty()) {
      EXPECT_EQ(WarningReasonCode(sink_.warnings[0].reason), WarningReasonCode(reason)) << line;
    }
    return e;
  }

  EventParser parser_;
  RecordingSink sink_;
};

TEST(EventNames, TypeDeviceReasonCodes) {
  EXPECT_EQ(EventTypeName(EventType::kBufferStart), "buffer_start");
  EXPECT_EQ(EventTypeName(EventType::kQualityChange), "quality_change");
  EXPECT_EQ(DeviceTypeName(DeviceType::kUnknown), "");
  EXPECT_EQ(DeviceTypeName(DeviceType::kConsole), "console");
  const std::vector<std::string> rejects = {
      "not_json",         "not_object",    "missing_field",         "wrong_type",
      "unknown_type",     "bad_timestamp", "future_timestamp",      "negative_position",
      "session_conflict", "too_late",      "implausible_timestamp", "line_too_long"};
  for (size_t i = 0; i < rejects.size(); ++i) {
    EXPECT_EQ(RejectReasonCode(static_cast<RejectReason>(i + 1)), rejects[i]);
  }
  const std::vector<std::string> warnings = {
      "bad_tz",       "bad_quality",  "bad_country",  "bad_from_position",  "bad_content_length",
      "bad_autoplay", "bad_metadata", "bad_event_id", "bad_optional_string"};
  ASSERT_EQ(warnings.size(), static_cast<size_t>(WarningReason::kCount));
  for (size_t i = 0; i < warnings.size(); ++i) {
    EXPECT_EQ(WarningReasonCode(static_cast<WarningReason>(i)), warnings[i]);
  }
}

TEST_F(ParserTest, MinimalEvent) {
  Event e = One(Base());
  EXPECT_EQ(e.session_id, "s1");
  EXPECT_EQ(e.user_id, "u1");
  EXPECT_EQ(e.content_id, "c1");
  EXPECT_EQ(e.type, EventType::kHeartbeat);
  EXPECT_EQ(e.ts, *ParseRfc3339("2026-10-01T20:15:03.250Z", nullptr));
  EXPECT_FALSE(e.has_ts_offset);
  EXPECT_FALSE(e.has_position());
  EXPECT_EQ(e.from_position_ms, kAbsent);
  EXPECT_EQ(e.quality_height, 0);
  EXPECT_EQ(e.autoplay, -1);
  EXPECT_EQ(e.device_type, DeviceType::kUnknown);
  EXPECT_FALSE(e.has_country());
  EXPECT_TRUE(e.event_id.empty());
  EXPECT_TRUE(e.tz.empty());
  EXPECT_TRUE(e.metadata.empty());
  EXPECT_EQ(e.content_length_ms, kAbsent);
  EXPECT_TRUE(sink_.warnings.empty());
  EXPECT_EQ(sink_.events[0].raw, Base());
  EXPECT_EQ(sink_.events[0].line, 1);
}

TEST_F(ParserTest, AllFields) {
  Event e = One(
      R"({"event_id":"ev-1","session_id":"s1","user_id":"u1","content_id":"c1","type":"seek",)"
      R"("ts":"2026-10-01T20:15:03.250+09:00","position":120.5,"from_position":60.0004,"quality":"720p",)"
      R"("autoplay":false,"device_id":"d-9","device_type":"Mobile","platform":"android","app_version":"5.2.1",)"
      R"("country":"kr","tz":"Asia/Seoul","content_length":5400.25,"metadata":{"ab":"b","n":[1,2]}})");
  EXPECT_EQ(e.event_id, "ev-1");
  EXPECT_EQ(e.type, EventType::kSeek);
  EXPECT_TRUE(e.has_ts_offset);
  EXPECT_EQ(e.ts_offset_minutes, 9 * 60);
  EXPECT_EQ(e.ts, *ParseRfc3339("2026-10-01T11:15:03.250Z", nullptr));
  EXPECT_EQ(e.position_ms, 120500);
  EXPECT_EQ(e.from_position_ms, 60000);
  EXPECT_EQ(e.quality_height, 720);
  EXPECT_EQ(e.autoplay, 0);
  EXPECT_EQ(e.device_id, "d-9");
  EXPECT_EQ(e.device_type, DeviceType::kMobile);
  EXPECT_EQ(e.platform, "android");
  EXPECT_EQ(e.app_version, "5.2.1");
  EXPECT_EQ(std::string(e.country, 2), "KR");
  EXPECT_EQ(e.tz, "Asia/Seoul");
  EXPECT_EQ(e.content_length_ms, 5400250);
  EXPECT_EQ(e.metadata, R"({"ab":"b","n":[1,2]})");
  EXPECT_TRUE(sink_.warnings.empty());
}

TEST_F(ParserTest, MissingRequiredFields) {
  struct Case {
    std::string line;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"user_id":"u","content_id":"c","type":"start","ts":1700000000001})",
       R"(required field "session_id" is missing)"},
      {R"({"session_id":"s","content_id":"c","type":"start","ts":1700000000001})",
       R"(required field "user_id" is missing)"},
      {R"({"session_id":"s","user_id":"u","type":"start","ts":1700000000001})",
       R"(required field "content_id" (or "movie_id") is missing)"},
      {R"({"session_id":"s","user_id":"u","content_id":"c","ts":1700000000001})",
       R"(required field "type" (or "action") is missing)"},
      {R"({"session_id":"s","user_id":"u","content_id":"c","type":"start"})",
       R"(required field "ts" (or "timestamp") is missing)"},
      {R"({"session_id":null,"user_id":"u","content_id":"c","type":"start","ts":1700000000001})",
       R"(required field "session_id" is missing)"},
      {"{}", R"(required field "session_id" is missing)"},
  };
  for (const Case& c : cases) {
    Rejection r = Rejected(c.line);
    EXPECT_EQ(r.reason, RejectReason::kMissingField) << c.line;
    EXPECT_EQ(r.message, c.message);
    EXPECT_EQ(r.raw, c.line);
  }
}

TEST_F(ParserTest, WrongTypes) {
  struct Case {
    std::string line;
    std::string message;
  };
  const std::string long_id(129, 'x');
  const std::vector<Case> cases = {
      {R"({"session_id":7,"user_id":"u","content_id":"c","type":"start","ts":1700000000001})",
       R"(field "session_id" must be a string, got a number)"},
      {R"({"session_id":"s","user_id":["u"],"content_id":"c","type":"start","ts":1700000000001})",
       R"(field "user_id" must be a string, got an array)"},
      {R"({"session_id":"s","user_id":"u","content_id":{"id":1},"type":"start","ts":1700000000001})",
       R"(field "content_id" must be a string, got an object)"},
      {R"({"session_id":"","user_id":"u","content_id":"c","type":"start","ts":1700000000001})",
       R"(field "session_id" must be 1 to 128 characters long, got 0)"},
      {R"({"session_id":")" + long_id +
           R"(","user_id":"u","content_id":"c","type":"start","ts":1700000000001})",
       R"(field "session_id" must be 1 to 128 characters long, got 129)"},
      {R"({"session_id":"s","user_id":"u","content_id":"c","type":true,"ts":1700000000001})",
       R"(field "type" must be a string, got a boolean)"},
      {R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":true})",
       R"(field "ts" must be an RFC 3339 string or epoch milliseconds, got a boolean)"},
      {R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":1700000000001,"position":"12"})",
       R"(field "position" must be a number of seconds, got a string)"},
  };
  for (const Case& c : cases) {
    Rejection r = Rejected(c.line);
    EXPECT_EQ(r.reason, RejectReason::kWrongType) << c.line;
    EXPECT_EQ(r.message, c.message);
  }
}

TEST_F(ParserTest, IdLengthCountsCharacters) {
  std::string korean;
  for (int i = 0; i < 128; ++i) korean += "\xEA\xB0\x80";  // U+AC00, 3 bytes
  Event e = One(R"({"session_id":")" + korean +
                R"(","user_id":"u","content_id":"c","type":"start","ts":1700000000001})");
  EXPECT_EQ(e.session_id, korean);
  Rejection r = Rejected(R"({"session_id":")" + korean + "a" +
                         R"(","user_id":"u","content_id":"c","type":"start","ts":1700000000001})");
  EXPECT_EQ(r.reason, RejectReason::kWrongType);
}

TEST_F(ParserTest, EveryTypeAndAlias) {
  const std::map<std::string, EventType> names = {
      {"start", EventType::kStart},
      {"heartbeat", EventType::kHeartbeat},
      {"pause", EventType::kPause},
      {"resume", EventType::kResume},
      {"seek", EventType::kSeek},
      {"buffer_start", EventType::kBufferStart},
      {"buffer_end", EventType::kBufferEnd},
      {"quality_change", EventType::kQualityChange},
      {"stop", EventType::kStop},
      {"complete", EventType::kComplete},
      {"stream_start", EventType::kStart},
      {"stream_progress", EventType::kHeartbeat},
      {"progress", EventType::kHeartbeat},
      {"stream_stop", EventType::kStop},
      {"finish", EventType::kComplete},
      {"stream_finish", EventType::kComplete},
      {"STREAM_START", EventType::kStart},
      {"Heartbeat", EventType::kHeartbeat},
  };
  for (const auto& [name, type] : names) {
    for (const char* field : {"type", "action"}) {
      Event e = One(std::string(R"({"session_id":"s","user_id":"u","content_id":"c","ts":1700000000001,")") +
                    field + R"(":")" + name + R"("})");
      EXPECT_EQ(e.type, type) << field << "=" << name;
    }
  }
  Rejection r =
      Rejected(R"({"session_id":"s","user_id":"u","content_id":"c","ts":1700000000001,"type":"rewind"})");
  EXPECT_EQ(r.reason, RejectReason::kUnknownType);
  EXPECT_NE(r.message.find("unknown event type \"rewind\""), std::string::npos) << r.message;
  r = Rejected(
      R"({"session_id":"s","user_id":"u","content_id":"c","ts":1700000000001,"action":"stream_pause"})");
  EXPECT_EQ(r.reason, RejectReason::kUnknownType);
  r = Rejected(R"({"session_id":"s","user_id":"u","content_id":"c","ts":1700000000001,"type":""})");
  EXPECT_EQ(r.reason, RejectReason::kUnknownType);
}

TEST_F(ParserTest, FieldAliasesAndCanonicalWins) {
  Event e = One(R"({"session_id":"s","user_id":"u","movie_id":"m-1","action":"stream_progress",)"
                R"("timestamp":"2026-10-01T00:00:00Z","position_seconds":42.5})");
  EXPECT_EQ(e.content_id, "m-1");
  EXPECT_EQ(e.type, EventType::kHeartbeat);
  EXPECT_EQ(e.ts, *ParseRfc3339("2026-10-01T00:00:00Z", nullptr));
  EXPECT_EQ(e.position_ms, 42500);
  // Canonical names win whatever the order of the fields.
  e = One(
      R"({"movie_id":"m-1","content_id":"c-1","session_id":"s","user_id":"u","action":"stop","type":"pause",)"
      R"("timestamp":1,"ts":"2026-10-01T00:00:00Z","position_seconds":1,"position":2})");
  EXPECT_EQ(e.content_id, "c-1");
  EXPECT_EQ(e.type, EventType::kPause);
  EXPECT_EQ(e.ts, *ParseRfc3339("2026-10-01T00:00:00Z", nullptr));
  EXPECT_EQ(e.position_ms, 2000);
  e = One(
      R"({"content_id":"c-1","movie_id":"m-1","session_id":"s","user_id":"u","type":"pause","action":"stop",)"
      R"("ts":"2026-10-01T00:00:00Z","timestamp":1,"position":2,"position_seconds":1})");
  EXPECT_EQ(e.content_id, "c-1");
  EXPECT_EQ(e.type, EventType::kPause);
  EXPECT_EQ(e.position_ms, 2000);
}

TEST_F(ParserTest, Timestamps) {
  Event e = One(Base().replace(Base().find("\"2026"), 26, "1790887030123"));
  EXPECT_EQ(e.ts.v, 1790887030123);
  EXPECT_FALSE(e.has_ts_offset);
  e = One(
      R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":"2026-10-01T08:00:00-04:30"})");
  EXPECT_TRUE(e.has_ts_offset);
  EXPECT_EQ(e.ts_offset_minutes, -270);
  EXPECT_EQ(e.ts, *ParseRfc3339("2026-10-01T12:30:00Z", nullptr));
  e = One(R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":1.7908870301236e12})");
  EXPECT_EQ(e.ts.v, 1790887030124);

  for (const char* bad : {R"("yesterday")", R"("2026-10-01")", R"("2026-10-01T25:00:00Z")", R"("")",
                          R"("2026-10-01T08:00:00")", "1e300", "-1e300"}) {
    Rejection r = Rejected(
        std::string(R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":)") + bad + "}");
    EXPECT_EQ(r.reason, RejectReason::kBadTimestamp) << bad;
  }
  Rejection r =
      Rejected(R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":"yesterday"})");
  EXPECT_EQ(r.message, R"(field "ts" is not an RFC 3339 timestamp: "yesterday")");
}

// SPEC 1.1 (issue 7, item 7): before 2000-01-01 is implausible, most often
// epoch seconds sent as milliseconds; on a fresh store these were accepted
// as dates in 1970.
TEST_F(ParserTest, TimestampsBefore2000AreImplausible) {
  const std::string head = R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":)";
  for (const std::string bad :
       {"1790887030", "0", "\"1999-12-31T23:59:59.999Z\"", "\"1970-01-20T00:00:00Z\""}) {
    Rejection r = Rejected(head + bad + "}");
    EXPECT_EQ(r.reason, RejectReason::kImplausibleTimestamp) << bad;
    EXPECT_EQ(RejectReasonCode(r.reason), "implausible_timestamp");
  }
  EXPECT_EQ(Rejected(head + "1790887030}").message,
            "timestamp 1970-01-21T17:28:07.030Z is before 2000-01-01 (epoch seconds sent as milliseconds?)");
  EXPECT_EQ(One(head + "\"2000-01-01T00:00:00Z\"}").ts.v, 946684800000);
}

// SPEC 1.1 and 9: a line longer than max_line_bytes is rejected as
// line_too_long without being parsed, its first max_line_bytes bytes kept;
// the lines around it are unaffected, in NDJSON and in an array.
TEST(ParserLineLimitTest, LinesLongerThanTheLimitAreRejectedAndTheRestParsed) {
  ParserOptions o{kNow};
  o.max_line_bytes = 200;
  EventParser parser(o);
  const std::string good =
      R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":"2026-10-01T00:00:00Z"})";
  const std::string longer =
      R"({"session_id":"s","user_id":"u","content_id":"c","type":"heartbeat","ts":"2026-10-01T00:00:10Z","metadata":{"pad":")" +
      std::string(300, 'x') + "\"}}";
  for (const std::string& input :
       {good + "\n" + longer + "\n" + good + "\n", "[" + good + "," + longer + "," + good + "]"}) {
    RecordingSink sink;
    ASSERT_TRUE(parser.Parse(input, "test", 1, &sink).ok());
    EXPECT_EQ(sink.events.size(), 2u) << input.substr(0, 1);
    ASSERT_EQ(sink.rejects.size(), 1u);
    const Rejection& r = sink.rejects[0];
    EXPECT_EQ(r.reason, RejectReason::kLineTooLong);
    EXPECT_EQ(RejectReasonCode(r.reason), "line_too_long");
    EXPECT_EQ(r.line, 2);
    EXPECT_EQ(r.raw, longer.substr(0, 200));
    EXPECT_NE(r.message.find("more than max_line_bytes (200)"), std::string::npos) << r.message;
  }
  // At the limit exactly, the line is parsed.
  ParserOptions exact{kNow};
  exact.max_line_bytes = good.size();
  EventParser p2(exact);
  RecordingSink sink;
  ASSERT_TRUE(p2.Parse(good, "test", 1, &sink).ok());
  EXPECT_EQ(sink.events.size(), 1u);
}

TEST_F(ParserTest, FutureTimestamps) {
  const int64_t limit = kNow.v + 24 * kMillisPerHour;
  Event e = One(R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":)" +
                std::to_string(limit) + "}");
  EXPECT_EQ(e.ts.v, limit);
  Rejection r = Rejected(R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":)" +
                         std::to_string(limit + 1) + "}");
  EXPECT_EQ(r.reason, RejectReason::kFutureTimestamp);
  EXPECT_EQ(r.message,
            "timestamp 2026-10-03T00:00:00.001Z is more than 24 hours after the server clock "
            "(2026-10-02T00:00:00.000Z)");
  // The clock can move.
  parser_.SetNow(EpochMillis{kNow.v + kMillisPerDay});
  One(R"({"session_id":"s","user_id":"u","content_id":"c","type":"start","ts":)" + std::to_string(limit + 1) +
      "}");
}

TEST_F(ParserTest, Positions) {
  EXPECT_EQ(One(Base(R"("position":12.3456)")).position_ms, 12346);
  EXPECT_EQ(One(Base(R"("position":0)")).position_ms, 0);
  EXPECT_EQ(One(Base(R"("position":7)")).position_ms, 7000);
  EXPECT_EQ(One(Base(R"("position":0.0004)")).position_ms, 0);
  EXPECT_EQ(One(Base(R"("position":null)")).position_ms, kAbsent);
  Rejection r = Rejected(Base(R"("position":-0.5)"));
  EXPECT_EQ(r.reason, RejectReason::kNegativePosition);
  EXPECT_EQ(r.message, R"(field "position" is negative (-0.5))");
  r = Rejected(Base(R"("position_seconds":-3)"));
  EXPECT_EQ(r.reason, RejectReason::kNegativePosition);
  r = Rejected(Base(R"("position":1e300)"));
  EXPECT_EQ(r.reason, RejectReason::kWrongType);
}

TEST_F(ParserTest, FromPosition) {
  const std::string seek =
      R"({"session_id":"s","user_id":"u","content_id":"c","type":"seek","ts":1700000000001,"position":100,)";
  EXPECT_EQ(One(seek + R"("from_position":40.25})").from_position_ms, 40250);
  EXPECT_EQ(Warned(seek + R"("from_position":-1})", WarningReason::kBadFromPosition).from_position_ms,
            kAbsent);
  EXPECT_EQ(Warned(seek + R"("from_position":"40"})", WarningReason::kBadFromPosition).from_position_ms,
            kAbsent);
  // Only seeks carry it; elsewhere it is ignored without a warning.
  Event e = One(Base(R"("from_position":-1)"));
  EXPECT_EQ(e.from_position_ms, kAbsent);
  EXPECT_TRUE(sink_.warnings.empty());
}

TEST_F(ParserTest, Quality) {
  const std::map<std::string, int> good = {
      {R"("240p")", 240},   {R"("360p")", 360},   {R"("480p")", 480},   {R"("720p")", 720},
      {R"("1080p")", 1080}, {R"("1440p")", 1440}, {R"("2160p")", 2160}, {R"("4K")", 2160},
      {R"("4k")", 2160},    {R"("UHD")", 2160},   {R"("uhd")", 2160},   {R"("HD")", 720},
      {R"("FHD")", 1080},   {R"("fhd")", 1080},   {"1080", 1080},       {"1080.0", 1080},
      {R"("1080")", 1080},  {R"("1080P")", 1080}, {"576", 576},
  };
  for (const auto& [text, height] : good) {
    EXPECT_EQ(One(Base(R"("quality":)" + text)).quality_height, height) << text;
    EXPECT_TRUE(sink_.warnings.empty()) << text;
  }
  for (const char* bad :
       {R"("best")", R"("")", "0", "-720", "720.5", "99999", "true", "{}", R"("p")", "[720]"}) {
    EXPECT_EQ(Warned(Base(std::string(R"("quality":)") + bad), WarningReason::kBadQuality).quality_height, 0)
        << bad;
  }
}

// Quality names are read by vocab/quality.h, like the legacy CSV's
// quality_level: SD and QHD used to be dropped here with a warning while the
// legacy reader took them.
TEST_F(ParserTest, QualityNamesAreTheSharedVocabulary) {
  const std::map<std::string, int> good = {
      {R"("sd")", 480},        {R"("SD")", 480}, {R"("qhd")", 1440},   {R"("Full HD")", 1080},
      {R"("Ultra HD")", 2160}, {"8640", 8640},   {R"("8640p")", 8640},
  };
  for (const auto& [text, height] : good) {
    EXPECT_EQ(One(Base(R"("quality":)" + text)).quality_height, height) << text;
    EXPECT_TRUE(sink_.warnings.empty()) << text;
  }
  // Above the one maximum, 8640 (16K).
  for (const char* bad : {"9000", R"("9000")", "8641", R"("9000p")", "8640.5", "1e300", R"("10 80")"}) {
    EXPECT_EQ(Warned(Base(std::string(R"("quality":)") + bad), WarningReason::kBadQuality).quality_height, 0)
        << bad;
  }
}

TEST_F(ParserTest, Autoplay) {
  EXPECT_EQ(One(Base(R"("autoplay":true)")).autoplay, 1);
  EXPECT_EQ(One(Base(R"("autoplay":false)")).autoplay, 0);
  EXPECT_EQ(Warned(Base(R"("autoplay":"yes")"), WarningReason::kBadAutoplay).autoplay, -1);
  EXPECT_EQ(Warned(Base(R"("autoplay":1)"), WarningReason::kBadAutoplay).autoplay, -1);
}

TEST_F(ParserTest, DeviceFields) {
  const std::map<std::string, DeviceType> types = {
      {"tv", DeviceType::kTv},           {"TV", DeviceType::kTv},           {"mobile", DeviceType::kMobile},
      {"tablet", DeviceType::kTablet},   {"desktop", DeviceType::kDesktop}, {"web", DeviceType::kWeb},
      {"console", DeviceType::kConsole}, {"other", DeviceType::kOther},     {"fridge", DeviceType::kOther},
      {"", DeviceType::kUnknown},
  };
  for (const auto& [name, type] : types) {
    EXPECT_EQ(One(Base(R"("device_type":")" + name + "\"")).device_type, type) << name;
    EXPECT_TRUE(sink_.warnings.empty());
  }
  EXPECT_EQ(Warned(Base(R"("device_type":3)"), WarningReason::kBadOptionalString).device_type,
            DeviceType::kUnknown);
  EXPECT_TRUE(Warned(Base(R"("device_id":3)"), WarningReason::kBadOptionalString).device_id.empty());
  EXPECT_TRUE(Warned(Base(R"("platform":{})"), WarningReason::kBadOptionalString).platform.empty());
  EXPECT_TRUE(
      Warned(Base(R"("app_version":")" + std::string(129, 'v') + "\""), WarningReason::kBadOptionalString)
          .app_version.empty());
  EXPECT_EQ(One(Base(R"("app_version":")" + std::string(128, 'v') + "\"")).app_version,
            std::string(128, 'v'));
}

// Device types are read by vocab/device_type.h, like the legacy CSV's
// device_type: "Smart TV" and "phone" used to become other here while the
// legacy reader made them tv and mobile.
TEST_F(ParserTest, DeviceTypeSpellingsAreTheSharedVocabulary) {
  const std::map<std::string, DeviceType> types = {
      {"Smart TV", DeviceType::kTv},   {"smart-tv", DeviceType::kTv},
      {"phone", DeviceType::kMobile},  {"laptop", DeviceType::kDesktop},
      {"browser", DeviceType::kWeb},   {"iPad", DeviceType::kTablet},
      {"Xbox", DeviceType::kConsole},  {"game console", DeviceType::kConsole},
      {"android", DeviceType::kOther}, {"  ", DeviceType::kUnknown},
  };
  for (const auto& [name, type] : types) {
    EXPECT_EQ(One(Base(R"("device_type":")" + name + "\"")).device_type, type) << name;
    EXPECT_TRUE(sink_.warnings.empty());
  }
}

TEST_F(ParserTest, Country) {
  EXPECT_EQ(std::string(One(Base(R"("country":"kr")")).country, 2), "KR");
  EXPECT_EQ(std::string(One(Base(R"("country":"Us")")).country, 2), "US");
  EXPECT_FALSE(One(Base(R"("country":"")")).has_country());
  for (const char* bad : {R"("KOR")", R"("K")", R"("k1")", R"("é")", "82"}) {
    EXPECT_FALSE(Warned(Base(std::string(R"("country":)") + bad), WarningReason::kBadCountry).has_country())
        << bad;
  }
}

TEST_F(ParserTest, TimeZone) {
  EXPECT_EQ(One(Base(R"("tz":"Asia/Seoul")")).tz, "Asia/Seoul");
  EXPECT_EQ(One(Base(R"("tz":"Asia/Seoul")")).tz, "Asia/Seoul");  // cached path
  EXPECT_EQ(One(Base(R"("tz":"America/New_York")")).tz, "America/New_York");
  EXPECT_EQ(One(Base(R"("tz":"UTC")")).tz, "UTC");
  EXPECT_TRUE(Warned(Base(R"("tz":"Mars/Olympus")"), WarningReason::kBadTz).tz.empty());
  EXPECT_TRUE(Warned(Base(R"("tz":"+09:00")"), WarningReason::kBadTz).tz.empty());
  EXPECT_TRUE(Warned(Base(R"("tz":9)"), WarningReason::kBadTz).tz.empty());
}

TEST_F(ParserTest, ContentLength) {
  EXPECT_EQ(One(Base(R"("content_length":5400)")).content_length_ms, 5400000);
  for (const char* bad : {"0", "-1", R"("5400")", "0.0001", "1e300"}) {
    EXPECT_EQ(Warned(Base(std::string(R"("content_length":)") + bad), WarningReason::kBadContentLength)
                  .content_length_ms,
              kAbsent)
        << bad;
  }
}

TEST_F(ParserTest, Metadata) {
  EXPECT_EQ(One(Base(R"("metadata": {"a" : [1, {"b":"}"}]} )")).metadata, R"({"a" : [1, {"b":"}"}]})");
  EXPECT_EQ(One(Base(R"("metadata":{})")).metadata, "{}");
  std::string big = R"({"k":")" + std::string(4096, 'x') + R"("})";
  EXPECT_TRUE(Warned(Base(R"("metadata":)" + big), WarningReason::kBadMetadata).metadata.empty());
  std::string fits = R"({"k":")" + std::string(4096 - 8, 'x') + R"("})";
  ASSERT_EQ(fits.size(), 4096u);
  EXPECT_EQ(One(Base(R"("metadata":)" + fits)).metadata, fits);
  EXPECT_TRUE(Warned(Base(R"("metadata":[1,2])"), WarningReason::kBadMetadata).metadata.empty());
  EXPECT_TRUE(Warned(Base(R"("metadata":"{}")"), WarningReason::kBadMetadata).metadata.empty());
}

TEST_F(ParserTest, EventId) {
  EXPECT_EQ(One(Base(R"("event_id":"abc")")).event_id, "abc");
  EXPECT_TRUE(One(Base(R"("event_id":"")")).event_id.empty());
  EXPECT_TRUE(Warned(Base(R"("event_id":12)"), WarningReason::kBadEventId).event_id.empty());
  EXPECT_TRUE(Warned(Base(R"("event_id":")" + std::string(129, 'e') + "\""), WarningReason::kBadEventId)
                  .event_id.empty());
}

TEST_F(ParserTest, SeveralWarningsOnOneEvent) {
  Event e = One(Base(R"("tz":"Nowhere","quality":"best","country":"XYZ","autoplay":"no","metadata":5)"));
  EXPECT_EQ(e.session_id, "s1");
  ASSERT_EQ(sink_.warnings.size(), 5u);
  for (const Warning& w : sink_.warnings) EXPECT_EQ(w.line, 1);
}

TEST_F(ParserTest, UnknownFieldsIgnoredAndEscapes) {
  Event e = One(
      R"({"x":{"session_id":"nested","a":[1,2,{"b":null}]},"session_id":"s\"1\u00e9","y":[],"user_id":"u\\1",)"
      R"("z":-1.5e3,"content_id":"c","w":true,"type":"start","v":null,"ts":1700000000001})");
  EXPECT_EQ(e.session_id, "s\"1\xC3\xA9");
  EXPECT_EQ(e.user_id, "u\\1");
  // An escaped key still names the field.
  e = One(R"({"session\u005fid":"s","user_id":"u","content_id":"c","type":"start","ts":1700000000001})");
  EXPECT_EQ(e.session_id, "s");
}

TEST_F(ParserTest, NotJsonAndNotObject) {
  struct Case {
    std::string line;
    RejectReason reason;
  };
  const std::vector<Case> cases = {
      {"this is not json", RejectReason::kNotJson},
      {R"({"session_id":"s","user_id":"u")", RejectReason::kNotJson},
      {R"({"session_id":"s",})", RejectReason::kNotJson},
      {R"({"session_id":"s","ts":tru})", RejectReason::kNotJson},
      {R"({"session_id":"s1","user_id":"u","content_id":"c","type":"start","ts":1700000000001} {"a":1})",
       RejectReason::kNotJson},
      {R"({"session_id":"s1","user_id":"u","content_id":"c","type":"start","ts":1700000000001}x)",
       RejectReason::kNotJson},
      {R"({"session_id":"unterminated)", RejectReason::kNotJson},
      {"[1,2", RejectReason::kNotJson},
      {"5", RejectReason::kNotObject},
      {R"("a string")", RejectReason::kNotObject},
      {"null", RejectReason::kNotObject},
      {"true", RejectReason::kNotObject},
  };
  for (const Case& c : cases) {
    sink_ = RecordingSink();
    // A good line first, so that the NDJSON is not taken for an array.
    Parse(Base() + "\n" + c.line + "\n" + Base());
    EXPECT_EQ(sink_.events.size(), 2u) << c.line;
    ASSERT_EQ(sink_.rejects.size(), 1u) << c.line;
    EXPECT_EQ(RejectReasonCode(sink_.rejects[0].reason), RejectReasonCode(c.reason)) << c.line;
    EXPECT_EQ(sink_.rejects[0].raw, c.line);
    EXPECT_EQ(sink_.rejects[0].line, 2);
    EXPECT_FALSE(sink_.rejects[0].message.empty());
  }
  sink_ = RecordingSink();
  Parse(Base() + "\n[1,2]\n");
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason, RejectReason::kNotObject);
  EXPECT_EQ(sink_.rejects[0].message, "expected a JSON object, got an array");
}

TEST_F(ParserTest, RejectionRecordsSourceAndClock) {
  ASSERT_TRUE(parser_.Parse("{}\n", "events.ndjson", 41, &sink_).ok());
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].source, "events.ndjson");
  EXPECT_EQ(sink_.rejects[0].line, 41);
  EXPECT_EQ(sink_.rejects[0].raw, "{}");
  EXPECT_EQ(sink_.rejects[0].received_at, kNow);
}

TEST_F(ParserTest, NdjsonLinesCrlfBlankAndBom) {
  Parse(
      "\xEF\xBB\xBF" + Base() + "\r\n\r\n   \n" + Base(R"("position":1)") + "\r\n" + Base(R"("position":2)"),
      10);
  ASSERT_EQ(sink_.events.size(), 3u);
  EXPECT_TRUE(sink_.rejects.empty());
  EXPECT_EQ(sink_.events[0].line, 10);
  EXPECT_EQ(sink_.events[1].line, 13);
  EXPECT_EQ(sink_.events[1].raw, Base(R"("position":1)"));
  EXPECT_EQ(sink_.events[2].line, 14);
  EXPECT_EQ(sink_.events[2].e.position_ms, 2000);
}

TEST_F(ParserTest, JsonArray) {
  const std::string data = "  [ " + Base(R"("position":1)") + ",\n  5 ,{\"x\":\"]\\\"[\"}, " +
                           Base(R"("metadata":{"q":[1,"]"]})") + ", {\"broken\": tru} ]  \n";
  Parse(data);
  ASSERT_EQ(sink_.events.size(), 2u);
  EXPECT_EQ(sink_.events[0].line, 1);
  EXPECT_EQ(sink_.events[0].raw, Base(R"("position":1)"));
  EXPECT_EQ(sink_.events[1].line, 4);
  EXPECT_EQ(sink_.events[1].e.metadata, R"({"q":[1,"]"]})");
  ASSERT_EQ(sink_.rejects.size(), 3u);
  EXPECT_EQ(sink_.rejects[0].reason, RejectReason::kNotObject);
  EXPECT_EQ(sink_.rejects[0].line, 2);
  EXPECT_EQ(sink_.rejects[0].raw, "5");
  EXPECT_EQ(sink_.rejects[1].reason, RejectReason::kMissingField);
  EXPECT_EQ(sink_.rejects[1].line, 3);
  EXPECT_EQ(sink_.rejects[2].reason, RejectReason::kNotJson);
  EXPECT_EQ(sink_.rejects[2].line, 5);
  EXPECT_EQ(sink_.rejects[2].raw, "{\"broken\": tru}");
}

TEST_F(ParserTest, JsonArrayEdgeCases) {
  Parse("[]");
  Parse(" [ \n ] ");
  EXPECT_TRUE(sink_.events.empty());
  EXPECT_TRUE(sink_.rejects.empty());

  Parse("[" + Base() + ",]");
  ASSERT_EQ(sink_.events.size(), 1u);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason, RejectReason::kNotJson);
  EXPECT_EQ(sink_.rejects[0].line, 2);

  // An array that is not closed cannot be read as a whole: nothing is delivered.
  sink_ = RecordingSink();
  Status st = parser_.Parse("[" + Base() + "," + Base(), "test", 1, &sink_);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("not closed"), std::string::npos);
  st = parser_.Parse("[" + Base() + R"(,{"a":"unterminated)", "test", 1, &sink_);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(sink_.events.empty());
  EXPECT_TRUE(sink_.rejects.empty());

  // Text after the array: NDJSON whose first line happens to be an array.
  Parse("[1,2]\n" + Base() + "\n");
  ASSERT_EQ(sink_.events.size(), 1u);
  EXPECT_EQ(sink_.events[0].line, 2);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason, RejectReason::kNotObject);
}

// A later chunk of an NDJSON input is lines only: a line that starts with
// '[' (closed or not) or with a BOM is one rejected line, as it would be
// inside the whole input, and is never read as an array.
TEST_F(ParserTest, ContinuationChunkIsLinesOnly) {
  constexpr int64_t kChunkFirstLine = 20;
  const auto continuation = EventParser::Position::kContinuation;
  ASSERT_TRUE(parser_.Parse("[1,2]\n" + Base() + "\n", "test", kChunkFirstLine, &sink_, continuation).ok());
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason, RejectReason::kNotObject);
  EXPECT_EQ(sink_.rejects[0].line, kChunkFirstLine);
  ASSERT_EQ(sink_.events.size(), 1u);
  EXPECT_EQ(sink_.events[0].line, kChunkFirstLine + 1);

  sink_ = RecordingSink();
  Status st = parser_.Parse("[\"a\",\n" + Base() + "\n", "test", kChunkFirstLine, &sink_, continuation);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason, RejectReason::kNotJson);
  EXPECT_EQ(sink_.rejects[0].line, kChunkFirstLine);
  EXPECT_EQ(sink_.rejects[0].raw, "[\"a\",");
  ASSERT_EQ(sink_.events.size(), 1u);
  EXPECT_EQ(sink_.events[0].line, kChunkFirstLine + 1);

  sink_ = RecordingSink();
  ASSERT_TRUE(
      parser_.Parse("\xEF\xBB\xBF" + Base() + "\n", "test", kChunkFirstLine, &sink_, continuation).ok());
  EXPECT_TRUE(sink_.events.empty());
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason, RejectReason::kNotJson);
}

TEST_F(ParserTest, ArenaOutlivesLaterDocuments) {
  Parse(
      R"({"session_id":"first-session","user_id":"u\u0041","content_id":"c","type":"start","ts":1700000000001,"tz":"Asia/Seoul"})");
  for (int i = 0; i < 1000; ++i) {
    Parse(R"({"session_id":"other-session-)" + std::to_string(i) +
          R"(","user_id":"zzzzzzzzzz","content_id":"yyyyyyy","type":"start","ts":1700000000002})");
  }
  ASSERT_EQ(sink_.events.size(), 1001u);
  EXPECT_EQ(sink_.events[0].e.session_id, "first-session");
  EXPECT_EQ(sink_.events[0].e.user_id, "uA");
  EXPECT_EQ(sink_.events[0].e.tz, "Asia/Seoul");
  EXPECT_EQ(sink_.events[500].e.session_id, "other-session-499");
  EXPECT_GT(parser_.arena_bytes(), 0u);
  parser_.ClearArena();
  EXPECT_EQ(parser_.arena_bytes(), 0u);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string DataPath(const std::string& name) {
  return std::string(WS_SOURCE_DIR) + "/tests/data/events/" + name;
}

TEST_F(ParserTest, MixedFileKeepsEveryGoodEvent) {
  Parse(ReadFile(DataPath("mixed.ndjson")));
  std::vector<int64_t> good_lines;
  for (const OwnedEvent& e : sink_.events) good_lines.push_back(e.line);
  EXPECT_EQ(good_lines, (std::vector<int64_t>{1, 3, 12, 14}));
  std::vector<std::pair<int64_t, std::string>> rejects;
  for (const Rejection& r : sink_.rejects)
    rejects.emplace_back(r.line, std::string(RejectReasonCode(r.reason)));
  const std::vector<std::pair<int64_t, std::string>> expected = {
      {2, "not_json"},           {4, "not_object"},    {6, "missing_field"},
      {7, "unknown_type"},       {8, "bad_timestamp"}, {9, "future_timestamp"},
      {10, "negative_position"}, {11, "wrong_type"},   {13, "not_json"},
  };
  EXPECT_EQ(rejects, expected);
  ASSERT_EQ(sink_.warnings.size(), 1u);
  EXPECT_EQ(sink_.warnings[0].reason, WarningReason::kBadTz);
  EXPECT_EQ(sink_.warnings[0].line, 12);
  const Event& last = sink_.events.back().e;
  EXPECT_EQ(last.content_id, "m-0001");
  EXPECT_EQ(last.type, EventType::kStop);
  EXPECT_EQ(last.ts.v, 1790887030000);
  EXPECT_EQ(last.position_ms, 90000);
}

TEST_F(ParserTest, ArrayFile) {
  Parse(ReadFile(DataPath("array.json")));
  ASSERT_EQ(sink_.events.size(), 2u);
  EXPECT_EQ(sink_.events[0].e.metadata, R"({"ab_test": "b", "tags": ["x", "]", "{"]})");
  EXPECT_EQ(sink_.events[1].line, 3);
  ASSERT_EQ(sink_.rejects.size(), 2u);
  EXPECT_EQ(sink_.rejects[0].line, 2);
  EXPECT_EQ(sink_.rejects[0].reason, RejectReason::kNotObject);
  EXPECT_EQ(sink_.rejects[1].line, 4);
  EXPECT_EQ(sink_.rejects[1].reason, RejectReason::kMissingField);
}

// ---------------------------------------------------------------------------
// InputReader

class InputReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ws_input_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // Writes `members` as consecutive gzip members of one file.
  std::string WriteGz(const std::string& name, const std::vector<std::string>& members) {
    std::string path = (dir_ / name).string();
    std::remove(path.c_str());
    for (const std::string& m : members) {
      gzFile f = gzopen(path.c_str(), "ab");
      EXPECT_NE(f, nullptr);
      EXPECT_EQ(gzwrite(f, m.data(), static_cast<unsigned>(m.size())), static_cast<int>(m.size()));
      gzclose(f);
    }
    return path;
  }

  struct Chunk {
    std::string data;
    int64_t first_line;
  };
  static std::vector<Chunk> ReadAll(InputReader* r) {
    std::vector<Chunk> chunks;
    std::string buf;
    int64_t first = 0;
    while (r->Next(&buf, &first)) chunks.push_back(Chunk{buf, first});
    return chunks;
  }

  std::filesystem::path dir_;
};

std::string Lines(int n, int first = 0) {
  std::string s;
  for (int i = first; i < first + n; ++i) {
    s += R"({"session_id":"s)" + std::to_string(i) +
         R"(","user_id":"u","content_id":"c","type":"heartbeat","ts":1790887030000,"position":)" +
         std::to_string(i) + "}\n";
  }
  return s;
}

TEST_F(InputReaderTest, MissingFile) {
  auto r = InputReader::Open((dir_ / "nope.ndjson").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "cannot open events file '" + (dir_ / "nope.ndjson").string() + "': No such file or directory");
  auto d = InputReader::Open(dir_.string());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kIOError);
}

TEST_F(InputReaderTest, ChunksEndOnLineBoundaries) {
  const std::string content = Lines(200);
  const std::string path = Write("e.ndjson", content);
  for (size_t chunk : {size_t{1}, size_t{50}, size_t{333}, size_t{4096}, InputReader::kDefaultChunkBytes}) {
    auto r = InputReader::Open(path, chunk);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->total_bytes(), content.size());
    std::vector<Chunk> chunks = ReadAll(r->get());
    ASSERT_TRUE((*r)->status().ok());
    EXPECT_EQ((*r)->bytes_read(), content.size());
    std::string joined;
    int64_t expected_line = 1;
    EventParser parser(ParserOptions{kNow});
    RecordingSink sink;
    EventParser::Position position = EventParser::Position::kStart;
    for (const Chunk& c : chunks) {
      EXPECT_EQ(c.data.back(), '\n');
      EXPECT_EQ(c.first_line, expected_line);
      expected_line += std::count(c.data.begin(), c.data.end(), '\n');
      joined += c.data;
      ASSERT_TRUE(parser.Parse(c.data, path, c.first_line, &sink, position).ok());
      position = EventParser::Position::kContinuation;
    }
    EXPECT_EQ(joined, content);
    ASSERT_EQ(sink.events.size(), 200u);
    for (size_t i = 0; i < sink.events.size(); ++i) {
      EXPECT_EQ(sink.events[i].line, static_cast<int64_t>(i + 1));
      EXPECT_EQ(sink.events[i].e.position_ms, static_cast<int64_t>(i) * 1000);
    }
    if (chunk == 333) {
      EXPECT_GT(chunks.size(), 10u);
    }
    if (chunk == InputReader::kDefaultChunkBytes) {
      EXPECT_EQ(chunks.size(), 1u);
    }
  }
}

TEST_F(InputReaderTest, LastLineWithoutNewline) {
  std::string content = Lines(3);
  content.pop_back();
  auto r = InputReader::Open(Write("e.ndjson", content), 64);
  ASSERT_TRUE(r.ok());
  std::string joined;
  for (const Chunk& c : ReadAll(r->get())) joined += c.data;
  EXPECT_EQ(joined, content);
}

TEST_F(InputReaderTest, EmptyFile) {
  auto r = InputReader::Open(Write("e.ndjson", ""));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(ReadAll(r->get()).empty());
  EXPECT_TRUE((*r)->status().ok());
}

TEST_F(InputReaderTest, GzipMultiMember) {
  const std::string a = Lines(300);
  const std::string b = Lines(300, 300);
  const std::string path = WriteGz("e.ndjson.gz", {a, b});
  for (size_t chunk : {size_t{100}, InputReader::kDefaultChunkBytes}) {
    auto r = InputReader::Open(path, chunk);
    ASSERT_TRUE(r.ok());
    std::string joined;
    int64_t expected_line = 1;
    for (const Chunk& c : ReadAll(r->get())) {
      EXPECT_EQ(c.first_line, expected_line);
      expected_line += std::count(c.data.begin(), c.data.end(), '\n');
      joined += c.data;
    }
    EXPECT_TRUE((*r)->status().ok()) << (*r)->status().message();
    EXPECT_EQ(joined, a + b);
    EXPECT_EQ((*r)->bytes_read(), std::filesystem::file_size(path));
    EXPECT_EQ((*r)->total_bytes(), std::filesystem::file_size(path));
    EXPECT_LT((*r)->total_bytes(), joined.size());
  }
}

TEST_F(InputReaderTest, TruncatedGzipKeepsCompleteLines) {
  const std::string content = Lines(5000);
  const std::string path = WriteGz("e.ndjson.gz", {content});
  std::string gz = ReadFile(path);
  const std::string cut = Write("cut.ndjson.gz", gz.substr(0, gz.size() / 2));
  auto r = InputReader::Open(cut, 4096);
  ASSERT_TRUE(r.ok());
  std::string joined;
  for (const Chunk& c : ReadAll(r->get())) joined += c.data;
  EXPECT_FALSE((*r)->status().ok());
  EXPECT_EQ((*r)->status().code(), StatusCode::kCorruption);
  EXPECT_NE((*r)->status().message().find("truncated"), std::string::npos);
  EXPECT_GT(joined.size(), 0u);
  EXPECT_EQ(joined.back(), '\n');
  EXPECT_EQ(content.compare(0, joined.size(), joined), 0);
}

// Regression: every chunk used to be re-examined for a leading '[', so an
// NDJSON file whose chunk happened to start with such a line either failed
// as a whole ("JSON array is not closed") or had that line read as an
// array, with wrong line numbers. Read through InputReader in chunks of any
// size, with the chunks after the first parsed as continuations, a file
// gives the same outcomes as parsed whole.
TEST_F(InputReaderTest, ChunkedNdjsonParsesLikeWholeWhateverLinesStartWith) {
  const std::string content =
      Lines(1, 0) + "[1,2]\n" + Lines(1, 1) + "[\"a\",\n" + "\xEF\xBB\xBF" + Lines(1, 2) + Lines(1, 3);
  constexpr int64_t kLines = 6;
  const std::string path = Write("brackets.ndjson", content);
  // (line, accepted) of every outcome, by line.
  using Outcomes = std::vector<std::pair<int64_t, bool>>;
  auto outcomes_of = [](const RecordingSink& sink) {
    Outcomes out;
    for (const OwnedEvent& e : sink.events) out.emplace_back(e.line, true);
    for (const Rejection& r : sink.rejects) out.emplace_back(r.line, false);
    std::sort(out.begin(), out.end());
    return out;
  };
  EventParser whole_parser(ParserOptions{kNow});
  RecordingSink whole;
  ASSERT_TRUE(whole_parser.Parse(content, path, 1, &whole).ok());
  const Outcomes expected = outcomes_of(whole);
  ASSERT_EQ(expected.size(), static_cast<size_t>(kLines));
  EXPECT_EQ(expected, (Outcomes{{1, true}, {2, false}, {3, true}, {4, false}, {5, false}, {6, true}}));

  for (size_t chunk : {size_t{1}, size_t{30}, size_t{100}, InputReader::kDefaultChunkBytes}) {
    SCOPED_TRACE("chunk bytes " + std::to_string(chunk));
    auto r = InputReader::Open(path, chunk);
    ASSERT_TRUE(r.ok());
    EventParser parser(ParserOptions{kNow});
    RecordingSink sink;
    EventParser::Position position = EventParser::Position::kStart;
    for (const Chunk& c : ReadAll(r->get())) {
      Status st = parser.Parse(c.data, path, c.first_line, &sink, position);
      ASSERT_TRUE(st.ok()) << st.ToString();
      position = EventParser::Position::kContinuation;
    }
    EXPECT_EQ(outcomes_of(sink), expected);
  }
}

TEST_F(InputReaderTest, JsonArrayDeliveredWhole) {
  std::string content = "\n  [";
  for (int i = 0; i < 100; ++i) {
    content += (i ? ",\n" : "") + Lines(1, i);
  }
  content += "]\n";
  for (const std::string& path : {Write("a.json", content), WriteGz("a.json.gz", {content})}) {
    auto r = InputReader::Open(path, 64);
    ASSERT_TRUE(r.ok());
    std::vector<Chunk> chunks = ReadAll(r->get());
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(chunks[0].data, content);
    EXPECT_EQ(chunks[0].first_line, 1);
    EventParser parser(ParserOptions{kNow});
    RecordingSink sink;
    ASSERT_TRUE(parser.Parse(chunks[0].data, path, chunks[0].first_line, &sink).ok());
    EXPECT_EQ(sink.events.size(), 100u);
    EXPECT_TRUE(sink.rejects.empty());
  }
}

}  // namespace
}  // namespace ws
