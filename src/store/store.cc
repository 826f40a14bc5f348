// The embedded store, format v2 (store/store.h): open and recovery, commits,
// snapshots and the deletion of files no pinned manifest names, the key
// registry's persistence. Compaction is in compaction.cc.
#include "store/store.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <set>
#include <thread>

#include "store/compaction.h"
#include "store/encoding.h"
#include "store/internal.h"
#include "store/v1/manifest.h"
#include "util/checksum.h"

namespace ws::store {
namespace {

constexpr char kLockName[] = "LOCK";
constexpr char kCurrentV1[] = "CURRENT";
constexpr std::string_view kLockMagic = "WSLOCK02";
constexpr uint64_t kFirstManifestNumber = 1;
// A reader retries this often when writers remove the manifest it found.
constexpr int kPinAttempts = 1000;

constexpr std::string_view kKeysTable = "keys";
constexpr size_t kKeysDict = 0;
constexpr size_t kKeysKey = 1;
constexpr size_t kKeysValue = 2;

std::string LockContent() {
  ByteSink s;
  s.PutBytes(kLockMagic.data(), kLockMagic.size());
  s.PutFixed32(kManifestVersion2);
  return s.Finish();
}

Manifest EmptyManifest() {
  Manifest m;
  m.number = kFirstManifestNumber;
  m.next_file_number = kFirstManifestNumber + 1;
  return m;
}

}  // namespace

const TableDef& KeysTableDef() {
  static const TableDef def = [] {
    TableDef d;
    d.schema.name = std::string(kKeysTable);
    d.schema.version = 1;
    d.schema.columns = {
        {"dict", ColumnType::kString, EncodingHint::kAuto, ""},
        {"key", ColumnType::kInt64, EncodingHint::kAuto, ""},
        {"value", ColumnType::kString, EncodingHint::kPlain, ""},
    };
    d.mode = TableMode::kAppend;
    d.partitions = PartitionKind::kNone;
    d.sort_key = {"dict", "key"};
    Status st = d.Finalize();
    (void)st;  // a constant definition: Finalize cannot fail (checked by store_test)
    return d;
  }();
  return def;
}

namespace {

class StoreImpl : public Store {
 public:
  StoreImpl(Env* env, std::string dir, StoreOptions options)
      : env_(env), dir_(std::move(dir)), options_(std::move(options)) {}

  ~StoreImpl() override {
    {
      std::lock_guard<std::mutex> l(bg_mu_);
      bg_stop_ = true;
    }
    bg_cv_.notify_all();
    stopping_.store(true);
    if (bg_.joinable()) bg_.join();
  }

  Status Init() {
    for (TableDef def : options_.tables) {
      WS_RETURN_IF_ERROR(def.Finalize());
      std::string name = def.name();
      defs_.emplace(std::move(name), std::move(def));
    }
    defs_.emplace(std::string(kKeysTable), KeysTableDef());
    std::map<std::string, TableSchema, std::less<>> schemas;
    for (const auto& [name, def] : defs_) schemas.emplace(name, def.schema);
    cache_ = std::make_shared<internal::FileCache>(env_, dir_, std::move(schemas));
    if (!options_.read_only) {
      WS_ASSIGN_OR_RETURN(lock_, env_->LockFile(JoinPath(dir_, kLockName), LockContent()));
    }
    WS_RETURN_IF_ERROR(LoadLive());
    if (!options_.read_only) WS_RETURN_IF_ERROR(FullCleanup());
    WS_RETURN_IF_ERROR(LoadKeys());
    if (!options_.read_only && options_.background_compaction) {
      bg_ = std::thread([this] { BackgroundLoop(); });
    }
    return Status::Ok();
  }

  // ------------------------------------------------------------ Store API

  const std::string& dir() const override { return dir_; }
  Env* env() const override { return env_; }
  bool read_only() const override { return options_.read_only; }

