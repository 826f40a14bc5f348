// Ingestor: turns accepted events into sessions and commits them, with the
// events and the rejections, to the store (SPEC 2, 6).
//
// Data flow: the parser calls OnEvent/OnReject/OnWarning; the caller calls
// Flush() whenever ShouldFlush() is true and once at the end. Each Flush is
// one atomic store commit, after which everything it covered is durable.
//
// Per event, the fast path applies it to the session's in-memory
// accumulator when it sorts strictly after the session's last event and its
// id is certainly new (SeenFilter). Anything else (an out-of-order event, a
// possible duplicate, an event for a session closed earlier or left open by
// an earlier process) sends the session to the slow path: at Flush, all its
// stored events are read back, merged with the new ones, deduplicated and
// the session recomputed from scratch. Both paths give the measures of
// ComputeSession over the deduplicated set, so results do not depend on
// arrival order, batching or restarts.
//
// Closing (SPEC 2.7) and lateness checks use the watermark as of the start
// of the current batch, so the outcome of one batch never depends on the
// order of events inside it.
//
// Thread safety: one thread. The Store and CatalogView must outlive it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "event/parser.h"
#include "session/accumulator.h"
#include "session/compact_id.h"
#include "session/config.h"
#include "session/flat_index.h"
#include "session/interner.h"
#include "session/seen_filter.h"
#include "store/v1/store.h"

namespace ws {

struct IngestStats {
  uint64_t received = 0;    // events offered (accepted + duplicate + rejected)
  uint64_t stored = 0;      // new events stored
  uint64_t duplicates = 0;  // events already known (SPEC 2.1)
  uint64_t rejected = 0;
  uint64_t warnings = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  std::map<std::string, uint64_t> warnings_by_reason;
  uint64_t sessions_closed = 0;
  uint64_t sessions_recomputed = 0;  // slow-path recomputations
  uint64_t commits = 0;
  size_t open_sessions = 0;
  size_t peak_open_sessions = 0;
  // Memory for open sessions, measured at each commit before closing (when
  // the most sessions are open): at the commit with the most open sessions.
  size_t measured_open_sessions = 0;
  size_t measured_open_bytes = 0;      // OpenSessionBytes()
  size_t measured_filter_bytes = 0;    // the SeenFilter of event ids
  size_t measured_filter_ids = 0;      // event ids it holds
  size_t measured_interner_bytes = 0;  // shared interned strings (users, content, devices...)
};

class Ingestor : public EventSink {
 public:
  struct Options {
    SessionConfig config;
    size_t batch_events = 1'000'000;  // Flush after this many buffered events
  };

  // Loads the session directory (recent sessions, for late events and
  // session conflicts) from `store`. Fails if the store cannot be read.
  static Result<std::unique_ptr<Ingestor>> Create(Store* store, const CatalogView* catalog, Options options);

  // Only Create can make the tag, so only Create constructs (via make_unique).
  class PrivateTag {
    friend class Ingestor;
    PrivateTag() = default;
  };
  Ingestor(PrivateTag tag, Store* store, const CatalogView* catalog, Options options);

  void OnEvent(const Event& e, std::string_view raw, int64_t line) override;
  void OnReject(Rejection r) override;
  void OnWarning(WarningReason reason, int64_t line) override;

  // Names the input the next events come from (kept with rejections).
  void SetSource(std::string source) { source_ = std::move(source); }

  bool ShouldFlush() const { return buffered_ >= options_.batch_events; }

  // Resolves slow-path sessions, closes sessions the watermark has passed
  // (all open sessions when close_all), and commits. On failure nothing of
  // the batch is stored and the Ingestor must not be used further.
  Status Flush(bool close_all);

  const IngestStats& stats() const { return stats_; }
  // Bytes held for open sessions: their state, ids and index (not the
  // shared event-id filter or interned strings, reported apart).
  size_t OpenSessionBytes() const;

 private:
  // Hashes of the raw text of the last events applied, newest first: an
  // exact resend of one of them is a duplicate without the slow path.
  static constexpr int kRecentHashes = 1;

