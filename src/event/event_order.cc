#include "event/event_order.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <unordered_set>

namespace ws {
namespace {

// Sorts events without a ts offset before every offset (offsets are within ±18 h).
constexpr int kNoOffset = std::numeric_limits<int>::min();

}  // namespace

int CompareEventFull(const Event& a, const Event& b) {
  int c = CompareEventOrder(a, b);
  if (c != 0) return c;
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if ((c = cmp(a.from_position_ms, b.from_position_ms)) != 0) return c;
  if ((c = cmp(a.quality_height, b.quality_height)) != 0) return c;
  if ((c = cmp(a.autoplay, b.autoplay)) != 0) return c;
  if ((c = cmp(a.device_type, b.device_type)) != 0) return c;
  if ((c = cmp(a.content_length_ms, b.content_length_ms)) != 0) return c;
  if ((c = cmp(a.has_ts_offset ? a.ts_offset_minutes : kNoOffset,
               b.has_ts_offset ? b.ts_offset_minutes : kNoOffset)) != 0)
    return c;
  if ((c = cmp(std::string_view(a.country, 2), std::string_view(b.country, 2))) != 0) return c;
  if ((c = cmp(a.user_id, b.user_id)) != 0) return c;
  if ((c = cmp(a.content_id, b.content_id)) != 0) return c;
  if ((c = cmp(a.device_id, b.device_id)) != 0) return c;
  if ((c = cmp(a.platform, b.platform)) != 0) return c;
  if ((c = cmp(a.app_version, b.app_version)) != 0) return c;
  if ((c = cmp(a.tz, b.tz)) != 0) return c;
  return cmp(a.metadata, b.metadata);
}

void SortAndDeduplicate(std::vector<Event>* events) {
  std::sort(events->begin(), events->end(),
            [](const Event& a, const Event& b) { return CompareEventFull(a, b) < 0; });
  std::unordered_set<std::string_view> seen_ids;
  size_t out = 0;
  for (size_t i = 0; i < events->size(); ++i) {
    const Event& e = (*events)[i];
    bool duplicate;
    if (!e.event_id.empty()) {
      duplicate = !seen_ids.insert(e.event_id).second;
    } else {
      // Events without an id are identified by (session, type, ts, position):
      // copies are adjacent in SPEC 2.2 order and sort before id'd events.
      duplicate = out > 0 && SameEventIdentity((*events)[out - 1], e);
    }
    if (!duplicate) (*events)[out++] = e;
  }
  events->resize(out);
}

}  // namespace ws