  std::shared_ptr<const Snapshot> snapshot() const override {
    std::lock_guard<std::mutex> l(snap_mu_);
    return current_;
  }

  KeyRegistry& keys() override { return registry_; }

  const TableDef* table(std::string_view name) const override {
    auto it = defs_.find(name);
    return it == defs_.end() ? nullptr : &it->second;
  }

  Status Commit(CommitRequest request) override {
    if (options_.read_only) {
      return Status::FailedPrecondition("the store in " + dir_ + " was opened read-only and cannot commit");
    }
    std::lock_guard<std::mutex> l(commit_mu_);
    if (!error_.ok())
      return error_.WithContext("the store in " + dir_ + " refuses commits after an earlier failure");
    std::vector<std::pair<KeyDictionary*, uint32_t>> key_marks;
    WS_RETURN_IF_ERROR(AddKeysFile(&request, &key_marks));
    std::set<std::pair<std::string, int32_t>> keyed_parts;
    for (const NewFile& f : request.files) {
      auto it = defs_.find(f.table);
      if (it == defs_.end()) return Status::InvalidArgument("the store has no table '" + f.table + "'");
      if (it->second.keyed() && !keyed_parts.insert({f.table, f.partition}).second) {
        return Status::InvalidArgument("a commit may add only one file per partition of keyed table " +
                                       f.table);
      }
    }
    if (request.files.empty() && !request.app_state && !request.log_covered_seq) return Status::Ok();

    Manifest next = manifest_;
    const uint64_t seq = next.last_seq + 1;
    std::vector<std::string> written;
    std::set<std::string> dirs;
    auto fail = [&](const Status& st) {
      for (const std::string& p : written) (void)env_->RemoveFile(p);  // best effort; Open() cleans up too
      manifest_.next_file_number = next.next_file_number;              // numbers are never handed out twice
      return st;
    };
    for (NewFile& f : request.files) {
      const TableDef& def = defs_.at(f.table);
      FileMeta meta;
      meta.number = next.next_file_number++;
      meta.partition = f.partition;
      meta.seq = seq;
      meta.rows = f.rows;
      meta.size = f.image.size();
      meta.checksum = Checksum64(f.image);
      std::string tdir = JoinPath(dir_, f.table);
      if (!env_->IsDirectory(tdir)) {
        Status st = env_->CreateDir(tdir);
        if (!st.ok()) return fail(st);
      }
      std::string path = internal::FilePath(dir_, f.table, def.partitions, meta);
      written.push_back(path);
      Status st = env_->WriteFileSynced(path, f.image);
      if (!st.ok()) return fail(st);
      dirs.insert(tdir);
      ManifestTable* t = next.FindTable(f.table);
      if (t == nullptr) {
        next.tables.push_back(ManifestTable{f.table, def.mode, def.partitions, {}});
        t = &next.tables.back();
      }
      t->files.push_back(meta);
      f.image.clear();
      f.image.shrink_to_fit();
    }
    for (const std::string& d : dirs) {
      Status st = env_->SyncDir(d);
      if (!st.ok()) return fail(st);
    }
    next.last_seq = seq;
    if (request.app_state) next.app_state = std::move(*request.app_state);
    if (request.log_covered_seq) next.log_covered_seq = *request.log_covered_seq;
    next.number = next.next_file_number++;
    // The manifest's directory fsync below also makes new table directories durable.
    Status st = InstallManifest(std::move(next));
    if (!st.ok()) {
      if (error_.ok()) return fail(st);
      return st;
    }
    for (auto& [dict, upto] : key_marks) dict->MarkPersisted(upto);
    ++commits_;
    if (options_.background_compaction) {
      std::lock_guard<std::mutex> bl(bg_mu_);
      bg_work_ = true;
      bg_cv_.notify_all();
    }
    return Status::Ok();
  }

