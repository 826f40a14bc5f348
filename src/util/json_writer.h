// Minimal JSON text building: string escaping and number formatting that
// are exact and locale-independent.
#pragma once

#include <string>
#include <string_view>

namespace ws {

// Appends `s` as a JSON string literal: quoted, control characters
// escaped, and each byte that is not part of a well-formed UTF-8 sequence
// written as \ufffd (so the output is valid JSON for any input; callers
// that must keep such bytes carry them beside, e.g. in base64).
void AppendJsonString(std::string* out, std::string_view s);

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or values past
// U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Standard base64 (RFC 4648, with padding) of `bytes`.
std::string Base64Encode(std::string_view bytes);

// Formats a double with at most `decimals` decimals, trailing zeros removed
// ("12.5", "3", "0.125"); NaN/inf become "null".
std::string FormatDecimal(double v, int decimals);

}  // namespace ws
