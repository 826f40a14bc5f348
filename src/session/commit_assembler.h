// CommitAssembler: turns one ingest batch into one store commit — an events
// file per UTC day of the batch's new events, a sessions delta per day with
// the sessions that changed (and tombstones for sessions whose start moved
// to another day), the quarantine file, and the ingest state.
//
// Thread safety: one thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "event/parser.h"
#include "session/batch_events.h"
#include "session/ingest_state.h"
#include "session/session.h"
#include "store/store.h"

namespace ws {

class CommitAssembler {
 public:
  // Events files of different days are encoded on up to `encode_threads`
  // threads (the calling one included).
  explicit CommitAssembler(size_t encode_threads = 1) : encode_threads_(encode_threads) {}

  // A session's new version (its keys assigned), stored under its date_key.
  void Upsert(SessionRecord r);
  // Session `session_id` no longer belongs to `day`.
  void Remove(DayNumber day, std::string session_id);
  void AddRejections(std::vector<Rejection> rejections);
  size_t sessions() const { return upserts_; }

  // Encodes everything (plus `events`) as one commit request.
  // Failure: kInvalidArgument from an encoder (a value it cannot store).
  Result<store::CommitRequest> Build(const store::Store& store, const BatchEvents& events,
                                     const IngestState& state);
  // Forgets everything added (keeps buffers for the next batch).
  void Clear();

 private:
  struct Day {
    std::vector<SessionRecord> upserts;
    std::vector<std::string> removes;
  };
  size_t encode_threads_;
  std::map<DayNumber, Day> days_;
  size_t upserts_ = 0;
  std::vector<Rejection> rejections_;
  std::map<DayNumber, std::vector<const Event*>> events_by_day_;
  std::vector<std::vector<const Event*>> spare_;  // emptied per-day lists, for reuse
};

}  // namespace ws
