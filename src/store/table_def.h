// TableDef: what the store knows about a table — its columns, how it is
// partitioned, whether rows are versioned by a key, and the order its rows
// are kept in. Domain modules (event, session) declare their tables with it;
// the store never sees their types.
//
//   * kAppend tables (events, quarantine, keys): every row of every file is
//     live; compaction concatenates files in sort order.
//   * kKeyed tables (sessions): each row carries a key; within a partition
//     the newest file holding a key wins, and a tombstone row deletes the
//     key. Compaction merges deltas into a base and drops what is hidden.
//
// The store adds hidden columns to keyed tables: kKeyHashLo/kKeyHashHi (the
// XXH3-128 of the key, which decides versions) and kTombstone.
//
// Thread safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/table_file.h"

namespace ws::store {

enum class TableMode : uint8_t { kAppend = 1, kKeyed = 2 };
// How partition numbers map to names: kDay partitions are UTC days
// (DayNumber values), named YYYY-MM-DD; kNone tables have one partition 0.
enum class PartitionKind : uint8_t { kNone = 0, kDay = 1 };

inline constexpr std::string_view kKeyHashLo = "__kh0";
inline constexpr std::string_view kKeyHashHi = "__kh1";
inline constexpr std::string_view kTombstone = "__tomb";

struct TableDef {
  TableSchema schema;  // the domain's columns (hidden ones are added by Finalize)
  TableMode mode = TableMode::kAppend;
  PartitionKind partitions = PartitionKind::kNone;
  std::string key_column;             // kKeyed: a string column
  std::vector<std::string> sort_key;  // columns rows are kept in (lexicographic, ascending)

  // Checks the definition and, for keyed tables, appends the hidden
  // columns. Must be called once before use. Failure: kInvalidArgument.
  Status Finalize();
  const std::string& name() const { return schema.name; }
  bool keyed() const { return mode == TableMode::kKeyed; }
  // Column indexes of the sort key, the key and the hidden columns (valid
  // after Finalize; -1 when absent).
  std::vector<int> sort_columns;
  int key_index = -1;
  int key_hash_lo = -1;
  int key_hash_hi = -1;
  int tombstone = -1;
};

// The name of partition `p` of a table partitioned by `kind` ("2026-10-01"
// for days; "" for kNone).
std::string PartitionName(PartitionKind kind, int32_t p);

}  // namespace ws::store
