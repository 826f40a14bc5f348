// MemEnv (util/mem_env.h).
#include "util/mem_env.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace ws {

struct MemEnv::Inode {
  std::string data;    // live content
  std::string synced;  // content as of the last Sync (what survives a crash)
  int shared = 0;      // pins held
  bool exclusive = false;
  int links = 0;  // live directory entries naming it
};

namespace {

struct Entry {
  bool is_dir = false;
  std::shared_ptr<MemEnv::Inode> inode;  // files only
};

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool IsRoot(const std::string& path) { return path == "/" || path == "."; }

constexpr uint32_t Bit(MemEnv::Op op) { return uint32_t{1} << static_cast<uint32_t>(op); }

}  // namespace

struct MemEnv::Dir {
  std::map<std::string, Entry> live;
  std::map<std::string, Entry> durable;
};

class MemEnv::File : public WritableFile {
 public:
  File(MemEnv* env, std::shared_ptr<Inode> inode, std::string path, uint64_t generation)
      : env_(env), inode_(std::move(inode)), path_(std::move(path)), generation_(generation) {}

  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (closed_) return Status::Internal("write to closed file " + path_);
    if (generation_ != env_->generation_)
      return Status::IOError("cannot write " + path_ + ": simulated crash");
    Status st = env_->Check(Op::kWrite, path_);
    if (!st.ok()) return st;
    if (env_->armed_fired_short_) {
      env_->armed_fired_short_ = false;
      inode_->data.append(data.substr(0, data.size() / 2));
      return Status::IOError("cannot write " + path_ + ": short write (injected)");
    }
    inode_->data.append(data);
    env_->FinishOp();
    return Status::Ok();
  }

  Status Sync() override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (closed_) return Status::Internal("fsync of closed file " + path_);
    if (generation_ != env_->generation_)
      return Status::IOError("cannot fsync " + path_ + ": simulated crash");
    WS_RETURN_IF_ERROR(env_->Check(Op::kSync, path_));
    inode_->synced = inode_->data;
    env_->FinishOp();
    return Status::Ok();
  }

  Status Close() override {
    closed_ = true;
    return Status::Ok();
  }

 private:
  MemEnv* env_;
  std::shared_ptr<Inode> inode_;
  std::string path_;
  uint64_t generation_;
  bool closed_ = false;
};

class MemEnv::Reader : public RandomAccessFile {
 public:
  Reader(MemEnv* env, std::shared_ptr<Inode> inode, std::string path, uint64_t size)
      : env_(env), inode_(std::move(inode)), path_(std::move(path)), size_(size) {}
  uint64_t size() const override { return size_; }
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (offset + n > inode_->data.size()) {
      return Status::Corruption("file " + path_ + " ends at byte " + std::to_string(inode_->data.size()) +
                                " but " + std::to_string(offset + n) + " bytes were expected (truncated?)");
    }
    out->assign(inode_->data, static_cast<size_t>(offset), n);
    return Status::Ok();
  }

 private:
  MemEnv* env_;
  std::shared_ptr<Inode> inode_;
  std::string path_;
  uint64_t size_;
};

class MemEnv::Lock : public FileLock {
 public:
  Lock(MemEnv* env, std::shared_ptr<Inode> inode, bool exclusive, uint64_t generation)
      : env_(env), inode_(std::move(inode)), exclusive_(exclusive), generation_(generation) {}
  ~Lock() override {
    std::lock_guard<std::mutex> l(env_->mu_);
    if (generation_ != env_->generation_) return;  // released by the crash
    if (exclusive_) {
      inode_->exclusive = false;
    } else {
      --inode_->shared;
    }
    env_->cv_.notify_all();
  }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  MemEnv* env_;
  std::shared_ptr<Inode> inode_;
  bool exclusive_;
  uint64_t generation_;
};

MemEnv::MemEnv() {
  dirs_["/"] = std::make_unique<Dir>();
  dirs_["."] = std::make_unique<Dir>();
}

MemEnv::~MemEnv() = default;

// ------------------------------------------------------------ fault control

