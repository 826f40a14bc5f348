// MANIFEST and CURRENT of store format version 1 (docs/storage-format.md,
// appendix A), read only to upgrade a version-1 store. Generic: the state
// fields are plain values here; the ingest engine maps them.
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/env.h"
#include "util/status.h"
#include "util/time.h"

namespace ws::store::v1 {

inline constexpr std::string_view kManifestMagic = "WSMANIF1";
inline constexpr std::string_view kCurrentMagic = "WSCURRT1";
inline constexpr std::string_view kLockMagic = "WSLOCK01";

enum class FileKind : uint8_t { kEvents = 1, kSessions = 2, kQuarantine = 3 };

// One live data file.
struct LiveFile {
  FileKind kind = FileKind::kEvents;
  DayNumber day;  // 0 for quarantine
  uint64_t number = 0;
  uint64_t size = 0;
  uint64_t checksum = 0;  // XXH3-64 of the whole file
  bool operator==(const LiveFile&) const = default;
};

// The store-wide values a version-1 manifest carries.
struct State {
  int64_t watermark = INT64_MIN;  // INT64_MIN: none
  uint64_t events_accepted = 0;
  uint64_t events_duplicate = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  std::map<std::string, uint64_t> warnings_by_reason;
};

struct Manifest {
  uint64_t number = 0;
  uint64_t next_file_number = 1;
  State state;
  std::vector<LiveFile> files;
};

// Path of a data file relative to the store directory, e.g.
// "events/2026-10-01/000042.wse".
std::string RelativePath(const LiveFile& f);
// "MANIFEST-000007".
std::string ManifestFileName(uint64_t number);
// "YYYY-MM-DD" of a UTC day (proleptic Gregorian).
std::string DayDirName(DayNumber d);

// Failure: kCorruption (message without the file name).
Result<Manifest> DecodeManifest(std::string_view bytes);
// Returns the manifest number. Failure: kCorruption.
Result<uint64_t> DecodeCurrent(std::string_view bytes);

// True when `dir` holds a version-1 store (it has a CURRENT file).
bool IsV1Store(Env* env, const std::string& dir);
// Reads CURRENT and the manifest it names, and checks that every listed file
// exists with its size. Failure: kCorruption naming the file.
Result<Manifest> ReadLiveManifest(Env* env, const std::string& dir);
// Reads one listed file and checks its size and checksum.
Result<std::string> ReadLiveFile(Env* env, const std::string& dir, const LiveFile& f);
// Removes what a version-1 store leaves once upgraded: CURRENT, its
// manifests, its data files (.wse/.wss/.wsq) and their day directories.
Status RemoveV1Files(Env* env, const std::string& dir);

}  // namespace ws::store::v1
