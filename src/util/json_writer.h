// Minimal JSON text building: string escaping and number formatting that
// are exact and locale-independent.
#pragma once

#include <string>
#include <string_view>

namespace ws {

// Appends `s` as a JSON string literal (quoted, escaped; invalid UTF-8 is
// passed through byte for byte).
void AppendJsonString(std::string* out, std::string_view s);

// Formats a double with at most `decimals` decimals, trailing zeros removed
// ("12.5", "3", "0.125"); NaN/inf become "null".
std::string FormatDecimal(double v, int decimals);

}  // namespace ws
