// SlowPath: the sessions of a batch whose events cannot simply be applied
// after the ones already applied — an event out of order with an earlier
// batch, a possible duplicate id, a session closed earlier or left open by
// an earlier process. At resolution each such session's stored events are
// read back, merged with the batch's, sorted (SPEC 2.2), deduplicated (SPEC
// 2.1) and the session recomputed from scratch, exactly as ComputeSession
// would.
//
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "session/batch_events.h"
#include "session/config.h"
#include "session/flat_index.h"
#include "session/ingest_state.h"
#include "session/ingest_stats.h"
#include "session/interner.h"
#include "session/open_sessions.h"
#include "store/store.h"
#include "util/arena.h"

namespace ws {

class SlowPath {
 public:
  struct Session {
    std::string_view session_id;  // in arena()
    uint64_t hash = 0;            // IdHash of session_id
    std::vector<Event> pending;   // the batch's events not yet applied
    std::string_view user_id;     // as first seen (in arena())
    std::string_view content_id;
    // Days that may hold its stored events (none: nothing stored yet).
    std::optional<DayNumber> first_day;
    std::optional<DayNumber> last_day;
    std::optional<DayNumber> written_day;  // the day its record is stored under
  };

  Session* Find(uint64_t hash, std::string_view sid);
  // Adds session `sid` (not yet on the slow path); counts a recomputation.
  Session& Add(uint64_t hash, std::string_view sid, IngestStats* stats);
  bool empty() const { return sessions_.empty(); }
  // Copies of strings that live until ClearArena.
  StringArena& arena() { return arena_; }

  struct Inputs {
    const store::Snapshot* snapshot = nullptr;  // the stored events
    const SessionConfig* config = nullptr;
    OpenSessions* open = nullptr;  // receives the recomputed sessions
    Interner* interner = nullptr;
    BatchEvents* batch = nullptr;  // this batch's stored events; gets the new ones found here
    uint32_t filter_layer = 0;
    IngestStats* stats = nullptr;
    IngestState* state = nullptr;
    // (slot, event-id hash) of every event of the recomputed sessions, for
    // the event-id filter.
    std::vector<std::pair<uint32_t, uint64_t>>* resolved_ids = nullptr;
  };
  // Recomputes every session on the slow path into inputs.open, then
  // forgets them (not the arena). Failure: a read error of the store.
  Status Resolve(const Inputs& in);
  void ClearArena() { arena_.Clear(); }

 private:
  std::vector<Session> sessions_;
  FlatIndex index_;  // session id hash -> sessions_ index
  StringArena arena_;
  std::vector<const Event*> seen_ids_;  // scratch of Resolve
};

}  // namespace ws
