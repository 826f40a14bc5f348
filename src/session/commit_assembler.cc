#include "session/commit_assembler.h"

#include <algorithm>
#include <thread>

#include "event/event_table.h"
#include "session/session_table.h"

namespace ws {

void CommitAssembler::Upsert(SessionRecord r) {
  DayNumber day = r.date_key;
  days_[day].upserts.push_back(std::move(r));
  ++upserts_;
}

void CommitAssembler::Remove(DayNumber day, std::string session_id) {
  days_[day].removes.push_back(std::move(session_id));
}

void CommitAssembler::AddRejections(std::vector<Rejection> rejections) {
  if (rejections_.empty()) {
    rejections_ = std::move(rejections);
    return;
  }
  for (Rejection& r : rejections) rejections_.push_back(std::move(r));
}

Result<store::CommitRequest> CommitAssembler::Build(const store::Store& store, const BatchEvents& events,
                                                    const IngestState& state) {
  store::CommitRequest req;
  // Events: one file per UTC day; the lists are reused across batches
  // rather than faulting in fresh pages for every commit.
  for (const StoredEvent& se : events.items()) {
    auto [it, inserted] = events_by_day_.try_emplace(se.day);
    if (inserted && !spare_.empty()) {
      it->second = std::move(spare_.back());
      spare_.pop_back();
    }
    it->second.push_back(se.event);
  }
  const store::TableDef& events_def = *store.table(kEventsTable);
  // Days are encoded independently: spread them over the encode threads
  // (largest first, each to the least loaded), keep the files in day order.
  std::vector<std::pair<DayNumber, const std::vector<const Event*>*>> days;
  for (const auto& [day, refs] : events_by_day_) days.emplace_back(day, &refs);
  std::vector<Result<store::NewFile>> files(days.size(), Status::Internal("not encoded"));
  const size_t threads = std::max<size_t>(1, std::min<size_t>(encode_threads_, days.size()));
  std::vector<std::vector<size_t>> share(threads);
  {
    std::vector<size_t> order(days.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return days[a].second->size() > days[b].second->size(); });
    std::vector<size_t> load(threads, 0);
    for (size_t i : order) {
      size_t t = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
      share[t].push_back(i);
      load[t] += days[i].second->size();
    }
  }
  auto encode = [&](const std::vector<size_t>& mine) {
    for (size_t i : mine) files[i] = EncodeEvents(events_def, *days[i].second, days[i].first);
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(encode, std::cref(share[t]));
  encode(share[0]);
  for (std::thread& h : helpers) h.join();
  for (Result<store::NewFile>& f : files) {
    if (!f.ok()) return f.status();
    req.files.push_back(std::move(f).value());
  }
  for (auto& [day, changes] : days_) {
    std::vector<const SessionRecord*> records;
    records.reserve(changes.upserts.size());
    for (const SessionRecord& r : changes.upserts) records.push_back(&r);
    std::vector<std::string_view> removes(changes.removes.begin(), changes.removes.end());
    WS_ASSIGN_OR_RETURN(store::NewFile f, EncodeSessions(records, removes, day));
    req.files.push_back(std::move(f));
  }
  if (!rejections_.empty()) {
    WS_ASSIGN_OR_RETURN(store::NewFile f, EncodeRejections(rejections_));
    req.files.push_back(std::move(f));
  }
  req.app_state = EncodeIngestState(state);
  return req;
}

void CommitAssembler::Clear() {
  days_.clear();
  upserts_ = 0;
  rejections_.clear();
  for (auto& [day, refs] : events_by_day_) {
    refs.clear();
    spare_.push_back(std::move(refs));
  }
  events_by_day_.clear();
}

}  // namespace ws
