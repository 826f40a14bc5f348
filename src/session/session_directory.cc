#include "session/session_directory.h"

#include "session/accumulator.h"
#include "session/session_table.h"

namespace ws {
namespace {

// How much of the history the directory covers beyond lateness and timeout.
constexpr int32_t kDirectoryExtraDays = 2;

}  // namespace

DirectoryEntry DirectoryEntryOf(const SessionRecord& r) {
  DirectoryEntry d;
  d.end = r.end;
  d.user_key = r.user_key;
  d.content_key = r.content_key;
  d.date_key = r.date_key;
  d.last_day = DayOf(r.end);
  d.status = r.status;
  d.last_type = r.last_type;
  return d;
}

Status SessionDirectory::Load(const store::Snapshot& snap, const SessionKeys& keys,
                              std::optional<EpochMillis> watermark, const SessionConfig& config) {
  if (!watermark) return Status::Ok();
  const int32_t cutoff =
      DayOf(EpochMillis{watermark->v - config.allowed_lateness_ms - config.session_timeout_ms}).v -
      kDirectoryExtraDays;
  for (int32_t day : snap.Partitions(kSessionsTable)) {
    if (day < cutoff) continue;
    WS_RETURN_IF_ERROR(ForEachSession(snap, keys, DayNumber{day}, [&](const SessionRecord& r) {
      if (r.origin != SessionOrigin::kEvents) return Status::Ok();
      const uint64_t h = IdHash(r.session_id);
      entries_[h] = DirectoryEntryOf(r);
      if (r.status == SessionStatus::kInProgress) left_open_[h] = r;
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

const DirectoryEntry* SessionDirectory::Find(uint64_t session_hash) const {
  auto it = entries_.find(session_hash);
  return it == entries_.end() ? nullptr : &it->second;
}

void SessionDirectory::Put(uint64_t session_hash, const DirectoryEntry& e) { entries_[session_hash] = e; }

void SessionDirectory::Erase(uint64_t session_hash) {
  entries_.erase(session_hash);
  left_open_.erase(session_hash);
}

std::vector<SessionRecord> SessionDirectory::CloseLeftOpen(EpochMillis watermark, bool close_all,
                                                           const ClosePolicy& policy,
                                                           const SessionConfig& config) {
  std::vector<SessionRecord> closed;
  for (auto it = left_open_.begin(); it != left_open_.end();) {
    SessionRecord& r = it->second;
    if (!close_all && !policy.IsClosed(r.end, r.last_type, watermark)) {
      ++it;
      continue;
    }
    r.status = ClosingStatus(r, config);
    if (auto e = entries_.find(it->first); e != entries_.end()) e->second.status = r.status;
    closed.push_back(std::move(r));
    it = left_open_.erase(it);
  }
  return closed;
}

}  // namespace ws
