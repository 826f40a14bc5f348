// In-memory columns of the store: what writers fill and scans hand out.
//
// Integer columns are plain int64 vectors. String columns come in two forms:
// dictionary (a dictionary of distinct values plus one uint32 code per row,
// as the file stores them) or values (one view per row). Views point into
// buffers the column owns, so a column stays valid as long as it lives and
// is not refilled.
//
// Thread safety: values; one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/arena.h"

namespace ws::store {

enum class ColumnType : uint8_t { kInt64 = 1, kString = 2 };

// Physical encodings of one column chunk (docs/storage-format.md, section
// 4). Integer encodings first, string encodings from kStrPlain on.
enum class Encoding : uint8_t {
  kPlain = 1,           // int64 little-endian, 8 bytes per row
  kConst = 2,           // one zigzag varint: every row has that value
  kBitpack = 3,         // frame of reference: min + fixed-width offsets
  kDeltaBitpack = 4,    // first value + bit-packed (delta - min delta)
  kRle = 5,             // (zigzag value, run length) pairs
  kVarint = 6,          // zigzag varint per row
  kVarintDelta = 7,     // zigzag varint of v[i] - v[i-1]
  kVarintRefDelta = 8,  // zigzag varint of (v[i] - v[i-1]) - (r[i] - r[i-1]), r = reference column
  kVarintRefDiff = 9,   // zigzag varint of v[i] - r[i]
  kStrPlain = 20,       // per row: varint length, bytes
  kStrUuid = 21,        // per row kind byte; canonical UUIDs as 16 raw bytes, other text plain
  kStrDict = 22,        // dictionary of distinct values + an integer chunk of codes
};

// What a schema asks the writer for. kAuto picks, per chunk, the smallest of
// the fast-to-decode encodings (integers: const, bitpack, delta-bitpack,
// rle; strings: dictionary when values repeat, else plain).
enum class EncodingHint : uint8_t {
  kAuto = 0,
  kPlain,        // integers: kPlain; strings: kStrPlain
  kVarint,       // integers
  kVarintDelta,  // integers
  kVarintRefDelta,
  kVarintRefDiff,
  kRle,      // integers
  kUuid,     // strings: kStrUuid per row
  kDictUuid  // strings: a dictionary whose entries are stored UUID-style
};

bool IsIntEncoding(Encoding e);
bool IsStringEncoding(Encoding e);
bool IsKnownEncoding(uint8_t code);
const char* EncodingName(Encoding e);

using IntColumn = std::vector<int64_t>;

class StringColumn {
 public:
  bool is_dict() const { return is_dict_; }
  size_t size() const { return is_dict_ ? codes_.size() : values_.size(); }
  std::string_view at(size_t row) const { return is_dict_ ? dict_[codes_[row]] : values_[row]; }
  // Dictionary form only.
  const std::vector<std::string_view>& dict() const { return dict_; }
  const std::vector<uint32_t>& codes() const { return codes_; }
  // Values form only.
  const std::vector<std::string_view>& values() const { return values_; }

  // Refilling (used by the decoders). Clear() invalidates every view.
  void Clear();
  void SetDict(bool dict) { is_dict_ = dict; }
  std::vector<std::string_view>& mutable_dict() { return dict_; }
  std::vector<uint32_t>& mutable_codes() { return codes_; }
  std::vector<std::string_view>& mutable_values() { return values_; }
  StringArena& arena() { return arena_; }
  std::string& buffer() { return buffer_; }

 private:
  bool is_dict_ = false;
  std::vector<std::string_view> dict_;
  std::vector<uint32_t> codes_;
  std::vector<std::string_view> values_;
  StringArena arena_;   // formatted UUIDs
  std::string buffer_;  // decompressed chunk bytes that views point into
};

}  // namespace ws::store
