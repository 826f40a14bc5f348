// The session module's table (session/session_table.h).
#include "session/session_table.h"

#include <algorithm>
#include <limits>

#include "vocab/key_names.h"
#include "vocab/quality.h"

namespace ws {
namespace {

using store::ColumnType;
using store::EncodingHint;

enum SessionColumn : size_t {
  kSid = 0,
  kStart,
  kDuration,
  kDateKey,
  kLocalDate,
  kLocalStartHour,
  kUserKey,
  kContentKey,
  kDeviceKey,
  kPlatformKey,
  kAppVersionKey,
  kCountryKey,
  kTzKey,
  kQualityKey,
  kWatch,
  kPause,
  kBuffer,
  kPlaybackPosition,
  kMaxPosition,
  kContentLength,
  kCoverage,
  kCreditsStart,
  kPauses,
  kRewinds,
  kForwards,
  kBuffers,
  kMaxQuality,
  kEventCount,
  kFlags,
  kStatus,
  kState,
  kLastType,
  kOrigin,
  kDeviceType,
  kSessionColumns,
};

constexpr const char* kColumnNames[kSessionColumns] = {
    session_columns::kSessionId,    session_columns::kStart,         session_columns::kDuration,
    session_columns::kDateKey,      session_columns::kLocalDate,     session_columns::kLocalStartHour,
    session_columns::kUserKey,      session_columns::kContentKey,    session_columns::kDeviceKey,
    session_columns::kPlatformKey,  session_columns::kAppVersionKey, session_columns::kCountryKey,
    session_columns::kTzKey,        session_columns::kQualityKey,    session_columns::kWatch,
    session_columns::kPause,        session_columns::kBuffer,        session_columns::kPlaybackPosition,
    session_columns::kMaxPosition,  session_columns::kContentLength, session_columns::kCoverage,
    session_columns::kCreditsStart, session_columns::kPauses,        session_columns::kRewinds,
    session_columns::kForwards,     session_columns::kBuffers,       session_columns::kMaxQuality,
    session_columns::kEventCount,   session_columns::kFlags,         session_columns::kStatus,
    session_columns::kState,        session_columns::kLastType,      session_columns::kOrigin,
    session_columns::kDeviceType,
};

constexpr int64_t kFlagWatchedCredits = 1;
constexpr int64_t kFlagAutoplay = 2;
constexpr int64_t kFlagCompleteSeen = 4;
constexpr int64_t kKnownFlags = kFlagWatchedCredits | kFlagAutoplay | kFlagCompleteSeen;
constexpr int64_t kMaxSessionStatus = static_cast<int64_t>(SessionStatus::kAbandoned);
constexpr int64_t kMaxPlayerState = static_cast<int64_t>(PlayerState::kEnded);
constexpr int64_t kMaxEventType = static_cast<int64_t>(EventType::kComplete);
constexpr int64_t kMaxOrigin = static_cast<int64_t>(SessionOrigin::kLegacy);
constexpr int64_t kMaxDeviceType = static_cast<int64_t>(DeviceType::kOther);

store::TableDef MakeSessionsDef() {
  store::TableDef d;
  d.schema.name = std::string(kSessionsTable);
  d.schema.version = 1;
  for (size_t c = 0; c < kSessionColumns; ++c) {
    d.schema.columns.push_back({kColumnNames[c], c == kSid ? ColumnType::kString : ColumnType::kInt64,
                                c == kSid ? EncodingHint::kUuid : EncodingHint::kAuto, ""});
  }
  d.mode = store::TableMode::kKeyed;
  d.partitions = store::PartitionKind::kDay;
  d.key_column = "session_id";
  d.sort_key = {"start", "session_id"};
  Status st = d.Finalize();
  (void)st;  // a constant definition; session_table_test checks that it finalizes
  return d;
}

template <typename T>
bool Fits(int64_t v) {
  return v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
}

uint32_t ToKey(int64_t v) { return static_cast<uint32_t>(v); }

const std::vector<std::string>& ColumnNames() {
  static const std::vector<std::string> names(std::begin(kColumnNames), std::end(kColumnNames));
  return names;
}

}  // namespace

const store::TableDef& SessionsTableDef() {
  static const store::TableDef def = MakeSessionsDef();
  return def;
}

SessionKeys::SessionKeys(store::KeyRegistry& registry)
    : user(&registry.Dictionary(kUserKeys)),
      content(&registry.Dictionary(kContentKeys)),
      device(&registry.Dictionary(kDeviceKeys)),
      platform(&registry.Dictionary(kPlatformKeys)),
      app_version(&registry.Dictionary(kAppVersionKeys)),
      country(&registry.Dictionary(kCountryKeys)),
      tz(&registry.Dictionary(kTzKeys)),
      quality(&registry.Dictionary(kQualityKeys)) {}

void AssignKeys(SessionRecord* r, const SessionKeys& keys) {
  r->user_key = keys.user->Intern(r->user_id);
  r->content_key = keys.content->Intern(r->content_id);
  r->device_key = keys.device->Intern(r->device_id);
  r->platform_key = keys.platform->Intern(r->platform);
  r->app_version_key = keys.app_version->Intern(r->app_version);
  r->country_key = keys.country->Intern(r->country);
  r->tz_key = keys.tz->Intern(r->tz);
  r->quality_key = keys.quality->Intern(QualityLabel(r->max_quality));
}

void ResolveNames(SessionRecord* r, const SessionKeys& keys) {
  r->user_id = std::string(keys.user->Name(r->user_key));
  r->content_id = std::string(keys.content->Name(r->content_key));
  r->device_id = std::string(keys.device->Name(r->device_key));
  r->platform = std::string(keys.platform->Name(r->platform_key));
  r->app_version = std::string(keys.app_version->Name(r->app_version_key));
  r->country = std::string(keys.country->Name(r->country_key));
  r->tz = std::string(keys.tz->Name(r->tz_key));
}

Result<store::NewFile> EncodeSessions(std::span<const SessionRecord* const> records,
                                      std::span<const std::string_view> deletes, DayNumber day) {
  const store::TableDef& def = SessionsTableDef();
  store::TableWriter w(&def);
  for (const SessionRecord* rp : records) {
    const SessionRecord& s = *rp;
    if (static_cast<int64_t>(s.status) > kMaxSessionStatus ||
        static_cast<int64_t>(s.state) > kMaxPlayerState ||
        static_cast<int64_t>(s.last_type) > kMaxEventType || static_cast<int64_t>(s.origin) > kMaxOrigin ||
        static_cast<int64_t>(s.device_type) > kMaxDeviceType) {
      return Status::InvalidArgument("cannot store session " + s.session_id +
                                     ": an enum field holds an undefined value");
    }
    w.strings(kSid).push_back(s.session_id);
    w.ints(kStart).push_back(s.start.v);
    w.ints(kDuration).push_back(s.end.v - s.start.v);
    w.ints(kDateKey).push_back(s.date_key.v);
    w.ints(kLocalDate).push_back(s.local_date.v);
    w.ints(kLocalStartHour).push_back(s.local_start_hour);
    w.ints(kUserKey).push_back(s.user_key);
    w.ints(kContentKey).push_back(s.content_key);
    w.ints(kDeviceKey).push_back(s.device_key);
    w.ints(kPlatformKey).push_back(s.platform_key);
    w.ints(kAppVersionKey).push_back(s.app_version_key);
    w.ints(kCountryKey).push_back(s.country_key);
    w.ints(kTzKey).push_back(s.tz_key);
    w.ints(kQualityKey).push_back(s.quality_key);
    w.ints(kWatch).push_back(s.watch_ms);
    w.ints(kPause).push_back(s.pause_ms);
    w.ints(kBuffer).push_back(s.buffer_ms);
    w.ints(kPlaybackPosition).push_back(s.playback_position_ms);
    w.ints(kMaxPosition).push_back(s.max_position_ms);
    w.ints(kContentLength).push_back(s.content_length_ms);
    w.ints(kCoverage).push_back(s.coverage_ms);
    w.ints(kCreditsStart).push_back(s.credits_start_ms);
    w.ints(kPauses).push_back(s.pauses);
    w.ints(kRewinds).push_back(s.rewinds);
    w.ints(kForwards).push_back(s.forwards);
    w.ints(kBuffers).push_back(s.buffers);
    w.ints(kMaxQuality).push_back(s.max_quality);
    w.ints(kEventCount).push_back(s.event_count);
    w.ints(kFlags).push_back((s.watched_credits ? kFlagWatchedCredits : 0) |
                             (s.autoplay ? kFlagAutoplay : 0) | (s.complete_seen ? kFlagCompleteSeen : 0));
    w.ints(kStatus).push_back(static_cast<int64_t>(s.status));
    w.ints(kState).push_back(static_cast<int64_t>(s.state));
    w.ints(kLastType).push_back(static_cast<int64_t>(s.last_type));
    w.ints(kOrigin).push_back(static_cast<int64_t>(s.origin));
    w.ints(kDeviceType).push_back(static_cast<int64_t>(s.device_type));
  }
  for (std::string_view id : deletes) w.AddTombstone(id);
  return w.Finish(day.v);
}

Status ForEachSession(const store::Snapshot& snap, const SessionKeys& keys, DayNumber day,
                      const std::function<Status(const SessionRecord&)>& fn) {
  WS_ASSIGN_OR_RETURN(std::shared_ptr<const store::PartitionReader> reader,
                      snap.Partition(kSessionsTable, day.v));
  store::ColumnBatch b;
  for (size_t blk = 0; blk < reader->block_count(); ++blk) {
    WS_RETURN_IF_ERROR(reader->Read(blk, ColumnNames(), &b));
    auto bad = [&](const char* column) {
      return Status::Corruption("corrupt store file " + reader->file_of(blk).path() + ": column '" + column +
                                "' holds a value out of range");
    };
    auto one = [&](size_t r) -> Status {
      SessionRecord s;
      s.session_id = std::string(b.strings(kSid).at(r));
      s.start.v = b.ints(kStart)[r];
      // A damaged file can hold any duration: start + duration must not overflow.
      if (__builtin_add_overflow(s.start.v, b.ints(kDuration)[r], &s.end.v)) return bad("duration");
      const int64_t date = b.ints(kDateKey)[r], local = b.ints(kLocalDate)[r];
      if (!Fits<int32_t>(date) || !Fits<int32_t>(local)) return bad("date_key");
      s.date_key.v = static_cast<int32_t>(date);
      s.local_date.v = static_cast<int32_t>(local);
      for (size_t c : {size_t{kLocalStartHour}, size_t{kPauses}, size_t{kRewinds}, size_t{kForwards},
                       size_t{kBuffers}, size_t{kMaxQuality}, size_t{kEventCount}}) {
        if (!Fits<int32_t>(b.ints(c)[r])) return bad(kColumnNames[c]);
      }
      for (size_t c = kUserKey; c <= kQualityKey; ++c) {
        if (b.ints(c)[r] < 0 || b.ints(c)[r] > UINT32_MAX) return bad(kColumnNames[c]);
      }
      s.local_start_hour = static_cast<int32_t>(b.ints(kLocalStartHour)[r]);
      s.user_key = ToKey(b.ints(kUserKey)[r]);
      s.content_key = ToKey(b.ints(kContentKey)[r]);
      s.device_key = ToKey(b.ints(kDeviceKey)[r]);
      s.platform_key = ToKey(b.ints(kPlatformKey)[r]);
      s.app_version_key = ToKey(b.ints(kAppVersionKey)[r]);
      s.country_key = ToKey(b.ints(kCountryKey)[r]);
      s.tz_key = ToKey(b.ints(kTzKey)[r]);
      s.quality_key = ToKey(b.ints(kQualityKey)[r]);
      s.watch_ms = b.ints(kWatch)[r];
      s.pause_ms = b.ints(kPause)[r];
      s.buffer_ms = b.ints(kBuffer)[r];
      s.playback_position_ms = b.ints(kPlaybackPosition)[r];
      s.max_position_ms = b.ints(kMaxPosition)[r];
      s.content_length_ms = b.ints(kContentLength)[r];
      s.coverage_ms = b.ints(kCoverage)[r];
      s.credits_start_ms = b.ints(kCreditsStart)[r];
      s.pauses = static_cast<int32_t>(b.ints(kPauses)[r]);
      s.rewinds = static_cast<int32_t>(b.ints(kRewinds)[r]);
      s.forwards = static_cast<int32_t>(b.ints(kForwards)[r]);
      s.buffers = static_cast<int32_t>(b.ints(kBuffers)[r]);
      s.max_quality = static_cast<int32_t>(b.ints(kMaxQuality)[r]);
      s.event_count = static_cast<int32_t>(b.ints(kEventCount)[r]);
      const int64_t flags = b.ints(kFlags)[r];
      if ((flags & ~kKnownFlags) != 0) return bad("flags");
      s.watched_credits = (flags & kFlagWatchedCredits) != 0;
      s.autoplay = (flags & kFlagAutoplay) != 0;
      s.complete_seen = (flags & kFlagCompleteSeen) != 0;
      const int64_t status = b.ints(kStatus)[r], state = b.ints(kState)[r], last = b.ints(kLastType)[r],
                    origin = b.ints(kOrigin)[r], device = b.ints(kDeviceType)[r];
      if (status < 0 || status > kMaxSessionStatus) return bad("status");
      if (state < 0 || state > kMaxPlayerState) return bad("state");
      if (last < 0 || last > kMaxEventType) return bad("last_type");
      if (origin < 0 || origin > kMaxOrigin) return bad("origin");
      if (device < 0 || device > kMaxDeviceType) return bad("device_type");
      s.status = static_cast<SessionStatus>(status);
      s.state = static_cast<PlayerState>(state);
      s.last_type = static_cast<EventType>(last);
      s.origin = static_cast<SessionOrigin>(origin);
      s.device_type = static_cast<DeviceType>(device);
      ResolveNames(&s, keys);
      return fn(s);
    };
    if (b.selection() == nullptr) {
      for (size_t r = 0; r < b.rows(); ++r) WS_RETURN_IF_ERROR(one(r));
    } else {
      for (uint32_t r : *b.selection()) WS_RETURN_IF_ERROR(one(r));
    }
  }
  return Status::Ok();
}

Status ReadSessions(const store::Snapshot& snap, const SessionKeys& keys, DayNumber day,
                    std::vector<SessionRecord>* out) {
  out->clear();
  WS_RETURN_IF_ERROR(ForEachSession(snap, keys, day, [&](const SessionRecord& r) {
    out->push_back(r);
    return Status::Ok();
  }));
  std::sort(out->begin(), out->end(),
            [](const SessionRecord& a, const SessionRecord& b) { return a.session_id < b.session_id; });
  return Status::Ok();
}

}  // namespace ws