  Result<bool> CompactOnce() override;
  Status CompactAll() override {
    while (true) {
      WS_ASSIGN_OR_RETURN(bool did, CompactOnce());
      if (!did) return Status::Ok();
    }
  }
  uint64_t compactions() const override { return compactions_.load(); }

 private:
  // ---------------------------------------------------------- open

  Result<std::vector<uint64_t>> ListManifests(bool* has_current_v1) {
    WS_ASSIGN_OR_RETURN(std::vector<DirEntry> top, env_->ListDir(dir_));
    std::vector<uint64_t> numbers;
    *has_current_v1 = false;
    for (const DirEntry& e : top) {
      if (e.is_dir) continue;
      if (e.name == kCurrentV1) *has_current_v1 = true;
      if (auto n = ParseManifestFileName(e.name)) numbers.push_back(*n);
    }
    std::sort(numbers.begin(), numbers.end());
    return numbers;
  }

  // Table files present under the data directory (any table directory).
  Result<bool> HasTableFiles() {
    WS_ASSIGN_OR_RETURN(std::vector<DirEntry> top, env_->ListDir(dir_));
    for (const DirEntry& e : top) {
      if (!e.is_dir) continue;
      WS_ASSIGN_OR_RETURN(std::vector<DirEntry> inner, env_->ListDir(JoinPath(dir_, e.name)));
      for (const DirEntry& f : inner) {
        if (!f.is_dir && ParseTableFileName(f.name)) return true;
      }
    }
    return false;
  }

  Status LoadLive() {
    for (int attempt = 0; attempt < kPinAttempts; ++attempt) {
      bool has_current_v1 = false;
      WS_ASSIGN_OR_RETURN(std::vector<uint64_t> numbers, ListManifests(&has_current_v1));
      if (has_current_v1) {
        if (!options_.upgrade_from_v1) {
          return Status::FailedPrecondition("the store in " + dir_ +
                                            " has format version 1 and must be upgraded to version 2 first");
        }
        const std::string current = JoinPath(dir_, kCurrentV1);
        WS_ASSIGN_OR_RETURN(std::string bytes, env_->ReadFile(current));
        Result<uint64_t> v1_number = v1::DecodeCurrent(bytes);
        if (!v1_number.ok())
          return Status::Corruption("corrupt store file " + current + ": " + v1_number.status().message());
        v1_floor_ = *v1_number;
        numbers.erase(
            std::remove_if(numbers.begin(), numbers.end(), [&](uint64_t n) { return n <= v1_floor_; }),
            numbers.end());
      }
      if (numbers.empty()) {
        if (options_.read_only) {
          manifest_ = Manifest{};
          current_ = internal::MakeSnapshot(env_, dir_, manifest_, 0, nullptr, cache_);
          return Status::Ok();
        }
        WS_ASSIGN_OR_RETURN(bool has_files, HasTableFiles());
        if (has_files) {
          return Status::Corruption("the data directory " + dir_ +
                                    " holds table files but no MANIFEST; refusing to guess the live set");
        }
        WS_RETURN_IF_ERROR(RemoveTempFiles(dir_));
        Manifest empty = EmptyManifest();
        empty.number += v1_floor_;
        empty.next_file_number += v1_floor_;
        std::string path = JoinPath(dir_, ManifestFileName(empty.number));
        WS_RETURN_IF_ERROR(env_->WriteFileAtomic(path, EncodeManifest(empty)));
        continue;
      }
      const uint64_t n = numbers.back();
      const std::string path = JoinPath(dir_, ManifestFileName(n));
      Result<std::unique_ptr<FileLock>> pin = env_->PinFile(path);
      if (!pin.ok()) {
        if (pin.status().code() == StatusCode::kNotFound) continue;  // a writer replaced it: look again
        return pin.status();
      }
      WS_ASSIGN_OR_RETURN(std::string bytes, env_->ReadFile(path));
      Result<Manifest> m = DecodeManifest(bytes);
      if (!m.ok()) return Status::Corruption("corrupt store file " + path + ": " + m.status().message());
      if (m->number != n) {
        return Status::Corruption("corrupt store file " + path + ": it says it is manifest " +
                                  std::to_string(m->number));
      }
      WS_RETURN_IF_ERROR(VerifyFiles(*m, path));
      for (uint64_t old : numbers) {
        if (old != n) old_manifests_.insert(old);
      }
      manifest_ = *m;
      current_ = internal::MakeSnapshot(env_, dir_, std::move(m).value(), bytes.size(),
                                        std::move(pin).value(), cache_);
      return Status::Ok();
    }
    return Status::IOError("cannot pin the live manifest of " + dir_ + ": it keeps changing");
  }

