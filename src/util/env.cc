// Env helpers and the POSIX Env (util/env.h).
#include "util/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

namespace ws {
namespace {

constexpr mode_t kFileMode = 0644;
constexpr mode_t kDirMode = 0755;

Status OsError(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IOError(msg);
}

// Closes a file descriptor on scope exit unless released.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status WriteAllFd(int fd, std::string_view data, const std::string& path) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return OsError("cannot write", path, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::Internal("write to closed file " + path_);
    return WriteAllFd(fd_, data, path_);
  }
  Status Sync() override {
    if (fd_ < 0) return Status::Internal("fsync of closed file " + path_);
    if (::fsync(fd_) != 0) return OsError("cannot fsync", path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) return OsError("cannot close", path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out->data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return OsError("cannot read", path_, errno);
      }
      if (r == 0) {
        return Status::Corruption("file " + path_ + " ends at byte " + std::to_string(offset + got) +
                                  " but " + std::to_string(offset + n) + " bytes were expected (truncated?)");
      }
      got += static_cast<size_t>(r);
    }
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixFileLock : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;

 private:
  int fd_;
};

class PosixEnv : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode);
    if (fd < 0) return OsError("cannot create", path, errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, fd));
  }

  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, kFileMode);
    if (fd < 0) return OsError("cannot open for appending", path, errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, fd));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return OsError("cannot open for reading", path, errno);
    FdCloser closer(fd);
    struct stat sb;
    if (::fstat(fd, &sb) != 0) return OsError("cannot stat", path, errno);
    return std::unique_ptr<RandomAccessFile>(
        std::make_unique<PosixRandomAccessFile>(path, closer.release(), static_cast<uint64_t>(sb.st_size)));
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return OsError("cannot rename " + from + " to", to, errno);
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return OsError("cannot delete", path, errno);
    return Status::Ok();
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0)
      return OsError("cannot truncate", path, errno);
    return Status::Ok();
  }

  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), kDirMode) == 0) return Status::Ok();
    int err = errno;
    struct stat sb;
    if (err == EEXIST && ::stat(path.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode)) return Status::Ok();
    if (err == EEXIST)
      return Status::AlreadyExists("cannot create directory " + path + ": a file with that name exists");
    return OsError("cannot create directory", path, err);
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return OsError("cannot delete directory", path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return OsError("cannot open directory", path, errno);
    FdCloser closer(fd);
    if (::fsync(fd) != 0) return OsError("cannot fsync directory", path, errno);
    return Status::Ok();
  }

  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return OsError("cannot list directory", dir, errno);
    std::vector<DirEntry> out;
    errno = 0;
    while (struct dirent* ent = ::readdir(d)) {
      std::string name = ent->d_name;
      if (name == "." || name == "..") continue;
      DirEntry e;
      e.name = std::move(name);
      if (ent->d_type == DT_DIR) {
        e.is_dir = true;
      } else if (ent->d_type == DT_UNKNOWN) {
        struct stat sb;
        e.is_dir = ::stat(JoinPath(dir, e.name).c_str(), &sb) == 0 && S_ISDIR(sb.st_mode);
      }
      out.push_back(std::move(e));
      errno = 0;
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return OsError("cannot list directory", dir, err);
    return out;
  }

  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat sb;
    if (::stat(path.c_str(), &sb) != 0) return OsError("cannot stat", path, errno);
    return static_cast<uint64_t>(sb.st_size);
  }

  bool PathExists(const std::string& path) override {
    struct stat sb;
    return ::stat(path.c_str(), &sb) == 0;
  }

  bool IsDirectory(const std::string& path) override {
    struct stat sb;
    return ::stat(path.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode);
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                             std::string_view initial_content) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kFileMode);
    if (fd < 0) return OsError("cannot open lock file", path, errno);
    FdCloser closer(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      if (err == EWOULDBLOCK) {
        return Status::FailedPrecondition("the data directory " + DirName(path) +
                                          " is in use by another watchstats process (lock file " + path +
                                          " is held)");
      }
      return OsError("cannot lock", path, err);
    }
    struct stat sb;
    if (::fstat(fd, &sb) != 0) return OsError("cannot stat", path, errno);
    if (sb.st_size == 0 && !initial_content.empty()) {
      WS_RETURN_IF_ERROR(WriteAllFd(fd, initial_content, path));
      if (::fsync(fd) != 0) return OsError("cannot fsync", path, errno);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(closer.release()));
  }

  Result<std::unique_ptr<FileLock>> PinFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return OsError("cannot open", path, errno);
    FdCloser closer(fd);
    while (::flock(fd, LOCK_SH) != 0) {
      if (errno != EINTR) return OsError("cannot lock", path, errno);
    }
    struct stat sb;
    if (::fstat(fd, &sb) != 0) return OsError("cannot stat", path, errno);
    // A remover unlinks while holding the exclusive lock; a file we locked
    // after that is no longer the live one.
    if (sb.st_nlink == 0) return Status::NotFound("file " + path + " was removed");
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(closer.release()));
  }

  Result<bool> RemoveFileIfUnpinned(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return true;
      return OsError("cannot open", path, errno);
    }
    FdCloser closer(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) return false;
      return OsError("cannot lock", path, errno);
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return OsError("cannot delete", path, errno);
    return true;
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv env;
  return &env;
}

Status Env::MakeDirs(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("cannot create a directory with an empty name");
  if (IsDirectory(path)) return Status::Ok();
  if (PathExists(path))
    return Status::AlreadyExists("cannot create directory " + path + ": a file with that name exists");
  std::string parent = DirName(path);
  if (parent != path && parent != "." && parent != "/") WS_RETURN_IF_ERROR(MakeDirs(parent));
  WS_RETURN_IF_ERROR(CreateDir(path));
  // The new entry is durable only once its parent directory is fsynced.
  return SyncDir(parent);
}

Result<std::string> Env::ReadFile(const std::string& path) {
  WS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f, NewRandomAccessFile(path));
  std::string out;
  WS_RETURN_IF_ERROR(f->Read(0, static_cast<size_t>(f->size()), &out));
  return out;
}

std::string Env::TempFileName(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t process_salt = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(::getpid());
  }();
  constexpr int kHexDigits = 12;
  constexpr uint64_t kMask = (uint64_t{1} << (4 * kHexDigits)) - 1;
  uint64_t v = (process_salt + counter.fetch_add(1) * 0x9E3779B97F4A7C15ULL) & kMask;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix(kHexDigits, '0');
  for (int i = kHexDigits - 1; i >= 0; --i, v >>= 4) suffix[static_cast<size_t>(i)] = kHex[v & 0xf];
  return path + std::string(kTempFileMarker) + suffix;
}

Status Env::WriteFileSynced(const std::string& path, std::string_view data) {
  WS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, NewWritableFile(path));
  Status st = f->Append(data);
  if (st.ok()) st = f->Sync();
  Status closed = f->Close();
  if (st.ok()) st = closed;
  return st;
}

Status Env::WriteFileAtomic(const std::string& path, std::string_view data, bool sync_dir) {
  std::string tmp = TempFileName(path);
  Status st = WriteFileSynced(tmp, data);
  if (st.ok()) st = RenameFile(tmp, path);
  if (!st.ok()) {
    (void)RemoveFile(tmp);  // best effort; Open() of the store deletes leftovers too
    return st;
  }
  if (sync_dir) return SyncDir(DirName(path));
  return Status::Ok();
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string JoinPath(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty() && out.back() != '/') out.push_back('/');
  out.append(b);
  return out;
}

}  // namespace ws
