// Crash points, enumerated (issue "Must show"), end to end through the
// ingest engine: through the file-system seam (MemEnv), the machine goes
// down after the k-th write, fsync, rename, directory fsync, creation or
// removal — for every k — of an ingest commit, of a compaction, and of
// write-ahead log appends. After each "reboot" the store must open as of the
// last commit or the next one, never in between, never corrupt; running
// the interrupted work again must give the same final state; and every
// acknowledged log record must be there.
#include <gtest/gtest.h>

#include <set>

#include "event/event_table.h"
#include "session/data_store.h"
#include "session/ingestor.h"
#include "session/live_ingest.h"
#include "session/session_table.h"
#include "store_test_util.h"
#include "util/mem_env.h"

namespace ws {
namespace {

using store::testing::MakeRealisticEvents;

constexpr char kDir[] = "/db";
const std::vector<MemEnv::Op> kAllOps = {MemEnv::Op::kWrite,   MemEnv::Op::kSync,   MemEnv::Op::kRename,
                                         MemEnv::Op::kSyncDir, MemEnv::Op::kCreate, MemEnv::Op::kRemove};

SessionConfig Config() {
  SessionConfig c;
  c.allowed_lateness_ms = 365 * kMillisPerDay;
  return c;
}

// The store as a reader sees it: sessions, events and rejections.
std::string Describe(DataStore* ds) {
  std::string out;
  auto snap = ds->snapshot();
  for (int32_t day : snap->Partitions(kSessionsTable)) {
    std::vector<SessionRecord> recs;
    EXPECT_TRUE(ReadSessions(*snap, ds->keys(), DayNumber{day}, &recs).ok());
    for (const SessionRecord& r : recs) {
      out += r.session_id + ":" + std::to_string(r.event_count) + ":" + std::to_string(r.watch_ms) + ":" +
             std::to_string(static_cast<int>(r.status)) + ";";
    }
  }
  size_t events = 0;
  for (int32_t day : snap->Partitions(kEventsTable)) {
    EXPECT_TRUE(ReadEvents(*snap, DayNumber{day}, [&](const EventBlock& b) {
                  events += b.events.size();
                  return Status::Ok();
                }).ok());
  }
  size_t rejections = 0;
  EXPECT_TRUE(ReadRejections(*snap, [&](const Rejection&) {
                ++rejections;
                return Status::Ok();
              }).ok());
  return out + "|events=" + std::to_string(events) + "|rejections=" + std::to_string(rejections);
}

std::unique_ptr<DataStore> Open(MemEnv* env) {
  DataStoreOptions o;
  o.env = env;
  auto ds = DataStore::Open(kDir, o);
  if (!ds.ok()) {
    ADD_FAILURE() << ds.status().ToString();
    return nullptr;
  }
  return std::move(ds).value();
}

// Feeds `events` (and one rejection) to a new Ingestor and flushes once.
Status IngestBatch(DataStore* ds, const std::vector<Event>& events, bool close_all) {
  Ingestor::Options io;
  io.config = Config();
  WS_ASSIGN_OR_RETURN(std::unique_ptr<Ingestor> ing, Ingestor::Create(ds, nullptr, io));
  for (const Event& e : events) ing->OnLoggedEvent(e, 0);
  Rejection r;
  r.reason = RejectReason::kNotJson;
  r.message = "Line 1 is not valid JSON.";
  r.raw = "{";
  ing->OnReject(r);
  return ing->Flush(close_all);
}

class CrashPointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    events_ = MakeRealisticEvents(40, 17, &arena_);
    // Two halves, interleaved in time so the second reopens sessions of the first.
    for (size_t i = 0; i < events_.size(); ++i) (i % 2 == 0 ? first_ : second_).push_back(events_[i]);
    auto ds = Open(&base_);
    ASSERT_NE(ds, nullptr);
    ASSERT_TRUE(IngestBatch(ds.get(), first_, false).ok());
    before_ = Describe(ds.get());
    ds.reset();
    base_.SimulateCrash();  // the base is exactly what is durable
    MemEnv clean;
    ASSERT_TRUE(base_.CopyTree(kDir, &clean, kDir).ok());
    auto done = Open(&clean);
    ASSERT_TRUE(IngestBatch(done.get(), second_, true).ok());
    after_ = Describe(done.get());
    ASSERT_NE(before_, after_);
  }

  StringArena arena_;
  std::vector<Event> events_, first_, second_;
  MemEnv base_;
  std::string before_, after_;
};