  // Every listed file exists with its size; numbers are unique.
  Status VerifyFiles(const Manifest& m, const std::string& manifest_path) {
    std::set<uint64_t> numbers;
    for (const ManifestTable& t : m.tables) {
      for (const FileMeta& f : t.files) {
        std::string path = internal::FilePath(dir_, t.name, t.partitions, f);
        if (!numbers.insert(f.number).second) {
          return Status::Corruption("corrupt store file " + manifest_path + ": it lists file number " +
                                    std::to_string(f.number) + " twice");
        }
        Result<uint64_t> size = env_->FileSize(path);
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
    }
    return Status::Ok();
  }

  Status RemoveTempFiles(const std::string& d) {
    WS_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, env_->ListDir(d));
    for (const DirEntry& e : entries) {
      if (!e.is_dir && IsTempFileName(e.name)) WS_RETURN_IF_ERROR(env_->RemoveFile(JoinPath(d, e.name)));
    }
    return Status::Ok();
  }

  // At open: removes unpinned old manifests, temporary files and table
  // files no remaining manifest names.
  Status FullCleanup() {
    WS_RETURN_IF_ERROR(RemoveTempFiles(dir_));
    std::set<uint64_t> live = LiveNumbers();
    WS_ASSIGN_OR_RETURN(std::vector<DirEntry> top, env_->ListDir(dir_));
    for (const DirEntry& e : top) {
      if (!e.is_dir) continue;
      std::string d = JoinPath(dir_, e.name);
      WS_ASSIGN_OR_RETURN(std::vector<DirEntry> inner, env_->ListDir(d));
      for (const DirEntry& f : inner) {
        if (f.is_dir) continue;
        std::optional<uint64_t> number = ParseTableFileName(f.name);
        if (IsTempFileName(f.name) || (number && live.count(*number) == 0)) {
          WS_RETURN_IF_ERROR(env_->RemoveFile(JoinPath(d, f.name)));
        }
      }
    }
    return Status::Ok();
  }

  // Numbers of the files that the current manifest or a still pinned older
  // one names; unpinned older manifests are removed on the way. Requires
  // commit_mu_ held (or the store not shared yet).
  std::set<uint64_t> LiveNumbers() {
    std::set<uint64_t> live;
    for (const ManifestTable& t : manifest_.tables) {
      for (const FileMeta& f : t.files) live.insert(f.number);
    }
    for (auto it = old_manifests_.begin(); it != old_manifests_.end();) {
      std::string path = JoinPath(dir_, ManifestFileName(*it));
      Result<bool> removed = env_->RemoveFileIfUnpinned(path);
      if (removed.ok() && *removed) {
        pinned_files_.erase(*it);
        it = old_manifests_.erase(it);
        continue;
      }
      // Pinned by a reader (or not removable now): its files stay.
      auto cached = pinned_files_.find(*it);
      if (cached == pinned_files_.end()) {
        std::set<uint64_t> files;
        Result<std::string> bytes = env_->ReadFile(path);
        if (bytes.ok()) {
          Result<Manifest> m = DecodeManifest(*bytes);
          if (m.ok()) {
            for (const ManifestTable& t : m->tables) {
              for (const FileMeta& f : t.files) files.insert(f.number);
            }
          }
        }
        cached = pinned_files_.emplace(*it, std::move(files)).first;
      }
      live.insert(cached->second.begin(), cached->second.end());
      ++it;
    }
    return live;
  }

