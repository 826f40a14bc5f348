// EventParser (event/parser.h): NDJSON / JSON array -> validated Events.
//
// Each object is parsed on its own with one reused simdjson On Demand parser:
// an NDJSON line, or an array element found by a light bracket/string
// scanner, is copied into a reusable padded buffer and iterated once, field
// by field. Values are captured first and validated after the whole object
// has been read, so that canonical field names win over their aliases
// whatever the order of the fields. Accepted events' strings are copied into
// the parser's StringArena; nothing else is allocated per accepted event.
// Repeated ids and names (session, user, content, device, platform,
// app_version, tz) go through small per-field caches, so that an event
// usually shares one arena copy, pointer and all, with earlier events of the
// same value: downstream equality tests on them then read no bytes.

#include "event/parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "util/ascii.h"
#include "util/fast_equal.h"
#include "vocab/country.h"
#include "vocab/device_type.h"
#include "vocab/quality.h"

namespace ws {
namespace {

namespace od = simdjson::ondemand;

constexpr size_t kMaxIdCodePoints = 128;    // session_id, user_id, ...
constexpr size_t kMaxMetadataBytes = 4096;  // raw JSON text of `metadata`
constexpr double kMaxSeconds = 1e9;         // position / content_length bound (~31 years)
constexpr size_t kMaxKeyLength = 32;        // longer keys are never known fields
constexpr size_t kMaxEnumTextLength = 32;   // longest event type text
constexpr size_t kMaxRawInMessage = 64;     // bytes of a bad value quoted in a message
// Epoch milliseconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
constexpr int64_t kMinEpochMillis = -62167219200000LL;
constexpr int64_t kEarliestPlausibleMs = 946684800000LL;  // 2000-01-01T00:00:00Z (SPEC 1.1)
constexpr int64_t kMaxEpochMillis = 253402300799999LL;
constexpr unsigned char kUtf8Bom[] = {0xEF, 0xBB, 0xBF};

// Fields the parser knows. Aliases are separate keys so that the canonical
// name can win after the whole object has been read.
enum Key : uint8_t {
  kKeyUnknown = 0,
  kKeyEventId,
  kKeySessionId,
  kKeyUserId,
  kKeyContentId,
  kKeyMovieId,
  kKeyType,
  kKeyAction,
  kKeyTs,
  kKeyTimestamp,
  kKeyPosition,
  kKeyPositionSeconds,
  kKeyFromPosition,
  kKeyQuality,
  kKeyAutoplay,
  kKeyDeviceId,
  kKeyDeviceType,
  kKeyPlatform,
  kKeyAppVersion,
  kKeyCountry,
  kKeyTz,
  kKeyContentLength,
  kKeyMetadata,
  kKeyCount,
};
static_assert(kKeyCount <= 32, "present-field bitmask is 32 bits");

// Compares with a literal; the constant length lets the compiler inline it.
template <size_t N>
bool Eq(std::string_view a, const char (&lit)[N]) {
  return a.size() == N - 1 && std::memcmp(a.data(), lit, N - 1) == 0;
}

Key ClassifyKey(std::string_view k) {
  switch (k.size()) {
    case 2:
      if (Eq(k, "ts")) return kKeyTs;
      if (Eq(k, "tz")) return kKeyTz;
      break;
    case 4:
      if (Eq(k, "type")) return kKeyType;
      break;
    case 6:
      if (Eq(k, "action")) return kKeyAction;
      break;
    case 7:
      if (Eq(k, "user_id")) return kKeyUserId;
      if (Eq(k, "country")) return kKeyCountry;
      if (Eq(k, "quality")) return kKeyQuality;
      break;
    case 8:
      switch (k[0]) {
        case 'p':
          if (Eq(k, "position")) return kKeyPosition;
          if (Eq(k, "platform")) return kKeyPlatform;
          break;
        case 'e':
          if (Eq(k, "event_id")) return kKeyEventId;
          break;
        case 'a':
          if (Eq(k, "autoplay")) return kKeyAutoplay;
          break;
        case 'm':
          if (Eq(k, "movie_id")) return kKeyMovieId;
          if (Eq(k, "metadata")) return kKeyMetadata;
          break;
        default:
          break;
      }
      break;
    case 9:
      if (Eq(k, "device_id")) return kKeyDeviceId;
      if (Eq(k, "timestamp")) return kKeyTimestamp;
      break;
    case 10:
      if (Eq(k, "session_id")) return kKeySessionId;
      if (Eq(k, "content_id")) return kKeyContentId;
      break;
    case 11:
      if (Eq(k, "device_type")) return kKeyDeviceType;
      if (Eq(k, "app_version")) return kKeyAppVersion;
      break;
    case 13:
      if (Eq(k, "from_position")) return kKeyFromPosition;
      break;
    case 14:
      if (Eq(k, "content_length")) return kKeyContentLength;
      break;
    case 16:
      if (Eq(k, "position_seconds")) return kKeyPositionSeconds;
      break;
    default:
      break;
  }
  return kKeyUnknown;
}

const char* KeyName(Key k) {
  static constexpr std::array<const char*, kKeyCount> kNames = {"",
                                                                "event_id",
                                                                "session_id",
                                                                "user_id",
                                                                "content_id",
                                                                "movie_id",
                                                                "type",
                                                                "action",
                                                                "ts",
                                                                "timestamp",
                                                                "position",
                                                                "position_seconds",
                                                                "from_position",
                                                                "quality",
                                                                "autoplay",
                                                                "device_id",
                                                                "device_type",
                                                                "platform",
                                                                "app_version",
                                                                "country",
                                                                "tz",
                                                                "content_length",
                                                                "metadata"};
  return kNames[k];
}

struct TypeAlias {
  std::string_view name;
  EventType type;
};
// Canonical names and the seed-003 `action` aliases (accepted in both fields).
constexpr TypeAlias kTypeNames[] = {
    {"heartbeat", EventType::kHeartbeat},
    {"start", EventType::kStart},
    {"pause", EventType::kPause},
    {"resume", EventType::kResume},
    {"seek", EventType::kSeek},
    {"buffer_start", EventType::kBufferStart},
    {"buffer_end", EventType::kBufferEnd},
    {"quality_change", EventType::kQualityChange},
    {"stop", EventType::kStop},
    {"complete", EventType::kComplete},
    {"stream_start", EventType::kStart},
    {"stream_progress", EventType::kHeartbeat},
    {"progress", EventType::kHeartbeat},
    {"stream_stop", EventType::kStop},
    {"finish", EventType::kComplete},
    {"stream_finish", EventType::kComplete},
};

// Lower-cases ASCII `s` into buf (capacity kMaxEnumTextLength); returns an
// empty view when s is too long.
std::string_view LowerAscii(std::string_view s, char* buf) {
  if (s.size() > kMaxEnumTextLength) return {};
  for (size_t i = 0; i < s.size(); ++i) {
    buf[i] = AsciiToLower(s[i]);
  }
  return {buf, s.size()};
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool IdLengthOk(std::string_view s) {
  if (s.empty()) return false;
  return s.size() <= kMaxIdCodePoints || CountCodePoints(s) <= kMaxIdCodePoints;
}

const char* JsonTypeDescription(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

const char* DomTypeDescription(simdjson::dom::element_type t) {
  using simdjson::dom::element_type;
  switch (t) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

// Shortens text quoted in a message.
std::string_view Clip(std::string_view s) { return s.substr(0, kMaxRawInMessage); }

// Reads a key that contains backslash escapes starting at p (just after the
// opening quote). Only escapes that decode to ASCII are understood, which
// covers every known field name; anything else yields an unknown key.
std::string_view UnescapeKey(const char* p, const char* end, char* buf) {
  size_t n = 0;
  while (p < end && *p != '"') {
    if (n >= kMaxKeyLength) return {};
    char c = *p++;
    if (c != '\\') {
      buf[n++] = c;
      continue;
    }
    if (p >= end) return {};
    char e = *p++;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        buf[n++] = e;
        break;
      case 'u': {
        constexpr int kHexDigits = 4;
        if (end - p < kHexDigits) return {};
        unsigned v = 0;
        for (int i = 0; i < kHexDigits; ++i) {
          char h = p[i];
          unsigned d = (h >= '0' && h <= '9')   ? static_cast<unsigned>(h - '0')
                       : (h >= 'a' && h <= 'f') ? static_cast<unsigned>(h - 'a' + 10)
                       : (h >= 'A' && h <= 'F') ? static_cast<unsigned>(h - 'A' + 10)
                                                : 16u;
          if (d == 16u) return {};
          v = v * 16 + d;
        }
        constexpr unsigned kAsciiLimit = 0x80;
        if (v == 0 || v >= kAsciiLimit) return {};
        buf[n++] = static_cast<char>(v);
        p += kHexDigits;
        break;
      }
      default:
        return {};  // control-character escapes never occur in known keys
    }
  }
  return {buf, n};
}

// One captured field value.
struct FieldValue {
  od::json_type type = od::json_type::null;
  std::string_view str;  // string value; raw JSON text for an object
  double d = 0;          // number value
  int64_t i = 0;         // number value when is_int
  bool is_int = false;
  bool b = false;
};

struct Span {
  size_t begin;
  size_t end;
};

// Bits of the slot index of each field's ArenaStringCache (EventParser::Impl).
constexpr int kIdCacheBits = 12;    // session, user, content and device ids
constexpr int kSmallCacheBits = 6;  // platform, app_version, tz: few distinct values

// Mixes a string's length and first and last eight bytes (fewer for short
// strings) into 64 bits: enough to tell ids apart, and a fixed cost.
uint64_t QuickHash(std::string_view s) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  constexpr int kHalf = 32;
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t a;
  uint64_t b;
  if (n >= sizeof(uint64_t)) {
    a = fast_equal_detail::Load64(p);
    b = fast_equal_detail::Load64(p + n - sizeof(uint64_t));
  } else if (n >= sizeof(uint32_t)) {
    a = fast_equal_detail::Load32(p);
    b = fast_equal_detail::Load32(p + n - sizeof(uint32_t));
  } else {
    a = 0;
    for (size_t i = 0; i < n; ++i) a = (a << 8) | static_cast<unsigned char>(p[i]);
    b = 0;
  }
  uint64_t h = (a ^ n) * kMul;
  h ^= h >> kHalf;
  h = (h ^ b) * kMul;
  return h ^ (h >> kHalf);
}

// A direct-mapped cache from string bytes to an earlier arena copy of the
// same bytes. Copy(s) returns a view with s's bytes that stays valid until
// the arena is cleared; equal strings copied while their slot holds them come back as
// the same pointer, so later equality tests (FastEqual) stop at `p == q`
// without reading the bytes, and the arena holds one copy. A collision only
// costs a fresh copy. Clear() must run whenever the arena is cleared.
class ArenaStringCache {
 public:
  explicit ArenaStringCache(int bits) : slots_(size_t{1} << bits), shift_(64 - bits) {}

  std::string_view Copy(std::string_view s, StringArena* arena) {
    if (s.empty()) return {};
    const size_t i = QuickHash(s) >> shift_;
    std::string_view& slot = slots_[i];
    if (!FastEqual(slot, s)) {
      if (slot.data() == nullptr) used_.push_back(static_cast<uint32_t>(i));
      slot = arena->Copy(s);
    }
    return slot;
  }

  // Empties the slots in use: a small parse (one HTTP request) clears what
  // it filled, not the whole table.
  void Clear() {
    if (used_.size() * kSparseClearRatio < slots_.size()) {
      for (uint32_t i : used_) slots_[i] = std::string_view();
    } else {
      std::fill(slots_.begin(), slots_.end(), std::string_view());
    }
    used_.clear();
  }

 private:
  static constexpr size_t kSparseClearRatio = 4;
  std::vector<std::string_view> slots_;
  std::vector<uint32_t> used_;  // slots filled since the last Clear
  int shift_;
};

}  // namespace

struct EventParser::Impl {
  explicit Impl(ParserOptions o) : options(o) {}

