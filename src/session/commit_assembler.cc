#include "session/commit_assembler.h"

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
  for (auto& [day, refs] : events_by_day_) {
    WS_ASSIGN_OR_RETURN(store::NewFile f, EncodeEvents(events_def, refs, day));
    req.files.push_back(std::move(f));
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
