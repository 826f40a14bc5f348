// CompactId: an owned session id in 24 bytes with no heap allocation for
// the ids players send: a canonical lower-case UUID is kept as its 16 raw
// bytes, any other id in a small heap block. Move-only.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace ws {

class CompactId {
 public:
  static constexpr size_t kUuidTextSize = 36;

  CompactId() = default;
  explicit CompactId(std::string_view s) { Assign(s); }

  void Assign(std::string_view s) {
    heap_.reset();
    if (s.size() == kUuidTextSize && ParseUuid(s, raw_)) return;
    // Any other id: a heap block holding its length then its bytes.
    uint32_t n = static_cast<uint32_t>(s.size());
    heap_ = std::make_unique_for_overwrite<char[]>(sizeof n + s.size());
    std::memcpy(heap_.get(), &n, sizeof n);
    std::memcpy(heap_.get() + sizeof n, s.data(), s.size());
  }

  bool Equals(std::string_view s) const {
    if (heap_) return view() == s;
    uint8_t raw[16];
    return s.size() == kUuidTextSize && ParseUuid(s, raw) && std::memcmp(raw, raw_, sizeof raw) == 0;
  }

  std::string str() const {
    if (heap_) return std::string(view());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(kUuidTextSize);
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
      out.push_back(kHex[raw_[i] >> 4]);
      out.push_back(kHex[raw_[i] & 0xf]);
    }
    return out;
  }

  // Heap bytes owned (0 for a UUID).
  size_t heap_bytes() const { return heap_ ? sizeof(uint32_t) + view().size() : 0; }

 private:
  // Value of a lower-case hex digit, or -1.
  static int Hex(char c) {
    static constexpr auto kTable = [] {
      std::array<int8_t, 256> t{};
      t.fill(-1);
      for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(i);
      for (int i = 0; i < 6; ++i) t['a' + i] = static_cast<int8_t>(10 + i);
      return t;
    }();
    return kTable[static_cast<unsigned char>(c)];
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
    uint32_t n;
    std::memcpy(&n, heap_.get(), sizeof n);
    return {heap_.get() + sizeof n, n};
  }

  uint8_t raw_[16] = {};          // the UUID's bytes when heap_ is null
  std::unique_ptr<char[]> heap_;  // any other id: [u32 length][bytes]
};

}  // namespace ws
