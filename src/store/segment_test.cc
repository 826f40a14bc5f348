#include "store/segment.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <set>

#include "store/store_test_util.h"

namespace ws::store {
namespace {

using testing::ExpectEventsEq;
using testing::ExpectRejectionEq;
using testing::ExpectSessionEq;
using testing::MakeRealisticEvents;

std::vector<Event> DecodeOrDie(const std::string& file, EventBlock* block) {
  Status st = DecodeEventSegment(file, block);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return block->events;
}

TEST(EventSegmentTest, EdgeCasesRoundTripExactly) {
  std::vector<Event> in(6);
  // 0: everything absent / empty.
  in[0].session_id = "s";
  in[0].ts.v = 0;
  // 1: everything present, extreme values.
  in[1].event_id = "0F8FAD5B-D9CB-469F-A165-70867728950E";
  in[1].session_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  in[1].user_id = "u";
  in[1].content_id = "c";
  in[1].type = EventType::kComplete;
  in[1].ts.v = std::numeric_limits<int64_t>::max();
  in[1].has_ts_offset = true;
  in[1].ts_offset_minutes = -720;
  in[1].position_ms = std::numeric_limits<int64_t>::max();
  in[1].from_position_ms = 0;
  in[1].quality_height = std::numeric_limits<int32_t>::max();
  in[1].autoplay = 1;
  in[1].device_type = DeviceType::kOther;
  in[1].device_id = "d";
  in[1].platform = "p";
  in[1].app_version = "v";
  in[1].country[0] = 'K';
  in[1].country[1] = 'R';
  in[1].tz = "Asia/Seoul";
  in[1].content_length_ms = 1;
  in[1].metadata = R"({"a":[1,2,{"b":"\u00e9"}]})";
  // 2: same session as 1, min ts, offset without the flag, from without position.
  in[2] = in[1];
  in[2].event_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  in[2].ts.v = std::numeric_limits<int64_t>::min();
  in[2].has_ts_offset = false;
  in[2].ts_offset_minutes = 5;
  in[2].position_ms = kAbsent;
  in[2].from_position_ms = std::numeric_limits<int64_t>::max();
  in[2].autoplay = 0;
  in[2].country[0] = '\xff';
  in[2].country[1] = 0;
  // 3: non-UUID event id, odd position after an absent one.
  in[3] = in[2];
  in[3].event_id = "evt 3";
  in[3].position_ms = 12345;
  in[3].from_position_ms = kAbsent;
  in[3].metadata = "";
  // 4, 5: empty session id, binary-ish strings.
  in[4].session_id = "";
  in[4].event_id = std::string_view("a\0b", 3);
  in[4].user_id = std::string_view("\0", 1);
  in[5] = in[4];
  in[5].event_id = "";
  in[5].type = EventType::kStart;
  in[5].position_ms = 0;
  Result<std::string> file = EncodeEventSegment(in);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EventBlock block;
  ExpectEventsEq(DecodeOrDie(*file, &block), in);
}

TEST(EventSegmentTest, EmptySegmentRoundTrips) {
  Result<std::string> file = EncodeEventSegment(std::span<const Event>());
  ASSERT_TRUE(file.ok());
  EventBlock block;
  EXPECT_TRUE(DecodeOrDie(*file, &block).empty());
}

TEST(EventSegmentTest, UndefinedEnumIsRejectedOnEncode) {
  std::vector<Event> in(1);
  in[0].type = static_cast<EventType>(42);
  EXPECT_EQ(EncodeEventSegment(in).status().code(), StatusCode::kInvalidArgument);
}

TEST(EventSegmentTest, SortOrdersBySessionThenSpecOrder) {
  std::vector<Event> in(4);
  in[0].session_id = "b";
  in[0].ts.v = 1;
  in[1].session_id = "a";
  in[1].ts.v = 5;
  in[2].session_id = "a";
  in[2].ts.v = 5;
  in[2].type = EventType::kStart;
  in[3].session_id = "a";
  in[3].ts.v = 2;
  SortEventsForSegment(&in);
  EXPECT_EQ(in[0].ts.v, 2);
  EXPECT_EQ(in[1].type, EventType::kStart);
  EXPECT_EQ(in[2].type, EventType::kHeartbeat);
  EXPECT_EQ(in[3].session_id, "b");
}

TEST(EventSegmentTest, RealisticDataRoundTrips) {
  StringArena arena;
  std::vector<Event> in = MakeRealisticEvents(200, 1, &arena);
  SortEventsForSegment(&in);
  Result<std::string> file = EncodeEventSegment(in);
  ASSERT_TRUE(file.ok());
  EventBlock block;
  ExpectEventsEq(DecodeOrDie(*file, &block), in);
}

// The size target of the store (a property of the format, not a timing):
// <= 32 bytes per stored event on realistic data. A sample small enough to
// stay well under a second even under the sanitizers; bench/segment_bench.cc
// reports the figure on ~1M events together with the codec's throughput.
TEST(EventSegmentTest, RealisticDataMeetsBytesPerEventTarget) {
  constexpr size_t kSessions = 1000;  // ~125,000 events
  constexpr uint64_t kSeed = 42;
  constexpr double kMaxBytesPerEvent = 32.0;
  StringArena arena;
  std::vector<Event> in = MakeRealisticEvents(kSessions, kSeed, &arena);
  Result<std::string> file = EncodeEventSegment(in, EventSegmentOrder(in));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const double bytes_per_event = static_cast<double>(file->size()) / static_cast<double>(in.size());
  RecordProperty("bytes_per_event", std::to_string(bytes_per_event));
  EXPECT_LE(bytes_per_event, kMaxBytesPerEvent) << in.size() << " events, " << file->size() << " bytes";
}

TEST(SessionSegmentTest, AllFieldsRoundTrip) {
  std::vector<SessionRecord> in(3);
  in[0].session_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  in[0].user_id = "u1";
  in[0].content_id = "s-0042-e0101";
  in[0].date_key.v = 20000;
  in[0].start.v = 20000 * kMillisPerDay + 5;
  in[0].end.v = in[0].start.v + 3600000;
  in[0].watch_ms = 3000000;
  in[0].pause_ms = 1;
  in[0].buffer_ms = 2;
  in[0].pauses = 3;
  in[0].rewinds = 4;
  in[0].forwards = 5;
  in[0].buffers = 6;
  in[0].playback_position_ms = 7;
  in[0].max_position_ms = 8;
  in[0].content_length_ms = 9;
  in[0].coverage_ms = 10;
  in[0].credits_start_ms = 11;
  in[0].watched_credits = true;
  in[0].autoplay = true;
  in[0].complete_seen = true;
  in[0].max_quality = 2160;
  in[0].event_count = 99;
  in[0].status = SessionStatus::kAbandoned;
  in[0].state = PlayerState::kEnded;
  in[0].last_type = EventType::kComplete;
  in[0].origin = SessionOrigin::kLegacy;
  in[0].device_type = DeviceType::kConsole;
  in[0].device_id = "dev";
  in[0].platform = "tizen";
  in[0].app_version = "1.2.3";
  in[0].country = "KR";
  in[0].tz = "Asia/Seoul";
  in[0].local_start_hour = 23;
  in[0].local_date.v = 20001;
  in[1].session_id = "OTHER-ID";  // defaults everywhere, absent lengths
  in[2].session_id = "";
  in[2].start.v = std::numeric_limits<int64_t>::min();
  in[2].end.v = std::numeric_limits<int64_t>::max();
  in[2].date_key.v = std::numeric_limits<int32_t>::min();
  in[2].local_date.v = std::numeric_limits<int32_t>::max();
  in[2].watch_ms = std::numeric_limits<int64_t>::min();
  Result<std::string> file = EncodeSessionSegment(in);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::vector<SessionRecord> out;
  Status st = DecodeSessionSegment(*file, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) ExpectSessionEq(out[i], in[i]);
}

TEST(SessionSegmentTest, UndefinedEnumIsRejectedOnEncode) {
  std::vector<SessionRecord> in(1);
  in[0].status = static_cast<SessionStatus>(9);
  EXPECT_EQ(EncodeSessionSegment(in).status().code(), StatusCode::kInvalidArgument);
}

TEST(QuarantineTest, AllFieldsRoundTrip) {
  std::vector<Rejection> in(3);
  in[0].reason = RejectReason::kNotJson;
  in[0].message = "The line is not valid JSON.";
  in[0].raw = "{oops";
  in[0].source = "events.ndjson";
  in[0].line = 17;
  in[0].received_at.v = 1790000000000LL;
  in[1].reason = RejectReason::kTooLate;
  in[1].message = "";
  in[1].raw = std::string("\0\xff binary", 9);
  in[1].source = "-";
  in[1].line = -1;
  in[1].received_at.v = std::numeric_limits<int64_t>::min();
  in[2] = in[0];
  in[2].raw = "";
  Result<std::string> file = EncodeQuarantine(in);
  ASSERT_TRUE(file.ok());
  std::vector<Rejection> out;
  ASSERT_TRUE(DecodeQuarantine(*file, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) ExpectRejectionEq(out[i], in[i]);
  std::vector<Rejection> bad(1);
  bad[0].reason = static_cast<RejectReason>(0);
  EXPECT_EQ(EncodeQuarantine(bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ws::store

namespace ws::store {
namespace {

TEST(EventSegmentFilter, DeliversExactlyTheWantedSessionsRows) {
  StringArena arena;
  std::vector<Event> in = testing::MakeRealisticEvents(40, 77, &arena);
  std::vector<uint32_t> order = EventSegmentOrder(in);
  Result<std::string> file = EncodeEventSegment(in, order);
  ASSERT_TRUE(file.ok());
  EventBlock all;
  ASSERT_TRUE(DecodeEventSegment(*file, &all).ok());
  std::set<std::string> wanted_ids;
  for (const Event& e : all.events) {
    if (wanted_ids.size() < 5 && !wanted_ids.count(std::string(e.session_id))) {
      wanted_ids.insert(std::string(e.session_id));
    }
  }
  std::function<bool(std::string_view)> wanted = [&](std::string_view sid) {
    return wanted_ids.count(std::string(sid)) > 0;
  };
  EventBlock some;
  ASSERT_TRUE(DecodeEventSegment(*file, &some, &wanted).ok());
  std::vector<Event> expected;
  for (const Event& e : all.events) {
    if (wanted(e.session_id)) expected.push_back(e);
  }
  ASSERT_FALSE(expected.empty());
  testing::ExpectEventsEq(some.events, expected);

  std::function<bool(std::string_view)> none = [](std::string_view) { return false; };
  EventBlock empty;
  ASSERT_TRUE(DecodeEventSegment(*file, &empty, &none).ok());
  EXPECT_TRUE(empty.events.empty());
}

}  // namespace
}  // namespace ws::store