  // ---------------------------------------------------------- keys

  Status LoadKeys() {
    std::shared_ptr<const Snapshot> snap = snapshot();
    struct Entry {
      std::string_view dict;
      int64_t key;
      std::string_view value;
    };
    std::vector<Entry> entries;
    std::vector<std::unique_ptr<ColumnBatch>> batches;
    const std::vector<std::string> columns = {"dict", "key", "value"};
    for (int32_t p : snap->Partitions(kKeysTable)) {
      WS_ASSIGN_OR_RETURN(std::shared_ptr<const PartitionReader> reader, snap->Partition(kKeysTable, p));
      for (size_t b = 0; b < reader->block_count(); ++b) {
        auto batch = std::make_unique<ColumnBatch>();
        WS_RETURN_IF_ERROR(reader->Read(b, columns, batch.get()));
        for (size_t r = 0; r < batch->rows(); ++r) {
          entries.push_back(
              {batch->strings(kKeysDict).at(r), batch->ints(kKeysKey)[r], batch->strings(kKeysValue).at(r)});
        }
        batches.push_back(std::move(batch));
      }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.dict != b.dict ? a.dict < b.dict : a.key < b.key;
    });
    for (const Entry& e : entries) {
      if (e.key <= 0 || e.key > UINT32_MAX) {
        return Status::Corruption("the key table of " + dir_ + " holds an out-of-range key in dictionary " +
                                  std::string(e.dict));
      }
      Status st = registry_.Dictionary(e.dict).Load(static_cast<uint32_t>(e.key), e.value);
      if (!st.ok()) return st.WithContext("the key table of " + dir_);
    }
    // The writer checks that no value is stored twice; readers index lazily.
    if (!options_.read_only) {
      for (KeyDictionary* d : registry_.AllMutable()) {
        Status st = d->BuildIndex();
        if (!st.ok()) return st.WithContext("the key table of " + dir_);
      }
    }
    return Status::Ok();
  }

  // Adds a "keys" file with every key interned since the last commit.
  Status AddKeysFile(CommitRequest* request, std::vector<std::pair<KeyDictionary*, uint32_t>>* marks) {
    const TableDef& def = defs_.at(std::string(kKeysTable));
    TableWriter w(&def);
    for (KeyDictionary* d : registry_.AllMutable()) {
      const uint32_t upto = d->size();
      if (upto <= d->persisted()) continue;
      for (uint32_t k = d->persisted() + 1; k <= upto; ++k) {
        w.strings(kKeysDict).push_back(d->name());
        w.ints(kKeysKey).push_back(k);
        w.strings(kKeysValue).push_back(d->Name(k));
      }
      marks->emplace_back(d, upto);
    }
    if (marks->empty()) return Status::Ok();
    WS_ASSIGN_OR_RETURN(NewFile f, w.Finish(0));
    request->files.push_back(std::move(f));
    return Status::Ok();
  }

  // ---------------------------------------------------------- install

