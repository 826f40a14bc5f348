#include "catalog/values.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "util/json_writer.h"

namespace ws::catalog {

namespace {

constexpr int64_t kSecondsPerMinute = 60;
constexpr int kMinutesPerHour = 60;
constexpr int kHoursPerDay = 24;
constexpr int kMaxQualityHeight = 10000;
constexpr int kQualitySd = 480;
constexpr int kQualityHd = 720;
constexpr int kQualityFhd = 1080;
constexpr int kQualityQhd = 1440;
constexpr int kQualityUhd = 2160;

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int y, unsigned m) {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at text[*pos]; advances *pos.
bool Digits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool ParseDatePart(std::string_view text, size_t* pos, DayNumber* out) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (!Digits(text, pos, 4, &y) || *pos >= text.size() || text[(*pos)++] != '-') return false;
  if (!Digits(text, pos, 2, &m) || *pos >= text.size() || text[(*pos)++] != '-') return false;
  if (!Digits(text, pos, 2, &d)) return false;
  if (m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > DaysInMonth(y, static_cast<unsigned>(m)))
    return false;
  *out = FromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

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

std::optional<DayNumber> ParseIsoDate(std::string_view text) {
  text = Trim(text);
  size_t pos = 0;
  DayNumber d;
  if (!ParseDatePart(text, &pos, &d) || pos != text.size()) return std::nullopt;
  return d;
}

std::optional<EpochMillis> ParseIsoInstant(std::string_view text) {
  text = Trim(text);
  size_t pos = 0;
  DayNumber d;
  if (!ParseDatePart(text, &pos, &d)) return std::nullopt;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return std::nullopt;
  ++pos;
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (!Digits(text, &pos, 2, &hh) || pos >= text.size() || text[pos++] != ':') return std::nullopt;
  if (!Digits(text, &pos, 2, &mm) || pos >= text.size() || text[pos++] != ':') return std::nullopt;
  if (!Digits(text, &pos, 2, &ss)) return std::nullopt;
  if (hh >= kHoursPerDay || mm >= kMinutesPerHour || ss > 60) return std::nullopt;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t scale = 100;
    size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0;
    int om = 0;
    if (!Digits(text, &pos, 2, &oh) || pos >= text.size() || text[pos++] != ':' ||
        !Digits(text, &pos, 2, &om)) {
      return std::nullopt;
    }
    offset_minutes = sign * (oh * kMinutesPerHour + om);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  int64_t seconds = static_cast<int64_t>(d.v) * kHoursPerDay * kMinutesPerHour * kSecondsPerMinute +
                    hh * kMinutesPerHour * kSecondsPerMinute + mm * kSecondsPerMinute + ss -
                    static_cast<int64_t>(offset_minutes) * kSecondsPerMinute;
  return EpochMillis{seconds * kMillisPerSecond + millis};
}

std::optional<DayNumber> ParseDateOrInstant(std::string_view text) {
  if (auto d = ParseIsoDate(text)) return d;
  if (auto t = ParseIsoInstant(text)) return DayOf(*t);
  return std::nullopt;
}

std::string FormatIsoDate(DayNumber d) { return FormatDate(d); }

std::string FormatIsoInstant(EpochMillis t) { return FormatRfc3339(t); }

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

std::string NormalizeDeviceType(std::string_view text) {
  std::string t = ToLower(Trim(text));
  for (char& c : t) {
    if (c == ' ' || c == '-') c = '_';
  }
  if (t.empty()) return t;
  if (t == "tv" || t == "smart_tv" || t == "smarttv" || t == "television" || t == "ctv") return "tv";
  if (t == "mobile" || t == "phone" || t == "smartphone" || t == "mobile_phone") return "mobile";
  if (t == "tablet" || t == "ipad") return "tablet";
  if (t == "desktop" || t == "laptop" || t == "pc" || t == "computer") return "desktop";
  if (t == "web" || t == "browser" || t == "web_browser") return "web";
  if (t == "console" || t == "game_console" || t == "gaming_console") return "console";
  return "other";
}

std::optional<int32_t> ParseQualityHeight(std::string_view text) {
  std::string t = ToLower(Trim(text));
  std::erase(t, ' ');
  std::erase(t, '_');
  if (t == "sd") return kQualitySd;
  if (t == "hd") return kQualityHd;
  if (t == "fhd" || t == "fullhd") return kQualityFhd;
  if (t == "qhd") return kQualityQhd;
  if (t == "uhd" || t == "4k" || t == "ultrahd") return kQualityUhd;
  if (!t.empty() && t.back() == 'p') t.pop_back();
  auto v = ParseInt(t);
  if (!v || *v <= 0 || *v > kMaxQualityHeight) return std::nullopt;
  return static_cast<int32_t>(*v);
}

std::string_view Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
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
