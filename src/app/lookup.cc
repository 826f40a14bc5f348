#include "app/lookup.h"

#include <algorithm>

#include "event/event_order.h"
#include "event/event_table.h"

namespace ws::app {
Result<std::optional<SessionLookup>> FindSession(const store::Snapshot& snap, const SessionKeys& keys,
                                                 const std::string& id, std::optional<DayNumber> day) {
  std::vector<int32_t> days;
  if (day) {
    days.push_back(day->v);
  } else {
    days = snap.Partitions(kSessionsTable);
    std::reverse(days.begin(), days.end());
  }
  std::optional<SessionLookup> out;
  for (int32_t d : days) {
    WS_RETURN_IF_ERROR(ForEachSession(snap, keys, DayNumber{d}, [&](const SessionRecord& r) -> Status {
      if (!out && r.session_id == id) out = SessionLookup{r, {}};
      return Status::Ok();
    }));
    if (out) break;
  }
  if (!out) return out;
  // Its events lie in the days from its start to its end (UTC).
  const SessionSet wanted({std::string_view(id)});
  std::vector<Event> events;
  StringArena arena;
  for (int32_t d = DayOf(out->session.start).v; d <= DayOf(out->session.end).v; ++d) {
    WS_RETURN_IF_ERROR(ReadEvents(
        snap, DayNumber{d},
        [&](const EventBlock& b) -> Status {
          for (const Event& e : b.events) {
            if (e.session_id == id) events.push_back(CopyEventTo(e, &arena));
          }
          return Status::Ok();
        },
        &wanted));
  }
  SortAndDeduplicate(&events);
  for (const Event& e : events) out->events.push_back(EventToJson(e));
  return out;
}

}  // namespace ws::app
