// Table files of store format version 1 (docs/storage-format.md, appendix
// A): a header, named column blocks each compressed with zstd and
// checksummed separately, and a checksummed directory footer. Read only, to
// upgrade a version-1 store.
//
// Thread safety: a TableReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace ws::store::v1 {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kMagicBytes = 8;
inline constexpr std::string_view kEventSegmentMagic = "WSEVSEG1";
inline constexpr std::string_view kSessionSegmentMagic = "WSSESEG1";
inline constexpr std::string_view kQuarantineMagic = "WSQUARN1";
inline constexpr std::string_view kTableEndMagic = "WSTBLEND";

// Section 4 encodings; stored in the directory and checked by the reader.
enum class ColumnEncoding : uint8_t {
  kU8 = 1,
  kVarint = 2,
  kZigZag = 3,
  kRle = 4,
  kDictRle = 5,
  kStrings = 6,
  kRaw16 = 7,
};

// Verifies and reads a table file image. The image must outlive the reader.
class TableReader {
 public:
  // Checks end magic, footer checksum, header magic/version/checksum, block
  // bounds and every block checksum. Failure: kCorruption (message without
  // the file name).
  static Result<TableReader> Open(std::string_view file, std::string_view magic);

  uint64_t rows() const { return rows_; }

  // Decompresses column `name` into an internal buffer and returns a view
  // valid until the reader is destroyed. Failure: kCorruption when the column
  // is missing, has another encoding, or does not decompress to its size.
  Result<std::string_view> Column(std::string_view name, ColumnEncoding encoding);

 private:
  struct Entry {
    std::string name;
    ColumnEncoding encoding;
    uint8_t codec;
    std::string_view stored;
    uint64_t raw_length;
  };
  TableReader() = default;
  uint64_t rows_ = 0;
  std::vector<Entry> entries_;
  std::deque<std::string> buffers_;  // deque: views stay valid as it grows
};

}  // namespace ws::store::v1
