#include "catalog/values.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "util/ascii.h"
#include "util/json_writer.h"

namespace ws::catalog {

namespace {

// Returns the single "$key" member of a wrapper object, if `el` is one.
std::optional<std::pair<std::string_view, simdjson::dom::element>> Wrapper(simdjson::dom::element el) {
  simdjson::dom::object obj;
  if (el.get_object().get(obj) != simdjson::SUCCESS || obj.size() != 1) return std::nullopt;
  for (auto field : obj) {
    if (field.key.empty() || field.key[0] != '$') return std::nullopt;
    return std::make_pair(field.key, field.value);
  }
  return std::nullopt;
}

std::optional<std::string_view> StringOf(simdjson::dom::element el) {
  std::string_view s;
  if (el.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return s;
}

std::optional<int64_t> IntegralDouble(double d) {
  constexpr double kLimit = 9.0e15;  // exactly representable integers
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > kLimit) return std::nullopt;
  return static_cast<int64_t>(d);
}

}  // namespace

bool IsNull(simdjson::dom::element el) { return el.is_null(); }

std::optional<std::string> ReadString(simdjson::dom::element el) {
  if (auto s = StringOf(el)) return std::string(*s);
  if (auto w = Wrapper(el); w && (w->first == "$oid" || w->first == "$symbol")) {
    if (auto s = StringOf(w->second)) return std::string(*s);
  }
  return std::nullopt;
}

std::optional<int64_t> ReadInt(simdjson::dom::element el) {
  switch (el.type()) {
    case simdjson::dom::element_type::INT64:
      return el.get_int64().value_unsafe();
    case simdjson::dom::element_type::UINT64: {
      uint64_t u = el.get_uint64().value_unsafe();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(u);
    }
    case simdjson::dom::element_type::DOUBLE:
      return IntegralDouble(el.get_double().value_unsafe());
    default:
      break;
  }
  auto w = Wrapper(el);
  if (!w) return std::nullopt;
  auto s = StringOf(w->second);
  if (w->first == "$numberInt" || w->first == "$numberLong") {
    if (s) return ParseInt(*s);
    if (w->second.type() == simdjson::dom::element_type::INT64) return w->second.get_int64().value_unsafe();
    return std::nullopt;
  }
  if ((w->first == "$numberDouble" || w->first == "$numberDecimal") && s) {
    if (auto d = ParseNumber(*s)) return IntegralDouble(*d);
  }
  return std::nullopt;
}

std::optional<double> ReadNumber(simdjson::dom::element el) {
  switch (el.type()) {
    case simdjson::dom::element_type::INT64:
      return static_cast<double>(el.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return static_cast<double>(el.get_uint64().value_unsafe());
    case simdjson::dom::element_type::DOUBLE:
      return el.get_double().value_unsafe();
    default:
      break;
  }
  auto w = Wrapper(el);
  if (!w) return std::nullopt;
  if (w->first == "$numberInt" || w->first == "$numberLong") {
    if (auto i = ReadInt(el)) return static_cast<double>(*i);
    return std::nullopt;
  }
  if (w->first == "$numberDouble" || w->first == "$numberDecimal") {
    if (auto s = StringOf(w->second)) return ParseNumber(*s);
  }
  return std::nullopt;
}

std::optional<DayNumber> ReadDate(simdjson::dom::element el) {
  if (auto s = StringOf(el)) return ParseDateOrInstant(*s);
  auto w = Wrapper(el);
  if (!w || w->first != "$date") return std::nullopt;
  if (auto s = StringOf(w->second)) return ParseDateOrInstant(*s);
  if (auto ms = ReadInt(w->second)) return DayOf(EpochMillis{*ms});
  return std::nullopt;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<double> ParseNumber(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

void JsonWriter::Separate() {
  if (need_comma_) out_.push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  ws::AppendJsonString(&out_, key);
  out_.push_back(':');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  Separate();
  ws::AppendJsonString(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  Separate();
  out_.append(std::to_string(value));
  return *this;
}

JsonWriter& JsonWriter::Seconds(int64_t millis) {
  Separate();
  const char* sign = millis < 0 ? "-" : "";
  int64_t a = millis < 0 ? -millis : millis;
  out_.append(fmt::format("{}{}.{:03d}", sign, a / kMillisPerSecond, a % kMillisPerSecond));
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_.append(json);
  return *this;
}

JsonWriter& JsonWriter::StringArray(const std::vector<std::string>& values) {
  BeginArray();
  for (const auto& v : values) String(v);
  return EndArray();
}

}  // namespace ws::catalog
