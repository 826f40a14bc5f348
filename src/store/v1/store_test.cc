#include "store/v1/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/v1/segment.h"
#include "store/v1/store_test_util.h"
#include "util/fs.h"

namespace ws {
namespace {

using store::testing::ExpectEventsEq;
using store::testing::ExpectRejectionEq;
using store::testing::ExpectSessionEq;
using store::testing::MakeRealisticEvents;
using store::testing::TempDir;

std::unique_ptr<Store> OpenOrDie(const std::string& dir, Store::Options options = {}) {
  Result<std::unique_ptr<Store>> s = Store::Open(dir, options);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

std::vector<Event> ReadDay(const Store& s, DayNumber day, std::vector<std::unique_ptr<EventBlock>>* keep,
                           size_t* blocks = nullptr) {
  std::vector<Event> out;
  size_t n = 0;
  Status st = s.ReadEvents(day, [&](const EventBlock& b) {
    ++n;
    auto copy = std::make_unique<EventBlock>();
    for (const Event& e : b.events) {
      Event c = e;
      c.event_id = copy->arena.Copy(e.event_id);
      c.session_id = copy->arena.Copy(e.session_id);
      c.user_id = copy->arena.Copy(e.user_id);
      c.content_id = copy->arena.Copy(e.content_id);
      c.device_id = copy->arena.Copy(e.device_id);
      c.platform = copy->arena.Copy(e.platform);
      c.app_version = copy->arena.Copy(e.app_version);
      c.tz = copy->arena.Copy(e.tz);
      c.metadata = copy->arena.Copy(e.metadata);
      out.push_back(c);
    }
    keep->push_back(std::move(copy));
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (blocks != nullptr) *blocks = n;
  return out;
}

SessionRecord Session(const std::string& id, DayNumber day, int64_t watch) {
  SessionRecord r;
  r.session_id = id;
  r.user_id = "u-" + id;
  r.content_id = "m-1";
  r.date_key = day;
  r.start.v = int64_t{day.v} * kMillisPerDay + 1000;
  r.end.v = r.start.v + 60000;
  r.watch_ms = watch;
  r.local_date = day;
  return r;
}

Rejection Reject(int line) {
  Rejection r;
  r.reason = RejectReason::kMissingField;
  r.message = "The event has no session_id.";
  r.raw = "{\"line\":" + std::to_string(line) + "}";
  r.source = "in.ndjson";
  r.line = line;
  r.received_at.v = 1790000000000LL + line;
  return r;
}

TEST(StoreTest, FreshStoreIsEmptyAndHasLayout) {
  TempDir tmp;
  std::string dir = tmp.Sub("data/nested");
  auto s = OpenOrDie(dir);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->dir(), dir);
  EXPECT_TRUE(s->EventDays().empty());
  EXPECT_TRUE(s->SessionDays().empty());
  EXPECT_EQ(s->state().watermark.v, INT64_MIN);
  EXPECT_TRUE(PathExists(dir + "/CURRENT"));
  EXPECT_TRUE(PathExists(dir + "/MANIFEST-000001"));
  EXPECT_TRUE(PathExists(dir + "/LOCK"));
  int calls = 0;
  ASSERT_TRUE(s->ReadRejections([&](const Rejection&) {
                 ++calls;
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(calls, 0);
  std::vector<SessionRecord> recs(1);
  ASSERT_TRUE(s->ReadSessions(DayNumber{5}, &recs).ok());
  EXPECT_TRUE(recs.empty());
}

TEST(StoreTest, OpenFailsWhenMissingAndNotCreating) {
  TempDir tmp;
  Store::Options o;
  o.create_if_missing = false;
  Result<std::unique_ptr<Store>> s = Store::Open(tmp.Sub("absent"), o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find(tmp.Sub("absent")), std::string::npos);
}

TEST(StoreTest, SecondWriterIsRefusedWhileFirstHoldsTheLock) {
  TempDir tmp;
  auto a = OpenOrDie(tmp.path());
  Result<std::unique_ptr<Store>> b = Store::Open(tmp.path(), {});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(b.status().message().find(tmp.path()), std::string::npos);
  Store::Options ro;
  ro.read_only = true;
  auto reader = OpenOrDie(tmp.path(), ro);
  ASSERT_NE(reader, nullptr);
  CommitBatch batch;
  EXPECT_EQ(reader->Commit(batch).code(), StatusCode::kFailedPrecondition);
  a.reset();
  EXPECT_NE(OpenOrDie(tmp.path()), nullptr);
}

TEST(StoreTest, CommitsAppendEventsReplaceSessionsAndSurviveReopen) {
  TempDir tmp;
  StringArena arena;
  const DayNumber d1{20727};
  const DayNumber d2{20728};
  std::vector<Event> first = MakeRealisticEvents(5, 1, &arena, EpochMillis{int64_t{d1.v} * kMillisPerDay});
  std::vector<Event> second = MakeRealisticEvents(3, 2, &arena, EpochMillis{int64_t{d1.v} * kMillisPerDay});
  {
    auto s = OpenOrDie(tmp.path());
    CommitBatch b1;
    b1.events[d1] = first;
    b1.events[d2] = {};  // empty: no file
    b1.sessions[d1] = {Session("b", d1, 5), Session("a", d1, 7)};
    b1.rejections = {Reject(1), Reject(2)};
    b1.new_state.watermark.v = 42;
    b1.new_state.events_accepted = first.size();
    b1.new_state.rejected_by_reason["missing_field"] = 2;
    b1.new_state.warnings_by_reason["bad_tz"] = 1;
    ASSERT_TRUE(s->Commit(b1).ok());
    CommitBatch b2;
    b2.events[d1] = second;
    b2.sessions[d1] = {Session("c", d1, 9)};
    b2.sessions[d2] = {Session("z", d2, 1)};
    b2.rejections = {Reject(3)};
    b2.new_state = b1.new_state;
    b2.new_state.events_accepted += second.size();
    b2.new_state.events_duplicate = 4;
    ASSERT_TRUE(s->Commit(b2).ok());
    // The replaced session segment and old manifests are gone.
    size_t session_files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(tmp.Sub("sessions"))) {
      if (e.is_regular_file()) ++session_files;
    }
    EXPECT_EQ(session_files, 2u);
    EXPECT_FALSE(PathExists(tmp.Sub("MANIFEST-000001")));
  }
  auto s = OpenOrDie(tmp.path());
  EXPECT_EQ(s->EventDays(), std::vector<DayNumber>{d1});
  EXPECT_EQ(s->SessionDays(), (std::vector<DayNumber>{d1, d2}));
  EXPECT_EQ(s->state().watermark.v, 42);
  EXPECT_EQ(s->state().events_accepted, first.size() + second.size());
  EXPECT_EQ(s->state().events_duplicate, 4u);
  EXPECT_EQ(s->state().rejected_by_reason.at("missing_field"), 2u);
  EXPECT_EQ(s->state().warnings_by_reason.at("bad_tz"), 1u);

  std::vector<std::unique_ptr<EventBlock>> keep;
  size_t blocks = 0;
  std::vector<Event> got = ReadDay(*s, d1, &keep, &blocks);
  EXPECT_EQ(blocks, 2u);
  store::v1::SortEventsForSegment(&first);
  store::v1::SortEventsForSegment(&second);
  std::vector<Event> want = first;
  want.insert(want.end(), second.begin(), second.end());
  ExpectEventsEq(got, want);

  std::vector<SessionRecord> recs;
  ASSERT_TRUE(s->ReadSessions(d1, &recs).ok());
  ASSERT_EQ(recs.size(), 1u);
  ExpectSessionEq(recs[0], Session("c", d1, 9));
  ASSERT_TRUE(s->ReadSessions(d2, &recs).ok());
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].session_id, "z");

  std::vector<Rejection> rejs;
  ASSERT_TRUE(s->ReadRejections([&](const Rejection& r) {
                 rejs.push_back(r);
                 return Status::Ok();
               }).ok());
  ASSERT_EQ(rejs.size(), 3u);
  for (int i = 0; i < 3; ++i) ExpectRejectionEq(rejs[i], Reject(i + 1));

  std::map<std::string, uint64_t> usage = s->DiskUsage();
  EXPECT_GT(usage["events"], 0u);
  EXPECT_GT(usage["sessions"], 0u);
  EXPECT_GT(usage["quarantine"], 0u);
  EXPECT_GT(usage["manifest"], 0u);
}

TEST(StoreTest, SessionsAreSortedAndEmptyVectorDeletesTheDay) {
  TempDir tmp;
  auto s = OpenOrDie(tmp.path());
  const DayNumber d{100};
  CommitBatch b1;
  b1.sessions[d] = {Session("b", d, 1), Session("a", d, 2), Session("c", d, 3)};
  ASSERT_TRUE(s->Commit(b1).ok());
  std::vector<SessionRecord> recs;
  ASSERT_TRUE(s->ReadSessions(d, &recs).ok());
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].session_id, "a");
  EXPECT_EQ(recs[2].session_id, "c");
  CommitBatch b2;
  b2.sessions[d] = {};
  ASSERT_TRUE(s->Commit(b2).ok());
  EXPECT_TRUE(s->SessionDays().empty());
  ASSERT_TRUE(s->ReadSessions(d, &recs).ok());
  EXPECT_TRUE(recs.empty());
  s.reset();
  s = OpenOrDie(tmp.path());
  EXPECT_TRUE(s->SessionDays().empty());
  EXPECT_FALSE(PathExists(tmp.Sub("sessions/1970-04-11")));
}

TEST(StoreTest, CallbackErrorStopsTheRead) {
  TempDir tmp;
  auto s = OpenOrDie(tmp.path());
  CommitBatch b;
  b.rejections = {Reject(1), Reject(2)};
  ASSERT_TRUE(s->Commit(b).ok());
  int calls = 0;
  Status st = s->ReadRejections([&](const Rejection&) {
    ++calls;
    return Status::Internal("stop");
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(calls, 1);
}

TEST(StoreTest, ReadOnlyOpenSeesCommittedDataAndCleansNothing) {
  TempDir tmp;
  {
    auto s = OpenOrDie(tmp.path());
    CommitBatch b;
    b.sessions[DayNumber{1}] = {Session("a", DayNumber{1}, 1)};
    ASSERT_TRUE(s->Commit(b).ok());
  }
  ASSERT_TRUE(WriteFileAtomic(tmp.Sub("MANIFEST-000099"), "junk").ok());
  Store::Options ro;
  ro.read_only = true;
  auto s = OpenOrDie(tmp.path(), ro);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->SessionDays().size(), 1u);
  EXPECT_TRUE(PathExists(tmp.Sub("MANIFEST-000099")));
}

}  // namespace
}  // namespace ws
