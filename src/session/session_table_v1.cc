#include "session/session_table_v1.h"

#include "store/v1/columns.h"

namespace ws::v1 {
namespace {

using store::WrapAdd;
using store::v1::Fits;
using store::v1::OutOfRange;
using store::v1::ReadDict;
using store::v1::ReadRle;
using store::v1::ReadU8;
using store::v1::ReadUuidColumns;
using store::v1::ReadZigZag;
using store::v1::TableReader;

constexpr std::string_view kSessionSegmentMagic = "WSSESEG1";
constexpr std::string_view kDeviceType = "device_type";
constexpr std::string_view kSid = "sid";
constexpr uint8_t kMaxEventType = static_cast<uint8_t>(EventType::kComplete);
constexpr uint8_t kMaxDeviceType = static_cast<uint8_t>(DeviceType::kOther);
constexpr uint8_t kMaxSessionStatus = static_cast<uint8_t>(SessionStatus::kAbandoned);
constexpr uint8_t kMaxPlayerState = static_cast<uint8_t>(PlayerState::kEnded);
constexpr uint8_t kMaxOrigin = static_cast<uint8_t>(SessionOrigin::kLegacy);
constexpr uint8_t kFlagWatchedCredits = 1;
constexpr uint8_t kFlagAutoplay = 2;
constexpr uint8_t kFlagCompleteSeen = 4;
constexpr uint8_t kKnownFlags = kFlagWatchedCredits | kFlagAutoplay | kFlagCompleteSeen;

constexpr std::string_view kDateKey = "date_key";
constexpr std::string_view kStart = "start";
constexpr std::string_view kEnd = "end";
constexpr std::string_view kFlags = "flags";
constexpr std::string_view kStatus = "status";
constexpr std::string_view kState = "state";
constexpr std::string_view kLastType = "last_type";
constexpr std::string_view kOrigin = "origin";
constexpr std::string_view kLocalDate = "local_date";

// int64 fields stored as plain zigzag columns, by name.
struct I64Field {
  std::string_view name;
  int64_t SessionRecord::*field;
};
constexpr I64Field kI64Fields[] = {
    {"watch", &SessionRecord::watch_ms},
    {"pause", &SessionRecord::pause_ms},
    {"buffer", &SessionRecord::buffer_ms},
    {"playback_position", &SessionRecord::playback_position_ms},
    {"max_position", &SessionRecord::max_position_ms},
    {"content_length", &SessionRecord::content_length_ms},
    {"coverage", &SessionRecord::coverage_ms},
    {"credits_start", &SessionRecord::credits_start_ms},
};
struct I32Field {
  std::string_view name;
  int32_t SessionRecord::*field;
};
constexpr I32Field kI32Fields[] = {
    {"pauses", &SessionRecord::pauses},
    {"rewinds", &SessionRecord::rewinds},
    {"forwards", &SessionRecord::forwards},
    {"buffers", &SessionRecord::buffers},
    {"max_quality", &SessionRecord::max_quality},
    {"event_count", &SessionRecord::event_count},
    {"local_start_hour", &SessionRecord::local_start_hour},
};
struct StrField {
  std::string_view name;
  std::string SessionRecord::*field;
};
constexpr StrField kStrFields[] = {
    {"user_id", &SessionRecord::user_id},
    {"content_id", &SessionRecord::content_id},
    {"device_id", &SessionRecord::device_id},
    {"platform", &SessionRecord::platform},
    {"app_version", &SessionRecord::app_version},
    {"country", &SessionRecord::country},
    {"tz", &SessionRecord::tz},
};
// u8 enum fields: name, max value, getter, setter.
struct EnumField {
  std::string_view name;
  uint8_t max;
  uint8_t (*get)(const SessionRecord&);
  void (*set)(SessionRecord&, uint8_t);
};
const EnumField kEnumFields[] = {
    {kStatus, kMaxSessionStatus, [](const SessionRecord& s) { return static_cast<uint8_t>(s.status); },
     [](SessionRecord& s, uint8_t v) { s.status = static_cast<SessionStatus>(v); }},
    {kState, kMaxPlayerState, [](const SessionRecord& s) { return static_cast<uint8_t>(s.state); },
     [](SessionRecord& s, uint8_t v) { s.state = static_cast<PlayerState>(v); }},
    {kLastType, kMaxEventType, [](const SessionRecord& s) { return static_cast<uint8_t>(s.last_type); },
     [](SessionRecord& s, uint8_t v) { s.last_type = static_cast<EventType>(v); }},
    {kOrigin, kMaxOrigin, [](const SessionRecord& s) { return static_cast<uint8_t>(s.origin); },
     [](SessionRecord& s, uint8_t v) { s.origin = static_cast<SessionOrigin>(v); }},
    {kDeviceType, kMaxDeviceType, [](const SessionRecord& s) { return static_cast<uint8_t>(s.device_type); },
     [](SessionRecord& s, uint8_t v) { s.device_type = static_cast<DeviceType>(v); }},
};

}  // namespace

Status DecodeSessionSegment(std::string_view file, std::vector<SessionRecord>* out) {
  WS_ASSIGN_OR_RETURN(TableReader r, TableReader::Open(file, kSessionSegmentMagic));
  const uint64_t n = r.rows();
  WS_ASSIGN_OR_RETURN(std::string_view flags, ReadU8(&r, kFlags, n));
  StringArena arena;
  std::vector<std::string_view> sids;
  WS_RETURN_IF_ERROR(ReadUuidColumns(&r, kSid, n, &arena, &sids));
  std::vector<SessionRecord> recs(n);
  for (size_t i = 0; i < n; ++i) {
    recs[i].session_id = std::string(sids[i]);
    if ((static_cast<uint8_t>(flags[i]) & ~kKnownFlags) != 0) return OutOfRange(kFlags);
    recs[i].watched_credits = (flags[i] & kFlagWatchedCredits) != 0;
    recs[i].autoplay = (flags[i] & kFlagAutoplay) != 0;
    recs[i].complete_seen = (flags[i] & kFlagCompleteSeen) != 0;
  }
  std::vector<std::string_view> strs;
  for (const StrField& f : kStrFields) {
    WS_RETURN_IF_ERROR(ReadDict(&r, f.name, n, &arena, &strs));
    for (size_t i = 0; i < n; ++i) recs[i].*f.field = std::string(strs[i]);
  }
  std::vector<int64_t> vals;
  WS_RETURN_IF_ERROR(ReadRle(&r, kDateKey, n, &vals));
  for (size_t i = 0; i < n; ++i) {
    if (!Fits<int32_t>(vals[i])) return OutOfRange(kDateKey);
    recs[i].date_key.v = static_cast<int32_t>(vals[i]);
  }
  WS_RETURN_IF_ERROR(ReadZigZag(&r, kStart, n, &vals));
  int64_t prev_start = 0;
  for (size_t i = 0; i < n; ++i) {
    recs[i].start.v = WrapAdd(prev_start, vals[i]);
    prev_start = recs[i].start.v;
  }
  WS_RETURN_IF_ERROR(ReadZigZag(&r, kEnd, n, &vals));
  for (size_t i = 0; i < n; ++i) recs[i].end.v = WrapAdd(recs[i].start.v, vals[i]);
  for (const I64Field& f : kI64Fields) {
    WS_RETURN_IF_ERROR(ReadZigZag(&r, f.name, n, &vals));
    for (size_t i = 0; i < n; ++i) recs[i].*f.field = vals[i];
  }
  for (const I32Field& f : kI32Fields) {
    WS_RETURN_IF_ERROR(ReadZigZag(&r, f.name, n, &vals));
    for (size_t i = 0; i < n; ++i) {
      if (!Fits<int32_t>(vals[i])) return OutOfRange(f.name);
      recs[i].*f.field = static_cast<int32_t>(vals[i]);
    }
  }
  for (const EnumField& f : kEnumFields) {
    WS_ASSIGN_OR_RETURN(std::string_view bytes, ReadU8(&r, f.name, n));
    for (size_t i = 0; i < n; ++i) {
      uint8_t v = static_cast<uint8_t>(bytes[i]);
      if (v > f.max) return OutOfRange(f.name);
      f.set(recs[i], v);
    }
  }
  WS_RETURN_IF_ERROR(ReadZigZag(&r, kLocalDate, n, &vals));
  for (size_t i = 0; i < n; ++i) {
    int64_t d = WrapAdd(recs[i].date_key.v, vals[i]);
    if (!Fits<int32_t>(d)) return OutOfRange(kLocalDate);
    recs[i].local_date.v = static_cast<int32_t>(d);
  }
  *out = std::move(recs);
  return Status::Ok();
}

}  // namespace ws::v1