  struct OpenSession {
    CompactId session_id;
    SessionAccumulator acc;
    uint64_t recent[kRecentHashes] = {};
    uint32_t first_layer = 0;         // oldest SeenFilter layer it uses
    int32_t written_day = INT32_MIN;  // day its record is stored under
    bool ids_in_filter = false;       // its ids may be in the SeenFilter
    bool dirty = false;               // changed since last written
    bool live = false;                // the slot holds a session (not free)
  };
  // Where a session not in memory stands (SPEC 2.7 closing and lateness).
  struct DirEntry {
    int64_t end_ms = 0;
    uint64_t user_hash = 0;
    uint64_t content_hash = 0;
    int32_t date_key = 0;
    int32_t last_day = 0;
    SessionStatus status = SessionStatus::kInProgress;
    bool ends_with_stop = false;  // last event is stop or complete
  };
  struct SlowSession {
    std::string_view session_id;  // in the batch arena
    uint64_t hash = 0;            // of session_id
    std::vector<Event> pending;   // new events, views in the parser arena
    std::string_view user_id;     // expected (first seen)
    std::string_view content_id;
    int32_t first_day = INT32_MAX;  // days that may hold stored events
    int32_t last_day = INT32_MIN;
    int32_t written_day = INT32_MIN;
  };

  static DirEntry DirEntryOf(const SessionRecord& r);
  Status LoadDirectory();
  void AddRejection(Rejection r);
  void Reject(RejectReason reason, std::string message, std::string_view raw, int64_t line);
  bool IsTooLate(int64_t end_ms, bool ends_with_stop) const;
  int64_t CloseAfterMs(EventType last_type) const;
  // The open_slots_ index of the open session `sid`, or FlatIndex::kEmpty.
  uint32_t FindOpenSlot(uint64_t hash, std::string_view sid) const;
  void EraseOpen(uint64_t hash, std::string_view sid);
  // Creates the open session `sid` (not present) and returns its slot.
  uint32_t InsertOpen(uint64_t hash, std::string_view sid);
  // An accepted event of an open session, applied at Flush.
  struct Arrival {
    Event e;
    uint64_t raw_hash;  // of the event's text as received
    uint64_t id_hash;   // EventIdHash (0 without id)
    uint32_t slot;      // its session in open_slots_
  };
  void Arrive(uint32_t slot, uint64_t sid_hash, const Event& e, std::string_view raw);
  void ApplyArrivals();
  // True when two arrivals in [first, last) (indexes into arrivals_) carry
  // one event id with different contents.
  static constexpr size_t kMinIdSet = 64;
  // A power of two at least twice `ids`, for the per-session id sets.
  static size_t GroupIdSetCapacity(size_t ids);
  bool GroupHasIdTwice(std::vector<uint32_t>::const_iterator first,
                       std::vector<uint32_t>::const_iterator last);
  void ApplyFast(OpenSession& s, uint32_t slot, const Event& e, uint64_t sid_hash, const Arrival& a);
  SlowSession* FindSlow(uint64_t hash, std::string_view sid);
  SlowSession& MakeSlow(uint64_t hash, std::string_view sid);
  Status ResolveSlowSessions();

  Store* store_;
  const CatalogView* catalog_;
  Options options_;
  std::string source_ = "-";
  Interner interner_;
  SeenFilter seen_;
  // Open sessions in memory; the index keys view OpenSession::session_id.
  std::deque<OpenSession> open_slots_;
  std::vector<uint32_t> free_slots_;
  FlatIndex open_index_;                              // session id hash -> open_slots_ index
  std::unordered_map<uint64_t, DirEntry> directory_;  // by session id hash
  FlatIndex slow_index_;                              // session id hash -> slow_ index
  std::vector<SlowSession> slow_;
  StringArena batch_arena_;        // batch-lifetime copies (slow session keys, read-back events)
  std::vector<Arrival> arrivals_;  // this batch's events for open sessions
  // New events to store: pointers into arrivals_ (kept until the commit) or
  // extra_events_ (events the slow path found new); views into the parser or
  // batch arena.
  std::vector<const Event*> store_events_;
  std::deque<Event> extra_events_;
  std::vector<int32_t> store_days_;        // UTC day (DayNumber) of each of store_events_
  std::vector<uint64_t> store_hashes_;     // session id hash of each of store_events_
  std::vector<uint32_t> store_slots_;      // open_slots_ index of each of store_events_
  std::vector<const Event*> seen_ids_;     // scratch id set of ResolveSlowSessions
  std::vector<uint64_t> store_id_hashes_;  // EventIdHash of each of store_events_ (0 without id)
  std::vector<std::pair<uint32_t, uint64_t>> resolved_ids_;  // (slot, id hash) of recomputed sessions
  std::vector<std::pair<uint64_t, uint64_t>> group_ids_;     // (id hash, raw hash) scratch for ApplyArrivals
  std::vector<uint32_t> scratch_start_, scratch_order_, scratch_next_;  // ApplyArrivals grouping
  std::vector<std::vector<const Event*>> day_buffers_;  // emptied per-day commit lists, for reuse
  std::vector<Rejection> batch_rejections_;
  size_t buffered_ = 0;
  int64_t batch_max_ts_ = INT64_MIN;
  StoreState state_;
  IngestStats stats_;
};

}  // namespace ws
