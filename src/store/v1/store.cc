#include "store/v1/store.h"

#include <algorithm>
#include <set>
#include <utility>

#include "store/v1/manifest.h"
#include "store/v1/segment.h"
#include "store/v1/table.h"
#include "util/checksum.h"
#include "util/fs.h"

namespace ws {
namespace {

using store::v1::FileKind;
using store::v1::LiveFile;
using store::v1::Manifest;

constexpr char kCurrentName[] = "CURRENT";
constexpr char kLockName[] = "LOCK";
constexpr char kManifestPrefix[] = "MANIFEST-";
constexpr uint64_t kFirstManifestNumber = 1;
constexpr const char* kDataDirs[] = {"events", "sessions", "quarantine"};
constexpr const char* kDataExts[] = {".wse", ".wss", ".wsq"};

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool IsTempName(std::string_view name) { return name.find(kTempFileMarker) != std::string_view::npos; }
bool IsDataFileName(std::string_view name) {
  for (const char* ext : kDataExts) {
    if (EndsWith(name, ext)) return true;
  }
  return false;
}

std::string LockContent() {
  std::string s(store::v1::kLockMagic);
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(store::v1::kFormatVersion >> (8 * i)));
  return s;
}

Status CorruptFile(const std::string& path, const Status& cause) {
  return Status::Corruption("corrupt store file " + path + ": " + cause.message());
}

class StoreImpl : public Store {
 public:
  StoreImpl(std::string dir, Options options, std::unique_ptr<DirLock> lock, Manifest manifest,
            uint64_t manifest_bytes)
      : dir_(std::move(dir)),
        options_(options),
        lock_(std::move(lock)),
        manifest_(std::move(manifest)),
        manifest_bytes_(manifest_bytes) {
    RebuildIndex();
  }

  const std::string& dir() const override { return dir_; }
  const StoreState& state() const override { return manifest_.state; }

  std::vector<DayNumber> EventDays() const override {
    std::vector<DayNumber> out;
    for (const auto& [day, files] : events_) out.push_back(day);
    return out;
  }

  std::vector<DayNumber> SessionDays() const override {
    std::vector<DayNumber> out;
    for (const auto& [day, file] : sessions_) out.push_back(day);
    return out;
  }

  Status ReadEvents(DayNumber day, const std::function<Status(const EventBlock&)>& fn,
                    const SessionPredicate& wanted) const override {
    auto it = events_.find(day);
    if (it == events_.end()) return Status::Ok();
    for (const LiveFile& f : it->second) {
      WS_ASSIGN_OR_RETURN(std::string data, ReadLive(f));
      EventBlock block;
      Status st = store::v1::DecodeEventSegment(data, &block, wanted ? &wanted : nullptr);
      if (!st.ok()) return CorruptFile(PathOf(f), st);
      if (!block.events.empty()) WS_RETURN_IF_ERROR(fn(block));
    }
    return Status::Ok();
  }

  Status ReadSessions(DayNumber day, std::vector<SessionRecord>* out) const override {
    out->clear();
    auto it = sessions_.find(day);
    if (it == sessions_.end()) return Status::Ok();
    WS_ASSIGN_OR_RETURN(std::string data, ReadLive(it->second));
    Status st = store::v1::DecodeSessionSegment(data, out);
    if (!st.ok()) {
      out->clear();
      return CorruptFile(PathOf(it->second), st);
    }
    return Status::Ok();
  }

  Status ReadRejections(const std::function<Status(const Rejection&)>& fn) const override {
    for (const LiveFile& f : quarantine_) {
      WS_ASSIGN_OR_RETURN(std::string data, ReadLive(f));
      std::vector<Rejection> recs;
      Status st = store::v1::DecodeQuarantine(data, &recs);
      if (!st.ok()) return CorruptFile(PathOf(f), st);
      for (const Rejection& r : recs) WS_RETURN_IF_ERROR(fn(r));
    }
    return Status::Ok();
  }

