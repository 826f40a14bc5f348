#include "session/session_directory.h"

#include <limits>

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
                              std::optional<EpochMillis> watermark, const SessionConfig& config,
                              Lateness lateness) {
  if (!watermark) return Status::Ok();
  const int32_t cutoff =
      lateness == Lateness::kExempt
          ? std::numeric_limits<int32_t>::min()
          : DayOf(EpochMillis{watermark->v - config.allowed_lateness_ms - config.session_timeout_ms}).v -
                kDirectoryExtraDays;
  enum : size_t { kHash = 0, kStart, kDuration, kDateKey, kUser, kContent, kStatus, kLastType, kOrigin };
  static const std::vector<std::string> columns = {std::string(store::kKeyHashLo),
                                                   "start",
                                                   "duration",
                                                   "date_key",
                                                   "user_key",
                                                   "content_key",
                                                   "status",
                                                   "last_type",
                                                   "origin"};
  const int64_t in_progress = static_cast<int64_t>(SessionStatus::kInProgress);
  const int64_t from_events = static_cast<int64_t>(SessionOrigin::kEvents);
  store::ColumnBatch b;
  for (int32_t day : snap.Partitions(kSessionsTable)) {
    if (day < cutoff) continue;
    WS_ASSIGN_OR_RETURN(std::shared_ptr<const store::PartitionReader> reader,
                        snap.Partition(kSessionsTable, day));
    entries_.Reserve(entries_.size() + static_cast<size_t>(reader->live_rows()));
    std::unordered_set<uint64_t> left_open;
    for (size_t blk = 0; blk < reader->block_count(); ++blk) {
      WS_RETURN_IF_ERROR(reader->Read(blk, columns, &b));
      auto one = [&](size_t r) {
        if (b.ints(kOrigin)[r] != from_events) return;
        const int64_t last_type = b.ints(kLastType)[r];
        const int64_t status = b.ints(kStatus)[r];
        if (last_type < 0 || last_type > static_cast<int64_t>(EventType::kComplete) || status < 0 ||
            status > static_cast<int64_t>(SessionStatus::kAbandoned)) {
          return;  // ForEachSession reports such damage when the record is read
        }
        DirectoryEntry d;
        d.end = EpochMillis{b.ints(kStart)[r] + b.ints(kDuration)[r]};
        d.user_key = static_cast<uint32_t>(b.ints(kUser)[r]);
        d.content_key = static_cast<uint32_t>(b.ints(kContent)[r]);
        d.date_key = DayNumber{static_cast<int32_t>(b.ints(kDateKey)[r])};
        d.last_day = DayOf(d.end);
        d.status = static_cast<SessionStatus>(status);
        d.last_type = static_cast<EventType>(last_type);
        const uint64_t h = static_cast<uint64_t>(b.ints(kHash)[r]);
        entries_.Put(h, d);
        if (status == in_progress) left_open.insert(h);
      };
      if (b.selection() == nullptr) {
        for (size_t r = 0; r < b.rows(); ++r) one(r);
      } else {
        for (uint32_t r : *b.selection()) one(r);
      }
    }
    if (left_open.empty()) continue;
    // Whole records only for the sessions an earlier process left open.
    WS_RETURN_IF_ERROR(ForEachSession(snap, keys, DayNumber{day}, [&](const SessionRecord& r) {
      const uint64_t h = IdHash(r.session_id);
      if (left_open.count(h)) left_open_[h] = r;
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

const DirectoryEntry* SessionDirectory::Find(uint64_t session_hash) const {
  return entries_.Find(session_hash);
}

void SessionDirectory::Put(uint64_t session_hash, const DirectoryEntry& e) { entries_.Put(session_hash, e); }

void SessionDirectory::Erase(uint64_t session_hash) {
  entries_.Erase(session_hash);
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
    if (DirectoryEntry* e = entries_.Find(it->first)) e->status = r.status;
    closed.push_back(std::move(r));
    it = left_open_.erase(it);
  }
  return closed;
}

}  // namespace ws
