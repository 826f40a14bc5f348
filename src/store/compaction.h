// Compaction (docs/storage-format.md, section 8): which files of a partition
// to merge, and the merge itself.
//
//   * Append tables (events, quarantine, keys): size-tiered. Files are
//     grouped by size (a file joins a tier while it is at most twice the
//     tier's mean, and every file below small_file_bytes is in the first
//     tier); a tier of min_merge_files or more is merged into one file, in
//     sort-key order, so that a partition holds O(log n) files.
//   * Keyed tables (sessions): once the deltas' bytes reach base_ratio of
//     the base's (or there is no base), base and deltas merge into a new base
//     that keeps only live rows; with more than max_deltas deltas below that
//     ratio, the deltas merge into one delta that keeps their tombstones.
//     Inputs are always a run of consecutive files (by commit sequence), so
//     that "the newest version wins" still holds afterwards.
//
// Thread safety: pure functions over immutable snapshots.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace ws::store {

struct CompactionJob {
  std::string table;
  int32_t partition = 0;
  std::vector<FileMeta> inputs;  // oldest (seq) first
  bool to_base = false;          // keyed: the output is the partition's new base
};

// The first partition (tables by name, partitions ascending) that the
// policy says to compact, or nullopt.
std::optional<CompactionJob> PickCompaction(const Snapshot& snap,
                                            const std::map<std::string, TableDef, std::less<>>& defs,
                                            const CompactionPolicy& policy);

// Merges the job's inputs into one file image (rows in sort-key order,
// blocks streamed, so memory stays near the output's size). Gives up with
// kFailedPrecondition when `stop` becomes true. Failure: the read error of a
// damaged input.
Result<std::string> RunCompaction(Env* env, const std::string& dir, const TableDef& def,
                                  const CompactionJob& job, const std::atomic<bool>& stop);

}  // namespace ws::store
