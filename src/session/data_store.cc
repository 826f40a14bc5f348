// DataStore and the conversion of version-1 stores (session/data_store.h).
#include "session/data_store.h"

#include <algorithm>
#include <map>

#include "event/event_table.h"
#include "event/event_table_v1.h"
#include "session/session_table_v1.h"
#include "store/v1/manifest.h"

namespace ws {
namespace {

constexpr char kCurrentV1[] = "CURRENT";
constexpr std::string_view kManifestPrefixV1 = "MANIFEST-";
constexpr const char* kV1DataDirs[] = {"events", "sessions", "quarantine"};

// Copies what a version-1 store consists of (not the catalog) into memory.
Status CopyV1Store(Env* real, const std::string& dir, MemEnv* mem) {
  WS_RETURN_IF_ERROR(mem->MakeDirs(dir));
  WS_ASSIGN_OR_RETURN(std::vector<DirEntry> top, real->ListDir(dir));
  for (const DirEntry& e : top) {
    const std::string path = JoinPath(dir, e.name);
    if (e.is_dir) {
      for (const char* d : kV1DataDirs) {
        if (e.name == d) WS_RETURN_IF_ERROR(mem->ImportFrom(real, path, path));
      }
      continue;
    }
    if (e.name == kCurrentV1 || (e.name.rfind(kManifestPrefixV1, 0) == 0 && !IsTempFileName(e.name))) {
      WS_ASSIGN_OR_RETURN(std::string data, real->ReadFile(path));
      WS_RETURN_IF_ERROR(mem->WriteFileSynced(path, data));
    }
  }
  return mem->SyncDir(dir);
}

IngestState StateFromV1(const store::v1::State& s) {
  IngestState st;
  if (s.watermark != INT64_MIN) st.watermark = EpochMillis{s.watermark};
  st.events_accepted = s.events_accepted;
  st.events_duplicate = s.events_duplicate;
  st.rejected_by_reason = s.rejected_by_reason;
  st.warnings_by_reason = s.warnings_by_reason;
  st.upgraded_from_v1 = true;
  return st;
}

Status CorruptV1(const std::string& dir, const store::v1::LiveFile& f, const Status& st) {
  return Status::Corruption("corrupt store file " + JoinPath(dir, store::v1::RelativePath(f)) + ": " +
                            st.message());
}

}  // namespace

std::vector<store::TableDef> DataStore::Tables() {
  return {EventsTableDef(), QuarantineTableDef(), SessionsTableDef()};
}

Result<IngestState> DataStore::StateOf(const store::Snapshot& snap) {
  return DecodeIngestState(snap.app_state());
}

Status UpgradeV1Store(Env* env, const std::string& dir) {
  WS_ASSIGN_OR_RETURN(store::v1::Manifest v1, store::v1::ReadLiveManifest(env, dir));
  store::StoreOptions o;
  o.env = env;
  o.tables = DataStore::Tables();
  o.upgrade_from_v1 = true;
  {
    WS_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> st, store::Store::Open(dir, std::move(o)));
    WS_ASSIGN_OR_RETURN(IngestState state, DecodeIngestState(st->snapshot()->app_state()));
    if (!state.upgraded_from_v1) {
      // Every version-1 file, converted into one commit: one events file
      // per day, the sessions of each day, the quarantine.
      std::map<DayNumber, std::vector<const store::v1::LiveFile*>> event_days, session_days;
      std::vector<const store::v1::LiveFile*> quarantine;
      for (const store::v1::LiveFile& f : v1.files) {
        switch (f.kind) {
          case store::v1::FileKind::kEvents:
            event_days[f.day].push_back(&f);
            break;
          case store::v1::FileKind::kSessions:
            session_days[f.day].push_back(&f);
            break;
          case store::v1::FileKind::kQuarantine:
            quarantine.push_back(&f);
            break;
        }
      }
      auto by_number = [](const store::v1::LiveFile* a, const store::v1::LiveFile* b) {
        return a->number < b->number;
      };
      store::CommitRequest req;
      SessionKeys keys(st->keys());
      for (auto& [day, files] : event_days) {
        std::sort(files.begin(), files.end(), by_number);
        StringArena arena;
        std::vector<Event> events;
        for (const store::v1::LiveFile* f : files) {
          WS_ASSIGN_OR_RETURN(std::string data, store::v1::ReadLiveFile(env, dir, *f));
          std::vector<Event> part;
          Status s = v1::DecodeEventSegment(data, &arena, &part);
          if (!s.ok()) return CorruptV1(dir, *f, s);
          events.insert(events.end(), part.begin(), part.end());
        }
        std::vector<const Event*> refs;
        for (const Event& e : events) refs.push_back(&e);
        WS_ASSIGN_OR_RETURN(store::NewFile file, EncodeEvents(*st->table(kEventsTable), refs, day));
        req.files.push_back(std::move(file));
      }
      for (auto& [day, files] : session_days) {
        std::vector<SessionRecord> records;
        for (const store::v1::LiveFile* f : files) {
          WS_ASSIGN_OR_RETURN(std::string data, store::v1::ReadLiveFile(env, dir, *f));
          Status s = v1::DecodeSessionSegment(data, &records);
          if (!s.ok()) return CorruptV1(dir, *f, s);
        }
        std::vector<const SessionRecord*> refs;
        for (SessionRecord& r : records) {
          AssignKeys(&r, keys);
          refs.push_back(&r);
        }
        WS_ASSIGN_OR_RETURN(store::NewFile file, EncodeSessions(refs, {}, day));
        req.files.push_back(std::move(file));
      }
      std::sort(quarantine.begin(), quarantine.end(), by_number);
      std::vector<Rejection> rejections;
      for (const store::v1::LiveFile* f : quarantine) {
        WS_ASSIGN_OR_RETURN(std::string data, store::v1::ReadLiveFile(env, dir, *f));
        Status s = v1::DecodeQuarantine(data, &rejections);
        if (!s.ok()) return CorruptV1(dir, *f, s);
      }
      if (!rejections.empty()) {
        WS_ASSIGN_OR_RETURN(store::NewFile file, EncodeRejections(rejections));
        req.files.push_back(std::move(file));
      }
      req.app_state = EncodeIngestState(StateFromV1(v1.state));
      WS_RETURN_IF_ERROR(st->Commit(std::move(req)));
    }
  }
  // The commit point of the conversion: without CURRENT the directory is a
  // version-2 store. Then the version-1 files go.
  WS_RETURN_IF_ERROR(env->RemoveFile(JoinPath(dir, kCurrentV1)));
  WS_RETURN_IF_ERROR(env->SyncDir(dir));
  return store::v1::RemoveV1Files(env, dir);
}

