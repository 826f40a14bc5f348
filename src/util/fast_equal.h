// FastEqual: byte equality of two short strings without a call into the C
// library, for hot loops that compare ids row after row (most compared ids
// are 8 to 40 bytes and equal).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace ws {

namespace fast_equal_detail {
inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Bytes p[0..n) == q[0..n); the out-of-line part of FastEqual.
inline bool EqualBytes(const char* p, const char* q, size_t n) {
  if (n >= 8) {
    // 8-byte words, the last one overlapping the previous.
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (Load64(p + i) != Load64(q + i)) return false;
    }
    return Load64(p + n - 8) == Load64(q + n - 8);
  }
  if (n >= 4) return Load32(p) == Load32(q) && Load32(p + n - 4) == Load32(q + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}
}  // namespace fast_equal_detail

// The size and pointer checks are always inlined: callers often compare a
// view with itself (the parser hands out one copy of repeated values), and
// then no byte is read.
[[gnu::always_inline]] inline bool FastEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.data() == b.data()) return true;
  return fast_equal_detail::EqualBytes(a.data(), b.data(), a.size());
}

}  // namespace ws
