#include "session/open_sessions.h"

namespace ws {

uint32_t OpenSessions::Insert(uint64_t hash, std::string_view sid, uint32_t filter_layer) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  OpenSession& s = slots_[slot];
  s = OpenSession{};
  s.session_id.Assign(sid);
  s.live = true;
  s.first_layer = filter_layer;
  index_.Insert(hash, slot);
  return slot;
}

void OpenSessions::Erase(uint64_t hash, std::string_view sid) {
  uint32_t slot = Find(hash, sid);
  if (slot == kNone) return;
  index_.Erase(hash, slot);
  slots_[slot] = OpenSession{};
  free_.push_back(slot);
}

size_t OpenSessions::bytes() const {
  size_t n = slots_.size() * sizeof(OpenSession);
  for (const OpenSession& s : slots_) {
    n += s.session_id.heap_bytes();
    n += s.acc.heap_bytes();
  }
  return n + index_.bytes() + free_.capacity() * sizeof(uint32_t);
}

}  // namespace ws
