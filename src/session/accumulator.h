// SessionAccumulator: the player state machine and time accounting of
// SPEC 2.3-2.5, applied one event at a time.
//
// Requires: events are applied in SPEC 2.2 order and already deduplicated
// (SPEC 2.1); the caller guarantees both (the ingest fast path only applies
// an event that sorts strictly after the last one, and the slow path
// recomputes from the full, sorted, deduplicated set). Under that
// requirement the measures are a pure function of the event set.
//
// Memory: the state is a fixed-size struct plus the coverage intervals
// (usually one or two); strings are interned.
// Thread safety: none; one accumulator per session, one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "catalog/catalog.h"
#include "event/event.h"
#include "event/event_order.h"
#include "session/config.h"
#include "session/interner.h"
#include "session/interval_set.h"
#include "session/session.h"

namespace ws {

class SessionAccumulator {
 public:
  // Sets the session's user and content before any event is applied (the
  // ingest engine checks conflicts against them as events arrive).
  void SetIds(uint32_t user, uint32_t content) {
    user_ = user;
    content_ = content;
  }

  // Applies `e`, which must sort after every event applied so far.
  void Apply(const Event& e, const SessionConfig& config, Interner* interner);

  // The session's measures so far. `closed` selects the closing status of
  // SPEC 2.7 instead of kInProgress. `catalog` may be null.
  SessionRecord Finalize(std::string_view session_id, bool closed, const SessionConfig& config,
                         const Interner& interner, const CatalogView* catalog) const;

  int32_t event_count() const { return event_count_; }
  EpochMillis start() const { return EpochMillis{start_ms_}; }
  EpochMillis last_ts() const { return EpochMillis{last_ts_ms_}; }
  EventType last_type() const { return last_type_; }
  // The last event's own `position` field (kAbsent if it had none).
  int64_t last_position_field() const { return last_position_field_; }
  uint32_t user() const { return user_; }
  uint32_t content() const { return content_; }
  // Heap bytes owned, with the allocator's per-chunk overhead.
  size_t heap_bytes() const {
    return intervals_.heap_bytes() == 0 ? 0 : intervals_.heap_bytes() + kMallocOverhead;
  }

 private:
  static constexpr size_t kMallocOverhead = 16;
  void ApplyFirst(const Event& e, Interner* interner);
  void TakeAttributes(const Event& e, Interner* interner);

  int64_t start_ms_ = 0;
  int64_t last_ts_ms_ = 0;
  int64_t pos_ms_ = 0;
  int64_t max_pos_ms_ = 0;
  int64_t pause_ms_ = 0;
  int64_t content_length_ms_ = kAbsent;
  int64_t last_position_field_ = kAbsent;
  IntervalSet intervals_;
  // Watch and buffer time are bounded by the session's duration, so 32 bits
  // of milliseconds (49.7 days) suffice; additions saturate.
  uint32_t watch_ms_ = 0;
  uint32_t buffer_ms_ = 0;
  int32_t event_count_ = 0;
  int32_t pauses_ = 0;
  int32_t rewinds_ = 0;
  int32_t forwards_ = 0;
  int32_t buffers_ = 0;
  uint32_t user_ = 0;
  uint32_t content_ = 0;
  uint32_t device_id_ = 0;
  uint32_t platform_ = 0;
  uint32_t app_version_ = 0;
  uint32_t tz_ = 0;
  int16_t ts_offset_minutes_ = 0;
  int16_t max_quality_ = 0;
  char country_[2] = {0, 0};
  PlayerState state_ = PlayerState::kPlaying;
  EventType last_type_ = EventType::kStart;
  DeviceType device_type_ = DeviceType::kUnknown;
  // Flags as bit-fields: the state is kept for every open session.
  bool has_ts_offset_ : 1 = false;
  bool seen_start_ : 1 = false;
  bool autoplay_ : 1 = false;
  bool complete_seen_ : 1 = false;
};

// Hash of (session, event id) given the session id's hash: the key of the
// ingest fast path's filter of event ids already seen.
uint64_t EventIdHash(uint64_t session_hash, std::string_view event_id);

// The 64-bit hash used for session ids (and other ids) across the engine:
// the low half of XXH3-128, which is also what the store keeps per row of a
// keyed table (its __kh0 column), so that the sessions table yields it
// without reading the ids.
uint64_t IdHash(std::string_view id);

// SPEC 2.7 closing status of a session whose measures are final.
SessionStatus ClosingStatus(const SessionRecord& r, const SessionConfig& config);

// The measures of one session from the full set of its events (any order,
// duplicates allowed): a pure function of the set, the config and catalog.
// Requires: events non-empty and all of one session.
SessionRecord ComputeSession(std::vector<Event> events, bool closed, const SessionConfig& config,
                             const CatalogView* catalog);

}  // namespace ws