void MemEnv::FailAt(Op op, uint64_t k, Action action) {
  std::lock_guard<std::mutex> l(mu_);
  armed_ = k > 0;
  armed_ops_mask_ = Bit(op);
  armed_remaining_ = k;
  armed_action_ = action;
}

void MemEnv::CrashAfter(const std::vector<Op>& ops, uint64_t k) {
  std::lock_guard<std::mutex> l(mu_);
  armed_ = k > 0;
  armed_ops_mask_ = 0;
  for (Op op : ops) armed_ops_mask_ |= Bit(op);
  armed_remaining_ = k;
  armed_action_ = Action::kCrash;
}

void MemEnv::CrashNow() {
  std::lock_guard<std::mutex> l(mu_);
  crashed_ = true;
}

void MemEnv::Disarm() {
  std::lock_guard<std::mutex> l(mu_);
  armed_ = false;
}

uint64_t MemEnv::OpCount(Op op) const {
  std::lock_guard<std::mutex> l(mu_);
  return counts_[static_cast<size_t>(op)];
}

void MemEnv::ResetCounts() {
  std::lock_guard<std::mutex> l(mu_);
  std::fill(std::begin(counts_), std::end(counts_), 0);
}

bool MemEnv::crashed() const {
  std::lock_guard<std::mutex> l(mu_);
  return crashed_;
}

Status MemEnv::Check(Op op, const std::string& path) {
  if (crashed_) return Status::IOError("cannot change " + path + ": the machine is down (simulated crash)");
  ++counts_[static_cast<size_t>(op)];
  crash_after_op_ = false;
  armed_fired_short_ = false;
  if (!armed_ || (armed_ops_mask_ & Bit(op)) == 0) return Status::Ok();
  if (--armed_remaining_ > 0) return Status::Ok();
  armed_ = false;
  switch (armed_action_) {
    case Action::kIOError:
      return Status::IOError("cannot change " + path + ": Input/output error (injected)");
    case Action::kNoSpace:
      return Status::IOError("cannot change " + path + ": No space left on device (injected)");
    case Action::kShortWrite:
      if (op == Op::kWrite) {
        armed_fired_short_ = true;
        return Status::Ok();
      }
      return Status::IOError("cannot change " + path + ": Input/output error (injected)");
    case Action::kCrash:
      crash_after_op_ = true;
      return Status::Ok();
  }
  return Status::Ok();
}

void MemEnv::FinishOp() {
  if (crash_after_op_) {
    crash_after_op_ = false;
    crashed_ = true;
  }
}

void MemEnv::SimulateCrash() {
  std::lock_guard<std::mutex> l(mu_);
  ++generation_;
  crashed_ = false;
  armed_ = false;
  crash_after_op_ = false;
  armed_fired_short_ = false;
  // Directories go back to their durable entries; a directory exists only
  // when it is durably named in its (existing) parent.
  for (auto& [path, d] : dirs_) d->live = d->durable;
  std::function<void(const std::string&)> keep;
  std::map<std::string, std::unique_ptr<Dir>> kept;
  keep = [&](const std::string& path) {
    auto it = dirs_.find(path);
    if (it == dirs_.end()) return;
    Dir* d = it->second.get();
    kept[path] = std::move(it->second);
    for (auto& [name, e] : d->live) {
      if (e.is_dir) keep(path == "/" ? "/" + name : JoinPath(path, name));
    }
  };
  keep("/");
  keep(".");
  dirs_ = std::move(kept);
  for (auto& [path, d] : dirs_) {
    for (auto& [name, e] : d->live) {
      if (e.is_dir) continue;
      e.inode->data = e.inode->synced;
      e.inode->shared = 0;
      e.inode->exclusive = false;
      e.inode->links = 0;
    }
  }
  for (auto& [path, d] : dirs_) {
    for (auto& [name, e] : d->live) {
      if (!e.is_dir) ++e.inode->links;
    }
  }
  cv_.notify_all();
}

