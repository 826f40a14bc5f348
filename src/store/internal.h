// Internal to src/store: what store.cc, partition.cc and compaction.cc
// share. Not part of the store's API.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/store.h"

namespace ws::store::internal {

// Open table files shared by the snapshots of one store, by file number.
// Thread safety: internally locked.
class FileCache {
 public:
  // `schemas`: the columns of the tables the store knows, by table name.
  FileCache(Env* env, std::string dir, std::map<std::string, TableSchema, std::less<>> schemas)
      : env_(env), dir_(std::move(dir)), schemas_(std::move(schemas)) {}
  // The open file of table `table`, opening it (and checking its size and
  // structure) when no snapshot holds it open. When the store knows the
  // table, every column the file shares with its schema must have the
  // schema's type, as the table's readers index it so: else kCorruption.
  Result<std::shared_ptr<const TableFile>> Get(std::string_view table, const std::string& relative_path,
                                               const FileMeta& f);

 private:
  Env* env_;
  std::string dir_;
  const std::map<std::string, TableSchema, std::less<>> schemas_;
  std::mutex mu_;
  std::unordered_map<uint64_t, std::weak_ptr<const TableFile>> files_;
};

struct TableIndex {
  TableMode mode = TableMode::kAppend;
  PartitionKind kind = PartitionKind::kNone;
  std::map<int32_t, std::vector<FileMeta>> partitions;  // files oldest (seq, number) first
};

// Builds the per-table index of a manifest.
std::map<std::string, TableIndex, std::less<>> IndexManifest(const Manifest& m);

// Makes a snapshot of manifest `m` (pinned by `pin`, which may be null for
// a store without a manifest yet).
std::shared_ptr<const Snapshot> MakeSnapshot(Env* env, std::string dir, Manifest m, uint64_t manifest_bytes,
                                             std::unique_ptr<FileLock> pin, std::shared_ptr<FileCache> cache);

// Live rows of each block of each file of a keyed partition. `files` are in
// seq order, oldest first. out[f][b] is nullopt when every row of block b of
// file f is live, else the live rows ascending. A row is not live when a
// newer file holds its key, or when it is a tombstone (unless
// keep_tombstones: then tombstones not hidden by a newer file stay).
// Failure: the read error of a damaged file.
Status ComputeLiveness(const std::vector<std::shared_ptr<const TableFile>>& files, bool keep_tombstones,
                       std::vector<std::vector<std::optional<std::vector<uint32_t>>>>* out);

// Orders rows of builder columns by the sort key of `def`; returns the
// permutation (empty when they are in order).
std::vector<uint32_t> SortPermutation(const TableDef& def, TableFileBuilder* builder);

// Full paths of table files.
std::string FilePath(const std::string& dir, std::string_view table, PartitionKind kind, const FileMeta& f);

}  // namespace ws::store::internal
