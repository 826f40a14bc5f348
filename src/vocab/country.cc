// Implementation of vocab/country.h.

#include "vocab/country.h"

#include "util/ascii.h"

namespace ws {

std::optional<CountryCode> ParseCountryCode(std::string_view text) {
  if (text.size() != kCountryCodeLength || !IsAsciiAlpha(text[0]) || !IsAsciiAlpha(text[1])) {
    return std::nullopt;
  }
  return CountryCode{{AsciiToUpper(text[0]), AsciiToUpper(text[1])}};
}

}  // namespace ws
