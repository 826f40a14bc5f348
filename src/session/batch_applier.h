// BatchApplier: the ingest fast path. It buffers the events of the open
// sessions as they arrive, then, per batch, groups them by session, orders
// each group (SPEC 2.2) and applies an event to its session's accumulator
// when it sorts strictly after the last one applied and its id is certainly
// new. Exact resends of the last event are dropped as duplicates; anything
// else (disorder with an earlier batch, an id that may be known, one id with
// two contents) hands the session to the slow path.
//
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "event/event.h"
#include "session/batch_events.h"
#include "session/config.h"
#include "session/ingest_state.h"
#include "session/ingest_stats.h"
#include "session/interner.h"
#include "session/open_sessions.h"
#include "session/seen_filter.h"
#include "session/slow_path.h"

namespace ws {

class BatchApplier {
 public:
  // An accepted event of open session `slot`, applied at Apply().
  // `raw_hash` identifies its exact content (a hash of its text as received,
  // or EventContentHash): an exact resend of the last event applied is a
  // duplicate. `id_hash` is EventIdHash(session hash, event_id), 0 without
  // an id.
  void Arrive(uint32_t slot, const Event& e, uint64_t raw_hash, uint64_t id_hash, size_t capacity_hint) {
    if (arrivals_.capacity() == 0) arrivals_.reserve(capacity_hint);
    arrivals_.push_back(Arrival{e, raw_hash, id_hash, slot});
  }

  struct Context {
    OpenSessions* open = nullptr;
    const SeenFilter* seen = nullptr;
    SlowPath* slow = nullptr;
    BatchEvents* batch = nullptr;  // receives the events applied
    Interner* interner = nullptr;
    const SessionConfig* config = nullptr;
    IngestStats* stats = nullptr;
    IngestState* state = nullptr;
  };
  // Applies the arrivals (see above). The arrivals stay until Clear(): the
  // batch's stored events point into them.
  void Apply(const Context& c);
  void Clear() { arrivals_.clear(); }
  size_t size() const { return arrivals_.size(); }

 private:
  struct Arrival {
    Event e;
    uint64_t raw_hash;  // of the event's text as received
    uint64_t id_hash;   // EventIdHash (0 without id)
    uint32_t slot;      // its session in OpenSessions
  };
  // True when two arrivals in [first, last) carry one event id with
  // different contents.
  bool GroupHasIdTwice(std::vector<uint32_t>::const_iterator first,
                       std::vector<uint32_t>::const_iterator last);

  std::vector<Arrival> arrivals_;
  std::vector<std::pair<uint64_t, uint64_t>> group_ids_;                // (id hash, raw hash) scratch
  std::vector<uint32_t> scratch_start_, scratch_order_, scratch_next_;  // grouping scratch
};

}  // namespace ws
