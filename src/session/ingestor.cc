#include "session/ingestor.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <set>
#include <unordered_set>

namespace ws {
namespace {

uint64_t HashId(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

bool EndsWithStop(EventType t) { return t == EventType::kStop || t == EventType::kComplete; }

// Copies every string of `e` into `arena`.
Event CopyEvent(const Event& e, StringArena* arena) {
  Event c = e;
  c.event_id = arena->Copy(e.event_id);
  c.session_id = arena->Copy(e.session_id);
  c.user_id = arena->Copy(e.user_id);
  c.content_id = arena->Copy(e.content_id);
  c.device_id = arena->Copy(e.device_id);
  c.platform = arena->Copy(e.platform);
  c.app_version = arena->Copy(e.app_version);
  c.tz = arena->Copy(e.tz);
  c.metadata = arena->Copy(e.metadata);
  return c;
}

// How much of the history the directory must cover: sessions that ended
// before watermark - lateness - timeout can only receive too_late events.
constexpr int32_t kDirectoryExtraDays = 2;

}  // namespace

Ingestor::Ingestor(Store* store, const CatalogView* catalog, Options options)
    : store_(store), catalog_(catalog), options_(std::move(options)), state_(store->state()) {}

Result<std::unique_ptr<Ingestor>> Ingestor::Create(Store* store, const CatalogView* catalog, Options options) {
  std::unique_ptr<Ingestor> ing(new Ingestor(store, catalog, std::move(options)));
  WS_RETURN_IF_ERROR(ing->LoadDirectory());
  return ing;
}

Status Ingestor::LoadDirectory() {
  if (state_.watermark.v == INT64_MIN) return Status::Ok();
  const SessionConfig& c = options_.config;
  int32_t cutoff =
      DayOf(EpochMillis{state_.watermark.v - c.allowed_lateness_ms - c.session_timeout_ms}).v - kDirectoryExtraDays;
  std::vector<SessionRecord> records;
  for (DayNumber day : store_->SessionDays()) {
    if (day.v < cutoff) continue;
    records.clear();
    WS_RETURN_IF_ERROR(store_->ReadSessions(day, &records));
    for (const SessionRecord& r : records) {
      if (r.origin != SessionOrigin::kEvents) continue;
      DirEntry d;
      d.end_ms = r.end.v;
      d.user_hash = HashId(r.user_id);
      d.content_hash = HashId(r.content_id);
      d.date_key = r.date_key.v;
      d.last_day = DayOf(r.end).v;
      d.status = r.status;
      d.ends_with_stop = EndsWithStop(r.last_type);
      directory_[HashId(r.session_id)] = d;
    }
  }
  return Status::Ok();
}

int64_t Ingestor::CloseAfterMs(EventType last_type) const {
  return EndsWithStop(last_type) ? options_.config.stop_linger_ms : options_.config.session_timeout_ms;
}

bool Ingestor::IsTooLate(int64_t end_ms, bool ends_with_stop) const {
  if (state_.watermark.v == INT64_MIN) return false;
  int64_t closed_at =
      end_ms + (ends_with_stop ? options_.config.stop_linger_ms : options_.config.session_timeout_ms);
  return state_.watermark.v - closed_at > options_.config.allowed_lateness_ms;
}

void Ingestor::Reject(RejectReason reason, std::string message, std::string_view raw, int64_t line) {
  Rejection r;
  r.reason = reason;
  r.message = std::move(message);
  r.raw = std::string(raw);
  r.source = source_;
  r.line = line;
  AddRejection(std::move(r));
}

void Ingestor::OnReject(Rejection r) {
  ++stats_.received;
  AddRejection(std::move(r));
}

void Ingestor::AddRejection(Rejection r) {
  ++stats_.rejected;
  std::string code(RejectReasonCode(r.reason));
  ++stats_.rejected_by_reason[code];
  ++state_.rejected_by_reason[code];
  if (r.source.empty()) r.source = source_;
  batch_rejections_.push_back(std::move(r));
  ++buffered_;
}

void Ingestor::OnWarning(WarningReason reason, int64_t /*line*/) {
  ++stats_.warnings;
  std::string code(WarningReasonCode(reason));
  ++stats_.warnings_by_reason[code];
  ++state_.warnings_by_reason[code];
}

Ingestor::OpenSession* Ingestor::FindOpen(std::string_view sid) {
  auto it = open_index_.find(sid);
  return it == open_index_.end() ? nullptr : &open_slots_[it->second];
}

Ingestor::OpenSession& Ingestor::InsertOpen(std::string_view sid) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(open_slots_.size());
    open_slots_.emplace_back();
  }
  OpenSession& s = open_slots_[slot];
  s = OpenSession{};
  s.session_id.assign(sid);
  s.first_layer = seen_.current_layer();
  open_index_.emplace(std::string_view(s.session_id), slot);
  stats_.open_sessions = open_index_.size();
  stats_.peak_open_sessions = std::max(stats_.peak_open_sessions, stats_.open_sessions);
  return s;
}

