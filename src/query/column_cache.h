// ColumnCache: decoded integer columns of table blocks, kept in memory by a
// long-running process (the server) so that a report does not decompress
// and decode the same blocks again (issue 8, "a column cache").
//
// Entries are keyed by (file number, block, column). Store files are
// immutable and never reuse a number, so an entry stays valid for as long as
// its file exists: a commit adds files (their blocks are decoded on first
// use), and nothing cached is dropped; Retain() drops the entries of files
// that compaction has removed from the live snapshot. Live-row selections
// are not cached here: they belong to the snapshot (PartitionReader::live).
//
// Thread safety: all methods may be called from many threads; `mu_` guards
// the map. Returned columns are immutable and shared.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/store.h"
#include "util/status.h"

namespace ws::query {

class ColumnCache {
 public:
  // Column `column` (an integer column) of block i of `reader`, all
  // physical rows. Decodes and keeps it on a miss. Failure: as
  // PartitionReader::Read (kCorruption naming the file).
  Result<std::shared_ptr<const store::IntColumn>> Get(const store::PartitionReader& reader, size_t i,
                                                      const std::string& column);
  // Drops entries whose file `snap` no longer lists.
  void Retain(const store::Snapshot& snap);
  // Bytes of decoded values held.
  uint64_t bytes() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const store::IntColumn>> map_;  // guarded by mu_
  uint64_t bytes_ = 0, hits_ = 0, misses_ = 0;                                    // guarded by mu_
};

}  // namespace ws::query
