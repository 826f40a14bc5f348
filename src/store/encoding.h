// Column encodings of the store (docs/storage-format.md, section 4).
//
// Encoders append to an in-memory byte buffer; decoders read a whole column
// block, check every bound and count, and return kCorruption (a message
// without the file name; the caller adds it) rather than read past the end
// or return garbage.
//
// Thread safety: objects are used by one thread at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/arena.h"
#include "util/fast_equal.h"
#include "util/status.h"

namespace ws::store {

constexpr size_t kMaxVarintBytes = 10;
constexpr size_t kUuidBytes = 16;
constexpr size_t kUuidTextLength = 36;

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

// Wrapping (mod 2^64) arithmetic on int64 values, so deltas never overflow.
inline int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// A growable byte buffer with fast appends.
class ByteSink {
 public:
  void PutU8(uint8_t v) {
    Reserve(1);
    buf_[n_++] = static_cast<char>(v);
  }
  void PutVarint(uint64_t v) {
    Reserve(kMaxVarintBytes);
    char* p = buf_.data() + n_;
    constexpr uint64_t kLow7 = 0x7f;
    constexpr uint64_t kMore = 0x80;
    while (v > kLow7) {
      *p++ = static_cast<char>((v & kLow7) | kMore);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    n_ = static_cast<size_t>(p - buf_.data());
  }
  void PutZigZag(int64_t v) { PutVarint(ZigZag(v)); }
  void PutBytes(const void* data, size_t size) {
    if (size == 0) return;
    Reserve(size);
    std::memcpy(buf_.data() + n_, data, size);
    n_ += size;
  }
  // varint length + bytes.
  void PutString(std::string_view s) {
    PutVarint(s.size());
    PutBytes(s.data(), s.size());
  }
  void PutFixed32(uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    PutBytes(b, sizeof b);
  }
  void PutFixed64(uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    PutBytes(b, sizeof b);
  }
  size_t size() const { return n_; }
  // Makes room for `k` more bytes without further reallocation.
  void Reserve(size_t k) {
    if (n_ + k > buf_.size()) buf_.resize(std::max(buf_.size() * 2, n_ + k + kInitialCapacity));
  }
  // Returns the bytes and leaves the sink empty.
  std::string Finish() {
    buf_.resize(n_);
    n_ = 0;
    return std::move(buf_);
  }

 private:
  static constexpr size_t kInitialCapacity = 256;
  std::string buf_;
  size_t n_ = 0;
};

// Bounds-checked reader over a byte block. Every getter returns false at the
// end of the block or on a malformed varint, leaving the position unspecified.
class ByteSource {
 public:
  explicit ByteSource(std::string_view s)
      : p_(reinterpret_cast<const uint8_t*>(s.data())), end_(p_ + s.size()) {}
  bool done() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool GetU8(uint8_t* v) {
    if (p_ == end_) return false;
    *v = *p_++;
    return true;
  }
  bool GetVarint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      uint64_t b = *p_++;
      if (shift == 63 && b > 1) return false;  // overflows 64 bits
      r |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool GetZigZag(int64_t* v) {
    uint64_t u;
    if (!GetVarint(&u)) return false;
    *v = UnZigZag(u);
    return true;
  }
  bool GetBytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }
  bool GetString(std::string_view* out) {
    uint64_t n;
    return GetVarint(&n) && n <= remaining() && GetBytes(static_cast<size_t>(n), out);
  }
  bool GetFixed32(uint32_t* v) {
    std::string_view b;
    if (!GetBytes(4, &b)) return false;
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) r |= static_cast<uint32_t>(static_cast<uint8_t>(b[i])) << (8 * i);
    *v = r;
    return true;
  }
  bool GetFixed64(uint64_t* v) {
    std::string_view b;
    if (!GetBytes(8, &b)) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r |= static_cast<uint64_t>(static_cast<uint8_t>(b[i])) << (8 * i);
    *v = r;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// Little-endian fixed-width helpers on raw memory.
inline void StoreFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline uint64_t LoadFixed64(const char* p) {
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return r;
}

// Parses a canonical UUID (36 chars, lower-case hex, dashes at 8/13/18/23)
// into 16 bytes. Returns false for anything else (including upper case).
bool ParseCanonicalUuid(std::string_view s, uint8_t out[kUuidBytes]);
// Formats 16 bytes as a canonical lower-case UUID into out[0..36).
void FormatUuid(const uint8_t in[kUuidBytes], char out[kUuidTextLength]);

// Kind byte of a UUID-string item.
enum class UuidKind : uint8_t { kEmpty = 0, kUuid = 1, kText = 2 };

// Encodes a string column that mostly holds canonical UUIDs into three
// blocks: kinds (u8 per item), uuids (16 bytes per UUID item), texts
// (varint length + bytes per other item).
class UuidColumnEncoder {
 public:
  void Add(std::string_view s);
  ByteSink kinds, uuids, texts;
};

// Decodes `count` items of a UUID-string column. Text and formatted UUIDs
// are copied into `arena`; out receives views into it.
// With `keep`, rows whose keep byte is 0 are validated but not materialised
// (an empty view).
Status DecodeUuidColumn(std::string_view kinds, std::string_view uuids, std::string_view texts,
                        uint64_t count, StringArena* arena, std::vector<std::string_view>* out,
                        const std::vector<uint8_t>* keep = nullptr);

// Run-length encoding of int64 values: (zigzag value, run length) pairs.
class RleEncoder {
 public:
  void Add(int64_t v) {
    if (run_ > 0 && v == value_) {
      ++run_;
      return;
    }
    Flush();
    value_ = v;
    run_ = 1;
  }
  std::string Finish() {
    Flush();
    return sink_.Finish();
  }

 private:
  void Flush() {
    if (run_ == 0) return;
    sink_.PutZigZag(value_);
    sink_.PutVarint(run_);
    run_ = 0;
  }
  ByteSink sink_;
  int64_t value_ = 0;
  uint64_t run_ = 0;
};

// Decodes exactly `count` values of an rle block.
Status DecodeRle(std::string_view block, uint64_t count, std::vector<int64_t>* out);

// Dictionary + run-length encoding of strings. The views passed to Add must
// stay valid until Finish.
class DictRleEncoder {
 public:
  void Add(std::string_view s) {
    if (run_ > 0 && FastEqual(s, value_)) {
      ++run_;
      return;
    }
    Flush();
    value_ = s;
    run_ = 1;
  }
  std::string Finish();

 private:
  void Flush();
  std::unordered_map<std::string_view, uint32_t> index_;
  std::vector<std::string_view> dict_;
  ByteSink runs_;
  std::string_view value_;
  uint64_t run_ = 0;
};

// Decodes exactly `count` strings of a dict_rle block; dictionary entries are
// copied once into `arena` and out receives views into it.
Status DecodeDictRle(std::string_view block, uint64_t count, StringArena* arena,
                     std::vector<std::string_view>* out);

// Decodes a block of varints (count implied by the block) / exactly `count`
// zigzag varints / exactly `count` u8 values / `count` length-prefixed strings.
Status DecodeVarints(std::string_view block, std::vector<uint64_t>* out);
Status DecodeZigZags(std::string_view block, uint64_t count, std::vector<int64_t>* out);
Status CheckU8Count(std::string_view block, uint64_t count);
Status DecodeStrings(std::string_view block, uint64_t count, std::vector<std::string_view>* out);

}  // namespace ws::store