  // Writes `next` as the new live manifest, pins it and makes it current,
  // then deletes what no pinned manifest names any more. Requires
  // commit_mu_ held. A failure before the rename leaves the store as it
  // was; a failure after it sets error_.
  Status InstallManifest(Manifest next) {
    const std::string bytes = EncodeManifest(next);
    const std::string path = JoinPath(dir_, ManifestFileName(next.number));
    const std::string tmp = env_->TempFileName(path);
    Status st = env_->WriteFileSynced(tmp, bytes);
    if (st.ok()) st = env_->RenameFile(tmp, path);
    if (!st.ok()) {
      (void)env_->RemoveFile(tmp);  // best effort; Open() removes temporary files too
      manifest_.next_file_number = std::max(manifest_.next_file_number, next.next_file_number);
      return st;
    }
    st = env_->SyncDir(dir_);
    if (!st.ok()) {
      error_ = st;  // the new manifest may or may not survive a crash: stop here
      return st;
    }
    Result<std::unique_ptr<FileLock>> pin = env_->PinFile(path);
    if (!pin.ok()) {
      error_ = pin.status();
      return error_;
    }
    std::set<uint64_t> old_numbers;
    for (const ManifestTable& t : manifest_.tables) {
      for (const FileMeta& f : t.files) old_numbers.insert(f.number);
    }
    std::set<uint64_t> new_numbers;
    for (const ManifestTable& t : next.tables) {
      for (const FileMeta& f : t.files) new_numbers.insert(f.number);
    }
    for (const ManifestTable& t : manifest_.tables) {
      for (const FileMeta& f : t.files) {
        if (!new_numbers.count(f.number))
          pending_.push_back(internal::FilePath(dir_, t.name, t.partitions, f));
      }
    }
    const uint64_t old_manifest = manifest_.number;
    manifest_ = next;
    std::shared_ptr<const Snapshot> snap =
        internal::MakeSnapshot(env_, dir_, std::move(next), bytes.size(), std::move(pin).value(), cache_);
    std::shared_ptr<const Snapshot> previous;
    {
      std::lock_guard<std::mutex> l(snap_mu_);
      previous = std::move(current_);
      current_ = std::move(snap);
    }
    previous.reset();  // releases our pin of the old manifest unless a reader still holds it
    if (old_manifest != 0) old_manifests_.insert(old_manifest);
    DeleteObsolete();
    return Status::Ok();
  }

  // Deletes pending files that no pinned manifest names. Requires commit_mu_.
  void DeleteObsolete() {
    if (pending_.empty() && old_manifests_.empty()) return;
    std::set<uint64_t> live = LiveNumbers();
    for (auto it = pending_.begin(); it != pending_.end();) {
      std::optional<uint64_t> number = ParseTableFileName(it->substr(it->find_last_of('/') + 1));
      if (number && live.count(*number)) {
        ++it;
        continue;
      }
      Status st = env_->RemoveFile(*it);
      if (st.ok() || st.code() == StatusCode::kNotFound) {
        it = pending_.erase(it);
      } else {
        ++it;  // try again after the next commit; Open() removes it otherwise
      }
    }
  }

  // ---------------------------------------------------------- compaction

  void BackgroundLoop() {
    while (true) {
      {
        std::unique_lock<std::mutex> l(bg_mu_);
        bg_cv_.wait(l, [&] { return bg_stop_ || bg_work_; });
        if (bg_stop_) return;
        bg_work_ = false;
      }
      while (!stopping_.load()) {
        Result<bool> did = CompactOnce();
        if (!did.ok()) {
          std::lock_guard<std::mutex> l(bg_mu_);
          bg_error_ = did.status();
          return;  // stop compacting; commits go on, and Open() starts afresh
        }
        if (!*did) break;
      }
    }
  }

  Env* env_;
  std::string dir_;
  StoreOptions options_;
  std::shared_ptr<internal::FileCache> cache_;
  std::map<std::string, TableDef, std::less<>> defs_;  // immutable after Init
  std::unique_ptr<FileLock> lock_;
  KeyRegistry registry_;

  mutable std::mutex snap_mu_;  // guards current_
  std::shared_ptr<const Snapshot> current_;

  std::mutex commit_mu_;  // guards everything below it, and serialises manifest installs
  Manifest manifest_;
  Status error_;
  std::vector<std::string> pending_;  // paths of files removed from the live set, not yet deleted
  std::set<uint64_t> old_manifests_;  // older manifests still on disk
  uint64_t v1_floor_ = 0;             // upgrade_from_v1: manifests up to this number are version 1
  std::map<uint64_t, std::set<uint64_t>> pinned_files_;  // file numbers named by pinned old manifests
  uint64_t commits_ = 0;

