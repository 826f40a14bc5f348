#include "session/ingestor.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <set>
#include <unordered_set>

namespace ws {
namespace {

bool EndsWithStop(EventType t) { return t == EventType::kStop || t == EventType::kComplete; }

// SPEC 2.2 order of `e` against the last event the accumulator applied,
// on (ts, type, position) only: 0 means "cannot tell without the event id".
int CompareWithLast(const Event& e, const SessionAccumulator& acc) {
  if (e.ts.v != acc.last_ts().v) return e.ts.v < acc.last_ts().v ? -1 : 1;
  if (e.type != acc.last_type()) return e.type < acc.last_type() ? -1 : 1;
  if (e.position_ms != acc.last_position_field()) return e.position_ms < acc.last_position_field() ? -1 : 1;
  return 0;
}

constexpr size_t kCacheLine = 64;

// How much of the history the directory must cover: sessions that ended
// before watermark - lateness - timeout can only receive too_late events.
constexpr int32_t kDirectoryExtraDays = 2;

}  // namespace

Ingestor::Ingestor(PrivateTag /*tag*/, Store* store, const CatalogView* catalog, Options options)
    : store_(store), catalog_(catalog), options_(std::move(options)), state_(store->state()) {}

Result<std::unique_ptr<Ingestor>> Ingestor::Create(Store* store, const CatalogView* catalog,
                                                   Options options) {
  auto ing = std::make_unique<Ingestor>(PrivateTag{}, store, catalog, std::move(options));
  WS_RETURN_IF_ERROR(ing->LoadDirectory());
  return ing;
}

Status Ingestor::LoadDirectory() {
  if (state_.watermark.v == INT64_MIN) return Status::Ok();
  const SessionConfig& c = options_.config;
  int32_t cutoff = DayOf(EpochMillis{state_.watermark.v - c.allowed_lateness_ms - c.session_timeout_ms}).v -
                   kDirectoryExtraDays;
  std::vector<SessionRecord> records;
  for (DayNumber day : store_->SessionDays()) {
    if (day.v < cutoff) continue;
    records.clear();
    WS_RETURN_IF_ERROR(store_->ReadSessions(day, &records));
    for (const SessionRecord& r : records) {
      if (r.origin != SessionOrigin::kEvents) continue;
      directory_[IdHash(r.session_id)] = DirEntryOf(r);
    }
  }
  return Status::Ok();
}

Ingestor::DirEntry Ingestor::DirEntryOf(const SessionRecord& r) {
  DirEntry d;
  d.end_ms = r.end.v;
  d.user_hash = IdHash(r.user_id);
  d.content_hash = IdHash(r.content_id);
  d.date_key = r.date_key.v;
  d.last_day = DayOf(r.end).v;
  d.status = r.status;
  d.ends_with_stop = EndsWithStop(r.last_type);
  return d;
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

uint32_t Ingestor::FindOpenSlot(uint64_t hash, std::string_view sid) const {
  return open_index_.Find(
      hash, [&](uint32_t i) { return open_slots_[i].live && open_slots_[i].session_id.Equals(sid); });
}

uint32_t Ingestor::InsertOpen(uint64_t hash, std::string_view sid) {
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
  s.session_id.Assign(sid);
  s.live = true;
  s.first_layer = static_cast<uint32_t>(seen_.current_layer());
  open_index_.Insert(hash, slot);
  stats_.open_sessions = open_index_.size();
  stats_.peak_open_sessions = std::max(stats_.peak_open_sessions, stats_.open_sessions);
  return slot;
}

void Ingestor::EraseOpen(uint64_t hash, std::string_view sid) {
  uint32_t slot = open_index_.Find(
      hash, [&](uint32_t i) { return open_slots_[i].live && open_slots_[i].session_id.Equals(sid); });
  if (slot == FlatIndex::kEmpty) return;
  open_index_.Erase(hash, slot);
  open_slots_[slot] = OpenSession{};
  free_slots_.push_back(slot);
  stats_.open_sessions = open_index_.size();
}

void Ingestor::ApplyFast(OpenSession& s, uint32_t slot, const Event& e, uint64_t sid_hash, const Arrival& a) {
  s.acc.Apply(e, options_.config, &interner_);
  for (int i = kRecentHashes - 1; i > 0; --i) s.recent[i] = s.recent[i - 1];
  s.recent[0] = a.raw_hash;
  s.dirty = true;
  store_events_.push_back(&e);
  store_days_.push_back(DayOf(e.ts).v);
  store_hashes_.push_back(sid_hash);
  store_slots_.push_back(slot);
  store_id_hashes_.push_back(a.id_hash);
  ++stats_.stored;
}

Ingestor::SlowSession* Ingestor::FindSlow(uint64_t hash, std::string_view sid) {
  if (slow_.empty()) return nullptr;
  uint32_t i = slow_index_.Find(hash, [&](uint32_t k) { return slow_[k].session_id == sid; });
  return i == FlatIndex::kEmpty ? nullptr : &slow_[i];
}

Ingestor::SlowSession& Ingestor::MakeSlow(uint64_t hash, std::string_view sid) {
  ++stats_.sessions_recomputed;
  slow_index_.Insert(hash, static_cast<uint32_t>(slow_.size()));
  slow_.emplace_back();
  SlowSession& s = slow_.back();
  s.session_id = batch_arena_.Copy(sid);
  s.hash = hash;
  return s;
}

void Ingestor::OnEvent(const Event& e, std::string_view raw, int64_t line) {
  ++stats_.received;
  const uint64_t sid_hash = IdHash(e.session_id);
  // 1. A session already on the slow path this batch: judge at Flush.
  if (SlowSession* slow_session = FindSlow(sid_hash, e.session_id)) {
    SlowSession& s = *slow_session;
    if (e.user_id != s.user_id || e.content_id != s.content_id) {
      Reject(
          RejectReason::kSessionConflict,
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
  uint32_t found_slot = FindOpenSlot(sid_hash, e.session_id);
  if (found_slot != FlatIndex::kEmpty) {
    OpenSession* s = &open_slots_[found_slot];
    std::string_view user = interner_.Get(s->acc.user());
    std::string_view content = interner_.Get(s->acc.content());
    if (e.user_id != user || e.content_id != content) {
      Reject(
          RejectReason::kSessionConflict,
          fmt::format("session \"{}\" was first seen with user \"{}\" and content \"{}\"; this event names "
                      "user \"{}\" and content \"{}\"",
                      e.session_id, user, content, e.user_id, e.content_id),
          raw, line);
      return;
    }
    batch_max_ts_ = std::max(batch_max_ts_, e.ts.v);
    Arrive(found_slot, sid_hash, e, raw);
    return;
  }
  // 3. A session closed earlier, or left open by an earlier process.
  if (auto it = directory_.find(sid_hash); it != directory_.end()) {
    const DirEntry& d = it->second;
    if (IdHash(e.user_id) != d.user_hash || IdHash(e.content_id) != d.content_hash) {
      Reject(
          RejectReason::kSessionConflict,
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
                         FormatRfc3339(
                             EpochMillis{d.end_ms + (d.ends_with_stop ? options_.config.stop_linger_ms
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
    SlowSession& target = MakeSlow(sid_hash, e.session_id);
    slow.session_id = target.session_id;
    slow.hash = sid_hash;
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
  const uint32_t slot = InsertOpen(sid_hash, e.session_id);
  open_slots_[slot].acc.SetIds(interner_.Intern(e.user_id), interner_.Intern(e.content_id));
  Arrive(slot, sid_hash, e, raw);
}

void Ingestor::Arrive(uint32_t slot, uint64_t sid_hash, const Event& e, std::string_view raw) {
  if (arrivals_.capacity() == 0) arrivals_.reserve(options_.batch_events);
  // Hash now, while the event's bytes are still in cache from parsing.
  uint64_t id_hash = e.event_id.empty() ? 0 : EventIdHash(sid_hash, e.event_id);
  arrivals_.push_back(Arrival{e, XXH3_64bits(raw.data(), raw.size()), id_hash, slot});
  ++buffered_;
}

size_t Ingestor::GroupIdSetCapacity(size_t ids) {
  size_t cap = kMinIdSet;
  while (cap < 2 * ids) cap *= 2;
  return cap;
}

bool Ingestor::GroupHasIdTwice(std::vector<uint32_t>::const_iterator first,
                               std::vector<uint32_t>::const_iterator last) {
  // An open-addressing set of (id hash, raw hash) sized for the group: an id
  // met again with other contents answers true. Exact resends (same raw
  // hash) are not "twice": they are dropped as duplicates.
  const size_t cap = GroupIdSetCapacity(static_cast<size_t>(last - first));
  group_ids_.assign(cap, {0, 0});
  const size_t mask = cap - 1;
  for (auto it = first; it != last; ++it) {
    const Arrival& a = arrivals_[*it];
    if (a.e.event_id.empty()) continue;
    // 0 marks an empty slot; an id hash of 0 is moved to 1 (only a cost).
    const uint64_t key = a.id_hash == 0 ? 1 : a.id_hash;
    for (size_t i = key & mask;; i = (i + 1) & mask) {
      if (group_ids_[i].first == 0) {
        group_ids_[i] = {key, a.raw_hash};
        break;
      }
      if (group_ids_[i].first == key) {
        if (group_ids_[i].second != a.raw_hash) return true;
        break;
      }
    }
  }
  return false;
}

void Ingestor::ApplyArrivals() {
  // Group the batch by session (a counting sort on slots keeps arrival order
  // within a session), then sort the groups that arrived out of order.
  std::vector<uint32_t>& start = scratch_start_;
  start.assign(open_slots_.size() + 1, 0);
  for (const Arrival& a : arrivals_) ++start[a.slot + 1];
  for (size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
  std::vector<uint32_t>& order = scratch_order_;
  order.resize(arrivals_.size());
  {
    std::vector<uint32_t>& next = scratch_next_;
    next.assign(start.begin(), start.end() - 1);
    for (uint32_t i = 0; i < arrivals_.size(); ++i) order[next[arrivals_[i].slot]++] = i;
  }
  auto before = [&](uint32_t x, uint32_t y) {
    int c = CompareEventFull(arrivals_[x].e, arrivals_[y].e);
    return c != 0 ? c < 0 : x < y;
  };
  for (uint32_t slot = 0; slot + 1 < start.size(); ++slot) {
    auto first = order.begin() + start[slot], last = order.begin() + start[slot + 1];
    if (first == last) continue;
    // A group's arrivals are scattered over the batch: ask for all of them
    // at once so that their cache misses overlap.
    for (auto it = first; it != last; ++it) {
      const char* p = reinterpret_cast<const char*>(&arrivals_[*it]);
      for (size_t off = 0; off < sizeof(Arrival); off += kCacheLine) __builtin_prefetch(p + off);
    }
    if (!std::is_sorted(first, last, before)) std::sort(first, last, before);
    OpenSession& s = open_slots_[slot];
    const std::string sid = s.session_id.str();
    const uint64_t sid_hash = IdHash(sid);
    // Two events of the group with one id but different contents: only the
    // slow path's exact deduplication can choose between them.
    bool id_twice = false;
    // Ids of earlier batches are in the filter only for sessions open before
    // this batch; a session born in this batch needs no look-up.
    const bool check_filter = s.ids_in_filter;
    if (last - first > 1) id_twice = GroupHasIdTwice(first, last);
    // Hands the session, with its arrivals from `from` on, to the slow path.
    auto to_slow_path = [&](std::vector<uint32_t>::iterator from) {
      SlowSession& slow = MakeSlow(sid_hash, sid);
      if (s.acc.event_count() > 0) {
        slow.first_day = DayOf(s.acc.start()).v;
        slow.last_day = DayOf(s.acc.last_ts()).v;
      }
      slow.written_day = s.written_day;
      slow.user_id = batch_arena_.Copy(interner_.Get(s.acc.user()));
      slow.content_id = batch_arena_.Copy(interner_.Get(s.acc.content()));
      for (auto rest = from; rest != last; ++rest) slow.pending.push_back(arrivals_[*rest].e);
      EraseOpen(sid_hash, slow.session_id);
    };
    for (auto it = first; it != last; ++it) {
      const Arrival& a = arrivals_[*it];
      const Event& e = a.e;
      if (s.acc.event_count() > 0) {
        int c = CompareWithLast(e, s.acc);
        if (c <= 0) {
          if (std::find(std::begin(s.recent), std::end(s.recent), a.raw_hash) != std::end(s.recent)) {
            // Byte-identical to an event just applied: the same event (SPEC 2.1).
            ++stats_.duplicates;
            ++state_.events_duplicate;
            continue;
          }
        } else if (!id_twice && (e.event_id.empty() || !check_filter || !seen_.MaybeContains(a.id_hash))) {
          ApplyFast(s, slot, e, sid_hash, a);
          continue;
        }
        // Out of order with an earlier batch, or an id that may be known:
        // recompute the session from everything (slow path).
        to_slow_path(it);
        break;
      }
      if (id_twice || (!e.event_id.empty() && check_filter && seen_.MaybeContains(a.id_hash))) {
        to_slow_path(it);
        break;
      }
      ApplyFast(s, slot, e, sid_hash, a);
    }
  }
}

Status Ingestor::ResolveSlowSessions() {
  if (slow_.empty()) return Status::Ok();
  struct Tagged {
    Event e;
    uint8_t origin;  // 0 stored, 1 this batch (already to be stored), 2 pending
  };
  std::vector<std::vector<Tagged>> all(slow_.size());
  auto slow_of = [&](uint64_t hash, std::string_view sid) {
    return slow_index_.Find(hash, [&](uint32_t k) { return slow_[k].session_id == sid; });
  };
  std::set<int32_t> days;
  for (size_t i = 0; i < slow_.size(); ++i) {
    const SlowSession& s = slow_[i];
    for (int32_t d = s.first_day; d <= s.last_day && s.first_day != INT32_MAX; ++d) days.insert(d);
    for (const Event& e : s.pending) all[i].push_back({e, 2});
  }
  for (size_t i = 0; i < store_events_.size(); ++i) {
    uint32_t k = slow_of(store_hashes_[i], store_events_[i]->session_id);
    if (k != FlatIndex::kEmpty) all[k].push_back({*store_events_[i], 1});
  }
  for (DayNumber day : store_->EventDays()) {
    if (!days.count(day.v)) continue;
    auto wanted = [&](std::string_view sid) { return slow_of(IdHash(sid), sid) != FlatIndex::kEmpty; };
    WS_RETURN_IF_ERROR(store_->ReadEvents(
        day,
        [&](const EventBlock& block) -> Status {
          std::string_view last_sid;
          uint32_t last_k = FlatIndex::kEmpty;
          for (const Event& e : block.events) {
            // Segments are sorted by session: look each session up once.
            if (e.session_id != last_sid) {
              last_sid = e.session_id;
              last_k = slow_of(IdHash(e.session_id), e.session_id);
            }
            all[last_k].push_back({CopyEventTo(e, &batch_arena_), 0});
          }
          return Status::Ok();
        },
        wanted));
  }
  for (size_t i = 0; i < slow_.size(); ++i) {
    const SlowSession& s = slow_[i];
    std::vector<Tagged>& v = all[i];
    std::sort(v.begin(), v.end(), [](const Tagged& a, const Tagged& b) {
      int c = CompareEventFull(a.e, b.e);
      return c != 0 ? c < 0 : a.origin < b.origin;
    });
    const uint32_t o_slot = InsertOpen(s.hash, s.session_id);
    OpenSession& o = open_slots_[o_slot];
    o.written_day = s.written_day;
    o.dirty = true;
    // Ids seen so far in this session: open addressing on the id hash,
    // confirmed by comparing the ids themselves.
    size_t cap = GroupIdSetCapacity(v.size());
    seen_ids_.assign(cap, nullptr);
    auto first_sighting = [&](const Event& e) {
      const uint64_t h = EventIdHash(s.hash, e.event_id);
      for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (seen_ids_[i] == nullptr) {
          seen_ids_[i] = &e;
          return true;
        }
        if (seen_ids_[i]->event_id == e.event_id) return false;
      }
    };
    std::vector<const Event*> kept;
    const Event* prev = nullptr;
    for (const Tagged& t : v) {
      bool duplicate =
          !t.e.event_id.empty() ? !first_sighting(t.e) : (prev != nullptr && SameEventIdentity(*prev, t.e));
      if (!duplicate) {
        kept.push_back(&t.e);
        prev = &t.e;
        if (t.origin == 2) {
          extra_events_.push_back(t.e);
          store_events_.push_back(&extra_events_.back());
          store_days_.push_back(DayOf(t.e.ts).v);
          store_hashes_.push_back(s.hash);
          store_slots_.push_back(o_slot);
          store_id_hashes_.push_back(t.e.event_id.empty() ? 0 : EventIdHash(s.hash, t.e.event_id));
          ++stats_.stored;
        }
      } else if (t.origin == 2) {
        ++stats_.duplicates;
        ++state_.events_duplicate;
      }
    }
    for (const Event* e : kept) {
      o.acc.Apply(*e, options_.config, &interner_);
      if (!e->event_id.empty()) resolved_ids_.emplace_back(o_slot, EventIdHash(s.hash, e->event_id));
    }
  }
  slow_.clear();
  slow_index_.Clear();
  return Status::Ok();
}

Status Ingestor::Flush(bool close_all) {
  ApplyArrivals();
  WS_RETURN_IF_ERROR(ResolveSlowSessions());
  if (open_index_.size() > stats_.measured_open_sessions) {
    stats_.measured_open_sessions = open_index_.size();
    stats_.measured_open_bytes = OpenSessionBytes();
    stats_.measured_filter_bytes = seen_.bytes();
    stats_.measured_filter_ids = seen_.keys();
    stats_.measured_interner_bytes = interner_.bytes();
  }
  if (batch_max_ts_ > state_.watermark.v) state_.watermark = EpochMillis{batch_max_ts_};
  const int64_t watermark = state_.watermark.v;

  // Session records that change, per day.
  struct DayChanges {
    std::vector<SessionRecord> upserts;
    std::unordered_set<std::string> deletes;
    std::unordered_set<uint64_t> close_hashes;
  };
  std::map<int32_t, DayChanges> changes;

  uint64_t oldest_layer = seen_.current_layer();
  std::vector<std::pair<uint64_t, std::string>> to_close;
  open_index_.ForEach([&](uint32_t slot) {
    OpenSession& s = open_slots_[slot];
    const SessionAccumulator& acc = s.acc;
    bool closing = close_all || watermark - acc.last_ts().v >= CloseAfterMs(acc.last_type());
    if (!closing) oldest_layer = std::min<uint64_t>(oldest_layer, s.first_layer);
    if (!closing && !s.dirty) return;
    const std::string sid = s.session_id.str();
    const uint64_t hash = IdHash(sid);
    SessionRecord r = acc.Finalize(sid, closing, options_.config, interner_, catalog_);
    if (s.written_day != INT32_MIN && s.written_day != r.date_key.v) {
      changes[s.written_day].deletes.insert(r.session_id);
    }
    s.written_day = r.date_key.v;
    s.dirty = false;
    if (closing) {
      directory_[hash] = DirEntryOf(r);
      to_close.emplace_back(hash, sid);
      ++stats_.sessions_closed;
    }
    changes[r.date_key.v].upserts.push_back(std::move(r));
  });
  for (const auto& [hash, sid] : to_close) EraseOpen(hash, sid);
  seen_.DropBefore(oldest_layer);
  // The ids of sessions that stay open go into the filter, so that a later
  // batch can tell a new id from a resent one without reading the store.
  for (size_t i = 0; i < store_events_.size(); ++i) {
    OpenSession& o = open_slots_[store_slots_[i]];
    if (!o.live) continue;
    o.ids_in_filter = true;
    if (!store_events_[i]->event_id.empty()) seen_.Insert(store_id_hashes_[i]);
  }
  for (const auto& [slot, id_hash] : resolved_ids_) {
    OpenSession& o = open_slots_[slot];
    if (!o.live) continue;
    o.ids_in_filter = true;
    seen_.Insert(id_hash);
  }
  resolved_ids_.clear();

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
          uint64_t h = IdHash(r.session_id);
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

  // Hand the store pointers (no copy); the per-day lists are reused across
  // batches rather than faulting in fresh pages for every commit.
  for (size_t i = 0; i < store_events_.size(); ++i) {
    auto [it, inserted] = batch.event_refs.try_emplace(DayNumber{store_days_[i]});
    if (inserted && !day_buffers_.empty()) {
      it->second = std::move(day_buffers_.back());
      day_buffers_.pop_back();
    }
    it->second.push_back(store_events_[i]);
  }
  state_.events_accepted += store_events_.size();
  batch.rejections = std::move(batch_rejections_);
  batch.new_state = state_;
  WS_RETURN_IF_ERROR(store_->Commit(batch));
  ++stats_.commits;
  for (auto& [day, refs] : batch.event_refs) {
    refs.clear();
    day_buffers_.push_back(std::move(refs));
  }

  store_events_.clear();
  store_days_.clear();
  arrivals_.clear();
  extra_events_.clear();
  store_hashes_.clear();
  store_slots_.clear();
  store_id_hashes_.clear();
  batch_rejections_.clear();
  batch_arena_.Clear();
  buffered_ = 0;
  batch_max_ts_ = INT64_MIN;
  return Status::Ok();
}

size_t Ingestor::OpenSessionBytes() const {
  size_t n = open_slots_.size() * sizeof(OpenSession);
  for (const OpenSession& s : open_slots_) {
    n += s.session_id.heap_bytes();
    n += s.acc.heap_bytes();
  }
  n += open_index_.bytes() + free_slots_.capacity() * sizeof(uint32_t);
  return n;
}

}  // namespace ws
