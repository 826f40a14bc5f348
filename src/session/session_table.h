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