  Status Commit(CommitBatch& batch) override {
    if (options_.read_only) {
      return Status::FailedPrecondition("the store in " + dir_ + " was opened read-only and cannot commit");
    }
    Manifest next = manifest_;
    std::vector<LiveFile> obsolete;
    Status st = Prepare(batch, &next, &obsolete);
    // File numbers handed out are never reused, even when the commit fails.
    manifest_.next_file_number = next.next_file_number;
    if (!st.ok()) return st;
    std::string manifest_bytes = store::v1::EncodeManifest(next);
    std::string manifest_path = JoinPath(dir_, store::v1::ManifestFileName(next.number));
    WS_RETURN_IF_ERROR(WriteFileAtomic(manifest_path, manifest_bytes));
    WS_RETURN_IF_ERROR(WriteFileAtomic(JoinPath(dir_, kCurrentName), store::v1::EncodeCurrent(next.number)));
    // Committed. Everything below is cleanup that Open() would redo.
    uint64_t old_manifest = manifest_.number;
    manifest_ = std::move(next);
    manifest_bytes_ = manifest_bytes.size();
    RebuildIndex();
    for (const LiveFile& f : obsolete) (void)RemoveFile(PathOf(f));
    (void)RemoveFile(JoinPath(dir_, store::v1::ManifestFileName(old_manifest)));
    return Status::Ok();
  }

  std::map<std::string, uint64_t> DiskUsage() const override {
    std::map<std::string, uint64_t> out{{"events", 0}, {"sessions", 0}, {"quarantine", 0}};
    for (const LiveFile& f : manifest_.files) out[kDataDirs[static_cast<int>(f.kind) - 1]] += f.size;
    out["manifest"] = manifest_bytes_;
    return out;
  }

  // Deletes temporary files, stale manifests, and data files the manifest
  // does not reference; removes empty day directories. Unknown files are
  // left alone.
  Status Cleanup() {
    std::set<std::string> live;
    for (const LiveFile& f : manifest_.files) live.insert(JoinPath(dir_, store::v1::RelativePath(f)));
    std::string live_manifest = store::v1::ManifestFileName(manifest_.number);
    WS_ASSIGN_OR_RETURN(std::vector<DirEntry> top, ListDir(dir_));
    bool removed = false;
    for (const DirEntry& e : top) {
      if (e.is_dir) continue;
      if (IsTempName(e.name) || (StartsWith(e.name, kManifestPrefix) && e.name != live_manifest)) {
        WS_RETURN_IF_ERROR(RemoveFile(JoinPath(dir_, e.name)));
        removed = true;
      }
    }
    for (const char* sub : kDataDirs) {
      std::string sub_dir = JoinPath(dir_, sub);
      if (!PathExists(sub_dir)) continue;
      WS_RETURN_IF_ERROR(CleanDataDir(sub_dir, live, /*depth=*/0));
    }
    if (removed) WS_RETURN_IF_ERROR(SyncDir(dir_));
    return Status::Ok();
  }

 private:
  static constexpr int kMaxDataDirDepth = 1;  // DIR/events/<day>/<file>

  Status CleanDataDir(const std::string& d, const std::set<std::string>& live, int depth) {
    WS_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ListDir(d));
    bool changed = false;
    for (const DirEntry& e : entries) {
      std::string path = JoinPath(d, e.name);
      if (e.is_dir) {
        if (depth >= kMaxDataDirDepth) continue;
        WS_RETURN_IF_ERROR(CleanDataDir(path, live, depth + 1));
        WS_ASSIGN_OR_RETURN(std::vector<DirEntry> left, ListDir(path));
        if (left.empty()) {
          WS_RETURN_IF_ERROR(RemoveDir(path));
          changed = true;
        }
        continue;
      }
      if (IsTempName(e.name) || (IsDataFileName(e.name) && live.count(path) == 0)) {
        WS_RETURN_IF_ERROR(RemoveFile(path));
        changed = true;
      }
    }
    if (changed) WS_RETURN_IF_ERROR(SyncDir(d));
    return Status::Ok();
  }

