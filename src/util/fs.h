// File-system helpers with durable semantics and Status errors.
//
// Every failure is a Status whose message names the path and the operating
// system's reason (strerror), e.g.
//   "cannot open /data/x for reading: No such file or directory".
// A missing file is kNotFound; other OS failures are kIOError.
//
// Thread safety: free functions are safe to call concurrently on different
// paths; a DirLock object is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/env.h"
#include "util/status.h"

namespace ws {

// Writes `data` to `path` atomically: writes "<path>.tmp-XXXXXX" in the same
// directory, fsyncs it, renames it over `path`, and (if sync_dir) fsyncs the
// directory. Guarantees: after OK the file is durable with exactly `data`
// (when sync_dir is false, the caller must SyncDir the directory); after a
// crash `path` holds either the old or the new content, never a mix.
// Failure: the temporary file is removed (best effort).
Status WriteFileAtomic(const std::string& path, std::string_view data, bool sync_dir = true);

// Reads the whole file. Failure: kNotFound if absent, else kIOError.
Result<std::string> ReadFile(const std::string& path);

// Lists `dir` (unsorted). Failure: kNotFound if absent, else kIOError.
Result<std::vector<DirEntry>> ListDir(const std::string& dir);

// Creates `path` and all missing parents (mode 0755); OK if it exists as a
// directory.
Status MakeDirs(const std::string& path);

// fsyncs the directory so that renames/creations/deletions in it are durable.
Status SyncDir(const std::string& dir);

// Removes a file. Failure: kNotFound if absent, else kIOError.
Status RemoveFile(const std::string& path);

// Removes an empty directory.
Status RemoveDir(const std::string& path);

// True when `path` exists (any type).
bool PathExists(const std::string& path);

// Size of a regular file in bytes. Failure: kNotFound if absent.
Result<uint64_t> FileSize(const std::string& path);

// An exclusive advisory lock (flock) on a file, held until destruction.
class DirLock {
 public:
  // Opens (creating if missing, with `initial_content` written when the file
  // is new/empty) and locks `path` without blocking. Failure: if another
  // process holds the lock, kFailedPrecondition with a sentence saying so and
  // naming `path`; other errors kIOError.
  static Result<std::unique_ptr<DirLock>> Acquire(const std::string& path, std::string_view initial_content);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  // Restricts construction to Acquire() while allowing std::make_unique.
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  DirLock(Passkey, std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

 private:
  std::string path_;
  int fd_;
};

}  // namespace ws
