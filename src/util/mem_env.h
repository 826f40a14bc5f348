// MemEnv: an in-memory Env that models durability exactly and injects
// failures deterministically — the seam of the crash and failure tests
// (compare leveldb's fault_injection_test Env and RocksDB's
// FaultInjectionTestFS). It is also used to open a version-1 store
// read-only: the store is upgraded in memory, never on disk.
//
// Durability model (stricter than most real file systems, so that a missing
// fsync shows up as a lost file):
//   * A file's data is durable up to its last WritableFile::Sync().
//   * A directory entry (a created, renamed or removed name) is durable once
//     SyncDir() of its directory has run after the change.
//   * SimulateCrash() forgets everything not durable: each directory goes
//     back to its entries as of its last SyncDir, each file to its content as
//     of its last Sync, every lock and pin is released, and files opened
//     before the crash stop working.
//
// Fault injection: FailAt(kind, k, action) makes the k-th operation of that
// kind (counted from the call, 1-based) fail: with an I/O error, ENOSPC, a
// short write (half the data is written), or a crash (the operation takes
// effect, then this and every later operation fails until SimulateCrash()).
//
// Thread safety: every method is safe to call from many threads (one mutex).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/env.h"

namespace ws {

class MemEnv : public Env {
 public:
  // Operations that can be counted and failed.
  enum class Op : uint8_t {
    kWrite = 0,  // WritableFile::Append
    kSync,       // WritableFile::Sync
    kRename,     // RenameFile
    kSyncDir,    // SyncDir
    kCreate,     // NewWritableFile / NewAppendableFile of a new file, CreateDir
    kRemove,     // RemoveFile, RemoveDir, RemoveFileIfUnpinned (when it removes), TruncateFile
    kCount,
  };
  enum class Action : uint8_t {
    kIOError,     // fails with EIO; nothing happens
    kNoSpace,     // fails with ENOSPC; nothing happens
    kShortWrite,  // kWrite only: half of the data is appended, then EIO
    kCrash,       // the operation takes effect, then the "machine" is down
  };

  MemEnv();
  ~MemEnv() override;
  MemEnv(const MemEnv&) = delete;
  MemEnv& operator=(const MemEnv&) = delete;

  // ---- Fault injection and crash simulation.

  // Arms one fault: the k-th operation of `op` from now (k >= 1). Replaces
  // any armed fault.
  void FailAt(Op op, uint64_t k, Action action);
  // Arms a crash after the k-th *mutating* operation of any kind in `ops`
  // (k >= 1), counting from now.
  void CrashAfter(const std::vector<Op>& ops, uint64_t k);
  void Disarm();
  // The machine goes down now: every later operation fails until
  // SimulateCrash().
  void CrashNow();
  // Number of operations of `op` since construction (or the last reset).
  uint64_t OpCount(Op op) const;
  void ResetCounts();
  // True after an injected crash, until SimulateCrash().
  bool crashed() const;
  // Forgets everything that was not durable (see above), clears the crash
  // and every armed fault. Files opened before stay unusable.
  void SimulateCrash();
  // Copies the whole tree (live state) of `from` under `to`, as durable.
  // Used to take a copy of a store for each crash-point run.
  Status CopyTree(const std::string& from, MemEnv* target, const std::string& to) const;
  // Imports a directory tree of the real file system (all durable).
  Status ImportFrom(Env* real, const std::string& from, const std::string& to);

  // ---- Env.
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status CreateDir(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  bool PathExists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                             std::string_view initial_content) override;
  Result<std::unique_ptr<FileLock>> PinFile(const std::string& path) override;
  Result<bool> RemoveFileIfUnpinned(const std::string& path) override;

  struct Inode;
  struct Dir;
  class File;
  class Reader;
  class Lock;

 private:
  // All require mu_ held.
  // Counts `op` and applies an armed fault: returns the injected error, or
  // OK with crash_after_op_ / short_write_ set for the caller to honour.
  Status Check(Op op, const std::string& path);
  // Called after an operation took effect: enters the crashed state when
  // the fault asked for a crash after it.
  void FinishOp();
  Dir* FindDir(const std::string& path);
  std::shared_ptr<Inode> FindFile(const std::string& path);
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, bool truncate);

  mutable std::mutex mu_;
  std::condition_variable cv_;                        // pins waiting for an exclusive holder
  std::map<std::string, std::unique_ptr<Dir>> dirs_;  // by full path; "/" always exists
  uint64_t counts_[static_cast<size_t>(Op::kCount)] = {};
  uint64_t generation_ = 0;  // bumped by SimulateCrash: older handles are dead
  bool crashed_ = false;
  // Armed fault.
  bool armed_ = false;
  uint32_t armed_ops_mask_ = 0;
  uint64_t armed_remaining_ = 0;
  Action armed_action_ = Action::kIOError;
  bool crash_after_op_ = false;     // the current operation is the crash point
  bool armed_fired_short_ = false;  // the current write is a short write
};

}  // namespace ws
