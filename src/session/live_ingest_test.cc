// LiveIngest: batches acknowledged by the write-ahead log from many threads
// give the same sessions as ingesting the events directly; acknowledged
// batches survive a crash before any store commit (they are replayed); and
// commits cover the log, which is then trimmed.
#include "session/live_ingest.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "session/session_table.h"
#include "store_test_util.h"
#include "util/mem_env.h"

namespace ws {
namespace {

using store::testing::ExpectSessionEq;
using store::testing::MakeRealisticEvents;

constexpr char kDir[] = "/db";
constexpr size_t kSessions = 120;
constexpr size_t kBatchEvents = 400;
constexpr int kThreads = 4;

std::unique_ptr<DataStore> Open(MemEnv* env) {
  DataStoreOptions o;
  o.env = env;
  auto ds = DataStore::Open(kDir, o);
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  return std::move(ds).value();
}

SessionConfig Config() {
  SessionConfig c;
  c.allowed_lateness_ms = 365 * kMillisPerDay;  // batches arrive in any order
  return c;
}

// Closes every open session (as a final `ingest --close-all` would) and
// returns all stored sessions, sorted by (day, id).
std::vector<SessionRecord> CloseAndRead(DataStore* ds) {
  Ingestor::Options io;
  io.config = Config();
  auto ing = Ingestor::Create(ds, nullptr, io);
  EXPECT_TRUE(ing.ok()) << ing.status().ToString();
  EXPECT_TRUE((*ing)->Flush(/*close_all=*/true).ok());
  std::vector<SessionRecord> all;
  auto snap = ds->snapshot();
  for (int32_t day : snap->Partitions(kSessionsTable)) {
    std::vector<SessionRecord> recs;
    EXPECT_TRUE(ReadSessions(*snap, ds->keys(), DayNumber{day}, &recs).ok());
    all.insert(all.end(), recs.begin(), recs.end());
  }
  return all;
}

// The sessions of `events` ingested directly, in one batch.
std::vector<SessionRecord> Baseline(const std::vector<Event>& events) {
  MemEnv env;
  auto ds = Open(&env);
  Ingestor::Options io;
  io.config = Config();
  auto ing = Ingestor::Create(ds.get(), nullptr, io);
  EXPECT_TRUE(ing.ok());
  for (const Event& e : events) (*ing)->OnLoggedEvent(e, 0);
  EXPECT_TRUE((*ing)->Flush(true).ok());
  return CloseAndRead(ds.get());
}

std::vector<AcceptedBatch> Batches(const std::vector<Event>& events) {
  std::vector<AcceptedBatch> out;
  for (size_t i = 0; i < events.size(); i += kBatchEvents) {
    AcceptedBatch b;
    b.events.assign(events.begin() + static_cast<std::ptrdiff_t>(i),
                    events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), i + kBatchEvents)));
    out.push_back(std::move(b));
  }
  return out;
}

void AppendAll(LiveIngest* live, const std::vector<AcceptedBatch>& batches) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); i < batches.size(); i += kThreads) {
        EXPECT_TRUE(live->Append(batches[i]).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
}

void ExpectSame(const std::vector<SessionRecord>& got, const std::vector<SessionRecord>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) ExpectSessionEq(got[i], want[i]);
}

LiveIngestOptions LiveOptions(std::chrono::milliseconds interval) {
  LiveIngestOptions o;
  o.ingest.config = Config();
  o.commit_interval = interval;
  return o;
}

TEST(LiveIngestTest, ConcurrentBatchesGiveTheSessionsOfADirectIngest) {
  StringArena arena;
  std::vector<Event> events = MakeRealisticEvents(kSessions, 3, &arena);
  const std::vector<SessionRecord> want = Baseline(events);
  MemEnv env;
  auto ds = Open(&env);
  {
    auto live = LiveIngest::Open(ds.get(), nullptr, LiveOptions(std::chrono::milliseconds(5)));
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    AppendAll(live->get(), Batches(events));
    ASSERT_TRUE((*live)->Sync().ok());
    EXPECT_GE((*live)->commits(), 1u);
    EXPECT_EQ((*live)->stats().stored + (*live)->stats().duplicates, events.size());
    ASSERT_TRUE((*live)->Close().ok());
  }
  ExpectSame(CloseAndRead(ds.get()), want);
}

TEST(LiveIngestTest, AcknowledgedBatchesAreReplayedAfterACrash) {
  StringArena arena;
  std::vector<Event> events = MakeRealisticEvents(kSessions, 4, &arena);
  const std::vector<SessionRecord> want = Baseline(events);
  std::vector<AcceptedBatch> batches = Batches(events);
  MemEnv env;
  {
    auto ds = Open(&env);
    // No commit before the crash: everything lives in the log only.
    auto live = LiveIngest::Open(ds.get(), nullptr, LiveOptions(std::chrono::hours(1)));
    ASSERT_TRUE(live.ok());
    AppendAll(live->get(), batches);
    env.CrashNow();
    EXPECT_FALSE((*live)->Close().ok());  // the machine is down: the final commit fails
  }
  env.SimulateCrash();
  auto ds = Open(&env);
  {
    auto live = LiveIngest::Open(ds.get(), nullptr, LiveOptions(std::chrono::hours(1)));
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    // Batches appended at once share records (AppendAsync merges them).
    EXPECT_GE((*live)->recovery().records, 1u);
    EXPECT_LE((*live)->recovery().records, batches.size());
    EXPECT_EQ((*live)->recovery().skipped, 0u);
    ASSERT_TRUE((*live)->Close().ok());
  }
  ExpectSame(CloseAndRead(ds.get()), want);
}

