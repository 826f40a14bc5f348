// CompactId: an owned session id in 32 bytes with no heap allocation for
// the ids players send. A canonical lower-case UUID is kept as its 16 raw
// bytes; any other id of up to 16 bytes inline; longer ids on the heap.
// Move-only.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace ws {

class CompactId {
 public:
  static constexpr size_t kUuidTextSize = 36;
  static constexpr size_t kInlineCapacity = 16;

  CompactId() = default;
  explicit CompactId(std::string_view s) { Assign(s); }

  void Assign(std::string_view s) {
    heap_.reset();
    len_ = static_cast<uint32_t>(s.size());
    if (s.size() == kUuidTextSize && ParseUuid(s, buf_)) {
      tag_ = Tag::kUuid;
    } else if (s.size() <= kInlineCapacity) {
      std::memcpy(buf_, s.data(), s.size());
      tag_ = Tag::kInline;
    } else {
      heap_ = std::make_unique_for_overwrite<char[]>(s.size());
      std::memcpy(heap_.get(), s.data(), s.size());
      tag_ = Tag::kHeap;
    }
  }

  bool empty() const { return tag_ == Tag::kEmpty; }

  bool Equals(std::string_view s) const {
    if (tag_ == Tag::kUuid) {
      uint8_t raw[16];
      return s.size() == kUuidTextSize && ParseUuid(s, raw) && std::memcmp(raw, buf_, sizeof raw) == 0;
    }
    return view() == s;
  }

  std::string str() const {
    if (tag_ != Tag::kUuid) return std::string(view());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(kUuidTextSize);
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
      out.push_back(kHex[buf_[i] >> 4]);
      out.push_back(kHex[buf_[i] & 0xf]);
    }
    return out;
  }

  // Heap bytes owned (0 unless the id is long and not a UUID).
  size_t heap_bytes() const { return tag_ == Tag::kHeap ? len_ : 0; }

 private:
  enum class Tag : uint8_t { kEmpty, kUuid, kInline, kHeap };

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
  // Canonical lower-case 8-4-4-4-12 only, so that str() gives back the text.
  static bool ParseUuid(std::string_view s, uint8_t* out) {
    int j = 0;
    for (size_t i = 0; i < kUuidTextSize; i += 2) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (s[i] != '-') return false;
        ++i;
      }
      int hi = Hex(s[i]), lo = Hex(s[i + 1]);
      if (hi < 0 || lo < 0) return false;
      out[j++] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return j == 16;
  }
  std::string_view view() const {
    if (tag_ == Tag::kHeap) return {heap_.get(), len_};
    if (tag_ == Tag::kInline) return {reinterpret_cast<const char*>(buf_), len_};
    return {};
  }

  uint8_t buf_[kInlineCapacity] = {};
  std::unique_ptr<char[]> heap_;
  uint32_t len_ = 0;
  Tag tag_ = Tag::kEmpty;
};

}  // namespace ws
