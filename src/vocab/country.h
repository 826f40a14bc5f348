// Country codes (SPEC 1 `country`, SPEC 3.2 users' `country`, the reports'
// `country` filter): ISO 3166-1 alpha-2, stored upper-case. The one
// definition of what a valid code is, used by the event parser, the catalog
// readers and the report filter.
//
// Thread safety: pure functions; CountryCode is a plain value.
#pragma once

#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace ws {

constexpr size_t kCountryCodeLength = 2;

// A valid code: two upper-case ASCII letters.
struct CountryCode {
  std::array<char, kCountryCodeLength> letters{};

  std::string_view view() const { return {letters.data(), letters.size()}; }
  std::string str() const { return std::string(view()); }
  auto operator<=>(const CountryCode&) const = default;
};

// Guarantees: the code upper-cased when `text` is exactly two ASCII letters
// ("kr" -> "KR"). Failure: nullopt for anything else (no trimming, no
// three-letter codes, no digits). Whether the code is assigned by ISO is not
// checked: the list changes, and a well-formed code is kept as written.
std::optional<CountryCode> ParseCountryCode(std::string_view text);

}  // namespace ws
