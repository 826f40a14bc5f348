#include "session/live_ingest.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "store/encoding.h"

namespace ws {
namespace {

constexpr uint8_t kRecordVersion = 1;
constexpr uint8_t kMaxWarningReason = static_cast<uint8_t>(WarningReason::kCount) - 1;
// The most events Appends merge into one log record.
constexpr size_t kMaxGroupEvents = 100'000;

Status BadRecord(const std::string& what) {
  return Status::Corruption("a write-ahead log record is malformed: " + what);
}

// The record of one accepted batch (see live_ingest.h).
Result<std::string> EncodeRecord(const AcceptedBatch& batch) {
  store::ByteSink s;
  s.PutU8(kRecordVersion);
  s.PutVarint(batch.events.size());
  if (!batch.events.empty()) {
    std::vector<const Event*> refs;
    refs.reserve(batch.events.size());
    for (const Event& e : batch.events) refs.push_back(&e);
    WS_ASSIGN_OR_RETURN(store::NewFile f,
                        EncodeEvents(EventsTableDef(), refs, DayOf(batch.events.front().ts)));
    s.PutString(f.image);
  }
  s.PutVarint(batch.rejections.size());
  if (!batch.rejections.empty()) {
    WS_ASSIGN_OR_RETURN(store::NewFile f, EncodeRejections(batch.rejections));
    s.PutString(f.image);
  }
  s.PutVarint(batch.warnings.size());
  for (const auto& [reason, count] : batch.warnings) {
    s.PutU8(static_cast<uint8_t>(reason));
    s.PutVarint(count);
  }
  return s.Finish();
}

}  // namespace

LiveIngest::LiveIngest(Passkey, LiveIngestOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<LiveIngest>> LiveIngest::Open(DataStore* store, const CatalogView* catalog,
                                                     LiveIngestOptions options) {
  auto live = std::make_unique<LiveIngest>(Passkey{}, std::move(options));
  WS_ASSIGN_OR_RETURN(live->ingestor_, Ingestor::Create(store, catalog, live->options_.ingest));
  const uint64_t covered = store->snapshot()->log_covered_seq();
  live->applied_seq_ = covered;
  Env* env = store->store().env();
  const std::string& dir = store->store().dir();
  WS_ASSIGN_OR_RETURN(live->recovery_,
                      store::RecoverWal(env, dir, covered, [&](uint64_t seq, std::string_view p) {
                        WS_RETURN_IF_ERROR(live->Apply(p));
                        live->applied_seq_ = seq;
                        if (live->ingestor_->ShouldFlush()) return live->CommitApplied();
                        return Status::Ok();
                      }));
  if (live->applied_seq_ > covered || live->recovery_.torn_bytes > 0)
    WS_RETURN_IF_ERROR(live->CommitApplied());
  const uint64_t next = std::max(live->recovery_.last_seq, covered) + 1;
  WS_ASSIGN_OR_RETURN(live->wal_,
                      store::WalWriter::Open(env, dir, live->recovery_, next, live->options_.wal));
  WS_RETURN_IF_ERROR(live->wal_->DeleteCovered(live->applied_seq_));
  {
    std::lock_guard<std::mutex> l(live->mu_);
    live->next_seq_ = next;
    live->committed_seq_ = live->applied_seq_;
    live->applier_committed_ = live->applied_seq_;
    live->stats_ = live->ingestor_->stats();
    live->watermark_ = live->ingestor_->state().watermark;
  }
  live->applier_ = std::thread([p = live.get()] { p->ApplierLoop(); });
  live->log_thread_ = std::thread([p = live.get()] { p->LogLoop(); });
  return live;
}

LiveIngest::~LiveIngest() {
  if (!closed_) (void)Close();  // documented: call Close to see its error
}

Status LiveIngest::AppendAsync(OwnedBatch batch, AppendDone done) {
  {
    std::lock_guard<std::mutex> l(log_mu_);
    if (log_stop_) return Status::FailedPrecondition("the live ingest is closed");
    const size_t n = batch.batch.events.size();
    if (log_queued_events_ > 0 && log_queued_events_ + n > options_.max_queued_events) {
      return Status::Unavailable(
          fmt::format("{} events are waiting for the write-ahead log", log_queued_events_));
    }
    log_queued_events_ += n;
    log_queue_.push_back(Queued{std::move(batch), std::move(done)});
  }
  log_cv_.notify_one();
  return Status::Ok();
}

Result<uint64_t> LiveIngest::Append(const AcceptedBatch& batch) {
  std::mutex m;
  std::condition_variable cv;
  std::optional<Result<uint64_t>> out;
  WS_RETURN_IF_ERROR(AppendAsync(OwnedBatch{nullptr, batch}, [&](Result<uint64_t> r) {
    std::lock_guard<std::mutex> l(m);
    out = std::move(r);
    cv.notify_one();
  }));
  std::unique_lock<std::mutex> l(m);
  cv.wait(l, [&] { return out.has_value(); });
  return std::move(*out);
}

void LiveIngest::LogLoop() {
  while (true) {
    std::vector<Queued> group;
    size_t events = 0;
    {
      std::unique_lock<std::mutex> l(log_mu_);
      log_cv_.wait(l, [&] { return log_stop_ || !log_queue_.empty(); });
      if (log_queue_.empty()) return;  // stopping, and everything queued is written
      while (!log_queue_.empty() &&
             (group.empty() || events + log_queue_.front().batch.batch.events.size() <= kMaxGroupEvents)) {
        events += log_queue_.front().batch.batch.events.size();
        group.push_back(std::move(log_queue_.front()));
        log_queue_.pop_front();
      }
      log_queued_events_ -= events;
    }
    Result<uint64_t> result = uint64_t{0};
    if (group.size() == 1) {
      result = AppendRecord(group[0].batch.batch);
    } else {
      AcceptedBatch merged;
      merged.events.reserve(events);
      std::map<WarningReason, uint64_t> warnings;
      for (const Queued& q : group) {
        const AcceptedBatch& b = q.batch.batch;
        merged.events.insert(merged.events.end(), b.events.begin(), b.events.end());
        merged.rejections.insert(merged.rejections.end(), b.rejections.begin(), b.rejections.end());
        for (const auto& [reason, n] : b.warnings) warnings[reason] += n;
      }
      merged.warnings.assign(warnings.begin(), warnings.end());
      result = AppendRecord(merged);
    }
    for (Queued& q : group) q.done(result);
  }
}

Result<uint64_t> LiveIngest::AppendRecord(const AcceptedBatch& batch) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_) return Status::FailedPrecondition("the live ingest is closed");
  }
  WS_ASSIGN_OR_RETURN(std::string record, EncodeRecord(batch));
  Result<uint64_t> appended = wal_->Append(record);
  if (!appended.ok()) {
    // What reached the log is unknown: stop here (reopen to recover).
    std::lock_guard<std::mutex> l(mu_);
    if (error_.ok()) error_ = appended.status();
    done_cv_.notify_all();
    return appended.status();
  }
  const uint64_t seq = *appended;
  {
    std::lock_guard<std::mutex> l(mu_);
    pending_.emplace(seq, std::move(record));
  }
  work_cv_.notify_one();
  return seq;
}