Status MemEnv::CopyTree(const std::string& from, MemEnv* target, const std::string& to) const {
  std::lock_guard<std::mutex> l(mu_);
  std::lock_guard<std::mutex> lt(target->mu_);
  std::function<Status(const std::string&, const std::string&)> copy = [&](const std::string& src,
                                                                           const std::string& dst) -> Status {
    auto it = dirs_.find(src);
    if (it == dirs_.end()) return Status::NotFound("cannot copy " + src + ": no such directory");
    auto& nd = target->dirs_[dst];
    if (!nd) nd = std::make_unique<Dir>();
    for (const auto& [name, e] : it->second->live) {
      Entry c;
      c.is_dir = e.is_dir;
      if (!e.is_dir) {
        c.inode = std::make_shared<Inode>();
        c.inode->data = e.inode->data;
        c.inode->synced = e.inode->data;
        c.inode->links = 1;
      }
      nd->live[name] = c;
      nd->durable[name] = c;
      if (e.is_dir) WS_RETURN_IF_ERROR(copy(JoinPath(src, name), JoinPath(dst, name)));
    }
    return Status::Ok();
  };
  // Name the destination durably in its parent (creating the parents).
  std::string dst_parent = DirName(to);
  std::vector<std::string> chain;
  for (std::string p = to; !IsRoot(p); p = DirName(p)) chain.push_back(p);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    std::string parent = DirName(*it);
    auto& pd = target->dirs_[parent];
    if (!pd) pd = std::make_unique<Dir>();
    Entry e;
    e.is_dir = true;
    pd->live[BaseName(*it)] = e;
    pd->durable[BaseName(*it)] = e;
    auto& d = target->dirs_[*it];
    if (!d) d = std::make_unique<Dir>();
  }
  (void)dst_parent;
  return copy(from, to);
}

Status MemEnv::ImportFrom(Env* real, const std::string& from, const std::string& to) {
  WS_RETURN_IF_ERROR(MakeDirs(to));
  WS_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, real->ListDir(from));
  for (const DirEntry& e : entries) {
    std::string src = JoinPath(from, e.name);
    std::string dst = JoinPath(to, e.name);
    if (e.is_dir) {
      WS_RETURN_IF_ERROR(ImportFrom(real, src, dst));
      continue;
    }
    WS_ASSIGN_OR_RETURN(std::string data, real->ReadFile(src));
    WS_RETURN_IF_ERROR(WriteFileSynced(dst, data));
  }
  return SyncDir(to);
}

// ------------------------------------------------------------------ lookups

MemEnv::Dir* MemEnv::FindDir(const std::string& path) {
  auto it = dirs_.find(path);
  return it == dirs_.end() ? nullptr : it->second.get();
}

std::shared_ptr<MemEnv::Inode> MemEnv::FindFile(const std::string& path) {
  Dir* d = FindDir(DirName(path));
  if (d == nullptr) return nullptr;
  auto it = d->live.find(BaseName(path));
  if (it == d->live.end() || it->second.is_dir) return nullptr;
  return it->second.inode;
}

// --------------------------------------------------------------------- Env

Result<std::unique_ptr<WritableFile>> MemEnv::OpenWritable(const std::string& path, bool truncate) {
  std::lock_guard<std::mutex> l(mu_);
  Dir* d = FindDir(DirName(path));
  if (d == nullptr) return Status::NotFound("cannot create " + path + ": No such file or directory");
  auto it = d->live.find(BaseName(path));
  if (it != d->live.end() && it->second.is_dir)
    return Status::IOError("cannot create " + path + ": Is a directory");
  std::shared_ptr<Inode> inode;
  if (it == d->live.end()) {
    WS_RETURN_IF_ERROR(Check(Op::kCreate, path));
    inode = std::make_shared<Inode>();
    inode->links = 1;
    Entry e;
    e.inode = inode;
    d->live[BaseName(path)] = e;
    FinishOp();
  } else {
    if (crashed_) return Status::IOError("cannot open " + path + ": the machine is down (simulated crash)");
    inode = it->second.inode;
    if (truncate) inode->data.clear();
  }
  return std::unique_ptr<WritableFile>(std::make_unique<File>(this, inode, path, generation_));
}

