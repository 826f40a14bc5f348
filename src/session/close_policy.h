// The closing rule of SPEC 2.7, in one place: when a session closes, and
// when an event for it comes too late. Every reader of the rule (the
// ingest engine's open sessions, the directory of closed ones, the report
// of active sessions) calls this.
//
// Thread safety: a value.
#pragma once

#include <optional>

#include "event/event.h"
#include "session/config.h"
#include "util/time.h"

namespace ws {

// True when `t` ends playback (stop or complete): such a session closes
// after stop_linger instead of session_timeout.
constexpr bool EndsWithStop(EventType t) { return t == EventType::kStop || t == EventType::kComplete; }

// Whether events are subject to allowed_lateness: a backfill
// (`ingest --backfill`, SPEC 2.7) loads history, which is late by design.
enum class Lateness : uint8_t { kEnforced, kExempt };

class ClosePolicy {
 public:
  explicit ClosePolicy(const SessionConfig& config, Lateness lateness = Lateness::kEnforced)
      : timeout_ms_(config.session_timeout_ms),
        linger_ms_(config.stop_linger_ms),
        lateness_ms_(config.allowed_lateness_ms),
        lateness_(lateness) {}

  // How long after its last event a session closes.
  int64_t CloseAfterMs(EventType last_type) const {
    return EndsWithStop(last_type) ? linger_ms_ : timeout_ms_;
  }
  // The instant a session whose last event is `last` (of type `last_type`) closes.
  EpochMillis ClosesAt(EpochMillis last, EventType last_type) const {
    return EpochMillis{last.v + CloseAfterMs(last_type)};
  }
  // True when that session is closed at `watermark`.
  bool IsClosed(EpochMillis last, EventType last_type, EpochMillis watermark) const {
    return watermark.v - last.v >= CloseAfterMs(last_type);
  }
  // True when an event for that session (closed or not) is beyond
  // allowed_lateness at `watermark` (never without a watermark, never in a
  // backfill).
  bool IsTooLate(EpochMillis last, EventType last_type, std::optional<EpochMillis> watermark) const {
    if (!watermark || lateness_ == Lateness::kExempt) return false;
    return watermark->v - ClosesAt(last, last_type).v > lateness_ms_;
  }

 private:
  int64_t timeout_ms_;
  int64_t linger_ms_;
  int64_t lateness_ms_;
  Lateness lateness_;
};

}  // namespace ws
