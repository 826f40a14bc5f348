// Value parsing and normalisation shared by the catalog readers: calendar
// dates and instants, MongoDB Extended JSON scalars, device types, quality
// levels, and a small JSON text writer.
//
// Thread safety: pure functions; JsonWriter is a value used by one thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.h"

namespace ws::catalog {

// "YYYY-MM-DD" (exactly) -> day; nullopt when malformed or not a real date.
std::optional<DayNumber> ParseIsoDate(std::string_view text);
// RFC 3339 ("2025-06-30T00:00:00Z", "...T09:00:00.250+09:00", ' ' or 'T').
std::optional<EpochMillis> ParseIsoInstant(std::string_view text);
// A date given either as "YYYY-MM-DD" or as an RFC 3339 instant (its UTC day).
std::optional<DayNumber> ParseDateOrInstant(std::string_view text);

std::string FormatIsoDate(DayNumber d);       // "YYYY-MM-DD"
std::string FormatIsoInstant(EpochMillis t);  // "YYYY-MM-DDTHH:MM:SS.mmmZ"

// Extended JSON scalar readers. Each accepts the plain JSON form and the
// MongoDB Extended JSON wrappers (canonical and relaxed):
//   strings:  "text", {"$oid": "..."}, {"$symbol": "..."}
//   integers: 12, 12.0, {"$numberInt": "12"}, {"$numberLong": "12"},
//             {"$numberDouble": "12.0"} (integral values only)
//   numbers:  any of the above, {"$numberDouble": "1.5"}, {"$numberDecimal": "1.5"}
//   dates:    "2025-06-30", "2025-06-30T00:00:00Z", {"$date": "2025-06-30T00:00:00Z"},
//             {"$date": {"$numberLong": "1751241600000"}}, {"$date": 1751241600000}
// They return nullopt when the element has none of the accepted shapes
// (callers turn that into a row error naming the field). JSON null is
// reported separately through IsNull so that callers can treat it as absent.
bool IsNull(simdjson::dom::element el);
std::optional<std::string> ReadString(simdjson::dom::element el);
std::optional<int64_t> ReadInt(simdjson::dom::element el);
std::optional<double> ReadNumber(simdjson::dom::element el);
std::optional<DayNumber> ReadDate(simdjson::dom::element el);

// Parses a decimal integer / floating-point number occupying all of `text`
// (leading/trailing blanks allowed).
std::optional<int64_t> ParseInt(std::string_view text);
std::optional<double> ParseNumber(std::string_view text);

// SPEC 1 device types: tv mobile tablet desktop web console other. Common
// spellings are mapped ("Smart TV" -> tv, "phone" -> mobile, "laptop" ->
// desktop, "browser" -> web); anything else is "other". "" stays "".
std::string NormalizeDeviceType(std::string_view text);

// Pixel height of a quality level: "1080p", "1080", "4K"/"UHD" 2160,
// "FHD"/"Full HD" 1080, "HD" 720, "SD" 480. nullopt when unreadable.
std::optional<int32_t> ParseQualityHeight(std::string_view text);

// Trims ASCII blanks at both ends.
std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);

// Builds compact JSON text. Commas are inserted automatically; the caller
// keeps objects and arrays balanced.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Seconds(int64_t millis);  // milliseconds written as seconds, 3 decimals
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  JsonWriter& Raw(std::string_view json);  // an already-encoded JSON value
  JsonWriter& StringArray(const std::vector<std::string>& values);
  const std::string& str() const { return out_; }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace ws::catalog
