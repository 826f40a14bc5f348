// The store's MANIFEST and CURRENT files (docs/storage-format.md, sections
// 6 and 7), as values with exact binary encoders and verifying decoders.
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/v1/store.h"
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

struct Manifest {
  uint64_t number = 0;
  uint64_t next_file_number = 1;
  StoreState state;
  std::vector<LiveFile> files;
};

// Path of a data file relative to the store directory, e.g.
// "events/2026-10-01/000042.wse".
std::string RelativePath(const LiveFile& f);
// "MANIFEST-000007".
std::string ManifestFileName(uint64_t number);
// "YYYY-MM-DD" of a UTC day (proleptic Gregorian).
std::string DayDirName(DayNumber d);

std::string EncodeManifest(const Manifest& m);
// Failure: kCorruption (message without the file name).
Result<Manifest> DecodeManifest(std::string_view bytes);

std::string EncodeCurrent(uint64_t manifest_number);
// Returns the manifest number. Failure: kCorruption.
Result<uint64_t> DecodeCurrent(std::string_view bytes);

}  // namespace ws::store::v1
