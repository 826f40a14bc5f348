// The embedded store (SPEC 6), format v2: tables of columns in files under
// one data directory. It knows columns, files and keys — not events or
// sessions; the domain modules declare their tables with TableDef.
//
// Layout (docs/storage-format.md):
//   DIR/LOCK                          held by the one writer process
//   DIR/MANIFEST-<n>                  the live file set (the highest n is live)
//   DIR/<table>/<partition>-<n>.wst   table files (columnar, zstd, checksummed)
//   DIR/wal/<n>.wsl                   write-ahead log (store/wal.h)
//
// Commits. A commit adds files — append segments, or deltas of keyed tables
// holding only the changed rows — so its cost follows what changed, not what
// is stored. Each new file is written and fsynced, its directory fsynced,
// then a new manifest is written to a temporary name, fsynced and renamed,
// and the data directory fsynced: that rename is the commit point. A crash
// at any moment leaves the store as of the last commit; Open() deletes what
// a crashed commit or compaction left behind.
//
// Snapshots. A reader pins one manifest (a shared lock on its file) and reads
// exactly the files it names, while writers in this or another process
// commit and compact. A file is deleted only when no pinned manifest names
// it; pins never block the writer.
//
// Compaction merges a partition's small files (append tables) and a keyed
// partition's deltas into its base once they pass a size ratio, in the
// background or on request; a crash at any point leaves the store as of the
// last installed manifest.
//
// Thread safety: a Store may be used from many threads. Commit and the
// compactions serialise on an internal lock; snapshot() never blocks for
// long; a Snapshot and the PartitionReaders it hands out are immutable and
// safe to share. Only one process opens a store for writing (LOCK).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/column.h"
#include "store/key_registry.h"
#include "store/manifest.h"
#include "store/table_def.h"
#include "store/table_file.h"
#include "util/env.h"
#include "util/status.h"

namespace ws::store {

// When compaction merges files (see docs/storage-format.md, section 8).
struct CompactionPolicy {
  // Append tables: merge at least this many files of one size tier.
  size_t min_merge_files = 4;
  // Files below this size all belong to the smallest tier.
  uint64_t small_file_bytes = uint64_t{1} << 20;
  // Keyed tables: merge every delta into the base once the deltas' bytes
  // reach this fraction of the base's.
  double base_ratio = 0.25;
  // Keyed tables: merge the deltas together (without the base) beyond this many.
  size_t max_deltas = 8;
  // Never merge inputs larger than this in total (append tables).
  uint64_t max_merge_bytes = uint64_t{512} << 20;
};

struct StoreOptions {
  Env* env = nullptr;  // nullptr: Env::Default()
  bool create_if_missing = true;
  bool read_only = false;  // no lock, no cleanup, no commits
  // The tables a writer commits to. Open() finalizes them.
  std::vector<TableDef> tables;
  CompactionPolicy compaction;
  // A writer's background thread compacts after commits.
  bool background_compaction = false;
  // Opens a directory that holds a version-1 store (it has CURRENT) as a v2
  // store beside it, for the upgrade (session/data_store.h): the version-1
  // manifests are ignored and never removed, and v2 manifest numbers start
  // above them. Without it, such a directory is kFailedPrecondition.
  bool upgrade_from_v1 = false;
};

// A table file for a commit, as TableWriter builds it.
struct NewFile {
  std::string table;
  int32_t partition = 0;
  std::string image;
  uint64_t rows = 0;
};

struct CommitRequest {
  std::vector<NewFile> files;  // keyed tables: at most one per partition
  std::optional<std::string> app_state;
  std::optional<uint64_t> log_covered_seq;
};

// Builds one file of a table from the domain's columns. For keyed tables it
// fills the hidden columns (the key's XXH3-128, tombstones).
class TableWriter {
 public:
  // Requires: def finalized and outliving the writer.
  explicit TableWriter(const TableDef* def);
  // The rows of domain column `col` (an index into def->schema.columns).
  // String views must stay valid until Finish.
  IntColumn& ints(size_t col) { return builder_.ints(col); }
  std::vector<std::string_view>& strings(size_t col) { return builder_.strings(col); }
  // Keyed tables: a row that deletes `key` in its partition (other columns
  // hold zero / empty). The view must stay valid until Finish.
  void AddTombstone(std::string_view key);
  size_t rows() const { return builder_.rows(); }
  // Append tables, for a caller that hands over rows already in sort order:
  // encodes the rows buffered so far as blocks now and empties the buffers
  // (their string views may then die), so that a large file is built with
  // buffers of one block. Flushing kBlockRows rows at a time gives the same
  // file as one Finish of all the rows. Requires: the buffered rows are in
  // sort order and none sorts before the last row flushed earlier.
  // Failure: kInvalidArgument for a keyed table, rows out of order or
  // columns of different lengths; kInternal when compression fails.
  Status FlushSorted();
  // Sorts the rows by the table's sort key (stable; nothing moves when they
  // are in order already), fills the hidden columns and encodes the file.
  // Failure: kInvalidArgument (columns of different lengths, a keyed file
  // naming one key twice); kInternal when compression fails.
  Result<NewFile> Finish(int32_t partition);

 private:
  // Encodes what the builder holds as the file of `partition` with `rows` rows.
  Result<NewFile> Seal(int32_t partition, uint64_t rows);