Status LiveIngest::Sync() {
  std::unique_lock<std::mutex> l(mu_);
  const uint64_t target = wal_->last_seq();
  sync_target_ = std::max(sync_target_, target);
  work_cv_.notify_one();
  done_cv_.wait(l, [&] { return committed_seq_ >= target || !error_.ok() || stop_; });
  if (!error_.ok()) return error_;
  if (committed_seq_ < target) return Status::FailedPrecondition("the live ingest closed before the sync");
  return Status::Ok();
}

Status LiveIngest::Close() {
  // Everything queued goes to the log (and its callbacks run) first.
  {
    std::lock_guard<std::mutex> l(log_mu_);
    log_stop_ = true;
  }
  log_cv_.notify_all();
  if (log_thread_.joinable()) log_thread_.join();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_) return error_;
    closed_ = true;
    stop_ = true;
  }
  work_cv_.notify_one();
  if (applier_.joinable()) applier_.join();
  std::lock_guard<std::mutex> l(mu_);
  done_cv_.notify_all();
  return error_;
}

Status LiveIngest::Tick() {
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return Status::FailedPrecondition("the live ingest is closed");
  const uint64_t target = ++ticks_wanted_;
  work_cv_.notify_one();
  done_cv_.wait(l, [&] { return ticks_done_ >= target || !error_.ok() || stop_; });
  return error_;
}

std::optional<EpochMillis> LiveIngest::watermark() const {
  std::lock_guard<std::mutex> l(mu_);
  return watermark_;
}

IngestStats LiveIngest::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

uint64_t LiveIngest::commits() const {
  std::lock_guard<std::mutex> l(mu_);
  return commits_;
}

Status LiveIngest::Apply(std::string_view payload) {
  store::ByteSource s(payload);
  uint8_t version = 0;
  uint64_t n_events = 0, n_rejections = 0, n_warnings = 0;
  if (!s.GetU8(&version) || version != kRecordVersion) return BadRecord("unknown version");
  if (!s.GetVarint(&n_events)) return BadRecord("no event count");
  if (n_events > 0) {
    std::string_view image;
    if (!s.GetString(&image)) return BadRecord("the events image is cut");
    WS_ASSIGN_OR_RETURN(std::shared_ptr<const store::TableFile> file,
                        store::TableFile::FromImage(std::string(image), "write-ahead log record"));
    if (file->rows() != n_events) return BadRecord("the events image holds another number of events");
    for (size_t b = 0; b < file->block_count(); ++b) {
      auto block = std::make_unique<EventBlock>();
      WS_RETURN_IF_ERROR(DecodeEventsFileBlock(*file, b, block.get()));
      for (const Event& e : block->events) ingestor_->OnLoggedEvent(e, 0);
      blocks_.push_back(std::move(block));
    }
  }
  if (!s.GetVarint(&n_rejections)) return BadRecord("no rejection count");
  if (n_rejections > 0) {
    std::string_view image;
    if (!s.GetString(&image)) return BadRecord("the quarantine image is cut");
    WS_ASSIGN_OR_RETURN(std::shared_ptr<const store::TableFile> file,
                        store::TableFile::FromImage(std::string(image), "write-ahead log record"));
    std::vector<Rejection> rejections;
    WS_RETURN_IF_ERROR(DecodeRejectionsFile(*file, &rejections));
    if (rejections.size() != n_rejections)
      return BadRecord("the quarantine image holds another number of rows");
    for (Rejection& r : rejections) ingestor_->OnReject(std::move(r));
  }
  if (!s.GetVarint(&n_warnings) || n_warnings > s.remaining()) return BadRecord("no warning count");
  for (uint64_t i = 0; i < n_warnings; ++i) {
    uint8_t reason = 0;
    uint64_t count = 0;
    if (!s.GetU8(&reason) || reason > kMaxWarningReason || !s.GetVarint(&count))
      return BadRecord("a bad warning");
    for (uint64_t k = 0; k < count; ++k) ingestor_->OnWarning(static_cast<WarningReason>(reason), 0);
  }
  if (!s.done()) return BadRecord("trailing bytes");
  return Status::Ok();
}