  // Writes the batch's data files and updates `next` (not yet committed).
  Status Prepare(CommitBatch& batch, Manifest* next, std::vector<LiveFile>* obsolete) {
    std::set<std::string> dirs_to_sync;
    auto write = [&](FileKind kind, DayNumber day, const std::string& data) -> Status {
      LiveFile f{kind, day, next->next_file_number++, data.size(), Checksum64(data)};
      std::string path = PathOf(f);
      std::string d = DirName(path);
      if (!PathExists(d)) {
        WS_RETURN_IF_ERROR(MakeDirs(d));
        dirs_to_sync.insert(DirName(d));
        dirs_to_sync.insert(dir_);
      }
      WS_RETURN_IF_ERROR(WriteFileAtomic(path, data, /*sync_dir=*/false));
      dirs_to_sync.insert(d);
      next->files.push_back(f);
      return Status::Ok();
    };
    for (auto& [day, events] : batch.events) {
      if (events.empty()) continue;
      std::vector<uint32_t> order = store::v1::EventSegmentOrder(events);
      WS_ASSIGN_OR_RETURN(std::string data, store::v1::EncodeEventSegment(events, order));
      WS_RETURN_IF_ERROR(write(FileKind::kEvents, day, data));
    }
    for (auto& [day, refs] : batch.event_refs) {
      if (refs.empty()) continue;
      std::vector<uint32_t> order = store::v1::EventSegmentOrder(refs);
      WS_ASSIGN_OR_RETURN(std::string data, store::v1::EncodeEventSegment(refs, order));
      WS_RETURN_IF_ERROR(write(FileKind::kEvents, day, data));
    }
    for (auto& [day, records] : batch.sessions) {
      const DayNumber session_day = day;
      auto old = std::find_if(next->files.begin(), next->files.end(), [&](const LiveFile& f) {
        return f.kind == FileKind::kSessions && f.day == session_day;
      });
      if (old != next->files.end()) {
        obsolete->push_back(*old);
        next->files.erase(old);
      }
      if (records.empty()) continue;
      store::v1::SortSessionsForSegment(&records);
      WS_ASSIGN_OR_RETURN(std::string data, store::v1::EncodeSessionSegment(records));
      WS_RETURN_IF_ERROR(write(FileKind::kSessions, day, data));
    }
    if (!batch.rejections.empty()) {
      WS_ASSIGN_OR_RETURN(std::string data, store::v1::EncodeQuarantine(batch.rejections));
      WS_RETURN_IF_ERROR(write(FileKind::kQuarantine, DayNumber{0}, data));
    }
    for (const std::string& d : dirs_to_sync) WS_RETURN_IF_ERROR(SyncDir(d));
    next->state = batch.new_state;
    next->number = next->next_file_number++;
    return Status::Ok();
  }

  std::string PathOf(const LiveFile& f) const { return JoinPath(dir_, store::v1::RelativePath(f)); }

  // Reads a live file and checks its size and checksum against the manifest.
  Result<std::string> ReadLive(const LiveFile& f) const {
    std::string path = PathOf(f);
    Result<std::string> data = ReadFile(path);
    if (!data.ok()) {
      if (data.status().code() == StatusCode::kNotFound) {
        return Status::Corruption("store file " + path + " is missing although the manifest lists it");
      }
      return data.status();
    }
    if (data->size() != f.size) {
      return Status::Corruption("corrupt store file " + path + ": it has " + std::to_string(data->size()) +
                                " bytes, the manifest says " + std::to_string(f.size) + " (truncated?)");
    }
    if (Checksum64(*data) != f.checksum) {
      return Status::Corruption("corrupt store file " + path + ": checksum mismatch");
    }
    return data;
  }

  void RebuildIndex() {
    events_.clear();
    sessions_.clear();
    quarantine_.clear();
    std::vector<LiveFile> files = manifest_.files;
    std::sort(files.begin(), files.end(),
              [](const LiveFile& a, const LiveFile& b) { return a.number < b.number; });
    for (const LiveFile& f : files) {
      switch (f.kind) {
        case FileKind::kEvents:
          events_[f.day].push_back(f);
          break;
        case FileKind::kSessions:
          sessions_[f.day] = f;
          break;
        case FileKind::kQuarantine:
          quarantine_.push_back(f);
          break;
      }
    }
  }

  std::string dir_;
  Options options_;
  std::unique_ptr<DirLock> lock_;
  Manifest manifest_;
  uint64_t manifest_bytes_ = 0;
  std::map<DayNumber, std::vector<LiveFile>> events_;  // by file number
  std::map<DayNumber, LiveFile> sessions_;
  std::vector<LiveFile> quarantine_;  // by file number (oldest first)
};

// True when `dir` holds anything that looks like store content besides LOCK.
Result<bool> HasStoreFiles(const std::string& dir) {
  WS_ASSIGN_OR_RETURN(std::vector<DirEntry> top, ListDir(dir));
  for (const DirEntry& e : top) {
    if (StartsWith(e.name, kManifestPrefix)) return true;
    for (const char* sub : kDataDirs) {
      if (e.is_dir && e.name == sub) {
        WS_ASSIGN_OR_RETURN(std::vector<DirEntry> inner, ListDir(JoinPath(dir, sub)));
        if (!inner.empty()) return true;
      }
    }
  }
  return false;
}

