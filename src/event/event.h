// Playback events (SPEC section 1) as the engine sees them after parsing.
//
// An Event's string fields are views into memory owned by whoever produced
// the Event (the parser's arena for a batch, or a decoded store segment);
// the owner must outlive every Event that points into it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/arena.h"
#include "util/time.h"
#include "vocab/device_type.h"  // DeviceType: part of the Event record

namespace ws {

// Event types. The numeric value IS the ordering rank of SPEC 2.2, so sorting
// by the enum value sorts by rank.
enum class EventType : uint8_t {
  kStart = 0,
  kResume = 1,
  kBufferEnd = 2,
  kHeartbeat = 3,
  kQualityChange = 4,
  kSeek = 5,
  kBufferStart = 6,
  kPause = 7,
  kStop = 8,
  kComplete = 9,
};
constexpr int kEventTypeCount = 10;

// Canonical lower-case name ("buffer_start").
std::string_view EventTypeName(EventType t);

constexpr int64_t kAbsent = -1;  // sentinel for absent non-negative integers

struct Event {
  std::string_view event_id;  // empty: absent
  std::string_view session_id;
  std::string_view user_id;
  std::string_view content_id;
  EventType type = EventType::kHeartbeat;
  EpochMillis ts;
  // UTC offset written in `ts` when it was RFC 3339 with a non-Z offset.
  int16_t ts_offset_minutes = 0;
  bool has_ts_offset = false;
  int64_t position_ms = kAbsent;       // >= 0 or kAbsent
  int64_t from_position_ms = kAbsent;  // >= 0 or kAbsent
  int32_t quality_height = 0;          // pixel height, 0 = absent
  int8_t autoplay = -1;                // -1 absent, 0 false, 1 true
  DeviceType device_type = DeviceType::kUnknown;
  std::string_view device_id;
  std::string_view platform;
  std::string_view app_version;
  char country[2] = {0, 0};             // upper-case ISO 3166-1 alpha-2; {0,0} absent
  std::string_view tz;                  // validated IANA zone name or empty
  int64_t content_length_ms = kAbsent;  // > 0 or kAbsent
  std::string_view metadata;            // raw JSON object text or empty

  bool has_position() const { return position_ms != kAbsent; }
  bool has_country() const { return country[0] != 0; }
};

// A copy of `e` whose strings are copied into `arena` (so it outlives the
// memory `e` points into).
Event CopyEventTo(const Event& e, StringArena* arena);

// The event as one JSON object with the SPEC 1 field names (absent fields
// are null; seconds with at most three decimals; `metadata` as its raw
// JSON), without a newline: the line `export events` writes, and the text
// kept for an event rejected after it was logged.
std::string EventToJson(const Event& e);

// A 64-bit hash of every field of `e`: two events with the same hash are,
// but for a hash collision, the same event in every field.
uint64_t EventContentHash(const Event& e);

// The sort key of SPEC 2.2: (ts, type rank, position, event_id), a missing
// position or event_id sorting first.
inline int CompareEventOrder(const Event& a, const Event& b) {
  if (a.ts.v != b.ts.v) return a.ts.v < b.ts.v ? -1 : 1;
  if (a.type != b.type) return a.type < b.type ? -1 : 1;
  if (a.position_ms != b.position_ms) return a.position_ms < b.position_ms ? -1 : 1;
  int c = a.event_id.compare(b.event_id);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// True when a and b are the same event under SPEC 2.1 (same event_id; or,
// both without event_id, same session, type, instant and position).
inline bool SameEventIdentity(const Event& a, const Event& b) {
  if (!a.event_id.empty() || !b.event_id.empty()) return a.event_id == b.event_id;
  return a.session_id == b.session_id && a.type == b.type && a.ts == b.ts && a.position_ms == b.position_ms;
}

// A 64-bit hash of the SPEC 2.1 identity: events for which
// SameEventIdentity holds have the same EventIdentityHash (equal hashes
// are checked with SameEventIdentity).
uint64_t EventIdentityHash(const Event& e);

// Why an event was rejected (SPEC 1.1). Codes are stable: they are stored.
enum class RejectReason : uint8_t {
  kNotJson = 1,           // the line is not valid JSON
  kNotObject = 2,         // valid JSON but not an object
  kMissingField = 3,      // a required field is absent
  kWrongType = 4,         // a field has the wrong JSON type or length
  kUnknownType = 5,       // `type` is not one of the known types
  kBadTimestamp = 6,      // `ts` cannot be parsed
  kFutureTimestamp = 7,   // `ts` more than one day after the server clock
  kNegativePosition = 8,  // `position` < 0
  kSessionConflict = 9,   // session seen before with another user or content
  kTooLate = 10,          // session closed more than allowed_lateness ago
  kImplausibleTimestamp =
      11,             // `ts` before 2000-01-01 (SPEC 1.1: epoch seconds sent as milliseconds, mostly)
  kLineTooLong = 12,  // the line (or array element) is longer than max_line_bytes (SPEC 9)
};
std::string_view RejectReasonCode(RejectReason r);  // "not_json", ...

// Why an optional field was dropped from an accepted event (SPEC 1).
enum class WarningReason : uint8_t {
  kBadTz = 0,
  kBadQuality,
  kBadCountry,
  kBadFromPosition,
  kBadContentLength,
  kBadAutoplay,
  kBadMetadata,
  kBadEventId,
  kBadOptionalString,  // device_id/platform/app_version not a string or too long
  kCount,
};
std::string_view WarningReasonCode(WarningReason r);  // "bad_tz", ...

}  // namespace ws
