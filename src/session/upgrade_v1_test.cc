// Format compatibility. tests/data/store-v1 holds a tiny store written by
// the version-1 code, tests/data/store-v2 the same store after conversion to
// version 2. These tests read both and check their exact contents, so a
// format change that breaks old stores fails here. To regenerate the
// version-2 fixture (only for a deliberate, documented format change):
//   WS_REGEN_STORE_FIXTURES=1 watchstats_tests --gtest_filter='StoreFixture*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "event/event_table.h"
#include "session/data_store.h"
#include "store_test_util.h"

namespace ws {
namespace {

using store::testing::ExpectEventsEq;
using store::testing::ExpectRejectionEq;
using store::testing::ExpectSessionEq;
using store::testing::TempDir;

namespace fs = std::filesystem;

constexpr DayNumber kDay1{20727};  // 2026-10-01
constexpr DayNumber kDay2{20728};
constexpr int64_t kT0 = int64_t{20727} * kMillisPerDay + 20 * kMillisPerHour;

std::string FixtureDir() { return std::string(WS_SOURCE_DIR) + "/tests/data/store-v1"; }
std::string FixtureDirV2() { return std::string(WS_SOURCE_DIR) + "/tests/data/store-v2"; }

// Events of commit 1 (day 1), in stored order (session, then SPEC 2.2).
std::vector<Event> Day1Events() {
  std::vector<Event> v(4);
  v[0].event_id = "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
  v[0].session_id = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a";
  v[0].user_id = "u-0001";
  v[0].content_id = "s-0042-e0101";
  v[0].type = EventType::kStart;
  v[0].ts.v = kT0;
  v[0].has_ts_offset = true;
  v[0].ts_offset_minutes = 540;
  v[0].position_ms = 0;
  v[0].quality_height = 1080;
  v[0].autoplay = 1;
  v[0].device_type = DeviceType::kTv;
  v[0].device_id = "dev-1";
  v[0].platform = "tizen";
  v[0].app_version = "5.12.3";
  v[0].country[0] = 'K';
  v[0].country[1] = 'R';
  v[0].tz = "Asia/Seoul";
  v[0].content_length_ms = 2700000;
  v[0].metadata = R"({"cdn":"edge-7"})";
  v[1] = v[0];
  v[1].event_id = "6F1C2A4E-8D3B-4C5A-9E7F-0A1B2C3D4E60";
  v[1].type = EventType::kSeek;
  v[1].ts.v = kT0 + 15250;
  v[1].position_ms = 600000;
  v[1].from_position_ms = 15000;
  v[1].autoplay = -1;
  v[1].metadata = "";
  v[2] = v[1];
  v[2].event_id = "hb-3";
  v[2].type = EventType::kHeartbeat;
  v[2].ts.v = kT0 + 45000;
  v[2].position_ms = 629800;
  v[2].from_position_ms = kAbsent;
  v[3] = Event();
  v[3].session_id = "legacy session";
  v[3].user_id = "u-0002";
  v[3].content_id = "m-0001";
  v[3].type = EventType::kStop;
  v[3].ts.v = kT0 - 1;
  return v;
}

std::vector<Event> Day2Events() {
  std::vector<Event> v(1);
  v[0].event_id = "00000000-0000-0000-0000-000000000001";
  v[0].session_id = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a";
  v[0].user_id = "u-0001";
  v[0].content_id = "s-0042-e0101";
  v[0].type = EventType::kComplete;
  v[0].ts.v = kT0 + kMillisPerDay;
  v[0].position_ms = 2699000;
  return v;
}

std::vector<SessionRecord> Day1Sessions() {
  std::vector<SessionRecord> v(2);
  v[0].session_id = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a";
  v[0].user_id = "u-0001";
  v[0].content_id = "s-0042-e0101";
  v[0].date_key = kDay1;
  v[0].start.v = kT0;
  v[0].end.v = kT0 + 45000;
  v[0].watch_ms = 44750;
  v[0].forwards = 1;
  v[0].playback_position_ms = 629800;
  v[0].max_position_ms = 629800;
  v[0].content_length_ms = 2700000;
  v[0].coverage_ms = 44800;
  v[0].credits_start_ms = 2580000;
  v[0].autoplay = true;
  v[0].max_quality = 1080;
  v[0].event_count = 3;
  v[0].status = SessionStatus::kInProgress;
  v[0].state = PlayerState::kPlaying;
  v[0].last_type = EventType::kHeartbeat;
  v[0].device_type = DeviceType::kTv;
  v[0].device_id = "dev-1";
  v[0].platform = "tizen";
  v[0].app_version = "5.12.3";
  v[0].country = "KR";
  v[0].tz = "Asia/Seoul";
  v[0].local_start_hour = 5;
  v[0].local_date = kDay2;
  v[1].session_id = "legacy session";
  v[1].user_id = "u-0002";
  v[1].content_id = "m-0001";
  v[1].date_key = kDay1;
  v[1].start.v = kT0 - 1;
  v[1].end.v = kT0 - 1;
  v[1].event_count = 1;
  v[1].status = SessionStatus::kBounced;
  v[1].state = PlayerState::kEnded;
  v[1].last_type = EventType::kStop;
  v[1].origin = SessionOrigin::kLegacy;
  v[1].local_date = kDay1;
  return v;
}

std::vector<Rejection> Rejections() {
  std::vector<Rejection> v(2);
  v[0].reason = RejectReason::kNotJson;
  v[0].message = "Line 3 is not valid JSON.";
  v[0].raw = "{\"session_id\": ";
  v[0].source = "events.ndjson";
  v[0].line = 3;
  v[0].received_at.v = kT0 + 60000;
  v[1].reason = RejectReason::kUnknownType;
  v[1].message = "Unknown event type \"rewind\".";
  v[1].raw = R"({"session_id":"x","type":"rewind"})";
  v[1].source = "http";
  v[1].line = 1;
  v[1].received_at.v = kT0 + 61000;
  return v;
}

IngestState FinalState() {
  IngestState s;
  s.watermark = EpochMillis{kT0 + kMillisPerDay};
  s.events_accepted = 5;
  s.events_duplicate = 1;
  s.rejected_by_reason = {{"not_json", 1}, {"unknown_type", 1}};
  s.warnings_by_reason = {{"bad_tz", 2}};
  s.upgraded_from_v1 = true;
  return s;
}

// Every file of a directory tree, relative path -> content.
std::map<std::string, std::string> Tree(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out[fs::relative(e.path(), dir).string()] = *Env::Default()->ReadFile(e.path().string());
  }
  return out;
}

void CheckFixtureContents(const DataStore& ds) {
  std::shared_ptr<const store::Snapshot> snap = ds.snapshot();
  auto state = DataStore::StateOf(*snap);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  IngestState want = FinalState();
  EXPECT_EQ(state->watermark, want.watermark);
  EXPECT_EQ(state->events_accepted, want.events_accepted);
  EXPECT_EQ(state->events_duplicate, want.events_duplicate);
  EXPECT_EQ(state->rejected_by_reason, want.rejected_by_reason);
  EXPECT_EQ(state->warnings_by_reason, want.warnings_by_reason);
  EXPECT_TRUE(state->upgraded_from_v1);
  EXPECT_EQ(snap->Partitions(kEventsTable), (std::vector<int32_t>{kDay1.v, kDay2.v}));
  EXPECT_EQ(snap->Partitions(kSessionsTable), std::vector<int32_t>{kDay1.v});
  for (auto [day, want_events] : {std::pair{kDay1, Day1Events()}, std::pair{kDay2, Day2Events()}}) {
    int blocks = 0;
    Status st = ReadEvents(*snap, day, [&, &want_events = want_events](const EventBlock& b) {
      ++blocks;
      // Stored order: by session_id, then SPEC 2.2.
      std::vector<Event> sorted = want_events;
      std::stable_sort(sorted.begin(), sorted.end(), [](const Event& x, const Event& y) {
        int c = x.session_id.compare(y.session_id);
        return c != 0 ? c < 0 : CompareEventOrder(x, y) < 0;
      });
      ExpectEventsEq(b.events, sorted);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(blocks, 1);
  }
  std::vector<SessionRecord> recs;
  ASSERT_TRUE(ReadSessions(*snap, ds.keys(), kDay1, &recs).ok());
  std::vector<SessionRecord> want_recs = Day1Sessions();
  ASSERT_EQ(recs.size(), want_recs.size());
  for (size_t i = 0; i < recs.size(); ++i) ExpectSessionEq(recs[i], want_recs[i]);
  std::vector<Rejection> rejs;
  ASSERT_TRUE(ReadRejections(*snap, [&](const Rejection& r) {
                rejs.push_back(r);
                return Status::Ok();
              }).ok());
  std::vector<Rejection> want_rejs = Rejections();
  ASSERT_EQ(rejs.size(), want_rejs.size());
  for (size_t i = 0; i < rejs.size(); ++i) ExpectRejectionEq(rejs[i], want_rejs[i]);
}

TEST(StoreFixtureTest, Regenerate) {
  if (std::getenv("WS_REGEN_STORE_FIXTURES") == nullptr) GTEST_SKIP() << "set WS_REGEN_STORE_FIXTURES=1";
  TempDir tmp;
  fs::copy(FixtureDir(), tmp.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  {
    auto ds = DataStore::Open(tmp.path(), {});
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    ASSERT_TRUE((*ds)->store().CompactAll().ok());
  }
  fs::remove(tmp.Sub("LOCK"));
  fs::remove_all(FixtureDirV2());
  fs::create_directories(FixtureDirV2());
  fs::copy(tmp.path(), FixtureDirV2(), fs::copy_options::recursive);
}

TEST(StoreFixtureTest, ReadsVersion1StoreWithoutWritingIt) {
  ASSERT_TRUE(fs::exists(FixtureDir() + "/CURRENT")) << "missing fixtures in " << FixtureDir();
  std::map<std::string, std::string> before = Tree(FixtureDir());
  DataStoreOptions ro;
  ro.read_only = true;
  auto ds = DataStore::Open(FixtureDir(), ro);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_TRUE((*ds)->converted_from_v1());
  CheckFixtureContents(**ds);
  EXPECT_EQ(Tree(FixtureDir()), before) << "a reader changed the version-1 store";
}

TEST(StoreFixtureTest, WriterConvertsVersion1StoreInPlace) {
  TempDir tmp;
  fs::copy(FixtureDir(), tmp.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  {
    auto ds = DataStore::Open(tmp.path(), {});
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    EXPECT_TRUE((*ds)->converted_from_v1());
    CheckFixtureContents(**ds);
  }
  EXPECT_FALSE(fs::exists(tmp.Sub("CURRENT")));
  for (const auto& [path, content] : Tree(tmp.path())) {
    EXPECT_EQ(path.find(".ws") == std::string::npos || path.find(".wst") != std::string::npos, true) << path;
  }
  auto ds = DataStore::Open(tmp.path(), {});
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_FALSE((*ds)->converted_from_v1());
  CheckFixtureContents(**ds);
}

TEST(StoreFixtureTest, ReadsVersion2Fixture) {
  ASSERT_TRUE(fs::exists(FixtureDirV2())) << "missing fixtures in " << FixtureDirV2();
  DataStoreOptions ro;
  ro.read_only = true;
  auto ds = DataStore::Open(FixtureDirV2(), ro);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  CheckFixtureContents(**ds);
}

}  // namespace
}  // namespace ws
