// Names and codes of the event enums (event/event.h).

#include "event/event.h"

#include <xxhash.h>

#include "util/json_writer.h"

namespace ws {

std::string_view EventTypeName(EventType t) {
  switch (t) {
    case EventType::kStart:
      return "start";
    case EventType::kResume:
      return "resume";
    case EventType::kBufferEnd:
      return "buffer_end";
    case EventType::kHeartbeat:
      return "heartbeat";
    case EventType::kQualityChange:
      return "quality_change";
    case EventType::kSeek:
      return "seek";
    case EventType::kBufferStart:
      return "buffer_start";
    case EventType::kPause:
      return "pause";
    case EventType::kStop:
      return "stop";
    case EventType::kComplete:
      return "complete";
  }
  return "unknown";
}

std::string_view RejectReasonCode(RejectReason r) {
  switch (r) {
    case RejectReason::kNotJson:
      return "not_json";
    case RejectReason::kNotObject:
      return "not_object";
    case RejectReason::kMissingField:
      return "missing_field";
    case RejectReason::kWrongType:
      return "wrong_type";
    case RejectReason::kUnknownType:
      return "unknown_type";
    case RejectReason::kBadTimestamp:
      return "bad_timestamp";
    case RejectReason::kFutureTimestamp:
      return "future_timestamp";
    case RejectReason::kNegativePosition:
      return "negative_position";
    case RejectReason::kSessionConflict:
      return "session_conflict";
    case RejectReason::kImplausibleTimestamp:
      return "implausible_timestamp";
    case RejectReason::kLineTooLong:
      return "line_too_long";
    case RejectReason::kTooLate:
      return "too_late";
  }
  return "unknown";
}

std::string_view WarningReasonCode(WarningReason r) {
  switch (r) {
    case WarningReason::kBadTz:
      return "bad_tz";
    case WarningReason::kBadQuality:
      return "bad_quality";
    case WarningReason::kBadCountry:
      return "bad_country";
    case WarningReason::kBadFromPosition:
      return "bad_from_position";
    case WarningReason::kBadContentLength:
      return "bad_content_length";
    case WarningReason::kBadAutoplay:
      return "bad_autoplay";
    case WarningReason::kBadMetadata:
      return "bad_metadata";
    case WarningReason::kBadEventId:
      return "bad_event_id";
    case WarningReason::kBadOptionalString:
      return "bad_optional_string";
    case WarningReason::kCount:
      break;
  }
  return "unknown";
}

Event CopyEventTo(const Event& e, StringArena* arena) {
  Event c = e;
  c.event_id = arena->Copy(e.event_id);
  c.session_id = arena->Copy(e.session_id);
  c.user_id = arena->Copy(e.user_id);
  c.content_id = arena->Copy(e.content_id);
  c.device_id = arena->Copy(e.device_id);
  c.platform = arena->Copy(e.platform);
  c.app_version = arena->Copy(e.app_version);
  c.tz = arena->Copy(e.tz);
  c.metadata = arena->Copy(e.metadata);
  return c;
}

namespace {

constexpr int kSecondsDecimals = 3;
constexpr double kMillisPerSecondD = 1000.0;

void Key(std::string* out, const char* key, bool first = false) {
  if (!first) out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void StringOrNull(std::string* out, std::string_view s) {
  if (s.empty()) {
    out->append("null");
  } else {
    AppendJsonString(out, s);
  }
}

void SecondsOrNull(std::string* out, int64_t ms) {
  if (ms == kAbsent) {
    out->append("null");
  } else {
    out->append(FormatDecimal(static_cast<double>(ms) / kMillisPerSecondD, kSecondsDecimals));
  }
}

}  // namespace

std::string EventToJson(const Event& e) {
  std::string out = "{";
  Key(&out, "event_id", true);
  StringOrNull(&out, e.event_id);
  Key(&out, "session_id");
  AppendJsonString(&out, e.session_id);
  Key(&out, "user_id");
  AppendJsonString(&out, e.user_id);
  Key(&out, "content_id");
  AppendJsonString(&out, e.content_id);
  Key(&out, "type");
  AppendJsonString(&out, EventTypeName(e.type));
  Key(&out, "ts");
  AppendJsonString(&out, FormatRfc3339(e.ts));
  Key(&out, "position");
  SecondsOrNull(&out, e.position_ms);
  Key(&out, "from_position");
  SecondsOrNull(&out, e.from_position_ms);
  Key(&out, "quality");
  out.append(e.quality_height == 0 ? std::string("null") : std::to_string(e.quality_height));
  Key(&out, "autoplay");
  out.append(e.autoplay < 0 ? "null" : (e.autoplay == 1 ? "true" : "false"));
  Key(&out, "device_id");
  StringOrNull(&out, e.device_id);
  Key(&out, "device_type");
  StringOrNull(&out, DeviceTypeName(e.device_type));
  Key(&out, "platform");
  StringOrNull(&out, e.platform);
  Key(&out, "app_version");
  StringOrNull(&out, e.app_version);
  Key(&out, "country");
  StringOrNull(&out, e.has_country() ? std::string_view(e.country, 2) : std::string_view());
  Key(&out, "tz");
  StringOrNull(&out, e.tz);
  Key(&out, "content_length");
  SecondsOrNull(&out, e.content_length_ms);
  Key(&out, "metadata");
  out.append(e.metadata.empty() ? std::string_view("null") : e.metadata);
  out.push_back('}');
  return out;
}

uint64_t EventContentHash(const Event& e) {
  thread_local std::string buf;
  buf.clear();
  auto str = [&](std::string_view s) {
    const uint64_t n = s.size();
    buf.append(reinterpret_cast<const char*>(&n), sizeof n);
    buf.append(s);
  };
  auto num = [&](auto v) {
    const int64_t x = static_cast<int64_t>(v);
    buf.append(reinterpret_cast<const char*>(&x), sizeof x);
  };
  str(e.event_id);
  str(e.session_id);
  str(e.user_id);
  str(e.content_id);
  num(e.type);
  num(e.ts.v);
  num(e.has_ts_offset ? int64_t{e.ts_offset_minutes} : INT64_MIN);
  num(e.position_ms);
  num(e.from_position_ms);
  num(e.quality_height);
  num(e.autoplay);
  num(e.device_type);
  str(std::string_view(e.country, 2));
  str(e.device_id);
  str(e.platform);
  str(e.app_version);
  str(e.tz);
  num(e.content_length_ms);
  str(e.metadata);
  return XXH3_64bits(buf.data(), buf.size());
}

uint64_t EventIdentityHash(const Event& e) {
  // Ids are scoped by session, as the sessionizer scopes them (EventIdHash).
  const uint64_t session = XXH3_64bits(e.session_id.data(), e.session_id.size());
  if (!e.event_id.empty()) return XXH3_64bits_withSeed(e.event_id.data(), e.event_id.size(), session);
  const int64_t parts[] = {static_cast<int64_t>(e.type), e.ts.v, e.position_ms};
  return XXH3_64bits_withSeed(parts, sizeof parts, session);
}

}  // namespace ws
