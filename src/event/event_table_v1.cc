#include "event/event_table_v1.h"

#include <functional>

#include "store/v1/columns.h"

namespace ws::v1 {
namespace {

using store::DecodeStrings;
using store::DecodeVarints;
using store::WrapAdd;
using store::WrapSub;
using store::v1::ColumnEncoding;
using store::v1::Fits;
using store::v1::OutOfRange;
using store::v1::ReadDict;
using store::v1::ReadNullable;
using store::v1::ReadRle;
using store::v1::ReadU8;
using store::v1::ReadUuidColumns;
using store::v1::ReadZigZag;
using store::v1::TableReader;

constexpr std::string_view kEventSegmentMagic = "WSEVSEG1";
constexpr std::string_view kQuarantineMagic = "WSQUARN1";
constexpr uint8_t kMaxEventType = static_cast<uint8_t>(EventType::kComplete);
constexpr uint8_t kMaxDeviceType = static_cast<uint8_t>(DeviceType::kOther);
constexpr uint8_t kMinRejectReason = static_cast<uint8_t>(RejectReason::kNotJson);
constexpr uint8_t kMaxRejectReason = static_cast<uint8_t>(RejectReason::kTooLate);
constexpr int kCountryShift = 8;
constexpr int64_t kCountryMax = 0xffff;

constexpr std::string_view kSidRuns = "sid.runs";
constexpr std::string_view kSid = "sid";
constexpr std::string_view kEid = "eid";
constexpr std::string_view kType = "type";
constexpr std::string_view kTs = "ts";
constexpr std::string_view kTsOffset = "ts_offset";
// Nullable columns; ReadNullable reads their "<name>.present" companions.
constexpr std::string_view kPos = "pos";
constexpr std::string_view kFrom = "from";
constexpr std::string_view kQuality = "quality";
constexpr std::string_view kAutoplay = "autoplay";
constexpr std::string_view kDeviceType = "device_type";
constexpr std::string_view kCountry = "country";
constexpr std::string_view kContentLength = "content_length";
constexpr std::string_view kUserId = "user_id";
constexpr std::string_view kContentId = "content_id";
constexpr std::string_view kDeviceId = "device_id";
constexpr std::string_view kPlatform = "platform";
constexpr std::string_view kAppVersion = "app_version";
constexpr std::string_view kTz = "tz";
constexpr std::string_view kMetadata = "metadata";
constexpr std::string_view kReason = "reason";
constexpr std::string_view kMessage = "message";
constexpr std::string_view kRaw = "raw";
constexpr std::string_view kSource = "source";
constexpr std::string_view kLine = "line";
constexpr std::string_view kReceivedAt = "received_at";

}  // namespace

Status DecodeEventSegment(std::string_view file, StringArena* arena_out, std::vector<Event>* out) {
  const std::function<bool(std::string_view)>* wanted = nullptr;
  WS_ASSIGN_OR_RETURN(TableReader r, TableReader::Open(file, kEventSegmentMagic));
  const uint64_t n = r.rows();
  // The type column has one byte per row: check it before allocating rows.
  WS_ASSIGN_OR_RETURN(std::string_view types, ReadU8(&r, kType, n));
  WS_ASSIGN_OR_RETURN(std::string_view runs_block, r.Column(kSidRuns, ColumnEncoding::kVarint));
  std::vector<uint64_t> runs;
  WS_RETURN_IF_ERROR(DecodeVarints(runs_block, &runs).WithContext("column 'sid.runs'"));
  uint64_t total = 0;
  for (uint64_t run : runs) {
    if (run == 0 || run > n - total) return OutOfRange(kSidRuns);
    total += run;
  }
  if (total != n) return OutOfRange(kSidRuns);

  StringArena& arena = *arena_out;
  std::vector<std::string_view> sids, eids;
  WS_RETURN_IF_ERROR(ReadUuidColumns(&r, kSid, runs.size(), &arena, &sids));
  std::vector<bool> keep_run;
  if (wanted != nullptr) {
    keep_run.resize(runs.size());
    bool any = false;
    for (size_t k = 0; k < runs.size(); ++k) any |= keep_run[k] = (*wanted)(sids[k]);
    if (!any) {
      out->clear();
      return Status::Ok();
    }
  }
  std::vector<uint8_t> keep_row;
  if (wanted != nullptr) {
    keep_row.reserve(n);
    for (size_t k = 0; k < runs.size(); ++k) keep_row.insert(keep_row.end(), runs[k], keep_run[k] ? 1 : 0);
  }
  WS_RETURN_IF_ERROR(ReadUuidColumns(&r, kEid, n, &arena, &eids, wanted != nullptr ? &keep_row : nullptr));
  std::vector<int64_t> ts, pos, from, ts_offset, quality, autoplay, device_type, country, content_length;
  WS_RETURN_IF_ERROR(ReadZigZag(&r, kTs, n, &ts));
  std::string_view pos_present, from_present;
  WS_RETURN_IF_ERROR(ReadNullable(&r, kPos, n, &pos_present, &pos));
  WS_RETURN_IF_ERROR(ReadNullable(&r, kFrom, n, &from_present, &from));
  WS_RETURN_IF_ERROR(ReadRle(&r, kTsOffset, n, &ts_offset));
  WS_RETURN_IF_ERROR(ReadRle(&r, kQuality, n, &quality));
  WS_RETURN_IF_ERROR(ReadRle(&r, kAutoplay, n, &autoplay));
  WS_RETURN_IF_ERROR(ReadRle(&r, kDeviceType, n, &device_type));
  WS_RETURN_IF_ERROR(ReadRle(&r, kCountry, n, &country));
  WS_RETURN_IF_ERROR(ReadRle(&r, kContentLength, n, &content_length));
  std::vector<std::string_view> user, content, device_id, platform, app_version, tz, metadata;
  WS_RETURN_IF_ERROR(ReadDict(&r, kUserId, n, &arena, &user));
  WS_RETURN_IF_ERROR(ReadDict(&r, kContentId, n, &arena, &content));
  WS_RETURN_IF_ERROR(ReadDict(&r, kDeviceId, n, &arena, &device_id));
  WS_RETURN_IF_ERROR(ReadDict(&r, kPlatform, n, &arena, &platform));
  WS_RETURN_IF_ERROR(ReadDict(&r, kAppVersion, n, &arena, &app_version));
  WS_RETURN_IF_ERROR(ReadDict(&r, kTz, n, &arena, &tz));
  WS_RETURN_IF_ERROR(ReadDict(&r, kMetadata, n, &arena, &metadata));

  std::vector<Event> events;
  if (wanted == nullptr) {
    events.reserve(n);
  } else {
    uint64_t kept_rows = 0;
    for (size_t k = 0; k < runs.size(); ++k) kept_rows += keep_run[k] ? runs[k] : 0;
    events.reserve(kept_rows);
  }
  std::string_view cur_sid;
  bool keep = true;
  size_t run_index = 0;
  uint64_t run_left = 0;
  int64_t prev_ts = 0;
  bool have_pos = false;
  int64_t last_pos = 0;
  int64_t last_pos_ts = 0;
  size_t pos_i = 0;
  size_t from_i = 0;
  for (size_t i = 0; i < n; ++i) {
    Event e;
    if (run_left == 0) {
      run_left = runs[run_index];
      if (wanted != nullptr) keep = keep_run[run_index];
      cur_sid = sids[run_index++];
      have_pos = false;
    }
    e.session_id = cur_sid;
    --run_left;
    e.event_id = eids[i];
    uint8_t type = static_cast<uint8_t>(types[i]);
    if (type > kMaxEventType) return OutOfRange(kType);
    e.type = static_cast<EventType>(type);
    e.ts.v = WrapAdd(prev_ts, ts[i]);
    prev_ts = e.ts.v;
    int64_t off = ts_offset[i];
    e.has_ts_offset = (off & 1) != 0;
    int64_t minutes = (off - (e.has_ts_offset ? 1 : 0)) / 2;
    if (!Fits<int16_t>(minutes)) return OutOfRange(kTsOffset);
    e.ts_offset_minutes = static_cast<int16_t>(minutes);
    if (pos_present[i] != 0) {
      int64_t predicted = have_pos ? WrapAdd(last_pos, WrapSub(e.ts.v, last_pos_ts)) : 0;
      e.position_ms = WrapAdd(predicted, pos[pos_i++]);
      if (e.position_ms == kAbsent) return OutOfRange(kPos);
      have_pos = true;
      last_pos = e.position_ms;
      last_pos_ts = e.ts.v;
    }
    if (from_present[i] != 0) {
      e.from_position_ms = WrapAdd(from[from_i++], e.position_ms != kAbsent ? e.position_ms : 0);
      if (e.from_position_ms == kAbsent) return OutOfRange(kFrom);
    }
    if (!Fits<int32_t>(quality[i])) return OutOfRange(kQuality);
    e.quality_height = static_cast<int32_t>(quality[i]);
    if (!Fits<int8_t>(autoplay[i])) return OutOfRange(kAutoplay);
    e.autoplay = static_cast<int8_t>(autoplay[i]);
    if (device_type[i] < 0 || device_type[i] > kMaxDeviceType) return OutOfRange(kDeviceType);
    e.device_type = static_cast<DeviceType>(device_type[i]);
    if (country[i] < 0 || country[i] > kCountryMax) return OutOfRange(kCountry);
    e.country[0] = static_cast<char>(country[i] & 0xff);
    e.country[1] = static_cast<char>(country[i] >> kCountryShift);
    e.content_length_ms = content_length[i];
    e.user_id = user[i];
    e.content_id = content[i];
    e.device_id = device_id[i];
    e.platform = platform[i];
    e.app_version = app_version[i];
    e.tz = tz[i];
    e.metadata = metadata[i];
    if (keep) events.push_back(e);
  }
  *out = std::move(events);
  return Status::Ok();
}

Status DecodeQuarantine(std::string_view file, std::vector<Rejection>* out) {
  WS_ASSIGN_OR_RETURN(TableReader r, TableReader::Open(file, kQuarantineMagic));
  const uint64_t n = r.rows();
  WS_ASSIGN_OR_RETURN(std::string_view reasons, ReadU8(&r, kReason, n));
  StringArena arena;
  std::vector<std::string_view> messages, raws, sources;
  WS_RETURN_IF_ERROR(ReadDict(&r, kMessage, n, &arena, &messages));
  WS_ASSIGN_OR_RETURN(std::string_view raw_block, r.Column(kRaw, ColumnEncoding::kStrings));
  WS_RETURN_IF_ERROR(DecodeStrings(raw_block, n, &raws).WithContext("column 'raw'"));
  WS_RETURN_IF_ERROR(ReadDict(&r, kSource, n, &arena, &sources));
  std::vector<int64_t> lines, received;
  WS_RETURN_IF_ERROR(ReadZigZag(&r, kLine, n, &lines));
  WS_RETURN_IF_ERROR(ReadZigZag(&r, kReceivedAt, n, &received));
  std::vector<Rejection> recs(n);
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t code = static_cast<uint8_t>(reasons[i]);
    if (code < kMinRejectReason || code > kMaxRejectReason) return OutOfRange(kReason);
    recs[i].reason = static_cast<RejectReason>(code);
    recs[i].message = std::string(messages[i]);
    recs[i].raw = std::string(raws[i]);
    recs[i].source = std::string(sources[i]);
    recs[i].line = lines[i];
    recs[i].received_at.v = WrapAdd(prev, received[i]);
    prev = recs[i].received_at.v;
  }
  out->insert(out->end(), std::make_move_iterator(recs.begin()), std::make_move_iterator(recs.end()));
  return Status::Ok();
}

}  // namespace ws::v1
