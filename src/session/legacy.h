// Legacy sessions (SPEC 3.3): already-summarised sessions from an older
// system, stored as session facts with origin kLegacy beside the sessions
// built from events.
#pragma once

#include <vector>

#include "catalog/catalog.h"
#include "session/config.h"
#include "session/data_store.h"
#include "session/session.h"

namespace ws {

// The session fact for one legacy row. It starts at 00:00 UTC of its
// watch_date and lasts its watch duration; playback position is
// completion_percentage of the catalog length (unknown length: position 0
// and completion null). Status: completed at >= credits fraction, else
// bounced under bounce_seconds, else stopped.
SessionRecord LegacyToRecord(const LegacySession& l, const CatalogView& catalog, const SessionConfig& config);

// Upserts the rows into the session partitions of their days (a delta per
// day), in one commit. Loading the same rows again changes nothing.
Status StoreLegacySessions(DataStore* store, const CatalogView& catalog, const SessionConfig& config,
                           const std::vector<LegacySession>& rows);

}  // namespace ws
