// Looking up one session with its events (GET /v1/sessions/{id}).
//
// Thread safety: reads a snapshot only; many may run at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "session/session.h"
#include "session/session_table.h"
#include "store/store.h"
#include "util/status.h"

namespace ws::app {

struct SessionLookup {
  SessionRecord session;
  std::vector<std::string> events;  // EventToJson of each stored event, SPEC 2.2 order, copies removed
};

// The session `id` as stored in `snap`, and its events. With `day` (the
// UTC date of its start), only that day is read; without, days are read
// newest first until the session is found. nullopt when there is none.
// Failure: store damage (kCorruption naming the file).
Result<std::optional<SessionLookup>> FindSession(const store::Snapshot& snap, const SessionKeys& keys,
                                                 const std::string& id, std::optional<DayNumber> day);

}  // namespace ws::app
