// Value parsing shared by the catalog readers: MongoDB Extended JSON
// scalars, decimal numbers in text, and a small JSON text writer. Dates and
// instants follow util/time.h; device types, quality levels and country
// codes follow src/vocab: the catalog has no rules of its own for them.
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

// Extended JSON scalar readers. Each accepts the plain JSON form and the
// MongoDB Extended JSON wrappers (canonical and relaxed):
//   strings:  "text", {"$oid": "..."}, {"$symbol": "..."}
//   integers: 12, 12.0, {"$numberInt": "12"}, {"$numberLong": "12"},
//             {"$numberDouble": "12.0"} (integral values only)
//   numbers:  any of the above, {"$numberDouble": "1.5"}, {"$numberDecimal": "1.5"}
//   dates:    "2025-06-30", "2025-06-30T00:00:00Z", {"$date": "2025-06-30T00:00:00Z"},
//             {"$date": {"$numberLong": "1751241600000"}}, {"$date": 1751241600000}
//             (text through util's ParseDateOrInstant: an instant stands for
//             its UTC day; no blanks around the text)
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
