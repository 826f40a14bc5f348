// The session module's table in the store (docs/storage-format.md, section
// 7): "sessions", one partition per UTC day of session start, keyed by
// session_id. A commit writes only the sessions that changed (a delta);
// the store merges deltas into the day's base. Facts carry surrogate keys
// (SPEC 3.5) for users, content items, devices and the low-cardinality
// attributes, never their strings; rows are kept by (start, session_id).
//
// Thread safety: pure functions, except that AssignKeys interns into the
// registry (see store/key_registry.h).
#pragma once

#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "session/session.h"
#include "store/store.h"
#include "util/status.h"

namespace ws {

inline constexpr std::string_view kSessionsTable = "sessions";

// Column names of the sessions table (docs/storage-format.md, section 7),
// for readers that scan columns. Integer columns except session_id; times
// in epoch milliseconds, lengths in milliseconds; content_length and
// credits_start hold kAbsent when unknown; status, device_type, state,
// last_type and origin hold their enums' values; *_key columns hold the
// registry keys of SessionKeys (0: absent).
namespace session_columns {
inline constexpr const char* kSessionId = "session_id";
inline constexpr const char* kStart = "start";
inline constexpr const char* kDuration = "duration";
inline constexpr const char* kDateKey = "date_key";
inline constexpr const char* kLocalDate = "local_date";
inline constexpr const char* kLocalStartHour = "local_start_hour";
inline constexpr const char* kUserKey = "user_key";
inline constexpr const char* kContentKey = "content_key";
inline constexpr const char* kDeviceKey = "device_key";
inline constexpr const char* kPlatformKey = "platform_key";
inline constexpr const char* kAppVersionKey = "app_version_key";
inline constexpr const char* kCountryKey = "country_key";
inline constexpr const char* kTzKey = "tz_key";
inline constexpr const char* kQualityKey = "quality_key";
inline constexpr const char* kWatch = "watch";
inline constexpr const char* kPause = "pause";
inline constexpr const char* kBuffer = "buffer";
inline constexpr const char* kPlaybackPosition = "playback_position";
inline constexpr const char* kMaxPosition = "max_position";
inline constexpr const char* kContentLength = "content_length";
inline constexpr const char* kCoverage = "coverage";
inline constexpr const char* kCreditsStart = "credits_start";
inline constexpr const char* kPauses = "pauses";
inline constexpr const char* kRewinds = "rewinds";
inline constexpr const char* kForwards = "forwards";
inline constexpr const char* kBuffers = "buffers";
inline constexpr const char* kMaxQuality = "max_quality";
inline constexpr const char* kEventCount = "event_count";
inline constexpr const char* kFlags = "flags";
inline constexpr const char* kStatus = "status";
inline constexpr const char* kState = "state";
inline constexpr const char* kLastType = "last_type";
inline constexpr const char* kOrigin = "origin";
inline constexpr const char* kDeviceType = "device_type";
}  // namespace session_columns

const store::TableDef& SessionsTableDef();

// The key dictionaries of session facts.
struct SessionKeys {
  explicit SessionKeys(store::KeyRegistry& registry);
  store::KeyDictionary* user;
  store::KeyDictionary* content;
  store::KeyDictionary* device;
  store::KeyDictionary* platform;
  store::KeyDictionary* app_version;
  store::KeyDictionary* country;
  store::KeyDictionary* tz;
  store::KeyDictionary* quality;  // keyed by vocab's QualityLabel ("1080p")
};

// Fills r's keys from its strings (interning new values).
void AssignKeys(SessionRecord* r, const SessionKeys& keys);
// Fills r's strings from its keys.
void ResolveNames(SessionRecord* r, const SessionKeys& keys);

// Encodes one day's changed sessions (keys assigned) and the ids of
// sessions that left the day (tombstones) as a file of table "sessions".
// Failure: kInvalidArgument for an enum holding an undefined value or a
// session named twice.
Result<store::NewFile> EncodeSessions(std::span<const SessionRecord* const> records,
                                      std::span<const std::string_view> deletes, DayNumber day);

// Calls fn for every live session of `day` (strings resolved), in the
// store's order (start, session_id).
Status ForEachSession(const store::Snapshot& snap, const SessionKeys& keys, DayNumber day,
                      const std::function<Status(const SessionRecord&)>& fn);
// Every live session of `day`, sorted by session_id.
Status ReadSessions(const store::Snapshot& snap, const SessionKeys& keys, DayNumber day,
                    std::vector<SessionRecord>* out);

}  // namespace ws
