// The embedded store (SPEC 6): everything under one data directory.
//
// Layout (see docs/storage-format.md for bytes):
//   DIR/LOCK                               advisory lock, one writer process
//   DIR/MANIFEST-<n>  + DIR/CURRENT         the live file set and store state
//   DIR/events/<YYYY-MM-DD>/<n>.wse         event segments (columnar, zstd)
//   DIR/sessions/<YYYY-MM-DD>/<n>.wss       session segment (one per day)
//   DIR/quarantine/<n>.wsq                  rejected events
//
// Commit protocol: every new file is written to a temporary name, fsynced,
// renamed, and its directory fsynced; then a new manifest is written the
// same way and CURRENT is switched atomically. The manifest is the commit
// point: files it does not name are leftovers of an interrupted commit and
// are deleted by Open(). Every file starts with magic bytes and a version and
// carries checksums; a file that fails them yields a kCorruption Status that
// names the file, and is never read as data.
//
// Thread safety: a Store is used by one thread at a time. Open() takes an
// exclusive lock on DIR so that two processes never write one store.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "event/event.h"
#include "event/parser.h"
#include "session/session.h"
#include "util/arena.h"
#include "util/status.h"
#include "util/time.h"

namespace ws {

// Events decoded from one segment; `events` point into `arena`.
struct EventBlock {
  StringArena arena;
  std::vector<Event> events;
};

// Store-wide state carried in the manifest.
struct StoreState {
  EpochMillis watermark{INT64_MIN};                    // highest ts of any accepted event
  uint64_t events_accepted = 0;                        // events stored (after deduplication)
  uint64_t events_duplicate = 0;                       // duplicates dropped
  std::map<std::string, uint64_t> rejected_by_reason;  // reason code -> count
  std::map<std::string, uint64_t> warnings_by_reason;  // warning code -> count
};

// One atomic change to the store.
struct CommitBatch {
  // New events, grouped by UTC day of their ts. The store sorts each day's
  // events by (session_id, SPEC 2.2 order) before writing. Strings must stay
  // valid until Commit returns.
  std::map<DayNumber, std::vector<Event>> events;
  // The same, by pointer, for writers that hold their events elsewhere (no
  // copy). A day may appear in both maps; each non-empty list becomes one
  // segment. Pointed-to events must stay valid until Commit returns.
  std::map<DayNumber, std::vector<const Event*>> event_refs;
  // Full replacement of the session records of each listed day (an empty
  // vector deletes the day's sessions).
  std::map<DayNumber, std::vector<SessionRecord>> sessions;
  std::vector<Rejection> rejections;
  StoreState new_state;
};

class Store {
 public:
  struct Options {
    bool create_if_missing = true;
    bool read_only = false;  // no lock, no cleanup; for concurrent readers
  };

  // Opens (creating if allowed) the store in `dir`: takes the lock, loads
  // and verifies the manifest, deletes leftover temporary and unreferenced
  // files. Fails with a sentence naming the directory or file at fault.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, Options options);
  virtual ~Store() = default;

  virtual const std::string& dir() const = 0;
  virtual const StoreState& state() const = 0;

  virtual std::vector<DayNumber> EventDays() const = 0;
  virtual std::vector<DayNumber> SessionDays() const = 0;

  // Decodes every event segment of `day`, calling `fn` once per segment.
  // Within a block, events are sorted by (session_id, SPEC 2.2 order).
  // With `wanted`, only the events of sessions for which wanted(session_id)
  // is true are decoded and delivered (a segment holding none of them is
  // skipped after reading its session ids).
  using SessionPredicate = std::function<bool(std::string_view session_id)>;
  virtual Status ReadEvents(DayNumber day, const std::function<Status(const EventBlock&)>& fn,
                            const SessionPredicate& wanted = {}) const = 0;

  // Decodes the session records of `day` (sorted by session_id).
  virtual Status ReadSessions(DayNumber day, std::vector<SessionRecord>* out) const = 0;

  // Calls `fn` for every quarantined event, oldest first.
  virtual Status ReadRejections(const std::function<Status(const Rejection&)>& fn) const = 0;

  // Applies `batch` atomically: after a crash at any point, Open() sees either
  // all of it or none of it. Durable when it returns OK.
  virtual Status Commit(CommitBatch& batch) = 0;

  // Bytes of all live files per kind ("events", "sessions", "quarantine", "manifest").
  virtual std::map<std::string, uint64_t> DiskUsage() const = 0;
};

}  // namespace ws
