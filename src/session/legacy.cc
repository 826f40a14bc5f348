#include "session/legacy.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "session/accumulator.h"
#include "session/session_table.h"

namespace ws {
namespace {

constexpr double kPercent = 100.0;

}  // namespace

SessionRecord LegacyToRecord(const LegacySession& l, const CatalogView& catalog,
                             const SessionConfig& config) {
  SessionRecord r;
  r.origin = SessionOrigin::kLegacy;
  r.session_id = l.session_id;
  r.user_id = l.user_id;
  r.content_id = l.content_id;
  r.date_key = l.watch_date;
  r.start = EpochMillis{static_cast<int64_t>(l.watch_date.v) * kMillisPerDay};
  r.end = EpochMillis{r.start.v + l.watch_ms};
  r.watch_ms = l.watch_ms;
  r.event_count = 0;
  r.device_type = l.device_type;
  r.max_quality = l.quality_height;
  r.state = PlayerState::kEnded;
  r.last_type = EventType::kStop;
  if (const ContentInfo* c = catalog.FindContent(l.content_id); c != nullptr && c->length_ms > 0) {
    r.content_length_ms = c->length_ms;
    r.playback_position_ms = static_cast<int64_t>(
        std::llround(l.completion_percentage / kPercent * static_cast<double>(c->length_ms)));
    r.max_position_ms = r.playback_position_ms;
    r.credits_start_ms = c->credits_start_ms >= 0
                             ? c->credits_start_ms
                             : static_cast<int64_t>(std::llround(static_cast<double>(c->length_ms) *
                                                                 config.credits_default_fraction));
    r.watched_credits = r.max_position_ms >= r.credits_start_ms;
  }
  if (const UserInfo* u = catalog.FindUser(l.user_id); u != nullptr) {
    r.country = u->country;
    r.tz = u->timezone;
  }
  LocalTime local =
      (!r.tz.empty() && IsKnownTimeZone(r.tz)) ? ToLocal(r.start, r.tz) : ToLocalFixed(r.start, 0);
  r.local_start_hour = local.hour;
  r.local_date = local.date;
  r.complete_seen = l.completion_percentage >= config.credits_default_fraction * kPercent;
  r.status = ClosingStatus(r, config);
  return r;
}

Status StoreLegacySessions(DataStore* store, const CatalogView& catalog, const SessionConfig& config,
                           const std::vector<LegacySession>& rows) {
  std::vector<SessionRecord> records;
  records.reserve(rows.size());
  for (const LegacySession& l : rows) records.push_back(LegacyToRecord(l, catalog, config));
  return CommitSessions(store, std::move(records));
}

}  // namespace ws