  ParserOptions options;
  od::parser parser;
  std::unique_ptr<simdjson::dom::parser> dom;  // only to classify non-object input
  StringArena own_arena;
  StringArena* arena = &own_arena;  // where event strings go (SetArena)
  // Arena copies of recent values, per field (ArenaStringCache; cleared
  // with the arena).
  ArenaStringCache session_ids{kIdCacheBits};
  ArenaStringCache user_ids{kIdCacheBits};
  ArenaStringCache content_ids{kIdCacheBits};
  ArenaStringCache device_ids{kIdCacheBits};
  ArenaStringCache platforms{kSmallCacheBits};
  ArenaStringCache app_versions{kSmallCacheBits};
  ArenaStringCache tzs{kSmallCacheBits};
  std::unique_ptr<char[]> pad;  // one object's text followed by SIMDJSON_PADDING zero bytes
  size_t pad_capacity = 0;
  std::vector<Span> spans;   // array element positions, reused
  std::string last_good_tz;  // the most recent zone that passed IsKnownTimeZone

  // Per-object state.
  uint32_t present = 0;
  std::array<FieldValue, kKeyCount> fields;

  std::string_view source;
  EventSink* sink = nullptr;

  bool Has(Key k) const { return (present >> k) & 1u; }

  void ParseNdjson(std::string_view data, int64_t first_line);
  // Parses `data` as one JSON array starting at data[open_bracket]. Sets
  // *not_an_array (and delivers nothing) when text follows the closed array.
  Status ParseArray(std::string_view data, size_t open_bracket, int64_t first_line, bool* not_an_array);
  void ParseObjectText(std::string_view text, int64_t line);
  void Reject(RejectReason reason, std::string message, std::string_view raw, int64_t line);
  void RejectNonObject(const char* buf, std::string_view raw, int64_t line);
  simdjson::error_code ReadFields(od::object& obj, const char* buf_end);
  simdjson::error_code CaptureValue(Key key, od::value& v);
  void BuildEvent(std::string_view raw, int64_t line);
  bool RequiredId(Key key, Key alias, std::string_view raw, int64_t line, std::string_view* out);
  void Warn(WarningReason reason, int64_t line) { sink->OnWarning(reason, line); }
  void ReadOptionals(Event* e, int64_t line);
  // The field's string copied into the arena (through `cache` when given),
  // or empty with a warning when it is not a usable string.
  std::string_view OptionalString(Key key, int64_t line, ArenaStringCache* cache = nullptr);
  void ClearCaches();
};

void EventParser::Impl::ClearCaches() {
  for (ArenaStringCache* c :
       {&session_ids, &user_ids, &content_ids, &device_ids, &platforms, &app_versions, &tzs}) {
    c->Clear();
  }
}

void EventParser::Impl::Reject(RejectReason reason, std::string message, std::string_view raw, int64_t line) {
  if (reason != RejectReason::kNotJson && reason != RejectReason::kNotObject &&
      reason != RejectReason::kLineTooLong) {
    // The object was read lazily; before blaming a field, make sure the text
    // is valid JSON at all (On Demand does not validate skipped values).
    // pad holds `raw` followed by padding while an object is processed.
    if (dom == nullptr) dom = std::make_unique<simdjson::dom::parser>();
    simdjson::dom::element el;
    if (auto err = dom->parse(pad.get(), raw.size(), false).get(el)) {
      reason = RejectReason::kNotJson;
      message = fmt::format("not valid JSON: {}", simdjson::error_message(err));
    }
  }
  Rejection r;
  r.reason = reason;
  r.message = std::move(message);
  r.raw = std::string(raw);
  r.source = std::string(source);
  r.line = line;
  r.received_at = options.now;
  sink->OnReject(std::move(r));
}

void EventParser::Impl::ParseNdjson(std::string_view data, int64_t first_line) {
  const char* p = data.data();
  const char* end = p + data.size();
  int64_t line = first_line;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* line_end = nl != nullptr ? nl : end;
    std::string_view text(p, static_cast<size_t>(line_end - p));
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    size_t first = 0;
    while (first < text.size() && IsJsonSpace(text[first])) ++first;
    if (first < text.size()) ParseObjectText(text, line);
    ++line;
    p = nl != nullptr ? nl + 1 : end;
  }
}

namespace {

// Skips a JSON string starting at data[i] == '"'; returns the index after
// its closing quote, or npos when it is not closed.
size_t SkipString(std::string_view data, size_t i) {
  size_t j = i + 1;
  while (true) {
    const void* q = std::memchr(data.data() + j, '"', data.size() - j);
    if (q == nullptr) return std::string_view::npos;
    size_t k = static_cast<size_t>(static_cast<const char*>(q) - data.data());
    size_t backslashes = 0;
    while (k - backslashes > i + 1 && data[k - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return k + 1;
    j = k + 1;
  }
}

}  // namespace

Status EventParser::Impl::ParseArray(std::string_view data, size_t open_bracket, int64_t first_line,
                                     bool* not_an_array) {
  *not_an_array = false;
  // Pass 1: find the elements, so that an array that cannot be read as a
  // whole is reported before anything is delivered.
  spans.clear();
  const size_t n = data.size();
  size_t i = open_bracket + 1;
  while (i < n && IsJsonSpace(data[i])) ++i;
  bool closed = false;
  if (i < n && data[i] == ']') {
    closed = true;
    ++i;
  }
  while (!closed && i < n) {
    while (i < n && IsJsonSpace(data[i])) ++i;
    const size_t begin = i;
    int depth = 0;
    bool element_done = false;
    while (i < n && !element_done) {
      switch (data[i]) {
        case '"':
          i = SkipString(data, i);
          if (i == std::string_view::npos) {
            return Status::InvalidArgument(
                fmt::format("JSON array is not closed: a string starting at byte {} never ends", begin));
          }
          continue;
        case '{':
        case '[':
          ++depth;
          break;
        case '}':
          if (depth > 0) --depth;
          break;
        case ']':
          if (depth == 0) {
            element_done = true;
            closed = true;
            continue;
          }
          --depth;
          break;
        case ',':
          if (depth == 0) {
            element_done = true;
            continue;
          }
          break;
        default:
          break;
      }
      ++i;
    }
    if (!element_done) break;
    size_t e = i;
    while (e > begin && IsJsonSpace(data[e - 1])) --e;
    spans.push_back(Span{begin, e});
    ++i;  // past ',' or ']'
  }
  if (!closed) return Status::InvalidArgument("JSON array is not closed (the input ends before its ']')");
  while (i < n && IsJsonSpace(data[i])) ++i;
  if (i < n) {
    // Text after the array: this is not one array, so the caller reads it
    // as NDJSON (whose first line then is rejected on its own).
    *not_an_array = true;
    return Status::Ok();
  }
  // Pass 2: each element is one event or one rejection.
  for (size_t k = 0; k < spans.size(); ++k) {
    const int64_t line = first_line + static_cast<int64_t>(k);
    std::string_view text = data.substr(spans[k].begin, spans[k].end - spans[k].begin);
    if (text.empty()) {
      Reject(RejectReason::kNotJson, "array element is empty (two commas in a row, or a trailing comma)",
             text, line);
      continue;
    }
    ParseObjectText(text, line);
  }
  return Status::Ok();
}

void EventParser::Impl::RejectNonObject(const char* buf, std::string_view raw, int64_t line) {
  if (dom == nullptr) dom = std::make_unique<simdjson::dom::parser>();
  simdjson::dom::element el;
  auto err = dom->parse(buf, raw.size(), false).get(el);
  if (err) {
    Reject(RejectReason::kNotJson, fmt::format("not valid JSON: {}", simdjson::error_message(err)), raw,
           line);
    return;
  }
  Reject(RejectReason::kNotObject,
         fmt::format("expected a JSON object, got {}", DomTypeDescription(el.type())), raw, line);
}

void EventParser::Impl::ParseObjectText(std::string_view text, int64_t line) {
  if (text.size() > options.max_line_bytes) {
    Reject(
        RejectReason::kLineTooLong,
        fmt::format("the line is {} bytes long, more than max_line_bytes ({}); its first {} bytes are kept",
                    text.size(), options.max_line_bytes, options.max_line_bytes),
        text.substr(0, options.max_line_bytes), line);
    return;
  }
  const size_t need = text.size() + simdjson::SIMDJSON_PADDING;
  if (need > pad_capacity) {
    size_t cap = pad_capacity == 0 ? size_t{4096} : pad_capacity;
    while (cap < need) cap *= 2;
    pad = std::make_unique<char[]>(cap);
    pad_capacity = cap;
  }
  char* buf = pad.get();
  std::memcpy(buf, text.data(), text.size());
  std::memset(buf + text.size(), 0, simdjson::SIMDJSON_PADDING);

  size_t first = 0;
  while (first < text.size() && IsJsonSpace(text[first])) ++first;
  if (first == text.size() || text[first] != '{') {
    RejectNonObject(buf, text, line);
    return;
  }
  od::document doc;
  auto err = parser.iterate(buf, text.size(), pad_capacity).get(doc);
  od::object obj;
  if (!err) err = doc.get_object().get(obj);
  if (!err) err = ReadFields(obj, buf + text.size());
  if (!err && doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    Reject(RejectReason::kNotJson, "not valid JSON: unexpected text after the object", text, line);
    return;
  }
  if (err) {
    Reject(RejectReason::kNotJson, fmt::format("not valid JSON: {}", simdjson::error_message(err)), text,
           line);
    return;
  }
  BuildEvent(text, line);
}

simdjson::error_code EventParser::Impl::ReadFields(od::object& obj, const char* buf_end) {
  present = 0;
  char key_buf[kMaxKeyLength];
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return err;
    // The key's raw text runs from raw() to the next unescaped quote; known
    // keys never contain escapes, so the common case is a short scan.
    const char* kp = field.key().raw();
    const char* q = kp;
    while (q < buf_end && *q != '"' && *q != '\\') ++q;
    if (q == buf_end) return simdjson::TAPE_ERROR;
    const std::string_view key =
        *q == '"' ? std::string_view(kp, static_cast<size_t>(q - kp)) : UnescapeKey(kp, buf_end, key_buf);
    const Key k = ClassifyKey(key);
    // Unknown fields are ignored, but their scalar values are still read so
    // that malformed JSON there is noticed (nested containers are skipped).
    if (auto err = CaptureValue(k, field.value())) return err;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code EventParser::Impl::CaptureValue(Key key, od::value& v) {
  od::json_type t;
  if (auto err = v.type().get(t)) return err;
  FieldValue& f = fields[key];
  f.type = t;
  switch (t) {
    case od::json_type::string:
      if (auto err = v.get_string().get(f.str)) return err;
      break;
    case od::json_type::number: {
      od::number num;
      auto err = v.get_number().get(num);
      if (err == simdjson::NUMBER_OUT_OF_RANGE) {
        f.is_int = false;
        f.d = HUGE_VAL;
        break;
      }
      if (err) return err;
      f.is_int = num.is_int64();
      f.i = f.is_int ? num.get_int64() : 0;
      f.d = num.as_double();
      break;
    }
    case od::json_type::boolean:
      if (auto err = v.get_bool().get(f.b)) return err;
      break;
    case od::json_type::null: {
      bool is_null = false;
      if (auto err = v.is_null().get(is_null)) return err;
      if (!is_null) return simdjson::N_ATOM_ERROR;
      present &= ~(1u << key);  // null is absent
      return simdjson::SUCCESS;
    }
    case od::json_type::object:
      if (key == kKeyMetadata) {
        od::object o;
        if (auto err = v.get_object().get(o)) return err;
        std::string_view raw;
        if (auto err = o.raw_json().get(raw)) return err;
        while (!raw.empty() && IsJsonSpace(raw.back())) raw.remove_suffix(1);
        f.str = raw;
      }
      break;
    case od::json_type::array:
      break;  // never valid for a known field; skipped by the iterator
  }
  present |= 1u << key;
  return simdjson::SUCCESS;
}

bool EventParser::Impl::RequiredId(Key key, Key alias, std::string_view raw, int64_t line,
                                   std::string_view* out) {
  Key k = key;
  if (!Has(k) && alias != kKeyUnknown && Has(alias)) k = alias;
  if (!Has(k)) {
    if (alias != kKeyUnknown) {
      Reject(RejectReason::kMissingField,
             fmt::format("required field \"{}\" (or \"{}\") is missing", KeyName(key), KeyName(alias)), raw,
             line);
    } else {
      Reject(RejectReason::kMissingField, fmt::format("required field \"{}\" is missing", KeyName(key)), raw,
             line);
    }
    return false;
  }
  const FieldValue& f = fields[k];
  if (f.type != od::json_type::string) {
    Reject(RejectReason::kWrongType,
           fmt::format("field \"{}\" must be a string, got {}", KeyName(k), JsonTypeDescription(f.type)), raw,
           line);
    return false;
  }
  if (!IdLengthOk(f.str)) {
    Reject(RejectReason::kWrongType,
           fmt::format("field \"{}\" must be 1 to {} characters long, got {}", KeyName(k), kMaxIdCodePoints,
                       CountCodePoints(f.str)),
           raw, line);
    return false;
  }
  *out = f.str;
  return true;
}

namespace {

// "24 hours" / "90.000 seconds", for messages.
std::string DescribeDuration(int64_t ms) {
  if (ms % kMillisPerHour == 0) return fmt::format("{} hours", ms / kMillisPerHour);
  return FormatSeconds(ms) + " seconds";
}

// Converts seconds to integer milliseconds, rounding to nearest.
int64_t SecondsToMillis(double s) { return std::llround(s * static_cast<double>(kMillisPerSecond)); }

bool IsValidSeconds(const FieldValue& f) {
  return f.type == od::json_type::number && f.d >= 0 && f.d <= kMaxSeconds;
}

}  // namespace

void EventParser::Impl::BuildEvent(std::string_view raw, int64_t line) {
  Event e;
  std::string_view session_id, user_id, content_id;
  if (!RequiredId(kKeySessionId, kKeyUnknown, raw, line, &session_id)) return;
  if (!RequiredId(kKeyUserId, kKeyUnknown, raw, line, &user_id)) return;
  if (!RequiredId(kKeyContentId, kKeyMovieId, raw, line, &content_id)) return;

  // type / action
  {
    const Key k = Has(kKeyType) ? kKeyType : kKeyAction;
    if (!Has(k)) {
      Reject(RejectReason::kMissingField, "required field \"type\" (or \"action\") is missing", raw, line);
      return;
    }
    const FieldValue& f = fields[k];
    if (f.type != od::json_type::string) {
      Reject(RejectReason::kWrongType,
             fmt::format("field \"{}\" must be a string, got {}", KeyName(k), JsonTypeDescription(f.type)),
             raw, line);
      return;
    }
    char buf[kMaxEnumTextLength];
    const std::string_view name = LowerAscii(f.str, buf);
    bool found = false;
    if (!name.empty()) {
      for (const TypeAlias& a : kTypeNames) {
        if (a.name == name) {
          e.type = a.type;
          found = true;
          break;
        }
      }
    }
    if (!found) {
      Reject(
          RejectReason::kUnknownType,
          fmt::format("unknown event type \"{}\" in field \"{}\" (expected start, heartbeat, pause, resume, "
                      "seek, buffer_start, buffer_end, quality_change, stop or complete)",
                      Clip(f.str), KeyName(k)),
          raw, line);
      return;
    }
  }

  // ts / timestamp
  {
    const Key k = Has(kKeyTs) ? kKeyTs : kKeyTimestamp;
    if (!Has(k)) {
      Reject(RejectReason::kMissingField, "required field \"ts\" (or \"timestamp\") is missing", raw, line);
      return;
    }
    const FieldValue& f = fields[k];
    if (f.type == od::json_type::string) {
      std::optional<int> offset;
      std::optional<EpochMillis> ts = ParseRfc3339(f.str, &offset);
      if (!ts) {
        Reject(RejectReason::kBadTimestamp,
               fmt::format("field \"{}\" is not an RFC 3339 timestamp: \"{}\"", KeyName(k), Clip(f.str)), raw,
               line);
        return;
      }
      e.ts = *ts;
      if (offset) {
        e.has_ts_offset = true;
        e.ts_offset_minutes = static_cast<int16_t>(*offset);
      }
    } else if (f.type == od::json_type::number) {
      int64_t ms = 0;
      bool ok = false;
      if (f.is_int) {
        ms = f.i;
        ok = true;
      } else if (std::isfinite(f.d) && f.d >= static_cast<double>(kMinEpochMillis) &&
                 f.d <= static_cast<double>(kMaxEpochMillis)) {
        ms = std::llround(f.d);
        ok = true;
      }
      if (!ok || ms < kMinEpochMillis || ms > kMaxEpochMillis) {
        Reject(RejectReason::kBadTimestamp,
               fmt::format("field \"{}\" is not a usable epoch-milliseconds timestamp ({})", KeyName(k), f.d),
               raw, line);
        return;
      }
      e.ts = EpochMillis{ms};
    } else {
      Reject(RejectReason::kWrongType,
             fmt::format("field \"{}\" must be an RFC 3339 string or epoch milliseconds, got {}", KeyName(k),
                         JsonTypeDescription(f.type)),
             raw, line);
      return;
    }
    if (e.ts.v < kEarliestPlausibleMs) {
      Reject(RejectReason::kImplausibleTimestamp,
             fmt::format("timestamp {} is before 2000-01-01 (epoch seconds sent as milliseconds?)",
                         FormatRfc3339(e.ts)),
             raw, line);
      return;
    }
    if (e.ts.v > options.now.v + options.max_future_ms) {
      Reject(RejectReason::kFutureTimestamp,
             fmt::format("timestamp {} is more than {} after the server clock ({})", FormatRfc3339(e.ts),
                         DescribeDuration(options.max_future_ms), FormatRfc3339(options.now)),
             raw, line);
      return;
    }
  }

  // position / position_seconds
  {
    const Key k = Has(kKeyPosition) ? kKeyPosition : kKeyPositionSeconds;
    if (Has(k)) {
      const FieldValue& f = fields[k];
      if (f.type != od::json_type::number) {
        Reject(RejectReason::kWrongType,
               fmt::format("field \"{}\" must be a number of seconds, got {}", KeyName(k),
                           JsonTypeDescription(f.type)),
               raw, line);
        return;
      }
      if (f.d < 0) {
        Reject(RejectReason::kNegativePosition, fmt::format("field \"{}\" is negative ({})", KeyName(k), f.d),
               raw, line);
        return;
      }
      if (!(f.d <= kMaxSeconds)) {
        Reject(RejectReason::kWrongType,
               fmt::format("field \"{}\" is out of range ({} seconds; at most {})", KeyName(k), f.d,
                           kMaxSeconds),
               raw, line);
        return;
      }
      e.position_ms = SecondsToMillis(f.d);
    }
  }

  e.session_id = session_ids.Copy(session_id, arena);
  e.user_id = user_ids.Copy(user_id, arena);
  e.content_id = content_ids.Copy(content_id, arena);
  ReadOptionals(&e, line);
  sink->OnEvent(e, raw, line);
}

std::string_view EventParser::Impl::OptionalString(Key key, int64_t line, ArenaStringCache* cache) {
  if (!Has(key)) return {};
  const FieldValue& f = fields[key];
  if (f.type != od::json_type::string || !(f.str.size() <= kMaxIdCodePoints || IdLengthOk(f.str))) {
    Warn(key == kKeyEventId ? WarningReason::kBadEventId : WarningReason::kBadOptionalString, line);
    return {};
  }
  return cache != nullptr ? cache->Copy(f.str, arena) : arena->Copy(f.str);
}

namespace {

// Parses a `quality` value (vocab/quality.h: a name, or a JSON number that
// is a whole pixel height); returns 0 when it cannot be read.
int32_t ParseQuality(const FieldValue& f) {
  if (f.type == od::json_type::number) {
    if (f.is_int) return IsValidQualityHeight(f.i) ? static_cast<int32_t>(f.i) : 0;
    // 1080.0: range-checked before the conversion, which is exact then.
    if (std::fabs(f.d) <= static_cast<double>(kMaxQualityHeight) && f.d == std::trunc(f.d) &&
        IsValidQualityHeight(static_cast<int64_t>(f.d))) {
      return static_cast<int32_t>(f.d);
    }
    return 0;
  }
  if (f.type != od::json_type::string) return 0;
  return ParseQualityName(f.str).value_or(0);
}

}  // namespace

void EventParser::Impl::ReadOptionals(Event* e, int64_t line) {
  e->event_id = OptionalString(kKeyEventId, line);
  if (e->type == EventType::kSeek && Has(kKeyFromPosition)) {
    const FieldValue& f = fields[kKeyFromPosition];
    if (IsValidSeconds(f)) {
      e->from_position_ms = SecondsToMillis(f.d);
    } else {
      Warn(WarningReason::kBadFromPosition, line);
    }
  }
  if (Has(kKeyQuality)) {
    e->quality_height = ParseQuality(fields[kKeyQuality]);
    if (e->quality_height == 0) Warn(WarningReason::kBadQuality, line);
  }
  if (Has(kKeyAutoplay)) {
    const FieldValue& f = fields[kKeyAutoplay];
    if (f.type == od::json_type::boolean) {
      e->autoplay = f.b ? 1 : 0;
    } else {
      Warn(WarningReason::kBadAutoplay, line);
    }
  }
  if (Has(kKeyDeviceType)) {
    const FieldValue& f = fields[kKeyDeviceType];
    if (f.type != od::json_type::string) {
      Warn(WarningReason::kBadOptionalString, line);
    } else {
      e->device_type = ParseDeviceType(f.str);
    }
  }
  e->device_id = OptionalString(kKeyDeviceId, line, &device_ids);
  e->platform = OptionalString(kKeyPlatform, line, &platforms);
  e->app_version = OptionalString(kKeyAppVersion, line, &app_versions);
  if (Has(kKeyCountry)) {
    const FieldValue& f = fields[kKeyCountry];
    const std::optional<CountryCode> code =
        f.type == od::json_type::string ? ParseCountryCode(f.str) : std::nullopt;
    if (code) {
      e->country[0] = code->letters[0];
      e->country[1] = code->letters[1];
    } else if (!(f.type == od::json_type::string && f.str.empty())) {
      Warn(WarningReason::kBadCountry, line);
    }
  }
  if (Has(kKeyTz)) {
    const FieldValue& f = fields[kKeyTz];
    if (f.type == od::json_type::string && !f.str.empty()) {
      if (f.str == last_good_tz || IsKnownTimeZone(f.str)) {
        if (f.str != last_good_tz) last_good_tz.assign(f.str);
        e->tz = tzs.Copy(f.str, arena);
      } else {
        Warn(WarningReason::kBadTz, line);
      }
    } else if (f.type != od::json_type::string) {
      Warn(WarningReason::kBadTz, line);
    }
  }
  if (Has(kKeyContentLength)) {
    const FieldValue& f = fields[kKeyContentLength];
    const int64_t ms = IsValidSeconds(f) ? SecondsToMillis(f.d) : 0;
    if (ms > 0) {
      e->content_length_ms = ms;
    } else {
      Warn(WarningReason::kBadContentLength, line);
    }
  }
  if (Has(kKeyMetadata)) {
    const FieldValue& f = fields[kKeyMetadata];
    if (f.type == od::json_type::object && f.str.size() <= kMaxMetadataBytes) {
      e->metadata = arena->Copy(f.str);
    } else {
      Warn(WarningReason::kBadMetadata, line);
    }
  }
}

EventParser::EventParser(ParserOptions options) : impl_(std::make_unique<Impl>(options)) {}
EventParser::~EventParser() = default;

Status EventParser::Parse(std::string_view data, std::string_view source, int64_t first_line, EventSink* sink,
                          Position position) {
  impl_->source = source;
  impl_->sink = sink;
  if (position == Position::kContinuation) {
    // The middle of an NDJSON input: a BOM or a '[' here starts a line.
    impl_->ParseNdjson(data, first_line);
    return Status::Ok();
  }
  if (data.size() >= sizeof(kUtf8Bom) && std::memcmp(data.data(), kUtf8Bom, sizeof(kUtf8Bom)) == 0) {
    data.remove_prefix(sizeof(kUtf8Bom));
  }
  size_t first = 0;
  while (first < data.size() && IsJsonSpace(data[first])) ++first;
  if (first < data.size() && data[first] == '[') {
    bool not_an_array = false;
    Status st = impl_->ParseArray(data, first, first_line, &not_an_array);
    if (!not_an_array) return st;
  }
  impl_->ParseNdjson(data, first_line);
  return Status::Ok();
}

void EventParser::SetNow(EpochMillis now) { impl_->options.now = now; }
void EventParser::ClearArena() {
  impl_->arena->Clear();
  impl_->ClearCaches();
}
void EventParser::SetArena(StringArena* arena) {
  impl_->arena = arena != nullptr ? arena : &impl_->own_arena;
  impl_->ClearCaches();
}
size_t EventParser::arena_bytes() const { return impl_->arena->bytes_used(); }

}  // namespace ws
