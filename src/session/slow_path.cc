#include "session/slow_path.h"

#include <algorithm>
#include <set>

#include "event/event_table.h"
#include "session/accumulator.h"

namespace ws {
namespace {

constexpr size_t kMinIdSet = 64;

// Where an event of a slow session comes from; earlier origins win ties so
// that a copy already stored is the one kept.
enum class Origin : uint8_t { kStored = 0, kThisBatch = 1, kPending = 2 };

struct Tagged {
  Event e;
  Origin origin;
};

// A power of two at least twice `n`.
size_t IdSetCapacity(size_t n) {
  size_t cap = kMinIdSet;
  while (cap < 2 * n) cap *= 2;
  return cap;
}

}  // namespace

SlowPath::Session* SlowPath::Find(uint64_t hash, std::string_view sid) {
  if (sessions_.empty()) return nullptr;
  uint32_t i = index_.Find(hash, [&](uint32_t k) { return sessions_[k].session_id == sid; });
  return i == FlatIndex::kEmpty ? nullptr : &sessions_[i];
}

SlowPath::Session& SlowPath::Add(uint64_t hash, std::string_view sid, IngestStats* stats) {
  ++stats->sessions_recomputed;
  index_.Insert(hash, static_cast<uint32_t>(sessions_.size()));
  sessions_.emplace_back();
  Session& s = sessions_.back();
  s.session_id = arena_.Copy(sid);
  s.hash = hash;
  return s;
}

Status SlowPath::Resolve(const Inputs& in) {
  if (sessions_.empty()) return Status::Ok();
  auto index_of = [&](uint64_t hash, std::string_view sid) {
    return index_.Find(hash, [&](uint32_t k) { return sessions_[k].session_id == sid; });
  };
  std::vector<std::vector<Tagged>> all(sessions_.size());
  std::set<DayNumber> days;
  std::vector<std::string_view> ids;
  for (size_t i = 0; i < sessions_.size(); ++i) {
    const Session& s = sessions_[i];
    ids.push_back(s.session_id);
    if (s.first_day && s.last_day) {
      for (DayNumber d = *s.first_day; d <= *s.last_day; d.v += 1) days.insert(d);
    }
    for (const Event& e : s.pending) all[i].push_back({e, Origin::kPending});
  }
  for (const StoredEvent& se : in.batch->items()) {
    uint32_t k = index_of(se.session_hash, se.event->session_id);
    if (k != FlatIndex::kEmpty) all[k].push_back({*se.event, Origin::kThisBatch});
  }
  const SessionSet wanted(std::move(ids));
  for (DayNumber day : days) {
    WS_RETURN_IF_ERROR(ReadEvents(
        *in.snapshot, day,
        [&](const EventBlock& block) -> Status {
          std::string_view last_sid;
          uint32_t last_k = FlatIndex::kEmpty;
          for (const Event& e : block.events) {
            // Files are sorted by session: look each session up once.
            if (e.session_id != last_sid || last_k == FlatIndex::kEmpty) {
              last_sid = e.session_id;
              last_k = index_of(IdHash(e.session_id), e.session_id);
            }
            if (last_k == FlatIndex::kEmpty) {
              return Status::Internal("the store delivered events of a session that was not asked for");
            }
            all[last_k].push_back({CopyEventTo(e, &arena_), Origin::kStored});
          }
          return Status::Ok();
        },
        &wanted));
  }
  for (size_t i = 0; i < sessions_.size(); ++i) {
    const Session& s = sessions_[i];
    std::vector<Tagged>& v = all[i];
    std::sort(v.begin(), v.end(), [](const Tagged& a, const Tagged& b) {
      int c = CompareEventFull(a.e, b.e);
      return c != 0 ? c < 0 : a.origin < b.origin;
    });
    const uint32_t slot = in.open->Insert(s.hash, s.session_id, in.filter_layer);
    OpenSession& o = in.open->at(slot);
    o.written_day = s.written_day;
    o.dirty = true;
    // Ids seen so far in this session: open addressing on the id hash,
    // confirmed by comparing the ids themselves.
    const size_t cap = IdSetCapacity(v.size());
    seen_ids_.assign(cap, nullptr);
    auto first_sighting = [&](const Event& e) {
      const uint64_t h = EventIdHash(s.hash, e.event_id);
      for (size_t j = h & (cap - 1);; j = (j + 1) & (cap - 1)) {
        if (seen_ids_[j] == nullptr) {
          seen_ids_[j] = &e;
          return true;
        }
        if (seen_ids_[j]->event_id == e.event_id) return false;
      }
    };
    std::vector<const Event*> kept;
    const Event* prev = nullptr;
    for (const Tagged& t : v) {
      const bool duplicate =
          !t.e.event_id.empty() ? !first_sighting(t.e) : (prev != nullptr && SameEventIdentity(*prev, t.e));
      if (!duplicate) {
        kept.push_back(&t.e);
        prev = &t.e;
        if (t.origin == Origin::kPending) {
          in.batch->AddCopy(t.e, s.hash, slot, t.e.event_id.empty() ? 0 : EventIdHash(s.hash, t.e.event_id));
          ++in.stats->stored;
        }
      } else if (t.origin == Origin::kPending) {
        ++in.stats->duplicates;
        ++in.state->events_duplicate;
      }
    }
    for (const Event* e : kept) {
      o.acc.Apply(*e, *in.config, in.interner);
      if (!e->event_id.empty()) in.resolved_ids->emplace_back(slot, EventIdHash(s.hash, e->event_id));
    }
  }
  sessions_.clear();
  index_.Clear();
  return Status::Ok();
}

}  // namespace ws
