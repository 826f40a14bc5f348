// Env: the file-system seam (in the manner of leveldb's Env).
//
// Everything the store writes or reads goes through an Env, so that tests
// can swap the real file system (Env::Default(), POSIX) for an in-memory
// one that models durability exactly and injects failures deterministically
// (util/mem_env.h): an fsync error, ENOSPC, a short write, a crash after the
// k-th write, fsync or rename.
//
// Every failure is a Status whose message names the path and the reason, e.g.
//   "cannot open /data/x for reading: No such file or directory".
// A missing file is kNotFound; other failures are kIOError.
//
// Thread safety: an Env is safe to use from many threads at once. A
// WritableFile is used by one thread at a time; a RandomAccessFile may be
// read from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace ws {

// Suffix marker of temporary files written by Env::WriteFileAtomic:
// "<name>.tmp-<unique>". Such files are never store files.
inline constexpr std::string_view kTempFileMarker = ".tmp-";

// True when `name` is a temporary file of WriteFileAtomic.
inline bool IsTempFileName(std::string_view name) {
  return name.find(kTempFileMarker) != std::string_view::npos;
}

struct DirEntry {
  std::string name;  // file name only, never "." or ".."
  bool is_dir = false;
};

// A file being written sequentially.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data`. Failure: kIOError (a short write is reported as
  // an error; the file then holds an unspecified prefix of the data).
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fsync).
  virtual Status Sync() = 0;
  // Closes the file; later calls are no-ops. The destructor closes too,
  // ignoring errors (call Close to see them).
  virtual Status Close() = 0;
};

// A file read at arbitrary offsets (pread).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Size of the file when it was opened.
  virtual uint64_t size() const = 0;
  // Reads exactly `n` bytes at `offset` into *out (resized to n).
  // Failure: kIOError; kCorruption when the file ends before offset + n.
  // Thread safety: safe to call concurrently.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
};

// A held lock; released on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The real file system (POSIX). Never deleted.
  static Env* Default();

  // Creates `path` (truncating an existing file).
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for appending, creating it when missing.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) = 0;

  // Atomically renames `from` over `to` (POSIX rename semantics).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Failure: kNotFound if absent, else kIOError.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Shortens a file to `size` bytes (used to cut a torn log tail).
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Creates one directory level; OK when it already exists as a directory.
  virtual Status CreateDir(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& path) = 0;
  // fsyncs the directory so that creations, renames and deletions in it are
  // durable.
  virtual Status SyncDir(const std::string& path) = 0;
  // Lists `dir` (unsorted). Failure: kNotFound if absent, else kIOError.
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& dir) = 0;
  // Failure: kNotFound if absent.
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual bool PathExists(const std::string& path) = 0;
  // True when `path` exists and is a directory.
  virtual bool IsDirectory(const std::string& path) = 0;

  // An exclusive lock on `path` (created when missing, with
  // `initial_content` written when it is new or empty), taken without
  // waiting. Failure: kFailedPrecondition naming `path` when another holder
  // has it; kIOError otherwise (e.g. a read-only file system).
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                                     std::string_view initial_content) = 0;

  // Pins an existing file: a shared lock that RemoveFileIfUnpinned respects.
  // Waits while a remover holds the file. Failure: kNotFound when the file
  // is absent or was removed while we waited (the caller retries with a
  // newer file). Works on read-only files and file systems.
  virtual Result<std::unique_ptr<FileLock>> PinFile(const std::string& path) = 0;
  // Removes `path` unless some holder (in this or another process) pins it.
  // Returns true when it was removed or was already absent, false when it
  // is pinned. A PinFile that returns OK afterwards never sees a removed
  // file.
  virtual Result<bool> RemoveFileIfUnpinned(const std::string& path) = 0;

  // ---- Helpers on top of the primitives.

  // Creates `path` and all missing parents, durably (each parent of a
  // created directory is fsynced).
  Status MakeDirs(const std::string& path);
  // Reads the whole file. Failure: kNotFound if absent, else kIOError.
  Result<std::string> ReadFile(const std::string& path);
  // Writes `data` to `path` atomically: a temporary file in the same
  // directory, fsynced, renamed over `path`, and (if sync_dir) the directory
  // fsynced. Guarantees: after OK the file is durable with exactly `data`
  // (with sync_dir false the caller must SyncDir); after a crash `path` holds
  // either the old or the new content. Failure: the temporary file is
  // removed (best effort).
  Status WriteFileAtomic(const std::string& path, std::string_view data, bool sync_dir = true);
  // Writes and fsyncs a new file (no rename; the caller renames or syncs the
  // directory).
  Status WriteFileSynced(const std::string& path, std::string_view data);
  // A name "<path>.tmp-<unique>" no other call returns (within this process).
  std::string TempFileName(const std::string& path);
};

// The directory part of `path` ("a/b/c" -> "a/b"; "c" -> ".").
std::string DirName(const std::string& path);
// Joins two path parts with one '/'.
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace ws