  const TableDef* def_;
  TableFileBuilder builder_;
  std::vector<std::string_view> tombstones_;  // keys of tombstone rows, appended at Finish
  bool streamed_ = false;                     // FlushSorted was called: Finish flushes the rest the same way
  // The sort-key values of the last row flushed (FlushSorted), in
  // def_->sort_columns order: integers, and strings copied.
  std::vector<int64_t> last_ints_;
  std::vector<std::string> last_strings_;
};

// The columns of one block, as a scan reads them.
class ColumnBatch {
 public:
  // Physical rows of the block.
  size_t rows() const { return rows_; }
  // The live rows, ascending; nullptr when every row is live. (Keyed
  // tables: rows replaced by a newer version, and tombstones, are not live.)
  const std::vector<uint32_t>* selection() const { return selection_; }
  size_t live_rows() const { return selection_ == nullptr ? rows_ : selection_->size(); }
  // The i-th requested column (by its position in the request).
  const IntColumn& ints(size_t i) const { return ints_[i]; }
  const StringColumn& strings(size_t i) const { return strings_[i]; }

  // Filled by PartitionReader::Read.
  void Reset(size_t columns, size_t rows, const std::vector<uint32_t>* selection);
  IntColumn& mutable_ints(size_t i) { return ints_[i]; }
  StringColumn& mutable_strings(size_t i) { return strings_[i]; }

 private:
  size_t rows_ = 0;
  const std::vector<uint32_t>* selection_ = nullptr;
  std::vector<IntColumn> ints_;
  std::vector<StringColumn> strings_;
};

// Reads the named columns of block `block` of `file` into *out, with the
// given live-row selection (nullptr: every row). A column the file lacks is
// kInvalidArgument; damage is kCorruption naming the file.
Status ReadBlockColumns(const TableFile& file, size_t block, const std::vector<std::string>& columns,
                        const std::vector<uint32_t>* selection, ColumnBatch* out);

struct BlockRef {
  uint32_t file = 0;   // index into the partition's files (oldest first)
  uint32_t block = 0;  // block of that file
  uint64_t rows = 0;
};

// One partition of one table as of a snapshot: its blocks (oldest file
// first) and, for keyed tables, which rows are live.
class PartitionReader {
 public:
  struct Data;
  explicit PartitionReader(std::unique_ptr<Data> data);
  ~PartitionReader();

  const std::string& table() const;
  int32_t partition() const;
  const std::vector<FileMeta>& files() const;
  size_t block_count() const;
  const BlockRef& block(size_t i) const;
  // Statistics of `column` in block i; nullptr when that file lacks the
  // column or kept no statistics for it.
  const ChunkStats* stats(size_t i, std::string_view column) const;
  // Live rows over all blocks.
  uint64_t live_rows() const;
  // Reads the named columns of block i into *out: out->ints(k) for an integer
  // column, out->strings(k) for a string column. A column the block's file
  // lacks is kInvalidArgument. The columns of a table the store knows
  // (StoreOptions::tables, and the keys table) have the types its definition
  // gives: a file that disagrees was refused as kCorruption when the
  // snapshot opened it. Thread-safe.
  Status Read(size_t i, const std::vector<std::string>& columns, ColumnBatch* out) const;
  // The open file of block i.
  const TableFile& file_of(size_t i) const;
  // The live rows of block i, ascending; nullptr when every row is live.
  const std::vector<uint32_t>* live(size_t i) const;

 private:
  std::unique_ptr<Data> d_;
};

// An immutable view of the store as of one manifest.
class Snapshot {
 public:
  struct Data;
  explicit Snapshot(std::unique_ptr<Data> data);
  ~Snapshot();

  uint64_t manifest_number() const;
  const Manifest& manifest() const;
  const std::string& app_state() const;
  uint64_t log_covered_seq() const;
  // Partitions of `table` that hold files, ascending.
  std::vector<int32_t> Partitions(std::string_view table) const;
  // Files of one partition, oldest (lowest seq) first.
  std::vector<FileMeta> Files(std::string_view table, int32_t partition) const;
  // A reader over one partition (cached: cheap to ask again). A partition
  // without files yields a reader with no blocks. Failure: kCorruption naming
  // a damaged file; kIOError.
  Result<std::shared_ptr<const PartitionReader>> Partition(std::string_view table, int32_t partition) const;
  // Bytes of live files per table, and "manifest".
  std::map<std::string, uint64_t> DiskUsage() const;

 private:
  std::unique_ptr<Data> d_;
};

class Store {
 public:
  // Opens the store in `dir` (creating it when allowed and missing). A
  // writer takes DIR/LOCK, deletes what an interrupted commit left, and
  // loads the key registry; a reader pins the live manifest. Failure: a
  // sentence naming the directory or the file at fault (kCorruption for
  // damage, kFailedPrecondition when another process writes the store or the
  // store is of format version 1 and must be upgraded first).
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, StoreOptions options);
  virtual ~Store() = default;

  virtual const std::string& dir() const = 0;
  virtual Env* env() const = 0;
  virtual bool read_only() const = 0;
  // The latest committed state.
  virtual std::shared_ptr<const Snapshot> snapshot() const = 0;
  // Keys of every dictionary; new keys are stored by the next Commit.
  virtual KeyRegistry& keys() = 0;
  virtual const TableDef* table(std::string_view name) const = 0;

  // Applies `request` atomically with the keys interned since the last
  // commit: after a crash at any point Open() sees all of it or none of it.
  // Durable when it returns OK. A failure after the new manifest was written
  // leaves the store refusing further commits (reopen it).
  virtual Status Commit(CommitRequest request) = 0;

  // Runs one compaction if some partition needs one; returns whether it did.
  virtual Result<bool> CompactOnce() = 0;
  // Compacts until no partition needs it.
  virtual Status CompactAll() = 0;
  // Compactions done by this object (foreground and background).
  virtual uint64_t compactions() const = 0;
};

// The key registry's own table.
const TableDef& KeysTableDef();

}  // namespace ws::store
