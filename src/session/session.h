// A viewing session's measures (SPEC 2.5) as stored and exported.
//
// All durations and positions are integer milliseconds; they are exported
// as seconds with three decimals. Derived measures (duration, percentages)
// are computed from the stored fields by the accessors below, never stored,
// so they cannot disagree with them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "event/event.h"
#include "util/time.h"
#include "vocab/completion_status.h"

namespace ws {

enum class PlayerState : uint8_t { kPlaying = 0, kPaused = 1, kBuffering = 2, kEnded = 3 };
std::string_view PlayerStateName(PlayerState s);

// SPEC 2.5 completion_percentage: 100 * position / length clipped to
// [0, 100]. Requires length_ms > 0 (a length known and positive).
double CompletionPercentage(int64_t position_ms, int64_t length_ms);
// Whether a stored content length is known (not kAbsent) and positive.
inline bool HasLength(int64_t length_ms) { return length_ms != kAbsent && length_ms > 0; }

// Where a session fact came from.
enum class SessionOrigin : uint8_t { kEvents = 0, kLegacy = 1 };

struct SessionRecord {
  std::string session_id;
  std::string user_id;
  std::string content_id;
  DayNumber date_key;  // UTC date of `start`
  EpochMillis start;   // ts of the first event
  EpochMillis end;     // ts of the last event
  int64_t watch_ms = 0;
  int64_t pause_ms = 0;
  int64_t buffer_ms = 0;
  int32_t pauses = 0;
  int32_t rewinds = 0;
  int32_t forwards = 0;
  int32_t buffers = 0;
  int64_t playback_position_ms = 0;
  int64_t max_position_ms = 0;
  int64_t content_length_ms = kAbsent;  // kAbsent: unknown (null)
  int64_t coverage_ms = 0;
  int64_t credits_start_ms = kAbsent;  // resolved credits start, kAbsent if length unknown
  bool watched_credits = false;
  bool autoplay = false;
  bool complete_seen = false;  // a `complete` event is in the session
  int32_t max_quality = 0;     // 0: null
  int32_t event_count = 0;
  SessionStatus status = SessionStatus::kInProgress;
  PlayerState state = PlayerState::kPlaying;  // after the last event
  EventType last_type = EventType::kStart;    // type of the last event
  SessionOrigin origin = SessionOrigin::kEvents;
  DeviceType device_type = DeviceType::kUnknown;
  std::string device_id;
  std::string platform;
  std::string app_version;
  std::string country;  // "" when unknown
  std::string tz;       // zone used for local time ("" = UTC or fixed offset)
  int32_t local_start_hour = 0;
  DayNumber local_date;
  // Surrogate keys (SPEC 3.5) of the strings above, as stored; 0 = absent.
  // The session table stores these, never the strings (see session_table.h).
  uint32_t user_key = 0;
  uint32_t content_key = 0;
  uint32_t device_key = 0;  // of device_id
  uint32_t platform_key = 0;
  uint32_t app_version_key = 0;
  uint32_t country_key = 0;
  uint32_t tz_key = 0;
  uint32_t quality_key = 0;  // of the label of max_quality ("1080p")

  int64_t duration_ms() const { return end.v - start.v; }
  bool has_length() const { return HasLength(content_length_ms); }
  // 100 * position / length clipped to [0, 100]; requires has_length().
  double completion_percentage() const;
  // 100 * coverage / length (coverage is already clipped to the length).
  double coverage_percentage() const;
};

}  // namespace ws
