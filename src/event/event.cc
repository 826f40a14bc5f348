// Names and codes of the event enums (event/event.h).

#include "event/event.h"

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

}  // namespace ws
