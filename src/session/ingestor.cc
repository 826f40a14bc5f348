#include "session/ingestor.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>

#include "session/accumulator.h"
#include "session/session_table.h"

namespace ws {

Ingestor::Ingestor(Passkey, DataStore* store, const CatalogView* catalog, Options options, IngestState state)
    : store_(store),
      catalog_(catalog),
      options_(std::move(options)),
      policy_(options_.config, options_.backfill ? Lateness::kExempt : Lateness::kEnforced),
      state_(std::move(state)) {}

Result<std::unique_ptr<Ingestor>> Ingestor::Create(DataStore* store, const CatalogView* catalog,
                                                   Options options) {
  std::shared_ptr<const store::Snapshot> snap = store->snapshot();
  WS_ASSIGN_OR_RETURN(IngestState state, DataStore::StateOf(*snap));
  auto ing = std::make_unique<Ingestor>(Passkey{}, store, catalog, std::move(options), std::move(state));
  WS_RETURN_IF_ERROR(ing->directory_.Load(*snap, store->keys(), ing->state_.watermark, ing->options_.config,
                                          ing->options_.backfill ? Lateness::kExempt : Lateness::kEnforced));
  return ing;
}

void Ingestor::Reject(RejectReason reason, std::string message, const Event& e, std::string_view raw,
                      int64_t line) {
  Rejection r;
  r.reason = reason;
  r.message = std::move(message);
  r.raw = raw.empty() ? EventToJson(e) : std::string(raw);
  r.source = source_;
  r.line = line;
  AddRejection(std::move(r));
}

void Ingestor::RejectConflict(const Event& e, std::string_view user, std::string_view content,
                              std::string_view raw, int64_t line) {
  Reject(RejectReason::kSessionConflict,
         fmt::format("session \"{}\" was first seen with user \"{}\" and content \"{}\"; this event names "
                     "user \"{}\" and content \"{}\"",
                     e.session_id, user, content, e.user_id, e.content_id),
         e, raw, line);
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

void Ingestor::OnEvent(const Event& e, std::string_view raw, int64_t line) {
  // Hash now, while the text is in cache from parsing.
  Accept(e, HashEvent(e, raw), raw, line);
}

Ingestor::EventHashes Ingestor::HashEvent(const Event& e, std::string_view raw) {
  EventHashes h;
  h.raw = XXH3_64bits(raw.data(), raw.size());
  h.session = IdHash(e.session_id);
  h.id = e.event_id.empty() ? 0 : EventIdHash(h.session, e.event_id);
  return h;
}

void Ingestor::OnLoggedEvent(const Event& e, int64_t line) {
  EventHashes h;
  h.raw = EventContentHash(e);
  h.session = IdHash(e.session_id);
  h.id = e.event_id.empty() ? 0 : EventIdHash(h.session, e.event_id);
  Accept(e, h, {}, line);
}

void Ingestor::Accept(const Event& e, const EventHashes& hashes, std::string_view raw, int64_t line) {
  ++stats_.received;
  const uint64_t sid_hash = hashes.session;
  auto seen_ts = [&] { batch_max_ts_ = std::max(batch_max_ts_.value_or(e.ts), e.ts); };
  // 1. A session already on the slow path this batch: judged at Flush.
  if (SlowPath::Session* slow = slow_.Find(sid_hash, e.session_id)) {
    if (e.user_id != slow->user_id || e.content_id != slow->content_id) {
      RejectConflict(e, slow->user_id, slow->content_id, raw, line);
      return;
    }
    slow->pending.push_back(e);
    ++buffered_;
    seen_ts();
    return;
  }
  // 2. An open session in memory.
  const uint32_t found = open_.Find(sid_hash, e.session_id);
  if (found != OpenSessions::kNone) {
    const OpenSession& s = open_.at(found);
    std::string_view user = interner_.Get(s.acc.user());
    std::string_view content = interner_.Get(s.acc.content());
    if (e.user_id != user || e.content_id != content) {
      RejectConflict(e, user, content, raw, line);
      return;
    }
    seen_ts();
    applier_.Arrive(found, e, hashes.raw, hashes.id, options_.batch_events);
    ++buffered_;
    return;
  }
  // 3. A session closed earlier, or left open by an earlier process.
  if (const DirectoryEntry* d = directory_.Find(sid_hash)) {
    const SessionKeys& keys = store_->keys();
    std::optional<uint32_t> user = keys.user->Find(e.user_id);
    std::optional<uint32_t> content = keys.content->Find(e.content_id);
    if (user != d->user_key || content != d->content_key) {
      Reject(
          RejectReason::kSessionConflict,
          fmt::format("session \"{}\" was seen before with another user_id or content_id than this event's "
                      "(user \"{}\", content \"{}\")",
                      e.session_id, e.user_id, e.content_id),
          e, raw, line);
      return;
    }
    if (d->status != SessionStatus::kInProgress &&
        policy_.IsTooLate(d->end, d->last_type, state_.watermark)) {
      Reject(RejectReason::kTooLate,
             fmt::format("session \"{}\" closed at {} which is more than the allowed lateness before the "
                         "watermark {}",
                         e.session_id, FormatRfc3339(policy_.ClosesAt(d->end, d->last_type)),
                         FormatRfc3339(*state_.watermark)),
             e, raw, line);
      return;
    }
    const DirectoryEntry entry = *d;
    directory_.Erase(sid_hash);
    SlowPath::Session& target = slow_.Add(sid_hash, e.session_id, &stats_);
    target.first_day = entry.date_key;
    target.last_day = entry.last_day;
    target.written_day = entry.date_key;
    target.user_id = slow_.arena().Copy(e.user_id);
    target.content_id = slow_.arena().Copy(e.content_id);
    target.pending.push_back(e);
    ++buffered_;
    seen_ts();
    return;
  }
  // 4. A new session.
  if (policy_.IsTooLate(e.ts, e.type, state_.watermark)) {
    Reject(RejectReason::kTooLate,
           fmt::format("event of new session \"{}\" at {} is more than the allowed lateness before the "
                       "watermark {}",
                       e.session_id, FormatRfc3339(e.ts), FormatRfc3339(*state_.watermark)),
           e, raw, line);
    return;
  }
  seen_ts();
  const uint32_t slot = open_.Insert(sid_hash, e.session_id, static_cast<uint32_t>(seen_.current_layer()));
  stats_.open_sessions = open_.size();
  stats_.peak_open_sessions = std::max(stats_.peak_open_sessions, stats_.open_sessions);
  open_.at(slot).acc.SetIds(interner_.Intern(e.user_id), interner_.Intern(e.content_id));
  applier_.Arrive(slot, e, hashes.raw, hashes.id, options_.batch_events);
  ++buffered_;
}

void Ingestor::CloseAndWrite(bool close_all) {
  const EpochMillis watermark = state_.watermark.value_or(EpochMillis{INT64_MIN});
  const SessionKeys& keys = store_->keys();
  uint64_t oldest_layer = seen_.current_layer();
  std::vector<std::pair<uint64_t, std::string>> to_close;
  open_.ForEach([&](uint32_t slot) {
    OpenSession& s = open_.at(slot);
    const SessionAccumulator& acc = s.acc;
    const bool closing =
        close_all || (state_.watermark && policy_.IsClosed(acc.last_ts(), acc.last_type(), watermark));
    if (!closing) oldest_layer = std::min<uint64_t>(oldest_layer, s.first_layer);
    if (!closing && !s.dirty) return;
    std::string sid = s.session_id.str();
    const uint64_t hash = IdHash(sid);
    SessionRecord r = acc.Finalize(sid, closing, options_.config, interner_, catalog_);
    AssignKeys(&r, keys);
    if (s.written_day && *s.written_day != r.date_key) assembler_.Remove(*s.written_day, r.session_id);
    s.written_day = r.date_key;
    s.dirty = false;
    if (closing) {
      directory_.Put(hash, DirectoryEntryOf(r));
      to_close.emplace_back(hash, std::move(sid));
      ++stats_.sessions_closed;
      ++stats_.closed_by_status[std::string(SessionStatusName(r.status))];
    }
    assembler_.Upsert(std::move(r));
  });
  for (const auto& [hash, sid] : to_close) open_.Erase(hash, sid);
  stats_.open_sessions = open_.size();
  seen_.DropBefore(oldest_layer);
  // Sessions left open by an earlier process that the watermark now closes.
  if (state_.watermark || close_all) {
    for (SessionRecord& r : directory_.CloseLeftOpen(watermark, close_all, policy_, options_.config)) {
      ++stats_.sessions_closed;
      ++stats_.closed_by_status[std::string(SessionStatusName(r.status))];
      assembler_.Upsert(std::move(r));
    }
  }
}

std::optional<EpochMillis> Ingestor::EarliestClose() const {
  std::optional<EpochMillis> first;
  auto consider = [&](EpochMillis t) {
    if (!first || t < *first) first = t;
  };
  open_.ForEach([&](uint32_t slot) {
    const SessionAccumulator& acc = open_.at(slot).acc;
    consider(policy_.ClosesAt(acc.last_ts(), acc.last_type()));
  });
  for (const auto& [hash, r] : directory_.left_open()) consider(policy_.ClosesAt(r.end, r.last_type));
  return first;
}

void Ingestor::RememberIds() {
  // The ids of sessions that stay open go into the filter, so that a later
  // batch can tell a new id from a resent one without reading the store.
  for (const StoredEvent& se : batch_.items()) {
    OpenSession& o = open_.at(se.slot);
    if (!o.live) continue;
    o.ids_in_filter = true;
    if (!se.event->event_id.empty()) seen_.Insert(se.id_hash);
  }
  for (const auto& [slot, id_hash] : resolved_ids_) {
    OpenSession& o = open_.at(slot);
    if (!o.live) continue;
    o.ids_in_filter = true;
    seen_.Insert(id_hash);
  }
  resolved_ids_.clear();
}

Status Ingestor::Flush(bool close_all, std::optional<uint64_t> log_covered) {
  std::shared_ptr<const store::Snapshot> snap = store_->snapshot();
  BatchApplier::Context ac;
  ac.open = &open_;
  ac.seen = &seen_;
  ac.slow = &slow_;
  ac.batch = &batch_;
  ac.interner = &interner_;
  ac.config = &options_.config;
  ac.stats = &stats_;
  ac.state = &state_;
  applier_.Apply(ac);
  SlowPath::Inputs si;
  si.snapshot = snap.get();
  si.config = &options_.config;
  si.open = &open_;
  si.interner = &interner_;
  si.batch = &batch_;
  si.filter_layer = static_cast<uint32_t>(seen_.current_layer());
  si.stats = &stats_;
  si.state = &state_;
  si.resolved_ids = &resolved_ids_;
  WS_RETURN_IF_ERROR(slow_.Resolve(si));
  stats_.open_sessions = open_.size();
  stats_.peak_open_sessions = std::max(stats_.peak_open_sessions, stats_.open_sessions);
  if (open_.size() > stats_.measured_open_sessions) {
    stats_.measured_open_sessions = open_.size();
    stats_.measured_open_bytes = open_.bytes();
    stats_.measured_filter_bytes = seen_.bytes();
    stats_.measured_filter_ids = seen_.keys();
    stats_.measured_interner_bytes = interner_.bytes();
  }
  std::optional<EpochMillis> next = batch_max_ts_;
  if (clock_watermark_ && (!next || *clock_watermark_ > *next)) next = clock_watermark_;
  if (next && watermark_ceiling_ && *next > *watermark_ceiling_) next = watermark_ceiling_;
  if (next && (!state_.watermark || *next > *state_.watermark)) state_.watermark = next;
  clock_watermark_.reset();

  CloseAndWrite(close_all);
  RememberIds();

  state_.events_accepted += batch_.size();
  assembler_.AddRejections(std::move(batch_rejections_));
  batch_rejections_.clear();
  WS_ASSIGN_OR_RETURN(store::CommitRequest req, assembler_.Build(store_->store(), batch_, state_));
  req.log_covered_seq = log_covered;
  snap.reset();
  WS_RETURN_IF_ERROR(store_->store().Commit(std::move(req)));
  ++stats_.commits;

  assembler_.Clear();
  batch_.Clear();
  applier_.Clear();
  slow_.ClearArena();
  buffered_ = 0;
  batch_max_ts_.reset();
  return Status::Ok();
}

}  // namespace ws