TEST(LiveIngestTest, CommitsCoverTheLogWhichIsThenTrimmed) {
  StringArena arena;
  std::vector<Event> events = MakeRealisticEvents(20, 5, &arena);
  std::vector<AcceptedBatch> batches = Batches(events);
  MemEnv env;
  auto ds = Open(&env);
  LiveIngestOptions o = LiveOptions(std::chrono::hours(1));
  o.wal.max_file_bytes = 1;  // a new log file after every group
  auto live = LiveIngest::Open(ds.get(), nullptr, o);
  ASSERT_TRUE(live.ok());
  uint64_t last = 0;
  for (const AcceptedBatch& b : batches) {
    auto seq = (*live)->Append(b);
    ASSERT_TRUE(seq.ok());
    last = *seq;
  }
  ASSERT_TRUE((*live)->Sync().ok());
  EXPECT_EQ(ds->snapshot()->log_covered_seq(), last);
  auto files = env.ListDir(std::string(kDir) + "/wal");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 1u) << "only the file being written remains";
  ASSERT_TRUE((*live)->Close().ok());
  // Reopening replays nothing: the store covers every record.
  auto again = LiveIngest::Open(ds.get(), nullptr, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->recovery().records, 0u);
  ASSERT_TRUE((*again)->Close().ok());
}

TEST(LiveIngestTest, RejectionsAndWarningsTravelThroughTheLog) {
  MemEnv env;
  auto ds = Open(&env);
  AcceptedBatch b;
  Rejection r;
  r.reason = RejectReason::kNotJson;
  r.message = "Line 1 is not valid JSON.";
  r.raw = "{oops";
  r.source = "http";
  r.line = 1;
  b.rejections.push_back(r);
  b.warnings.emplace_back(WarningReason::kBadTz, 2);
  {
    auto live = LiveIngest::Open(ds.get(), nullptr, LiveOptions(std::chrono::hours(1)));
    ASSERT_TRUE(live.ok());
    ASSERT_TRUE((*live)->Append(b).ok());
    ASSERT_TRUE((*live)->Close().ok());
  }
  auto snap = ds->snapshot();
  auto state = DataStore::StateOf(*snap);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->rejected_by_reason.at("not_json"), 1u);
  EXPECT_EQ(state->warnings_by_reason.at("bad_tz"), 2u);
  std::vector<Rejection> got;
  ASSERT_TRUE(ReadRejections(*snap, [&](const Rejection& x) {
                got.push_back(x);
                return Status::Ok();
              }).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].raw, "{oops");
}

// SPEC 2.7: when traffic stops, the server clock moves the watermark, so an
// open session closes without further events; and the watermark never runs
// more than max_clock_skew past the clock. The clock is the test's own.
TEST(LiveIngestTest, TheClockClosesSessionsWhenTrafficStops) {
  StringArena arena;
  Event e;
  e.session_id = "s1";
  e.user_id = "u1";
  e.content_id = "c1";
  e.type = EventType::kStart;
  e.ts = EpochMillis{1'790'000'000'000};
  e.position_ms = 0;
  std::atomic<int64_t> clock{e.ts.v};
  MemEnv env;
  auto ds = Open(&env);
  LiveIngestOptions o = LiveOptions(std::chrono::hours(1));
  o.clock_watermark = true;
  o.max_clock_skew_ms = 5 * kMillisPerMinute;
  o.now = [&] { return EpochMillis{clock.load()}; };
  auto live = LiveIngest::Open(ds.get(), nullptr, o);
  ASSERT_TRUE(live.ok());
  AcceptedBatch b;
  b.events.push_back(e);
  // A fast player clock: its event is an hour ahead of the server.
  Event ahead = e;
  ahead.session_id = "s2";
  ahead.ts = EpochMillis{e.ts.v + kMillisPerHour};
  b.events.push_back(ahead);
  ASSERT_TRUE((*live)->Append(b).ok());
  ASSERT_TRUE((*live)->Sync().ok());
  ASSERT_TRUE((*live)->watermark().has_value());
  EXPECT_EQ((*live)->watermark()->v, e.ts.v + o.max_clock_skew_ms);  // capped, not an hour ahead
  EXPECT_EQ((*live)->stats().open_sessions, 2u);

  ASSERT_TRUE((*live)->Tick().ok());  // the clock has not moved: nothing closes
  EXPECT_EQ((*live)->stats().open_sessions, 2u);

  clock += 31 * kMillisPerMinute;  // past session_timeout after s1's start
  ASSERT_TRUE((*live)->Tick().ok());
  EXPECT_EQ((*live)->stats().open_sessions, 1u);  // s1 closed by the clock; s2 still ahead of it
  EXPECT_EQ((*live)->watermark()->v, e.ts.v + 31 * kMillisPerMinute + o.max_clock_skew_ms);
  ASSERT_TRUE((*live)->Close().ok());
}

}  // namespace
}  // namespace ws