// Checks the manifest's file list against the directory (existence, size)
// and its own consistency (one sessions file per day, unique numbers).
Status VerifyLiveFiles(const std::string& dir, const Manifest& m, const std::string& manifest_path) {
  std::set<uint64_t> numbers;
  std::set<DayNumber> session_days;
  for (const LiveFile& f : m.files) {
    std::string path = JoinPath(dir, store::v1::RelativePath(f));
    if (!numbers.insert(f.number).second ||
        (f.kind == FileKind::kSessions && !session_days.insert(f.day).second)) {
      return Status::Corruption("corrupt store file " + manifest_path + ": it lists " + path + " twice");
    }
    Result<uint64_t> size = FileSize(path);
    if (!size.ok()) {
      if (size.status().code() == StatusCode::kNotFound) {
        return Status::Corruption("store file " + path + " is missing although " + manifest_path +
                                  " lists it");
      }
      return size.status();
    }
    if (*size != f.size) {
      return Status::Corruption("corrupt store file " + path + ": it has " + std::to_string(*size) +
                                " bytes, the manifest says " + std::to_string(f.size) + " (truncated?)");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, Options options) {
  if (!PathExists(dir)) {
    if (!options.create_if_missing || options.read_only) {
      return Status::NotFound("the data directory " + dir + " does not exist");
    }
    WS_RETURN_IF_ERROR(MakeDirs(dir));
  }
  std::unique_ptr<DirLock> lock;
  if (!options.read_only) {
    WS_ASSIGN_OR_RETURN(lock, DirLock::Acquire(JoinPath(dir, kLockName), LockContent()));
  }
  std::string current_path = JoinPath(dir, kCurrentName);
  if (!PathExists(current_path)) {
    WS_ASSIGN_OR_RETURN(bool has_files, HasStoreFiles(dir));
    if (has_files) {
      return Status::Corruption(
          "store file " + current_path +
          " is missing but the directory holds store files; refusing to guess the live set");
    }
    Manifest empty;
    empty.number = kFirstManifestNumber;
    empty.next_file_number = kFirstManifestNumber + 1;
    if (options.read_only) {
      return std::unique_ptr<Store>(std::make_unique<StoreImpl>(dir, options, nullptr, std::move(empty), 0));
    }
    if (!options.create_if_missing) return Status::NotFound("there is no watchstats store in " + dir);
    std::string bytes = store::v1::EncodeManifest(empty);
    WS_RETURN_IF_ERROR(WriteFileAtomic(JoinPath(dir, store::v1::ManifestFileName(empty.number)), bytes));
    WS_RETURN_IF_ERROR(WriteFileAtomic(current_path, store::v1::EncodeCurrent(empty.number)));
  }
  WS_ASSIGN_OR_RETURN(std::string current, ReadFile(current_path));
  Result<uint64_t> number = store::v1::DecodeCurrent(current);
  if (!number.ok()) return CorruptFile(current_path, number.status());
  std::string manifest_path = JoinPath(dir, store::v1::ManifestFileName(*number));
  Result<std::string> manifest_bytes = ReadFile(manifest_path);
  if (!manifest_bytes.ok()) {
    if (manifest_bytes.status().code() == StatusCode::kNotFound) {
      return Status::Corruption("store file " + manifest_path + " named by " + current_path + " is missing");
    }
    return manifest_bytes.status();
  }
  Result<Manifest> manifest = store::v1::DecodeManifest(*manifest_bytes);
  if (!manifest.ok()) return CorruptFile(manifest_path, manifest.status());
  if (manifest->number != *number) {
    return Status::Corruption("corrupt store file " + manifest_path + ": it says it is manifest " +
                              std::to_string(manifest->number));
  }
  WS_RETURN_IF_ERROR(VerifyLiveFiles(dir, *manifest, manifest_path));
  auto impl = std::make_unique<StoreImpl>(dir, options, std::move(lock), std::move(manifest).value(),
                                          manifest_bytes->size());
  if (!options.read_only) WS_RETURN_IF_ERROR(impl->Cleanup());
  return std::unique_ptr<Store>(std::move(impl));
}

}  // namespace ws
