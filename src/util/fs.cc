#include "util/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace ws {
namespace {

constexpr mode_t kFileMode = 0644;
constexpr mode_t kDirMode = 0755;
constexpr char kTempSuffixPattern[] = "XXXXXX";

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

Status WriteAll(int fd, std::string_view data, const std::string& path) {
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

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view data, bool sync_dir) {
  std::string tmpl = path + std::string(kTempFileMarker) + kTempSuffixPattern;
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return OsError("cannot create temporary file", tmpl, errno);
  FdCloser closer(fd);
  Status st = WriteAll(fd, data, tmpl);
  if (st.ok() && ::fchmod(fd, kFileMode) != 0) st = OsError("cannot set mode of", tmpl, errno);
  if (st.ok() && ::fsync(fd) != 0) st = OsError("cannot fsync", tmpl, errno);
  if (st.ok()) {
    int raw = closer.release();
    if (::close(raw) != 0) st = OsError("cannot close", tmpl, errno);
  }
  if (st.ok() && ::rename(tmpl.c_str(), path.c_str()) != 0) {
    st = OsError("cannot rename " + tmpl + " to", path, errno);
  }
  if (!st.ok()) {
    ::unlink(tmpl.c_str());
    return st;
  }
  if (sync_dir) return SyncDir(DirName(path));
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsError("cannot open for reading", path, errno);
  FdCloser closer(fd);
  struct stat sb;
  if (::fstat(fd, &sb) != 0) return OsError("cannot stat", path, errno);
  std::string out;
  out.resize(static_cast<size_t>(sb.st_size));
  size_t got = 0;
  while (true) {
    if (got == out.size()) out.resize(out.size() * 2 + 4096);
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return OsError("cannot read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Result<std::vector<DirEntry>> ListDir(const std::string& dir) {
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

Status MakeDirs(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("cannot create a directory with an empty name");
  struct stat sb;
  if (::stat(path.c_str(), &sb) == 0) {
    if (S_ISDIR(sb.st_mode)) return Status::Ok();
    return Status::AlreadyExists("cannot create directory " + path + ": a file with that name exists");
  }
  std::string parent = DirName(path);
  if (parent != path && parent != "." && parent != "/") WS_RETURN_IF_ERROR(MakeDirs(parent));
  if (::mkdir(path.c_str(), kDirMode) != 0 && errno != EEXIST) {
    return OsError("cannot create directory", path, errno);
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return OsError("cannot open directory", dir, errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return OsError("cannot fsync directory", dir, errno);
  return Status::Ok();
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return OsError("cannot delete", path, errno);
  return Status::Ok();
}

Status RemoveDir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return OsError("cannot delete directory", path, errno);
  return Status::Ok();
}

bool PathExists(const std::string& path) {
  struct stat sb;
  return ::stat(path.c_str(), &sb) == 0;
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat sb;
  if (::stat(path.c_str(), &sb) != 0) return OsError("cannot stat", path, errno);
  return static_cast<uint64_t>(sb.st_size);
}

Result<std::unique_ptr<DirLock>> DirLock::Acquire(const std::string& path,
                                                    std::string_view initial_content) {
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
    WS_RETURN_IF_ERROR(WriteAll(fd, initial_content, path));
    if (::fsync(fd) != 0) return OsError("cannot fsync", path, errno);
  }
  return std::make_unique<DirLock>(Passkey{}, path, closer.release());
}

DirLock::~DirLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace ws
