// OpenSessions: the sessions the ingest engine holds in memory (open, i.e.
// not yet closed by the watermark), each with its accumulator, in slots
// found through an open-addressing index on the session id's hash.
//
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "session/accumulator.h"
#include "session/compact_id.h"
#include "session/flat_index.h"
#include "util/time.h"

namespace ws {

// Hashes of the raw text of the last events applied, newest first: an exact
// resend of one of them is a duplicate without the slow path.
inline constexpr int kRecentHashes = 1;

struct OpenSession {
  CompactId session_id;
  SessionAccumulator acc;
  uint64_t recent[kRecentHashes] = {};
  uint32_t first_layer = 0;              // oldest SeenFilter layer it uses
  std::optional<DayNumber> written_day;  // the day its record is stored under
  bool ids_in_filter = false;            // its ids may be in the SeenFilter
  bool dirty = false;                    // changed since last written
  bool live = false;                     // the slot holds a session (not free)
};

class OpenSessions {
 public:
  static constexpr uint32_t kNone = FlatIndex::kEmpty;

  // The slot of open session `sid` (hash = IdHash(sid)), or kNone.
  uint32_t Find(uint64_t hash, std::string_view sid) const {
    return index_.Find(hash, [&](uint32_t i) { return slots_[i].live && slots_[i].session_id.Equals(sid); });
  }
  // Creates open session `sid`, which must not be open, and returns its slot.
  uint32_t Insert(uint64_t hash, std::string_view sid, uint32_t filter_layer);
  // Closes open session `sid` if it is open; its slot is reused.
  void Erase(uint64_t hash, std::string_view sid);
  OpenSession& at(uint32_t slot) { return slots_[slot]; }
  const OpenSession& at(uint32_t slot) const { return slots_[slot]; }
  // Number of slots (open or free): slots are 0..slot_count()-1.
  size_t slot_count() const { return slots_.size(); }
  size_t size() const { return index_.size(); }
  // Calls fn(slot) for every open session, in no fixed order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    index_.ForEach(fn);
  }
  // Bytes held: slots, ids, accumulators' heap, index, free list.
  size_t bytes() const;

 private:
  std::deque<OpenSession> slots_;
  std::vector<uint32_t> free_;
  FlatIndex index_;  // session id hash -> slot; keys view OpenSession::session_id
};

}  // namespace ws