Status LiveIngest::CommitApplied() {
  if (options_.clock_watermark)
    ingestor_->SetWatermarkCeiling(EpochMillis{options_.now().v + options_.max_clock_skew_ms});
  WS_RETURN_IF_ERROR(ingestor_->Flush(/*close_all=*/false, applied_seq_));
  blocks_.clear();
  if (wal_ != nullptr) WS_RETURN_IF_ERROR(wal_->DeleteCovered(applied_seq_));
  applier_committed_ = applied_seq_;
  std::lock_guard<std::mutex> l(mu_);
  committed_seq_ = applied_seq_;
  ++commits_;
  stats_ = ingestor_->stats();
  watermark_ = ingestor_->state().watermark;
  done_cv_.notify_all();
  return Status::Ok();
}

Status LiveIngest::ClockStep() {
  const EpochMillis now = options_.now();
  const std::optional<EpochMillis> wm = ingestor_->state().watermark;
  if (wm != clock_base_) {  // events moved it (or a clock step did): time it from here
    clock_base_ = wm;
    clock_base_at_ = now;
  }
  if (!wm) return Status::Ok();
  const EpochMillis moved{clock_base_->v + std::max<int64_t>(0, now.v - clock_base_at_.v)};
  // Commit only when the moved watermark closes something.
  const std::optional<EpochMillis> closes = ingestor_->EarliestClose();
  const EpochMillis ceiling{now.v + options_.max_clock_skew_ms};
  if (!closes || std::min(moved, ceiling) < *closes) return Status::Ok();
  ingestor_->AdvanceWatermark(moved);
  WS_RETURN_IF_ERROR(CommitApplied());
  clock_base_ = ingestor_->state().watermark;
  clock_base_at_ = now;
  return Status::Ok();
}

void LiveIngest::ApplierLoop() {
  auto last_commit = std::chrono::steady_clock::now();
  while (true) {
    std::vector<std::pair<uint64_t, std::string>> ready;
    bool stopping = false;
    bool sync_wanted = false;
    uint64_t tick = 0;
    bool tick_wanted = false;
    {
      std::unique_lock<std::mutex> l(mu_);
      auto has_next = [&] { return !pending_.empty() && pending_.begin()->first == next_seq_; };
      work_cv_.wait_until(l, last_commit + options_.commit_interval, [&] {
        return stop_ || has_next() || sync_target_ > committed_seq_ || ticks_wanted_ > ticks_done_;
      });
      tick = ticks_wanted_;
      tick_wanted = ticks_wanted_ > ticks_done_;
      while (has_next()) {
        ready.emplace_back(pending_.begin()->first, std::move(pending_.begin()->second));
        pending_.erase(pending_.begin());
        ++next_seq_;
      }
      stopping = stop_;
      sync_wanted = sync_target_ > committed_seq_;
    }
    Status st;
    for (auto& [seq, payload] : ready) {
      st = Apply(payload);
      if (!st.ok()) break;
      applied_seq_ = seq;
      if (ingestor_->ShouldFlush()) {
        st = CommitApplied();
        if (!st.ok()) break;
        last_commit = std::chrono::steady_clock::now();
      }
    }
    const bool due = std::chrono::steady_clock::now() - last_commit >= options_.commit_interval;
    if (st.ok() && applied_seq_ > applier_committed_ && (due || sync_wanted || stopping)) {
      st = CommitApplied();
      last_commit = std::chrono::steady_clock::now();
    }
    if (st.ok() && options_.clock_watermark && !stopping && (due || tick_wanted)) st = ClockStep();
    // Idle: the next wait is a whole commit_interval, not a spin.
    if (due) last_commit = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!st.ok()) error_ = st;
      ticks_done_ = std::max(ticks_done_, tick);
      done_cv_.notify_all();
    }
    if (!st.ok()) return;
    if (stopping) return;
  }
}

}  // namespace ws
