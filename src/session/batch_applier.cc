#include "session/batch_applier.h"

#include <algorithm>

#include "session/accumulator.h"

namespace ws {
namespace {

constexpr size_t kCacheLine = 64;
constexpr size_t kMinIdSet = 64;

// SPEC 2.2 order of `e` against the last event the accumulator applied,
// on (ts, type, position) only: 0 means "cannot tell without the event id".
int CompareWithLast(const Event& e, const SessionAccumulator& acc) {
  if (e.ts.v != acc.last_ts().v) return e.ts.v < acc.last_ts().v ? -1 : 1;
  if (e.type != acc.last_type()) return e.type < acc.last_type() ? -1 : 1;
  if (e.position_ms != acc.last_position_field()) return e.position_ms < acc.last_position_field() ? -1 : 1;
  return 0;
}

// A power of two at least twice `ids`.
size_t IdSetCapacity(size_t ids) {
  size_t cap = kMinIdSet;
  while (cap < 2 * ids) cap *= 2;
  return cap;
}

}  // namespace

bool BatchApplier::GroupHasIdTwice(std::vector<uint32_t>::const_iterator first,
                                   std::vector<uint32_t>::const_iterator last) {
  // An open-addressing set of (id hash, raw hash) sized for the group: an id
  // met again with other contents answers true. Exact resends (same raw
  // hash) are not "twice": they are dropped as duplicates.
  const size_t cap = IdSetCapacity(static_cast<size_t>(last - first));
  group_ids_.assign(cap, {0, 0});
  const size_t mask = cap - 1;
  for (auto it = first; it != last; ++it) {
    const Arrival& a = arrivals_[*it];
    if (a.e.event_id.empty()) continue;
    // 0 marks an empty slot; an id hash of 0 is moved to 1 (only a cost).
    const uint64_t key = a.id_hash == 0 ? 1 : a.id_hash;
    for (size_t i = key & mask;; i = (i + 1) & mask) {
      if (group_ids_[i].first == 0) {
        group_ids_[i] = {key, a.raw_hash};
        break;
      }
      if (group_ids_[i].first == key) {
        if (group_ids_[i].second != a.raw_hash) return true;
        break;
      }
    }
  }
  return false;
}

void BatchApplier::Apply(const Context& c) {
  // Group the batch by session (a counting sort on slots keeps arrival order
  // within a session), then sort the groups that arrived out of order.
  std::vector<uint32_t>& start = scratch_start_;
  start.assign(c.open->slot_count() + 1, 0);
  for (const Arrival& a : arrivals_) ++start[a.slot + 1];
  for (size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
  std::vector<uint32_t>& order = scratch_order_;
  order.resize(arrivals_.size());
  {
    std::vector<uint32_t>& next = scratch_next_;
    next.assign(start.begin(), start.end() - 1);
    for (uint32_t i = 0; i < arrivals_.size(); ++i) order[next[arrivals_[i].slot]++] = i;
  }
  auto before = [&](uint32_t x, uint32_t y) {
    int cmp = CompareEventFull(arrivals_[x].e, arrivals_[y].e);
    return cmp != 0 ? cmp < 0 : x < y;
  };
  for (uint32_t slot = 0; slot + 1 < start.size(); ++slot) {
    auto first = order.begin() + start[slot], last = order.begin() + start[slot + 1];
    if (first == last) continue;
    // A group's arrivals are scattered over the batch: ask for all of them
    // at once so that their cache misses overlap.
    for (auto it = first; it != last; ++it) {
      const char* p = reinterpret_cast<const char*>(&arrivals_[*it]);
      for (size_t off = 0; off < sizeof(Arrival); off += kCacheLine) __builtin_prefetch(p + off);
    }
    if (!std::is_sorted(first, last, before)) std::sort(first, last, before);
    OpenSession& s = c.open->at(slot);
    const std::string sid = s.session_id.str();
    const uint64_t sid_hash = IdHash(sid);
    // Two events of the group with one id but different contents: only the
    // slow path's exact deduplication can choose between them.
    const bool id_twice = last - first > 1 && GroupHasIdTwice(first, last);
    // Ids of earlier batches are in the filter only for sessions open before
    // this batch; a session born in this batch needs no look-up.
    const bool check_filter = s.ids_in_filter;
    // Hands the session, with its arrivals from `from` on, to the slow path.
    auto to_slow_path = [&](std::vector<uint32_t>::iterator from) {
      SlowPath::Session& slow = c.slow->Add(sid_hash, sid, c.stats);
      if (s.acc.event_count() > 0) {
        slow.first_day = DayOf(s.acc.start());
        slow.last_day = DayOf(s.acc.last_ts());
      }
      slow.written_day = s.written_day;
      slow.user_id = c.slow->arena().Copy(c.interner->Get(s.acc.user()));
      slow.content_id = c.slow->arena().Copy(c.interner->Get(s.acc.content()));
      for (auto rest = from; rest != last; ++rest) slow.pending.push_back(arrivals_[*rest].e);
      c.open->Erase(sid_hash, slow.session_id);
    };
    auto apply = [&](const Arrival& a) {
      s.acc.Apply(a.e, *c.config, c.interner);
      for (int i = kRecentHashes - 1; i > 0; --i) s.recent[i] = s.recent[i - 1];
      s.recent[0] = a.raw_hash;
      s.dirty = true;
      c.batch->Add(&a.e, sid_hash, slot, a.id_hash);
      ++c.stats->stored;
    };
    for (auto it = first; it != last; ++it) {
      const Arrival& a = arrivals_[*it];
      const Event& e = a.e;
      auto maybe_known = [&] {
        return !e.event_id.empty() && check_filter && c.seen->MaybeContains(a.id_hash);
      };
      if (s.acc.event_count() > 0) {
        int cmp = CompareWithLast(e, s.acc);
        if (cmp <= 0) {
          if (std::find(std::begin(s.recent), std::end(s.recent), a.raw_hash) != std::end(s.recent)) {
            // Byte-identical to an event just applied: the same event (SPEC 2.1).
            ++c.stats->duplicates;
            ++c.state->events_duplicate;
            continue;
          }
        } else if (!id_twice && !maybe_known()) {
          apply(a);
          continue;
        }
        // Out of order with an earlier batch, or an id that may be known:
        // recompute the session from everything (slow path).
        to_slow_path(it);
        break;
      }
      if (id_twice || maybe_known()) {
        to_slow_path(it);
        break;
      }
      apply(a);
    }
  }
}

}  // namespace ws
