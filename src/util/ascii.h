// ASCII character classes, case mapping and blank trimming.
//
// Everything here is ASCII-only on purpose: identifiers, codes and names in
// the input formats are ASCII, and a locale must never change how they are
// read (std::tolower depends on the C locale). Bytes >= 0x80 are left as
// they are.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ws {

constexpr bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsAsciiAlpha(char c) { return IsAsciiUpper(c) || IsAsciiLower(c); }
constexpr bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
// A blank is a space or a horizontal tab (the padding found around CSV cells).
constexpr bool IsAsciiBlank(char c) { return c == ' ' || c == '\t'; }

constexpr char AsciiToLower(char c) { return IsAsciiUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char AsciiToUpper(char c) { return IsAsciiLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

// `s` without its leading and trailing blanks (a view into s). Inline: the
// event parser calls it per event.
constexpr std::string_view Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && IsAsciiBlank(s[b])) ++b;
  while (e > b && IsAsciiBlank(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Copies of `s` with ASCII letters lower- / upper-cased.
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);

}  // namespace ws