Result<std::unique_ptr<DataStore>> DataStore::Open(const std::string& dir, DataStoreOptions options) {
  auto ds = std::make_unique<DataStore>(Passkey{});
  Env* env = options.env != nullptr ? options.env : Env::Default();
  if (env->IsDirectory(dir) && store::v1::IsV1Store(env, dir)) {
    if (options.read_only) {
      ds->memory_ = std::make_unique<MemEnv>();
      WS_RETURN_IF_ERROR(CopyV1Store(env, dir, ds->memory_.get()));
      env = ds->memory_.get();
    }
    WS_RETURN_IF_ERROR(UpgradeV1Store(env, dir));
    ds->converted_ = true;
  }
  store::StoreOptions o;
  o.env = env;
  o.read_only = options.read_only;
  o.create_if_missing = options.create_if_missing;
  o.background_compaction = options.background_compaction;
  o.compaction = options.compaction;
  o.tables = Tables();
  WS_ASSIGN_OR_RETURN(ds->store_, store::Store::Open(dir, std::move(o)));
  ds->keys_ = std::make_unique<SessionKeys>(ds->store_->keys());
  return ds;
}

Status CommitSessions(DataStore* store, std::vector<SessionRecord> records) {
  std::map<DayNumber, std::map<std::string, SessionRecord>> by_day;
  for (SessionRecord& r : records) {
    AssignKeys(&r, store->keys());
    const DayNumber day = r.date_key;
    std::string id = r.session_id;
    by_day[day][std::move(id)] = std::move(r);
  }
  store::CommitRequest req;
  for (const auto& [day, day_records] : by_day) {
    std::vector<const SessionRecord*> refs;
    for (const auto& [id, r] : day_records) refs.push_back(&r);
    WS_ASSIGN_OR_RETURN(store::NewFile f, EncodeSessions(refs, {}, day));
    req.files.push_back(std::move(f));
  }
  return store->store().Commit(std::move(req));
}

}  // namespace ws
