// LiveIngest: the acknowledgement path of a long-running ingest (the HTTP
// collector, the Kafka consumer). A batch the caller has parsed and
// validated is appended to the write-ahead log and acknowledged once it is
// durable (group commit: one fsync covers every batch waiting for it). One
// applier thread feeds the logged batches, in log order, to the Ingestor and
// commits to the store every commit_interval (or when a batch is full); the
// commit records how far the log is covered, and the log files it covers are
// deleted. On open, the log records the store does not cover yet are
// replayed into the sessionizer first (SPEC 6), so an acknowledged event
// survives a crash at any moment.
//
// A record holds the batch's accepted events as an events table image, its
// rejections as a quarantine image, and its warning counts
// (docs/storage-format.md, section 9.1). Events rejected only when applied
// (session_conflict, too_late) keep EventToJson of the event as their text.
//
// Thread safety: AppendAsync, Append and Sync may be called from many
// threads at once; Open and Close from one. Threads: the log thread
// (writes queued batches, runs AppendDone callbacks) and the applier. The DataStore and CatalogView must
// outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "event/event_table.h"
#include "session/data_store.h"
#include "session/ingestor.h"
#include "store/wal.h"

namespace ws {

struct LiveIngestOptions {
  Ingestor::Options ingest;
  // The applier commits at least this often while there is something new.
  std::chrono::milliseconds commit_interval{1000};
  store::WalOptions wal;
  // SPEC 2.7, for a server: while traffic pauses, the applier moves the
  // watermark at the pace of `now` (the time since the watermark last moved
  // is added to it), at most max_clock_skew_ms past `now`, so that open
  // sessions close. Off: only events move it (a log replay tool).
  bool clock_watermark = false;
  int64_t max_clock_skew_ms = 5 * kMillisPerMinute;
  // The server clock (UTC). A seam: tests pass a clock they move by hand.
  std::function<EpochMillis()> now = SystemNow;
  // Events that may wait for the log before AppendAsync answers kUnavailable.
  size_t max_queued_events = 2'000'000;
  LiveIngestOptions() { wal.compress = false; }  // records hold compressed table images already
};

// A batch the caller accepted: events (their strings must live during
// Append), rejections, and the warnings of the accepted events.
struct AcceptedBatch {
  std::vector<Event> events;
  std::vector<Rejection> rejections;
  std::vector<std::pair<WarningReason, uint64_t>> warnings;
};

// A batch with the arena that holds its events' strings (nullptr: the
// caller keeps them alive until its AppendDone has run).
struct OwnedBatch {
  std::unique_ptr<StringArena> arena;
  AcceptedBatch batch;
};

// Called with the batch's sequence number once durable, or the log's error.
using AppendDone = std::function<void(Result<uint64_t> seq)>;

class LiveIngest {
 public:
  // Replays the log records the store does not cover, commits them, then
  // starts the log and the applier. Requires: `store` opened for writing;
  // `store` and `catalog` outlive the LiveIngest (its Ingestor uses them).
  static Result<std::unique_ptr<LiveIngest>> Open(DataStore* store, const CatalogView* catalog,
                                                  LiveIngestOptions options);
  // Close()s if needed; an error then is lost (call Close to see it).
  ~LiveIngest();
  LiveIngest(const LiveIngest&) = delete;
  LiveIngest& operator=(const LiveIngest&) = delete;

  // Queues `batch` for the log and returns at once. `done` runs on the log
  // thread once the batch is durable (with its sequence number), or with
  // the log's error (then nothing is acknowledged, and every later batch
  // fails too). Batches queued together are merged into one record: one
  // encoding, one write and one fsync cover them all, and they share the
  // sequence number, so many small requests cost about as much as one
  // large one. Returns kUnavailable (nothing queued, `done` not called)
  // when more than max_queued_events wait, kFailedPrecondition after Close.
  Status AppendAsync(OwnedBatch batch, AppendDone done);
  // AppendAsync, then waits: returns the sequence number once durable.
  // `batch`'s strings must live during the call.
  Result<uint64_t> Append(const AcceptedBatch& batch);
  // Returns once every batch acknowledged before the call is in a store
  // commit. Failure: the applier's error (it stops at the first one).
  Status Sync();
  // Runs the clock step of clock_watermark now, as the applier does every
  // commit_interval, and returns once its commit (if it made one) is done.
  // Failure: the applier's error.
  Status Tick();
  // Commits what was applied, stops the applier and closes the log.
  Status Close();
  // The watermark as of the last commit (none before the first event).
  std::optional<EpochMillis> watermark() const;

  // What the replay at Open found.
  const store::WalRecoveryReport& recovery() const { return recovery_; }
  // A copy of the Ingestor's counters as of the last commit.
  IngestStats stats() const;
  uint64_t commits() const;

  // Restricts construction to Open while allowing make_unique.
  struct Passkey {
    explicit Passkey() = default;
  };
  LiveIngest(Passkey, LiveIngestOptions options);

 private:
  // Encodes `batch` as one record and appends it to the log (the leader of
  // a group of Appends).
  Result<uint64_t> AppendRecord(const AcceptedBatch& batch);
  // Decodes a record and feeds it to the Ingestor. The decoded events stay
  // in `blocks_` until the next commit. Called by Open and the applier only.
  Status Apply(std::string_view payload);
  // Commits what was applied (log covered up to applied_seq_).
  Status CommitApplied();
  // The clock step (options_.clock_watermark): commits when the watermark
  // the clock moved closes some open session.
  Status ClockStep();
  void ApplierLoop();

  LiveIngestOptions options_;
  std::unique_ptr<Ingestor> ingestor_;  // used by Open, then by the applier thread only
  std::unique_ptr<store::WalWriter> wal_;
  store::WalRecoveryReport recovery_;
  std::vector<std::unique_ptr<EventBlock>> blocks_;  // applier only
  uint64_t applied_seq_ = 0;                         // applier only
  uint64_t applier_committed_ = 0;                   // applier only: committed_seq_ as it last set it
  std::optional<EpochMillis> clock_base_;            // applier only: the watermark when it last moved...
  EpochMillis clock_base_at_;                        // ...and the clock then

  // The log thread: takes what AppendAsync queued, writes it as one record
  // per group and runs the callbacks.
  void LogLoop();
  struct Queued {
    OwnedBatch batch;
    AppendDone done;
  };
  std::mutex log_mu_;  // guards the three below
  std::condition_variable log_cv_;
  std::deque<Queued> log_queue_;
  size_t log_queued_events_ = 0;
  bool log_stop_ = false;
  std::thread log_thread_;

  mutable std::mutex mu_;                    // guards everything below
  std::condition_variable work_cv_;          // the applier waits for records, a deadline or Close
  std::condition_variable done_cv_;          // Sync waits for commits
  std::map<uint64_t, std::string> pending_;  // logged, not applied, by sequence
  uint64_t next_seq_ = 1;                    // the next sequence to apply
  uint64_t committed_seq_ = 0;               // covered by a store commit
  uint64_t sync_target_ = 0;                 // Sync asks for a commit up to here
  uint64_t commits_ = 0;
  uint64_t ticks_wanted_ = 0;  // Tick requests...
  uint64_t ticks_done_ = 0;    // ...and those the applier ran
  std::optional<EpochMillis> watermark_;
  bool stop_ = false;
  bool closed_ = false;
  Status error_;
  IngestStats stats_;
  std::thread applier_;
};

}  // namespace ws
