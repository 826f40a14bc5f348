// The lookup key of a vocabulary name (internal to src/vocab).
//
// Names are matched case-insensitively and without their separators, so
// "Smart TV", "smart-tv", "smart_tv" and "SmartTV" are one name. The key is
// built in a caller-provided stack buffer: no allocation, one pass over the
// text, which matters because the event parser calls this for every event.
//
// Thread safety: pure function.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "util/ascii.h"

namespace ws::vocab_detail {

// Longest key any vocabulary table holds is far below this; longer text can
// never be a known name.
constexpr size_t kMaxNameKeyLength = 32;
using NameKeyBuffer = std::array<char, kMaxNameKeyLength>;

// Characters that separate the words of a name and are ignored.
constexpr bool IsNameSeparator(char c) { return IsAsciiBlank(c) || c == '-' || c == '_'; }

// Guarantees: on success the key is `text` with ASCII letters lower-cased
// and separators removed: a view of `text` itself when it is already in key
// form (the usual case: nothing is copied), else of *buf. Failure: nullopt
// when the key would be longer than kMaxNameKeyLength (then it matches no
// known name).
inline std::optional<std::string_view> NameKey(std::string_view text, NameKeyBuffer* buf) {
  if (text.size() <= buf->size() &&
      std::all_of(text.begin(), text.end(), [](char c) { return IsAsciiLower(c) || IsAsciiDigit(c); })) {
    return text;
  }
  size_t n = 0;
  for (char c : text) {
    if (IsNameSeparator(c)) continue;
    if (n == buf->size()) return std::nullopt;
    (*buf)[n++] = AsciiToLower(c);
  }
  return std::string_view(buf->data(), n);
}

}  // namespace ws::vocab_detail
