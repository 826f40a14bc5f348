// The write-ahead log (docs/storage-format.md, section 9): the
// acknowledgement path of the server and the Kafka consumer. A record is an
// opaque payload (the ingest engine puts a batch of accepted events in it),
// compressed and checksummed, with a sequence number. Append returns once
// the record is durable; concurrent appenders are grouped so that one write
// and one fsync cover every record waiting (group commit).
//
// Files: DIR/wal/<n>.wsl, each a header and records. A writer never appends
// to a file of an earlier process: it recovers the old files (Recover), then
// starts a new one. Files are deleted once the store covers their records
// (DeleteCovered with the manifest's log_covered_seq).
//
// A crash can tear only the tail of the newest file (records being written
// were not yet acknowledged); Recover cuts it back to its clean prefix and
// reports what it dropped. Damage anywhere else is kCorruption.
//
// Thread safety: Append may be called from many threads at once; the other
// methods from one thread at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/env.h"
#include "util/status.h"

namespace ws::store {

inline constexpr std::string_view kWalMagic = "WSWALOG2";
inline constexpr uint32_t kWalVersion = 2;
inline constexpr std::string_view kWalDir = "wal";
inline constexpr std::string_view kWalExtension = ".wsl";

struct WalOptions {
  uint64_t max_file_bytes = uint64_t{64} << 20;  // start a new file beyond this
  uint64_t max_group_bytes = uint64_t{8}
                             << 20;  // one write holds at most this much (and at least one record)
  bool compress = true;              // zstd, when it saves space
  // Called after each group's write and fsync with how long they took
  // (seconds), on the appending thread (for a server's metrics); may be empty.
  std::function<void(double seconds)> on_sync;
};

struct WalRecoveryReport {
  uint64_t files = 0;
  uint64_t records = 0;     // replayed (after the covered sequence)
  uint64_t skipped = 0;     // already covered by the store
  uint64_t last_seq = 0;    // highest sequence found
  uint64_t torn_bytes = 0;  // cut from the tail of the newest file
  std::string torn_file;    // which file was cut ("" if none)
  // Each remaining log file's number and the last sequence it holds (0: none).
  std::vector<std::pair<uint64_t, uint64_t>> file_last_seq;
};

// Reads every log file of `dir` in order and calls fn(seq, payload) for the
// records with seq > after_seq. Cuts a torn tail of the newest file (and
// fsyncs it). Failure: kCorruption naming the file for damage that is not a
// torn tail, or the error fn returned.
Result<WalRecoveryReport> RecoverWal(Env* env, const std::string& dir, uint64_t after_seq,
                                     const std::function<Status(uint64_t seq, std::string_view payload)>& fn);

// For fuzzers and tests only, never for stored logs: rewrites the checksums
// RecoverWal checks in the bytes `log` of one log file — the file header's,
// then record by record the payload checksum and the header checksum — to
// match the bytes it holds, so that damaged bytes get past them. A record
// whose stored length runs past the end gets only its header checksum
// repaired, and the walk stops there (RecoverWal reads it as a torn tail).
// Any bytes are accepted.
void RepairWalChecksumsForTesting(std::string* log);

class WalWriter {
 public:
  // Starts a new log file after the existing ones, which `recovered`
  // describes (RecoverWal must run first); records get sequence numbers from
  // next_seq on, which must exceed every recovered one.
  static Result<std::unique_ptr<WalWriter>> Open(Env* env, const std::string& dir,
                                                 const WalRecoveryReport& recovered, uint64_t next_seq,
                                                 WalOptions options = {});
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Appends one record and waits until it is durable. Returns its sequence
  // number. After a write or fsync failure every later Append fails too
  // (what reached the disk is unknown; reopen to recover).
  Result<uint64_t> Append(std::string_view payload);
  // Deletes the log files whose records all have seq <= covered (never the
  // file being written).
  Status DeleteCovered(uint64_t covered);
  // The last sequence number handed out.
  uint64_t last_seq() const;
  // Groups written and records appended so far (a group is one fsync).
  uint64_t groups() const;
  uint64_t records() const;

 private:
  struct Waiter;
  struct LogFile {
    uint64_t number = 0;
    uint64_t last_seq = 0;
  };
  Status StartFile();  // requires mu_ held

  // Restricts construction to Open while allowing make_unique.
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  WalWriter(Passkey, Env* env, std::string dir, uint64_t next_seq, WalOptions options);

 private:
  Env* env_;
  std::string dir_;  // the wal directory
  WalOptions options_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::deque<Waiter*> queue_;
  std::unique_ptr<WritableFile> file_;
  uint64_t file_number_ = 0;
  uint64_t file_bytes_ = 0;
  std::vector<LogFile> files_;  // closed files, oldest first (not yet deleted)
  uint64_t next_seq_;
  uint64_t groups_ = 0;
  uint64_t records_ = 0;
  Status error_;
  std::string group_;  // scratch of the leader
};

}  // namespace ws::store
