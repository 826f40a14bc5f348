// Readers during writes (issue "Must show"): readers take snapshots in a
// loop — in the writer's process and as other "processes" opening the
// store read-only — while a writer commits batches and compacts
// aggressively in the background. Every snapshot must read without error
// and equal exactly one committed state.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "session/data_store.h"
#include "session/ingestor.h"
#include "session/session_table.h"
#include "store_test_util.h"
#include "util/mem_env.h"

namespace ws {
namespace {

using store::testing::MakeRealisticEvents;

constexpr char kDir[] = "/db";
constexpr size_t kSessions = 150;
constexpr size_t kBatches = 25;

// Every stored session, as one string (the state a reader sees).
Result<std::string> Describe(const store::Snapshot& snap, const SessionKeys& keys) {
  std::string out;
  for (int32_t day : snap.Partitions(kSessionsTable)) {
    std::vector<SessionRecord> recs;
    WS_RETURN_IF_ERROR(ReadSessions(snap, keys, DayNumber{day}, &recs));
    for (const SessionRecord& r : recs) {
      out += r.session_id + ":" + std::to_string(r.event_count) + ":" + std::to_string(r.watch_ms) + ":" +
             std::to_string(static_cast<int>(r.status)) + ";";
    }
  }
  return out;
}

TEST(SnapshotIsolationTest, EverySnapshotIsOneCommittedState) {
  StringArena arena;
  std::vector<Event> events = MakeRealisticEvents(kSessions, 21, &arena);
  MemEnv env;
  DataStoreOptions wo;
  wo.env = &env;
  wo.background_compaction = true;
  wo.compaction.min_merge_files = 2;
  wo.compaction.max_deltas = 1;
  wo.compaction.base_ratio = 0;
  auto writer = DataStore::Open(kDir, wo);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  Ingestor::Options io;
  io.config.allowed_lateness_ms = 365 * kMillisPerDay;
  auto ing = Ingestor::Create(writer->get(), nullptr, io);
  ASSERT_TRUE(ing.ok());

  std::mutex mu;
  std::set<std::string> committed;  // every state a commit made
  std::vector<std::string> seen;    // every state a reader read
  {
    auto first = Describe(*(*writer)->snapshot(), (*writer)->keys());
    ASSERT_TRUE(first.ok());
    committed.insert(*first);
  }
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  auto record = [&](const Result<std::string>& state) {
    if (!state.ok()) {
      ++errors;
      ADD_FAILURE() << state.status().ToString();
      return;
    }
    std::lock_guard<std::mutex> l(mu);
    seen.push_back(*state);
  };
  std::thread in_process([&] {
    while (!done.load()) record(Describe(*(*writer)->snapshot(), (*writer)->keys()));
  });
  std::thread other_process([&] {
    DataStoreOptions ro;
    ro.env = &env;
    ro.read_only = true;
    while (!done.load()) {
      auto reader = DataStore::Open(kDir, ro);
      if (!reader.ok()) {
        ++errors;
        ADD_FAILURE() << reader.status().ToString();
        continue;
      }
      record(Describe(*(*reader)->snapshot(), (*reader)->keys()));
    }
  });
  const size_t per_batch = events.size() / kBatches + 1;
  for (size_t b = 0; b < kBatches; ++b) {
    for (size_t i = b * per_batch; i < std::min(events.size(), (b + 1) * per_batch); ++i) {
      (*ing)->OnLoggedEvent(events[i], 0);
    }
    ASSERT_TRUE((*ing)->Flush(/*close_all=*/b + 1 == kBatches).ok());
    auto state = Describe(*(*writer)->snapshot(), (*writer)->keys());
    ASSERT_TRUE(state.ok());
    std::lock_guard<std::mutex> l(mu);
    committed.insert(*state);
  }
  ASSERT_TRUE((*writer)->store().CompactAll().ok());
  done.store(true);
  in_process.join();
  other_process.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GE((*writer)->store().compactions(), 1u);
  size_t distinct = 0;
  std::set<std::string> distinct_seen(seen.begin(), seen.end());
  for (const std::string& s : distinct_seen) {
    EXPECT_TRUE(committed.count(s)) << "a reader saw a state no commit made";
    ++distinct;
  }
  std::printf("%zu snapshots read, %zu distinct states of %zu committed, %llu compactions\n", seen.size(),
              distinct, committed.size(), static_cast<unsigned long long>((*writer)->store().compactions()));
  EXPECT_GT(seen.size(), kBatches);
}

}  // namespace
}  // namespace ws
