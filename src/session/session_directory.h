// SessionDirectory: where the sessions not held in memory stand — those
// closed earlier, and those left open (in_progress) by an earlier process —
// for the days that may still receive events. The ingest engine asks it
// whether an event reopens a session, conflicts with it (another user or
// content), or comes too late (SPEC 2.7).
//
// Keyed by a 64-bit hash of the session id (docs/decisions.md: a collision
// sends an event down the exact slow path, or, if user and content differ
// too, rejects it as a conflict).
//
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "session/close_policy.h"
#include "session/config.h"
#include "session/session.h"
#include "session/session_table.h"
#include "store/store.h"
#include "util/u64_map.h"

namespace ws {

struct DirectoryEntry {
  EpochMillis end;        // ts of its last event
  uint32_t user_key = 0;  // SPEC 3.5 keys of its user and content
  uint32_t content_key = 0;
  DayNumber date_key;  // the day it is stored under
  DayNumber last_day;  // UTC day of its last event
  SessionStatus status = SessionStatus::kInProgress;
  EventType last_type = EventType::kStart;
};

DirectoryEntry DirectoryEntryOf(const SessionRecord& r);

class SessionDirectory {
 public:
  // Loads the event-built sessions of the days from which events may still
  // come (within allowed_lateness + session_timeout of the watermark, and
  // two days of margin). Reads only integer columns (the session id's hash
  // is the store's key hash), and whole records only of sessions left open.
  // With Lateness::kExempt (a backfill, where events of any age may come),
  // every day. Failure: a read error of the store.
  Status Load(const store::Snapshot& snap, const SessionKeys& keys, std::optional<EpochMillis> watermark,
              const SessionConfig& config, Lateness lateness = Lateness::kEnforced);

  const DirectoryEntry* Find(uint64_t session_hash) const;
  void Put(uint64_t session_hash, const DirectoryEntry& e);
  // Forgets a session (it is back in memory).
  void Erase(uint64_t session_hash);
  // The sessions left open by an earlier process that the watermark closes
  // now (every one of them with close_all): their records with the closing
  // status. They are marked closed here.
  std::vector<SessionRecord> CloseLeftOpen(EpochMillis watermark, bool close_all, const ClosePolicy& policy,
                                           const SessionConfig& config);
  size_t size() const { return entries_.size(); }
  // Sessions left open by an earlier process and not closed yet.
  const std::unordered_map<uint64_t, SessionRecord>& left_open() const { return left_open_; }
  size_t bytes() const { return entries_.bytes(); }

 private:
  U64Map<DirectoryEntry> entries_;
  // Records of the in_progress sessions among them, for closing.
  std::unordered_map<uint64_t, SessionRecord> left_open_;
};

}  // namespace ws