  std::mutex compact_mu_;  // one compaction at a time
  std::atomic<uint64_t> compactions_{0};
  std::atomic<bool> stopping_{false};

  std::mutex bg_mu_;  // guards bg_stop_, bg_work_, bg_error_
  std::condition_variable bg_cv_;
  bool bg_stop_ = false;
  bool bg_work_ = false;
  Status bg_error_;
  std::thread bg_;
};

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, StoreOptions options) {
  Env* env = options.env != nullptr ? options.env : Env::Default();
  if (!env->IsDirectory(dir)) {
    if (options.read_only || !options.create_if_missing) {
      return Status::NotFound("the data directory " + dir + " does not exist");
    }
    WS_RETURN_IF_ERROR(env->MakeDirs(dir));
  }
  auto impl = std::make_unique<StoreImpl>(env, dir, std::move(options));
  WS_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Store>(std::move(impl));
}

// ------------------------------------------------------------ compaction

Result<bool> StoreImpl::CompactOnce() {
  if (options_.read_only) return Status::FailedPrecondition("the store in " + dir_ + " was opened read-only");
  std::lock_guard<std::mutex> cl(compact_mu_);
  std::shared_ptr<const Snapshot> snap = snapshot();
  std::optional<CompactionJob> job = PickCompaction(*snap, defs_, options_.compaction);
  if (!job) return false;
  const TableDef& def = defs_.at(job->table);
  FileMeta out;
  {
    std::lock_guard<std::mutex> l(commit_mu_);
    if (!error_.ok()) return error_;
    out.number = manifest_.next_file_number++;
  }
  WS_ASSIGN_OR_RETURN(std::string image, RunCompaction(env_, dir_, def, *job, stopping_));
  snap.reset();  // our pin of the inputs' manifest must not keep them from being deleted below
  out.partition = job->partition;
  out.base = job->to_base;
  for (const FileMeta& f : job->inputs) out.seq = std::max(out.seq, f.seq);
  out.size = image.size();
  out.checksum = Checksum64(image);
  {
    auto file = TableFile::FromImage(image, job->table);
    if (!file.ok()) return file.status();
    out.rows = (*file)->rows();
  }
  const std::string path = internal::FilePath(dir_, job->table, def.partitions, out);
  Status st = env_->WriteFileSynced(path, image);
  if (st.ok()) st = env_->SyncDir(JoinPath(dir_, job->table));
  if (!st.ok()) {
    (void)env_->RemoveFile(path);  // best effort; Open() removes unreferenced files too
    return st;
  }
  std::lock_guard<std::mutex> l(commit_mu_);
  if (!error_.ok()) return error_;
  Manifest next = manifest_;
  ManifestTable* t = next.FindTable(job->table);
  if (t == nullptr) return Status::Internal("compacted table " + job->table + " vanished from the manifest");
  std::set<uint64_t> inputs;
  for (const FileMeta& f : job->inputs) inputs.insert(f.number);
  size_t before = t->files.size();
  t->files.erase(std::remove_if(t->files.begin(), t->files.end(),
                                [&](const FileMeta& f) { return inputs.count(f.number) > 0; }),
                 t->files.end());
  if (before - t->files.size() != inputs.size()) {
    return Status::Internal("the inputs of a compaction of " + job->table + " changed while it ran");
  }
  if (out.rows > 0 || !job->to_base) t->files.push_back(out);
  next.number = next.next_file_number++;
  WS_RETURN_IF_ERROR(InstallManifest(std::move(next)));
  if (out.rows == 0 && job->to_base) (void)env_->RemoveFile(path);
  compactions_.fetch_add(1);
  return true;
}

}  // namespace ws::store
