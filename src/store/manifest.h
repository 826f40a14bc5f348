// MANIFEST-<n> of format v2 (docs/storage-format.md, section 5): the live
// set of table files and the state that commits carry (the opaque
// application state and how far the write-ahead log is covered), as a value
// with an exact binary encoder and a verifying decoder.
//
// The live manifest is the one with the highest number in the data
// directory; a commit writes a new one (temporary name, fsync, rename,
// directory fsync), which is the commit point.
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/table_def.h"
#include "util/status.h"

namespace ws::store {

inline constexpr std::string_view kManifestMagic2 = "WSMANIF2";
inline constexpr uint32_t kManifestVersion2 = 2;
inline constexpr std::string_view kManifestPrefix = "MANIFEST-";
inline constexpr std::string_view kTableFileExtension = ".wst";

// One live table file.
struct FileMeta {
  uint64_t number = 0;    // unique in the store, never reused
  int32_t partition = 0;  // DayNumber for day-partitioned tables
  uint64_t seq = 0;       // commit sequence that made it (compaction: the newest of its inputs)
  bool base = false;      // keyed tables: a compaction output holding no tombstones
  uint64_t rows = 0;
  uint64_t size = 0;
  uint64_t checksum = 0;  // XXH3-64 of the whole file
  bool operator==(const FileMeta&) const = default;
};

struct ManifestTable {
  std::string name;
  TableMode mode = TableMode::kAppend;
  PartitionKind partitions = PartitionKind::kNone;
  std::vector<FileMeta> files;  // any order
};

struct Manifest {
  uint64_t number = 0;
  uint64_t next_file_number = 1;
  uint64_t last_seq = 0;         // sequence of the latest commit
  uint64_t log_covered_seq = 0;  // write-ahead log records up to this sequence are in the store
  std::string app_state;         // owned by the application (the ingest engine's state)
  std::vector<ManifestTable> tables;

  ManifestTable* FindTable(std::string_view name);
  const ManifestTable* FindTable(std::string_view name) const;
};

// "MANIFEST-000007".
std::string ManifestFileName(uint64_t number);
// The manifest number of a file name, or nullopt when it is not one
// (temporary files are not).
std::optional<uint64_t> ParseManifestFileName(std::string_view name);
// Path of a table file relative to the data directory:
// "<table>/<partition>-<number>.wst" ("<table>/<number>.wst" without partitions).
std::string TableFilePath(std::string_view table, PartitionKind kind, const FileMeta& f);
// The file number of a table file name, or nullopt.
std::optional<uint64_t> ParseTableFileName(std::string_view name);

std::string EncodeManifest(const Manifest& m);
// Failure: kCorruption (a message without the file name).
Result<Manifest> DecodeManifest(std::string_view bytes);
// For fuzzers and tests only, never for stored manifests: rewrites the
// trailing checksum of `bytes` to match the bytes before it, so that damaged
// bytes get past it into DecodeManifest. Nothing happens to bytes shorter
// than the checksum.
void RepairManifestChecksumForTesting(std::string* bytes);

}  // namespace ws::store
