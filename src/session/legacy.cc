#include "session/legacy.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "session/accumulator.h"

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

Status StoreLegacySessions(Store* store, const CatalogView& catalog, const SessionConfig& config,
                           const std::vector<LegacySession>& rows) {
  std::map<int32_t, std::unordered_map<std::string, SessionRecord>> by_day;
  for (const LegacySession& l : rows) {
    SessionRecord r = LegacyToRecord(l, catalog, config);
    by_day[r.date_key.v][r.session_id] = std::move(r);
  }
  std::set<int32_t> existing;
  for (DayNumber d : store->SessionDays()) existing.insert(d.v);
  CommitBatch batch;
  batch.new_state = store->state();
  for (auto& entry : by_day) {
    const int32_t day = entry.first;
    auto& fresh = entry.second;
    std::vector<SessionRecord> merged;
    if (existing.count(day)) {
      WS_RETURN_IF_ERROR(store->ReadSessions(DayNumber{day}, &merged));
      merged.erase(std::remove_if(merged.begin(), merged.end(),
                                  [&](const SessionRecord& r) { return fresh.count(r.session_id) > 0; }),
                   merged.end());
    }
    for (auto& [id, r] : fresh) merged.push_back(std::move(r));
    std::sort(merged.begin(), merged.end(),
              [](const SessionRecord& a, const SessionRecord& b) { return a.session_id < b.session_id; });
    batch.sessions[DayNumber{day}] = std::move(merged);
  }
  return store->Commit(batch);
}

}  // namespace ws