TEST_F(CrashPointsTest, IngestCommitIsAllOrNothingAndRepeatable) {
  size_t points = 0;
  for (uint64_t k = 1;; ++k) {
    MemEnv env;
    ASSERT_TRUE(base_.CopyTree(kDir, &env, kDir).ok());
    env.CrashAfter(kAllOps, k);
    {
      auto ds = Open(&env);
      if (ds != nullptr) (void)IngestBatch(ds.get(), second_, true);
    }
    const bool crashed = env.crashed();
    env.SimulateCrash();
    auto ds = Open(&env);
    ASSERT_NE(ds, nullptr) << "crash point " << k;
    const std::string state = Describe(ds.get());
    EXPECT_TRUE(state == before_ || state == after_) << "crash point " << k;
    // Running the interrupted ingest again ends in the same state.
    ASSERT_TRUE(IngestBatch(ds.get(), second_, true).ok()) << "crash point " << k;
    std::string again = Describe(ds.get());
    // The repeat adds one more rejection (its own): compare the rest.
    EXPECT_EQ(again.substr(0, again.find("|rejections=")), after_.substr(0, after_.find("|rejections=")))
        << "crash point " << k;
    if (!crashed) break;
    ++points;
  }
  std::printf("ingest commit: %zu crash points\n", points);
  EXPECT_GE(points, 20u);
}

TEST_F(CrashPointsTest, CompactionNeverChangesWhatReadersSee) {
  MemEnv start;
  ASSERT_TRUE(base_.CopyTree(kDir, &start, kDir).ok());
  {
    auto ds = Open(&start);
    // More small commits, so that there is much to compact.
    for (size_t part = 0; part < 4; ++part) {
      std::vector<Event> slice;
      for (size_t i = part; i < second_.size(); i += 4) slice.push_back(second_[i]);
      ASSERT_TRUE(IngestBatch(ds.get(), slice, part == 3).ok());
    }
  }
  start.SimulateCrash();
  std::string state;
  {
    auto ds = Open(&start);
    state = Describe(ds.get());
  }
  size_t points = 0;
  for (uint64_t k = 1;; ++k) {
    MemEnv env;
    ASSERT_TRUE(start.CopyTree(kDir, &env, kDir).ok());
    env.CrashAfter(kAllOps, k);
    {
      DataStoreOptions o;
      o.env = &env;
      o.compaction.min_merge_files = 2;
      o.compaction.base_ratio = 0;
      auto ds = DataStore::Open(kDir, o);
      if (ds.ok()) (void)(*ds)->store().CompactAll();
    }
    const bool crashed = env.crashed();
    env.SimulateCrash();
    auto ds = Open(&env);
    ASSERT_NE(ds, nullptr) << "crash point " << k;
    EXPECT_EQ(Describe(ds.get()), state) << "crash point " << k;
    if (!crashed) break;
    ++points;
  }
  std::printf("compaction: %zu crash points\n", points);
  EXPECT_GE(points, 20u);
}

TEST_F(CrashPointsTest, AcknowledgedLogRecordsSurviveEveryCrashPoint) {
  // Batches of the second half, appended one by one through the log.
  std::vector<AcceptedBatch> batches(6);
  for (size_t i = 0; i < second_.size(); ++i) batches[i % batches.size()].events.push_back(second_[i]);
  size_t points = 0;
  for (uint64_t k = 1;; ++k) {
    MemEnv env;
    ASSERT_TRUE(base_.CopyTree(kDir, &env, kDir).ok());
    std::set<std::string_view> acked_ids;
    {
      auto ds = Open(&env);
      ASSERT_NE(ds, nullptr);
      LiveIngestOptions lo;
      lo.ingest.config = Config();
      lo.commit_interval = std::chrono::hours(1);  // the log alone carries the batches
      auto live = LiveIngest::Open(ds.get(), nullptr, lo);
      ASSERT_TRUE(live.ok()) << live.status().ToString();
      env.CrashAfter(kAllOps, k);
      for (const AcceptedBatch& b : batches) {
        if ((*live)->Append(b).ok()) {
          for (const Event& e : b.events) acked_ids.insert(e.event_id);
        }
      }
      (void)(*live)->Close();
    }
    const bool crashed = env.crashed();
    env.SimulateCrash();
    auto ds = Open(&env);
    ASSERT_NE(ds, nullptr) << "crash point " << k;
    {
      LiveIngestOptions lo;
      lo.ingest.config = Config();
      auto live = LiveIngest::Open(ds.get(), nullptr, lo);
      ASSERT_TRUE(live.ok()) << "crash point " << k << ": " << live.status().ToString();
      ASSERT_TRUE((*live)->Close().ok());
    }
    std::set<std::string_view> stored;
    auto snap = ds->snapshot();
    StringArena ids;
    for (int32_t day : snap->Partitions(kEventsTable)) {
      ASSERT_TRUE(ReadEvents(*snap, DayNumber{day}, [&](const EventBlock& b) {
                    for (const Event& e : b.events) stored.insert(ids.Copy(e.event_id));
                    return Status::Ok();
                  }).ok());
    }
    for (std::string_view id : acked_ids)
      EXPECT_TRUE(stored.count(id)) << "crash point " << k << " lost " << id;
    if (!crashed) break;
    ++points;
  }
  std::printf("log appends: %zu crash points\n", points);
  EXPECT_GE(points, 10u);
}

}  // namespace
}  // namespace ws