void Ingestor::EraseOpen(std::string_view sid) {
  auto it = open_index_.find(sid);
  if (it == open_index_.end()) return;
  uint32_t slot = it->second;
  open_index_.erase(it);
  open_slots_[slot] = OpenSession{};
  free_slots_.push_back(slot);
  stats_.open_sessions = open_index_.size();
}

void Ingestor::ApplyFast(OpenSession& s, const Event& e) {
  if (!e.event_id.empty()) seen_.Insert(EventIdHash(e.session_id, e.event_id));
  s.acc.Apply(e, options_.config, &interner_);
  s.dirty = true;
  batch_events_.push_back(e);
  ++buffered_;
  ++stats_.stored;
}

Ingestor::SlowSession& Ingestor::MakeSlow(std::string_view sid) {
  std::string_view key = batch_arena_.Copy(sid);
  ++stats_.sessions_recomputed;
  return slow_[key];
}

void Ingestor::OnEvent(const Event& e, std::string_view raw, int64_t line) {
  ++stats_.received;
  // 1. A session already on the slow path this batch: judge at Flush.
  if (auto it = slow_.find(e.session_id); it != slow_.end()) {
    SlowSession& s = it->second;
    if (e.user_id != s.user_id || e.content_id != s.content_id) {
      Reject(RejectReason::kSessionConflict,
             fmt::format("session \"{}\" was first seen with user \"{}\" and content \"{}\"; this event names "
                         "user \"{}\" and content \"{}\"",
                         e.session_id, s.user_id, s.content_id, e.user_id, e.content_id),
             raw, line);
      return;
    }
    s.pending.push_back(e);
    ++buffered_;
    batch_max_ts_ = std::max(batch_max_ts_, e.ts.v);
    return;
  }
  // 2. An open session in memory.
  if (OpenSession* s = FindOpen(e.session_id)) {
    std::string_view user = interner_.Get(s->acc.user());
    std::string_view content = interner_.Get(s->acc.content());
    if (e.user_id != user || e.content_id != content) {
      Reject(RejectReason::kSessionConflict,
             fmt::format("session \"{}\" was first seen with user \"{}\" and content \"{}\"; this event names "
                         "user \"{}\" and content \"{}\"",
                         e.session_id, user, content, e.user_id, e.content_id),
             raw, line);
      return;
    }
    batch_max_ts_ = std::max(batch_max_ts_, e.ts.v);
    const SessionAccumulator& acc = s->acc;
    // Compare (ts, type, position) with the last event applied.
    int order = 0;
    if (e.ts.v != acc.last_ts().v) {
      order = e.ts.v < acc.last_ts().v ? -1 : 1;
    } else if (e.type != acc.last_type()) {
      order = e.type < acc.last_type() ? -1 : 1;
    } else if (e.position_ms != acc.last_position_field()) {
      order = e.position_ms < acc.last_position_field() ? -1 : 1;
    }
    if (order == 0 && EventContentHash(e) == acc.last_event_hash()) {
      ++stats_.duplicates;
      ++state_.events_duplicate;
      return;
    }
    bool maybe_seen = !e.event_id.empty() && seen_.MaybeContains(EventIdHash(e.session_id, e.event_id));
    if (order > 0 && !maybe_seen) {
      ApplyFast(*s, e);
      return;
    }
    // Slow path: recompute at Flush from everything stored plus this batch.
    SlowSession slow;
    slow.first_day = DayOf(acc.start()).v;
    slow.last_day = DayOf(acc.last_ts()).v;
    slow.written_day = s->written_day;
    std::string sid = s->session_id;
    EraseOpen(sid);
    SlowSession& target = MakeSlow(sid);
    target = std::move(slow);
    target.user_id = batch_arena_.Copy(user);
    target.content_id = batch_arena_.Copy(content);
    target.pending.push_back(e);
    ++buffered_;
    return;
  }
  // 3. A session closed earlier, or left open by an earlier process.
  uint64_t sid_hash = HashId(e.session_id);
  if (auto it = directory_.find(sid_hash); it != directory_.end()) {
    const DirEntry& d = it->second;
    if (HashId(e.user_id) != d.user_hash || HashId(e.content_id) != d.content_hash) {
      Reject(RejectReason::kSessionConflict,
             fmt::format("session \"{}\" was seen before with another user_id or content_id than this event's "
                         "(user \"{}\", content \"{}\")",
                         e.session_id, e.user_id, e.content_id),
             raw, line);
      return;
    }
    if (d.status != SessionStatus::kInProgress && IsTooLate(d.end_ms, d.ends_with_stop)) {
      Reject(RejectReason::kTooLate,
             fmt::format("session \"{}\" closed at {} which is more than the allowed lateness before the "
                         "watermark {}",
                         e.session_id,
                         FormatRfc3339(EpochMillis{d.end_ms + (d.ends_with_stop ? options_.config.stop_linger_ms
                                                                              : options_.config.session_timeout_ms)}),
                         FormatRfc3339(state_.watermark)),
             raw, line);
      return;
    }
    SlowSession slow;
    slow.first_day = d.date_key;
    slow.last_day = d.last_day;
    slow.written_day = d.date_key;
    directory_.erase(it);
    SlowSession& target = MakeSlow(e.session_id);
    target = std::move(slow);
    target.user_id = batch_arena_.Copy(e.user_id);
    target.content_id = batch_arena_.Copy(e.content_id);
    target.pending.push_back(e);
    ++buffered_;
    batch_max_ts_ = std::max(batch_max_ts_, e.ts.v);
    return;
  }
  // 4. A new session.
  if (IsTooLate(e.ts.v, EndsWithStop(e.type))) {
    Reject(RejectReason::kTooLate,
           fmt::format("event of new session \"{}\" at {} is more than the allowed lateness before the "
                       "watermark {}",
                       e.session_id, FormatRfc3339(e.ts), FormatRfc3339(state_.watermark)),
           raw, line);
    return;
  }
  batch_max_ts_ = std::max(batch_max_ts_, e.ts.v);
  OpenSession& s = InsertOpen(e.session_id);
  ApplyFast(s, e);
}

