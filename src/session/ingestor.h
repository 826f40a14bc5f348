// Ingestor: turns accepted events into sessions and commits them, with the
// events and the rejections, to the store (SPEC 2, 6).
//
// Data flow: the parser calls OnEvent/OnReject/OnWarning; the caller calls
// Flush() whenever ShouldFlush() is true and once at the end. Each Flush is
// one atomic store commit, after which everything it covered is durable.
//
// The Ingestor routes each event (to an open session, to the slow path, to
// a session in the directory, or to a new session) and sequences the parts
// that do the work:
//   * BatchApplier — the fast path, per batch (session/batch_applier.h);
//   * SlowPath — exact recomputation from stored events (session/slow_path.h);
//   * ClosePolicy — the closing and lateness rule (session/close_policy.h);
//   * SessionDirectory — sessions not in memory (session/session_directory.h);
//   * CommitAssembler — the commit of a batch (session/commit_assembler.h).
// Both paths give the measures of ComputeSession over the deduplicated set
// of a session's events, so results do not depend on arrival order,
// batching or restarts (session/ingest_differential_test.cc checks it).
//
// Closing (SPEC 2.7) and lateness checks use the watermark as of the start
// of the current batch, so the outcome of one batch never depends on the
// order of events inside it.
//
// Thread safety: one thread. The DataStore and CatalogView must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "event/parser.h"
#include "session/batch_applier.h"
#include "session/batch_events.h"
#include "session/close_policy.h"
#include "session/commit_assembler.h"
#include "session/config.h"
#include "session/data_store.h"
#include "session/ingest_state.h"
#include "session/ingest_stats.h"
#include "session/interner.h"
#include "session/open_sessions.h"
#include "session/seen_filter.h"
#include "session/session_directory.h"
#include "session/slow_path.h"

namespace ws {

class Ingestor : public EventSink {
 public:
  struct Options {
    SessionConfig config;
    size_t batch_events = 1'000'000;  // Flush after this many buffered events
    // Threads that encode a commit's events files (one per day), the
    // flushing one included.
    size_t encode_threads = 1;
    // `ingest --backfill` (SPEC 2.7): history into a live store. Its events
    // are exempt from allowed_lateness; their sessions close by the
    // watermark from their own events, as if they had arrived in time (the
    // watermark is far past them, so they close at the batch's commit).
    bool backfill = false;
  };

  // Reads the ingest state and loads the session directory (recent
  // sessions, for late events and session conflicts). Requires: `store`
  // opened for writing. Fails if the store cannot be read.
  static Result<std::unique_ptr<Ingestor>> Create(DataStore* store, const CatalogView* catalog,
                                                  Options options);

  // Restricts construction to Create while allowing make_unique.
  struct Passkey {
    explicit Passkey() = default;
  };
  Ingestor(Passkey, DataStore* store, const CatalogView* catalog, Options options, IngestState state);

  void OnEvent(const Event& e, std::string_view raw, int64_t line) override;
  // An accepted event replayed from (or applied after) the write-ahead
  // log, where its text as received is not kept: exact resends are told by
  // EventContentHash, and a rejection keeps EventToJson(e) as its text.
  // Its strings must live until the next Flush.
  void OnLoggedEvent(const Event& e, int64_t line);
  // The hashes of an event that another thread can compute ahead (the
  // parallel file ingest's parse threads).
  struct EventHashes {
    uint64_t raw = 0;      // XXH3-64 of the text as received
    uint64_t session = 0;  // IdHash(session_id)
    uint64_t id = 0;       // EventIdHash(session, event_id); 0 without an id
  };
  static EventHashes HashEvent(const Event& e, std::string_view raw);
  // An accepted event whose text `raw` (valid during the call) and ids
  // another thread already hashed (HashEvent). Its strings must live until
  // the next Flush.
  void OnHashedEvent(const Event& e, const EventHashes& hashes, std::string_view raw, int64_t line) {
    Accept(e, hashes, raw, line);
  }
  void OnReject(Rejection r) override;
  void OnWarning(WarningReason reason, int64_t line) override;

  // Names the input the next events come from (kept with rejections).
  void SetSource(std::string source) { source_ = std::move(source); }

  bool ShouldFlush() const { return buffered_ >= options_.batch_events; }

  // Resolves slow-path sessions, closes sessions the watermark has passed
  // (all open sessions when close_all), and commits; with `log_covered`,
  // the commit also records that write-ahead log records up to that
  // sequence are in the store. On failure nothing of the batch is stored
  // and the Ingestor must not be used further.
  Status Flush(bool close_all, std::optional<uint64_t> log_covered = std::nullopt);

  // The live clock of SPEC 2.7, for a long-running server: the next Flush
  // moves the watermark to at least `w` (never back), so that sessions close
  // while traffic pauses.
  void AdvanceWatermark(EpochMillis w) {
    if (!clock_watermark_ || w > *clock_watermark_) clock_watermark_ = w;
  }
  // From the next Flush on, the watermark never passes `ceiling` (the
  // server clock plus max_clock_skew); nullopt: no ceiling (file ingest).
  void SetWatermarkCeiling(std::optional<EpochMillis> ceiling) { watermark_ceiling_ = ceiling; }
  // The lowest watermark at which some open session (in memory or left
  // open by an earlier process) closes; nullopt when none is open. Costs a
  // pass over the open sessions.
  std::optional<EpochMillis> EarliestClose() const;

  const IngestStats& stats() const { return stats_; }
  const IngestState& state() const { return state_; }
  // Bytes held for open sessions: their state, ids and index (not the
  // shared event-id filter or interned strings, reported apart).
  size_t OpenSessionBytes() const { return open_.bytes(); }

 private:
  // An accepted event: `raw` is its text as received, or empty for a
  // logged event (then EventToJson(e) is kept if it is rejected).
  void Accept(const Event& e, const EventHashes& hashes, std::string_view raw, int64_t line);
  void AddRejection(Rejection r);
  void Reject(RejectReason reason, std::string message, const Event& e, std::string_view raw, int64_t line);
  void RejectConflict(const Event& e, std::string_view user, std::string_view content, std::string_view raw,
                      int64_t line);
  // Closes or writes the open sessions after a batch (SPEC 2.7).
  void CloseAndWrite(bool close_all);
  // Puts the ids of the sessions that stay open into the event-id filter.
  void RememberIds();

  DataStore* store_;
  const CatalogView* catalog_;
  Options options_;
  ClosePolicy policy_;
  std::string source_ = "-";
  Interner interner_;
  SeenFilter seen_;
  OpenSessions open_;
  SessionDirectory directory_;
  SlowPath slow_;
  BatchApplier applier_;
  BatchEvents batch_;
  CommitAssembler assembler_;
  std::vector<std::pair<uint32_t, uint64_t>> resolved_ids_;  // (slot, id hash) of recomputed sessions
  std::vector<Rejection> batch_rejections_;
  size_t buffered_ = 0;
  std::optional<EpochMillis> batch_max_ts_;
  std::optional<EpochMillis> clock_watermark_;    // AdvanceWatermark, until the next Flush
  std::optional<EpochMillis> watermark_ceiling_;  // SetWatermarkCeiling
  IngestState state_;
  IngestStats stats_;
};

}  // namespace ws