Result<std::unique_ptr<WritableFile>> MemEnv::NewWritableFile(const std::string& path) {
  return OpenWritable(path, /*truncate=*/true);
}

Result<std::unique_ptr<WritableFile>> MemEnv::NewAppendableFile(const std::string& path) {
  return OpenWritable(path, /*truncate=*/false);
}

Result<std::unique_ptr<RandomAccessFile>> MemEnv::NewRandomAccessFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  std::shared_ptr<Inode> inode = FindFile(path);
  if (inode == nullptr)
    return Status::NotFound("cannot open for reading " + path + ": No such file or directory");
  uint64_t size = inode->data.size();
  return std::unique_ptr<RandomAccessFile>(std::make_unique<Reader>(this, inode, path, size));
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> l(mu_);
  Dir* sd = FindDir(DirName(from));
  Dir* dd = FindDir(DirName(to));
  auto it = sd == nullptr ? decltype(sd->live.end()){} : sd->live.find(BaseName(from));
  if (sd == nullptr || it == sd->live.end() || it->second.is_dir) {
    return Status::NotFound("cannot rename " + from + " to " + to + ": No such file or directory");
  }
  if (dd == nullptr)
    return Status::NotFound("cannot rename " + from + " to " + to + ": No such file or directory");
  WS_RETURN_IF_ERROR(Check(Op::kRename, from));
  Entry e = it->second;
  sd->live.erase(it);
  auto old = dd->live.find(BaseName(to));
  if (old != dd->live.end() && !old->second.is_dir) --old->second.inode->links;
  dd->live[BaseName(to)] = e;
  FinishOp();
  return Status::Ok();
}

Status MemEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  Dir* d = FindDir(DirName(path));
  auto it = d == nullptr ? decltype(d->live.end()){} : d->live.find(BaseName(path));
  if (d == nullptr || it == d->live.end() || it->second.is_dir) {
    return Status::NotFound("cannot delete " + path + ": No such file or directory");
  }
  WS_RETURN_IF_ERROR(Check(Op::kRemove, path));
  --it->second.inode->links;
  d->live.erase(it);
  FinishOp();
  return Status::Ok();
}

Status MemEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> l(mu_);
  std::shared_ptr<Inode> inode = FindFile(path);
  if (inode == nullptr) return Status::NotFound("cannot truncate " + path + ": No such file or directory");
  WS_RETURN_IF_ERROR(Check(Op::kRemove, path));
  if (size < inode->data.size()) inode->data.resize(static_cast<size_t>(size));
  FinishOp();
  return Status::Ok();
}

Status MemEnv::CreateDir(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (IsRoot(path) || FindDir(path) != nullptr) return Status::Ok();
  Dir* parent = FindDir(DirName(path));
  if (parent == nullptr)
    return Status::NotFound("cannot create directory " + path + ": No such file or directory");
  if (parent->live.count(BaseName(path))) {
    return Status::AlreadyExists("cannot create directory " + path + ": a file with that name exists");
  }
  WS_RETURN_IF_ERROR(Check(Op::kCreate, path));
  Entry e;
  e.is_dir = true;
  parent->live[BaseName(path)] = e;
  dirs_[path] = std::make_unique<Dir>();
  FinishOp();
  return Status::Ok();
}

Status MemEnv::RemoveDir(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  Dir* d = FindDir(path);
  if (d == nullptr)
    return Status::NotFound("cannot delete directory " + path + ": No such file or directory");
  if (!d->live.empty()) return Status::IOError("cannot delete directory " + path + ": Directory not empty");
  WS_RETURN_IF_ERROR(Check(Op::kRemove, path));
  Dir* parent = FindDir(DirName(path));
  if (parent != nullptr) parent->live.erase(BaseName(path));
  // The directory object stays while its durable state may still name
  // files; SimulateCrash drops it unless the parent durably names it.
  FinishOp();
  return Status::Ok();
}