Status Ingestor::ResolveSlowSessions() {
  if (slow_.empty()) return Status::Ok();
  struct Tagged {
    Event e;
    uint8_t origin;  // 0 stored, 1 this batch (already to be stored), 2 pending
  };
  std::unordered_map<std::string_view, std::vector<Tagged>> all;
  all.reserve(slow_.size());
  std::set<int32_t> days;
  for (auto& [sid, s] : slow_) {
    for (int32_t d = s.first_day; d <= s.last_day && s.first_day != INT32_MAX; ++d) days.insert(d);
    std::vector<Tagged>& v = all[sid];
    for (const Event& e : s.pending) v.push_back({e, 2});
  }
  for (const Event& e : batch_events_) {
    auto it = all.find(e.session_id);
    if (it != all.end()) it->second.push_back({e, 1});
  }
  std::vector<DayNumber> stored_days = store_->EventDays();
  std::set<int32_t> have(days.begin(), days.end());
  for (DayNumber day : stored_days) {
    if (!have.count(day.v)) continue;
    WS_RETURN_IF_ERROR(store_->ReadEvents(day, [&](const EventBlock& block) -> Status {
      for (const Event& e : block.events) {
        auto it = all.find(e.session_id);
        if (it != all.end()) it->second.push_back({CopyEvent(e, &batch_arena_), 0});
      }
      return Status::Ok();
    }));
  }
  for (auto& [sid, s] : slow_) {
    std::vector<Tagged>& v = all[sid];
    std::sort(v.begin(), v.end(), [](const Tagged& a, const Tagged& b) {
      int c = CompareEventFull(a.e, b.e);
      return c != 0 ? c < 0 : a.origin < b.origin;
    });
    std::unordered_set<std::string_view> seen_ids;
    std::vector<const Event*> kept;
    const Event* prev = nullptr;
    for (const Tagged& t : v) {
      bool duplicate = !t.e.event_id.empty() ? !seen_ids.insert(t.e.event_id).second
                                             : (prev != nullptr && SameEventIdentity(*prev, t.e));
      if (!duplicate) {
        kept.push_back(&t.e);
        prev = &t.e;
        if (t.origin == 2) {
          batch_events_.push_back(t.e);
          ++stats_.stored;
        }
      } else if (t.origin == 2) {
        ++stats_.duplicates;
        ++state_.events_duplicate;
      }
    }
    OpenSession& o = InsertOpen(sid);
    o.written_day = s.written_day;
    o.dirty = true;
    for (const Event* e : kept) {
      if (!e->event_id.empty()) seen_.Insert(EventIdHash(e->session_id, e->event_id));
      o.acc.Apply(*e, options_.config, &interner_);
    }
  }
  slow_.clear();
  return Status::Ok();
}

