#include "store/v1/segment.h"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <utility>

#include "store/encoding.h"
#include "store/v1/table.h"

namespace ws::store::v1 {
namespace {

// Largest defined value of each stored enum.
constexpr uint8_t kMaxEventType = static_cast<uint8_t>(EventType::kComplete);
constexpr uint8_t kMaxDeviceType = static_cast<uint8_t>(DeviceType::kOther);
constexpr uint8_t kMaxSessionStatus = static_cast<uint8_t>(SessionStatus::kAbandoned);
constexpr uint8_t kMaxPlayerState = static_cast<uint8_t>(PlayerState::kEnded);
constexpr uint8_t kMaxOrigin = static_cast<uint8_t>(SessionOrigin::kLegacy);
constexpr uint8_t kMinRejectReason = static_cast<uint8_t>(RejectReason::kNotJson);
constexpr uint8_t kMaxRejectReason = static_cast<uint8_t>(RejectReason::kTooLate);

constexpr uint8_t kFlagWatchedCredits = 1;
constexpr uint8_t kFlagAutoplay = 2;
constexpr uint8_t kFlagCompleteSeen = 4;
constexpr uint8_t kKnownFlags = kFlagWatchedCredits | kFlagAutoplay | kFlagCompleteSeen;
constexpr int kCountryShift = 8;
constexpr int64_t kCountryMax = 0xffff;

template <typename T>
bool Fits(int64_t v) {
  return v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
}

Status Corrupt(const std::string& what) { return Status::Corruption(what); }

// Adds a UUID-string column triple "<base>.kind/.uuid/.text".
void AddUuidColumns(TableWriter* w, std::string_view base, UuidColumnEncoder* enc) {
  std::string b(base);
  w->AddColumn(b + ".kind", ColumnEncoding::kU8, enc->kinds.Finish());
  w->AddColumn(b + ".uuid", ColumnEncoding::kRaw16, enc->uuids.Finish());
  w->AddColumn(b + ".text", ColumnEncoding::kStrings, enc->texts.Finish());
}

Status ReadUuidColumns(TableReader* r, std::string_view base, uint64_t count, StringArena* arena,
                       std::vector<std::string_view>* out, const std::vector<uint8_t>* keep = nullptr) {
  std::string b(base);
  WS_ASSIGN_OR_RETURN(std::string_view kinds, r->Column(b + ".kind", ColumnEncoding::kU8));
  WS_ASSIGN_OR_RETURN(std::string_view uuids, r->Column(b + ".uuid", ColumnEncoding::kRaw16));
  WS_ASSIGN_OR_RETURN(std::string_view texts, r->Column(b + ".text", ColumnEncoding::kStrings));
  return DecodeUuidColumn(kinds, uuids, texts, count, arena, out, keep).WithContext("column '" + b + "'");
}

Status ReadRle(TableReader* r, std::string_view name, uint64_t count, std::vector<int64_t>* out) {
  WS_ASSIGN_OR_RETURN(std::string_view block, r->Column(name, ColumnEncoding::kRle));
  return DecodeRle(block, count, out).WithContext("column '" + std::string(name) + "'");
}

Status ReadDict(TableReader* r, std::string_view name, uint64_t count, StringArena* arena,
                std::vector<std::string_view>* out) {
  WS_ASSIGN_OR_RETURN(std::string_view block, r->Column(name, ColumnEncoding::kDictRle));
  return DecodeDictRle(block, count, arena, out).WithContext("column '" + std::string(name) + "'");
}

Status ReadZigZag(TableReader* r, std::string_view name, uint64_t count, std::vector<int64_t>* out) {
  WS_ASSIGN_OR_RETURN(std::string_view block, r->Column(name, ColumnEncoding::kZigZag));
  return DecodeZigZags(block, count, out).WithContext("column '" + std::string(name) + "'");
}

Result<std::string_view> ReadU8(TableReader* r, std::string_view name, uint64_t count) {
  WS_ASSIGN_OR_RETURN(std::string_view block, r->Column(name, ColumnEncoding::kU8));
  WS_RETURN_IF_ERROR(CheckU8Count(block, count).WithContext("column '" + std::string(name) + "'"));
  return block;
}

Status OutOfRange(std::string_view column) {
  return Corrupt("column '" + std::string(column) + "' holds a value out of range");
}

// A nullable zigzag column: "<name>.present" bytes + values of present rows.
Status ReadNullable(TableReader* r, std::string_view name, uint64_t count, std::string_view* present,
                    std::vector<int64_t>* values) {
  std::string n(name);
  WS_ASSIGN_OR_RETURN(*present, ReadU8(r, n + ".present", count));
  uint64_t k = 0;
  for (char c : *present) {
    if (static_cast<uint8_t>(c) > 1) return OutOfRange(n + ".present");
    k += static_cast<uint8_t>(c);
  }
  return ReadZigZag(r, n, k, values);
}

// Event column names.
constexpr std::string_view kSidRuns = "sid.runs";
constexpr std::string_view kSid = "sid";
constexpr std::string_view kEid = "eid";
constexpr std::string_view kType = "type";
constexpr std::string_view kTs = "ts";
constexpr std::string_view kTsOffset = "ts_offset";
constexpr std::string_view kPos = "pos";
constexpr std::string_view kPosPresent = "pos.present";
constexpr std::string_view kFrom = "from";
constexpr std::string_view kFromPresent = "from.present";
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

// Sizing hint for delta columns (varint bytes per row).
constexpr size_t kTypicalDeltaBytes = 3;
// Rows ahead to prefetch when encoding through a permutation: first the
// Event itself, then (once it has arrived) the bytes of its event_id, which
// is unique per row and so always read from wherever the parser put it.
constexpr size_t kPrefetchDistance = 16;
constexpr size_t kStringPrefetchDistance = 8;
constexpr size_t kCacheLine = 64;

// Prefetches the cache lines holding the first and last byte of `s`.
inline void PrefetchBytes(std::string_view s) {
  if (s.empty()) return;
  __builtin_prefetch(s.data());
  __builtin_prefetch(s.data() + s.size() - 1);
}

}  // namespace

namespace {
// Rows are events or pointers to events.
const Event& Deref(const Event& e) { return e; }
const Event& Deref(const Event* e) { return *e; }
}  // namespace

template <typename Row>
std::vector<uint32_t> EventSegmentOrderOf(std::span<const Row> events) {
  const size_t n = events.size();
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  // Writers usually hand over events already grouped by session (each
  // session's events contiguous and in order) but with the sessions in no
  // particular order. Cut the input into runs of one session, sort the runs
  // by session id, then sort within a session only where its runs were
  // several or out of order. No hashing; linear when the input is grouped.
  struct Run {
    uint32_t begin;
    uint32_t end;
  };
  std::vector<Run> runs;
  for (uint32_t i = 0; i < n;) {
    uint32_t j = i + 1;
    while (j < n && FastEqual(Deref(events[j]).session_id, Deref(events[i]).session_id)) ++j;
    runs.push_back({i, j});
    i = j;
  }
  if (runs.size() > 1) {
    std::stable_sort(runs.begin(), runs.end(), [&](const Run& a, const Run& b) {
      return Deref(events[a.begin]).session_id < Deref(events[b.begin]).session_id;
    });
  }
  auto by_order = [&](uint32_t a, uint32_t b) {
    return CompareEventOrder(Deref(events[a]), Deref(events[b])) < 0;
  };
  size_t at = 0;
  for (size_t r = 0; r < runs.size();) {
    size_t group_end = r + 1;
    while (group_end < runs.size() && FastEqual(Deref(events[runs[group_end].begin]).session_id,
                                                Deref(events[runs[r].begin]).session_id)) {
      ++group_end;
    }
    const size_t first = at;
    for (size_t k = r; k < group_end; ++k) {
      for (uint32_t i = runs[k].begin; i < runs[k].end; ++i) order[at++] = i;
    }
    auto lo = order.begin() + static_cast<ptrdiff_t>(first);
    auto hi = order.begin() + static_cast<ptrdiff_t>(at);
    if (!std::is_sorted(lo, hi, by_order)) std::stable_sort(lo, hi, by_order);
    r = group_end;
  }
  return order;
}

void SortEventsForSegment(std::vector<Event>* events) {
  std::vector<uint32_t> order = EventSegmentOrder(*events);
  std::vector<Event> sorted;
  sorted.reserve(events->size());
  for (uint32_t i : order) sorted.push_back((*events)[i]);
  *events = std::move(sorted);
}

template <typename Row>
Result<std::string> EncodeEventSegmentOf(std::span<const Row> rows, std::span<const uint32_t> order) {
  const size_t n = rows.size();
  if (!order.empty() && order.size() != n) {
    return Status::InvalidArgument("event segment row order does not match the number of events");
  }
  auto row = [&](size_t i) -> const Event& { return order.empty() ? Deref(rows[i]) : Deref(rows[order[i]]); };
  UuidColumnEncoder sid, eid;
  ByteSink sid_runs, type, ts, pos_present, pos, from_present, from;
  RleEncoder ts_offset, quality, autoplay, device_type, country, content_length;
  DictRleEncoder user, content, device_id, platform, app_version, tz, metadata;
  int64_t prev_ts = 0;
  size_t run_start = 0;
  bool have_pos = false;
  int64_t last_pos = 0;
  int64_t last_pos_ts = 0;
  eid.kinds.Reserve(n);
  eid.uuids.Reserve(n * kUuidBytes);
  type.Reserve(n);
  ts.Reserve(n * kTypicalDeltaBytes);
  pos_present.Reserve(n);
  pos.Reserve(n * kTypicalDeltaBytes);
  from_present.Reserve(n);
  std::string_view prev_sid;
  for (size_t i = 0; i < n; ++i) {
    if (!order.empty() && i + kPrefetchDistance < n) {
      const char* ahead = reinterpret_cast<const char*>(&Deref(rows[order[i + kPrefetchDistance]]));
      for (size_t line = 0; line < sizeof(Event); line += kCacheLine) __builtin_prefetch(ahead + line);
    }
    if (!order.empty() && i + kStringPrefetchDistance < n) {
      PrefetchBytes(Deref(rows[order[i + kStringPrefetchDistance]]).event_id);
    }
    const Event& e = row(i);
    if (static_cast<uint8_t>(e.type) > kMaxEventType ||
        static_cast<uint8_t>(e.device_type) > kMaxDeviceType) {
      return Status::InvalidArgument("cannot store an event with an undefined type or device type");
    }
    if (i == 0 || !FastEqual(e.session_id, prev_sid)) {
      prev_sid = e.session_id;
      if (i > 0) sid_runs.PutVarint(i - run_start);
      run_start = i;
      sid.Add(e.session_id);
      have_pos = false;
    }
    eid.Add(e.event_id);
    type.PutU8(static_cast<uint8_t>(e.type));
    ts.PutZigZag(WrapSub(e.ts.v, prev_ts));
    prev_ts = e.ts.v;
    ts_offset.Add(int64_t{e.ts_offset_minutes} * 2 + (e.has_ts_offset ? 1 : 0));
    if (e.position_ms != kAbsent) {
      pos_present.PutU8(1);
      int64_t predicted = have_pos ? WrapAdd(last_pos, WrapSub(e.ts.v, last_pos_ts)) : 0;
      pos.PutZigZag(WrapSub(e.position_ms, predicted));
      have_pos = true;
      last_pos = e.position_ms;
      last_pos_ts = e.ts.v;
    } else {
      pos_present.PutU8(0);
    }
    if (e.from_position_ms != kAbsent) {
      from_present.PutU8(1);
      from.PutZigZag(WrapSub(e.from_position_ms, e.position_ms != kAbsent ? e.position_ms : 0));
    } else {
      from_present.PutU8(0);
    }
    quality.Add(e.quality_height);
    autoplay.Add(e.autoplay);
    device_type.Add(static_cast<uint8_t>(e.device_type));
    country.Add(static_cast<int64_t>(static_cast<uint8_t>(e.country[0])) |
                (static_cast<int64_t>(static_cast<uint8_t>(e.country[1])) << kCountryShift));
    content_length.Add(e.content_length_ms);
    user.Add(e.user_id);
    content.Add(e.content_id);
    device_id.Add(e.device_id);
    platform.Add(e.platform);
    app_version.Add(e.app_version);
    tz.Add(e.tz);
    metadata.Add(e.metadata);
  }
  if (n > 0) sid_runs.PutVarint(n - run_start);

  TableWriter w(kEventSegmentMagic, n);
  w.AddColumn(kSidRuns, ColumnEncoding::kVarint, sid_runs.Finish());
  AddUuidColumns(&w, kSid, &sid);
  AddUuidColumns(&w, kEid, &eid);
  w.AddColumn(kType, ColumnEncoding::kU8, type.Finish());
  w.AddColumn(kTs, ColumnEncoding::kZigZag, ts.Finish());
  w.AddColumn(kTsOffset, ColumnEncoding::kRle, ts_offset.Finish());
  w.AddColumn(kPosPresent, ColumnEncoding::kU8, pos_present.Finish());
  w.AddColumn(kPos, ColumnEncoding::kZigZag, pos.Finish());
  w.AddColumn(kFromPresent, ColumnEncoding::kU8, from_present.Finish());
  w.AddColumn(kFrom, ColumnEncoding::kZigZag, from.Finish());
  w.AddColumn(kQuality, ColumnEncoding::kRle, quality.Finish());
  w.AddColumn(kAutoplay, ColumnEncoding::kRle, autoplay.Finish());
  w.AddColumn(kDeviceType, ColumnEncoding::kRle, device_type.Finish());
  w.AddColumn(kCountry, ColumnEncoding::kRle, country.Finish());
  w.AddColumn(kContentLength, ColumnEncoding::kRle, content_length.Finish());
  w.AddColumn(kUserId, ColumnEncoding::kDictRle, user.Finish());
  w.AddColumn(kContentId, ColumnEncoding::kDictRle, content.Finish());
  w.AddColumn(kDeviceId, ColumnEncoding::kDictRle, device_id.Finish());
  w.AddColumn(kPlatform, ColumnEncoding::kDictRle, platform.Finish());
  w.AddColumn(kAppVersion, ColumnEncoding::kDictRle, app_version.Finish());
  w.AddColumn(kTz, ColumnEncoding::kDictRle, tz.Finish());
  w.AddColumn(kMetadata, ColumnEncoding::kDictRle, metadata.Finish());
  return w.Finish();
}

std::vector<uint32_t> EventSegmentOrder(std::span<const Event> events) { return EventSegmentOrderOf(events); }
std::vector<uint32_t> EventSegmentOrder(std::span<const Event* const> events) {
  return EventSegmentOrderOf(events);
}

Result<std::string> EncodeEventSegment(std::span<const Event> rows, std::span<const uint32_t> order) {
  return EncodeEventSegmentOf(rows, order);
}
Result<std::string> EncodeEventSegment(std::span<const Event* const> rows, std::span<const uint32_t> order) {
  return EncodeEventSegmentOf(rows, order);
}

Status DecodeEventSegment(std::string_view file, EventBlock* out,
                          const std::function<bool(std::string_view)>* wanted) {
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

  StringArena& arena = out->arena;
  std::vector<std::string_view> sids, eids;
  WS_RETURN_IF_ERROR(ReadUuidColumns(&r, kSid, runs.size(), &arena, &sids));
  std::vector<bool> keep_run;
  if (wanted != nullptr) {
    keep_run.resize(runs.size());
    bool any = false;
    for (size_t k = 0; k < runs.size(); ++k) any |= keep_run[k] = (*wanted)(sids[k]);
    if (!any) {
      out->events.clear();
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
  out->events = std::move(events);
  return Status::Ok();
}

// ---------------------------------------------------------------- sessions

namespace {

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

void SortSessionsForSegment(std::vector<SessionRecord>* records) {
  auto less = [](const SessionRecord& a, const SessionRecord& b) { return a.session_id < b.session_id; };
  if (std::is_sorted(records->begin(), records->end(), less)) return;
  std::stable_sort(records->begin(), records->end(), less);
}

Result<std::string> EncodeSessionSegment(std::span<const SessionRecord> records) {
  const size_t n = records.size();
  TableWriter w(kSessionSegmentMagic, n);
  UuidColumnEncoder sid;
  RleEncoder date_key;
  ByteSink start, end, flags, local_date;
  int64_t prev_start = 0;
  for (const SessionRecord& s : records) {
    for (const EnumField& f : kEnumFields) {
      if (f.get(s) > f.max) {
        return Status::InvalidArgument("cannot store session " + s.session_id + ": field " +
                                       std::string(f.name) + " holds an undefined value");
      }
    }
    sid.Add(s.session_id);
    date_key.Add(s.date_key.v);
    start.PutZigZag(WrapSub(s.start.v, prev_start));
    prev_start = s.start.v;
    end.PutZigZag(WrapSub(s.end.v, s.start.v));
    flags.PutU8(static_cast<uint8_t>((s.watched_credits ? kFlagWatchedCredits : 0) |
                                     (s.autoplay ? kFlagAutoplay : 0) |
                                     (s.complete_seen ? kFlagCompleteSeen : 0)));
    local_date.PutZigZag(int64_t{s.local_date.v} - s.date_key.v);
  }
  AddUuidColumns(&w, kSid, &sid);
  for (const StrField& f : kStrFields) {
    DictRleEncoder enc;
    for (const SessionRecord& s : records) enc.Add(s.*f.field);
    w.AddColumn(f.name, ColumnEncoding::kDictRle, enc.Finish());
  }
  w.AddColumn(kDateKey, ColumnEncoding::kRle, date_key.Finish());
  w.AddColumn(kStart, ColumnEncoding::kZigZag, start.Finish());
  w.AddColumn(kEnd, ColumnEncoding::kZigZag, end.Finish());
  for (const I64Field& f : kI64Fields) {
    ByteSink sink;
    for (const SessionRecord& s : records) sink.PutZigZag(s.*f.field);
    w.AddColumn(f.name, ColumnEncoding::kZigZag, sink.Finish());
  }
  for (const I32Field& f : kI32Fields) {
    ByteSink sink;
    for (const SessionRecord& s : records) sink.PutZigZag(s.*f.field);
    w.AddColumn(f.name, ColumnEncoding::kZigZag, sink.Finish());
  }
  w.AddColumn(kFlags, ColumnEncoding::kU8, flags.Finish());
  for (const EnumField& f : kEnumFields) {
    ByteSink sink;
    for (const SessionRecord& s : records) sink.PutU8(f.get(s));
    w.AddColumn(f.name, ColumnEncoding::kU8, sink.Finish());
  }
  w.AddColumn(kLocalDate, ColumnEncoding::kZigZag, local_date.Finish());
  return w.Finish();
}

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

// -------------------------------------------------------------- quarantine

namespace {
constexpr std::string_view kReason = "reason";
constexpr std::string_view kMessage = "message";
constexpr std::string_view kRaw = "raw";
constexpr std::string_view kSource = "source";
constexpr std::string_view kLine = "line";
constexpr std::string_view kReceivedAt = "received_at";
}  // namespace

Result<std::string> EncodeQuarantine(std::span<const Rejection> rejections) {
  ByteSink reason, raw, line, received;
  DictRleEncoder message, source;
  int64_t prev = 0;
  for (const Rejection& r : rejections) {
    uint8_t code = static_cast<uint8_t>(r.reason);
    if (code < kMinRejectReason || code > kMaxRejectReason) {
      return Status::InvalidArgument("cannot store a rejection with an undefined reason code " +
                                     std::to_string(code));
    }
    reason.PutU8(code);
    message.Add(r.message);
    raw.PutString(r.raw);
    source.Add(r.source);
    line.PutZigZag(r.line);
    received.PutZigZag(WrapSub(r.received_at.v, prev));
    prev = r.received_at.v;
  }
  TableWriter w(kQuarantineMagic, rejections.size());
  w.AddColumn(kReason, ColumnEncoding::kU8, reason.Finish());
  w.AddColumn(kMessage, ColumnEncoding::kDictRle, message.Finish());
  w.AddColumn(kRaw, ColumnEncoding::kStrings, raw.Finish());
  w.AddColumn(kSource, ColumnEncoding::kDictRle, source.Finish());
  w.AddColumn(kLine, ColumnEncoding::kZigZag, line.Finish());
  w.AddColumn(kReceivedAt, ColumnEncoding::kZigZag, received.Finish());
  return w.Finish();
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

}  // namespace ws::store::v1