Status MemEnv::SyncDir(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  Dir* d = FindDir(path);
  if (d == nullptr || (!IsRoot(path) && [&] {
        Dir* parent = FindDir(DirName(path));
        return parent == nullptr || parent->live.count(BaseName(path)) == 0;
      }())) {
    return Status::NotFound("cannot open directory " + path + ": No such file or directory");
  }
  WS_RETURN_IF_ERROR(Check(Op::kSyncDir, path));
  d->durable = d->live;
  FinishOp();
  return Status::Ok();
}

Result<std::vector<DirEntry>> MemEnv::ListDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  Dir* d = FindDir(dir);
  bool named = IsRoot(dir) || [&] {
    Dir* parent = FindDir(DirName(dir));
    return parent != nullptr && parent->live.count(BaseName(dir)) > 0;
  }();
  if (d == nullptr || !named)
    return Status::NotFound("cannot list directory " + dir + ": No such file or directory");
  std::vector<DirEntry> out;
  for (const auto& [name, e] : d->live) out.push_back(DirEntry{name, e.is_dir});
  return out;
}

Result<uint64_t> MemEnv::FileSize(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  std::shared_ptr<Inode> inode = FindFile(path);
  if (inode == nullptr) return Status::NotFound("cannot stat " + path + ": No such file or directory");
  return static_cast<uint64_t>(inode->data.size());
}

bool MemEnv::PathExists(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (IsRoot(path)) return true;
  Dir* d = FindDir(DirName(path));
  return d != nullptr && d->live.count(BaseName(path)) > 0;
}

bool MemEnv::IsDirectory(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (IsRoot(path)) return true;
  Dir* d = FindDir(DirName(path));
  if (d == nullptr) return false;
  auto it = d->live.find(BaseName(path));
  return it != d->live.end() && it->second.is_dir;
}

Result<std::unique_ptr<FileLock>> MemEnv::LockFile(const std::string& path,
                                                   std::string_view initial_content) {
  std::shared_ptr<Inode> inode;
  {
    std::lock_guard<std::mutex> l(mu_);
    inode = FindFile(path);
  }
  if (inode == nullptr) {
    WS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, NewWritableFile(path));
    WS_RETURN_IF_ERROR(f->Close());
  }
  std::lock_guard<std::mutex> l(mu_);
  inode = FindFile(path);
  if (inode == nullptr) return Status::IOError("cannot open lock file " + path);
  if (inode->exclusive || inode->shared > 0) {
    return Status::FailedPrecondition("the data directory " + DirName(path) +
                                      " is in use by another watchstats process (lock file " + path +
                                      " is held)");
  }
  inode->exclusive = true;
  if (inode->data.empty()) {
    inode->data = std::string(initial_content);
    inode->synced = inode->data;
  }
  return std::unique_ptr<FileLock>(std::make_unique<Lock>(this, inode, /*exclusive=*/true, generation_));
}

Result<std::unique_ptr<FileLock>> MemEnv::PinFile(const std::string& path) {
  std::unique_lock<std::mutex> l(mu_);
  std::shared_ptr<Inode> inode = FindFile(path);
  if (inode == nullptr) return Status::NotFound("cannot open " + path + ": No such file or directory");
  cv_.wait(l, [&] { return !inode->exclusive; });
  if (inode->links == 0) return Status::NotFound("file " + path + " was removed");
  ++inode->shared;
  return std::unique_ptr<FileLock>(std::make_unique<Lock>(this, inode, /*exclusive=*/false, generation_));
}

Result<bool> MemEnv::RemoveFileIfUnpinned(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  Dir* d = FindDir(DirName(path));
  if (d == nullptr) return true;
  auto it = d->live.find(BaseName(path));
  if (it == d->live.end() || it->second.is_dir) return true;
  if (it->second.inode->shared > 0 || it->second.inode->exclusive) return false;
  WS_RETURN_IF_ERROR(Check(Op::kRemove, path));
  --it->second.inode->links;
  d->live.erase(it);
  FinishOp();
  return true;
}

}  // namespace ws