Status Ingestor::Flush(bool close_all) {
  WS_RETURN_IF_ERROR(ResolveSlowSessions());
  if (batch_max_ts_ > state_.watermark.v) state_.watermark = EpochMillis{batch_max_ts_};
  const int64_t watermark = state_.watermark.v;

  // Session records that change, per day.
  struct DayChanges {
    std::vector<SessionRecord> upserts;
    std::unordered_set<std::string> deletes;
    std::unordered_set<uint64_t> close_hashes;
  };
  std::map<int32_t, DayChanges> changes;

  std::vector<std::string> to_close;
  uint64_t oldest_layer = seen_.current_layer();
  for (auto& [sid, slot] : open_index_) {
    OpenSession& s = open_slots_[slot];
    const SessionAccumulator& acc = s.acc;
    bool closing = close_all || watermark - acc.last_ts().v >= CloseAfterMs(acc.last_type());
    if (!closing) oldest_layer = std::min(oldest_layer, s.first_layer);
    if (!closing && !s.dirty) continue;
    SessionRecord r = acc.Finalize(s.session_id, closing, options_.config, interner_, catalog_);
    if (s.written_day != INT32_MIN && s.written_day != r.date_key.v) {
      changes[s.written_day].deletes.insert(s.session_id);
    }
    s.written_day = r.date_key.v;
    s.dirty = false;
    if (closing) {
      DirEntry d;
      d.end_ms = r.end.v;
      d.user_hash = HashId(r.user_id);
      d.content_hash = HashId(r.content_id);
      d.date_key = r.date_key.v;
      d.last_day = DayOf(r.end).v;
      d.status = r.status;
      d.ends_with_stop = EndsWithStop(r.last_type);
      directory_[HashId(r.session_id)] = d;
      to_close.push_back(s.session_id);
      ++stats_.sessions_closed;
    }
    changes[r.date_key.v].upserts.push_back(std::move(r));
  }
  for (const std::string& sid : to_close) EraseOpen(sid);
  seen_.DropBefore(oldest_layer);

  // Sessions left open by an earlier process that the watermark now closes.
  for (auto& [hash, d] : directory_) {
    if (d.status != SessionStatus::kInProgress) continue;
    if (close_all || watermark - d.end_ms >= (d.ends_with_stop ? options_.config.stop_linger_ms
                                                                 : options_.config.session_timeout_ms)) {
      changes[d.date_key].close_hashes.insert(hash);
    }
  }

  CommitBatch batch;
  std::vector<DayNumber> session_days = store_->SessionDays();
  std::set<int32_t> existing_days;
  for (DayNumber d : session_days) existing_days.insert(d.v);
  for (auto& [day, ch] : changes) {
    std::vector<SessionRecord> merged;
    std::unordered_set<std::string> upserted;
    for (const SessionRecord& r : ch.upserts) upserted.insert(r.session_id);
    if (existing_days.count(day)) {
      std::vector<SessionRecord> old;
      WS_RETURN_IF_ERROR(store_->ReadSessions(DayNumber{day}, &old));
      for (SessionRecord& r : old) {
        if (upserted.count(r.session_id) || ch.deletes.count(r.session_id)) continue;
        if (r.status == SessionStatus::kInProgress && r.origin == SessionOrigin::kEvents) {
          uint64_t h = HashId(r.session_id);
          if (ch.close_hashes.count(h)) {
            r.status = ClosingStatus(r, options_.config);
            auto it = directory_.find(h);
            if (it != directory_.end()) it->second.status = r.status;
            ++stats_.sessions_closed;
          }
        }
        merged.push_back(std::move(r));
      }
    }
    for (SessionRecord& r : ch.upserts) merged.push_back(std::move(r));
    std::sort(merged.begin(), merged.end(),
              [](const SessionRecord& a, const SessionRecord& b) { return a.session_id < b.session_id; });
    batch.sessions[DayNumber{day}] = std::move(merged);
  }

  for (const Event& e : batch_events_) batch.events[DayOf(e.ts)].push_back(e);
  state_.events_accepted += batch_events_.size();
  batch.rejections = std::move(batch_rejections_);
  batch.new_state = state_;
  WS_RETURN_IF_ERROR(store_->Commit(batch));
  ++stats_.commits;

  batch_events_.clear();
  batch_rejections_.clear();
  batch_arena_.Clear();
  buffered_ = 0;
  batch_max_ts_ = INT64_MIN;
  return Status::Ok();
}

size_t Ingestor::OpenSessionBytes() const {
  size_t n = open_slots_.size() * sizeof(OpenSession);
  for (const OpenSession& s : open_slots_) {
    if (s.session_id.capacity() > 15) n += s.session_id.capacity() + 1;
    n += s.acc.heap_bytes();
  }
  n += open_index_.bucket_count() * sizeof(void*) +
       open_index_.size() * (sizeof(std::string_view) + sizeof(uint32_t) + 2 * sizeof(void*));
  n += seen_.bytes();
  return n;
}

}  // namespace ws
