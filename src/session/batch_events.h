// BatchEvents: the new events of one ingest batch that go to the store,
// each with what the commit and the event-id filter need to know of it.
// (One record per event, instead of parallel vectors kept in step.)
//
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "event/event.h"
#include "util/time.h"

namespace ws {

struct StoredEvent {
  const Event* event = nullptr;  // in the batch's arrivals, or in BatchEvents' own copies
  DayNumber day;                 // UTC day of its ts: the partition it is stored in
  uint64_t session_hash = 0;     // IdHash of its session id
  uint32_t slot = 0;             // its session's slot in OpenSessions
  uint64_t id_hash = 0;          // EventIdHash (0 without an event id)
};

class BatchEvents {
 public:
  // Adds an event that lives elsewhere until Clear().
  void Add(const Event* e, uint64_t session_hash, uint32_t slot, uint64_t id_hash) {
    items_.push_back(StoredEvent{e, DayOf(e->ts), session_hash, slot, id_hash});
  }
  // Adds a copy of `e` kept here (its strings must live until Clear()).
  void AddCopy(const Event& e, uint64_t session_hash, uint32_t slot, uint64_t id_hash) {
    copies_.push_back(e);
    Add(&copies_.back(), session_hash, slot, id_hash);
  }
  const std::vector<StoredEvent>& items() const { return items_; }
  size_t size() const { return items_.size(); }
  void Clear() {
    items_.clear();
    copies_.clear();
  }

 private:
  std::vector<StoredEvent> items_;
  std::deque<Event> copies_;  // deque: pointers stay valid as it grows
};

}  // namespace ws
