#include "session/accumulator.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "event/event_order.h"

namespace ws {
namespace {

int64_t CreditsStartMs(const ContentInfo* content, int64_t length_ms, double fraction) {
  if (content != nullptr && content->credits_start_ms >= 0) return content->credits_start_ms;
  return static_cast<int64_t>(std::llround(static_cast<double>(length_ms) * fraction));
}

uint32_t SaturatingAdd(uint32_t a, int64_t b) {
  int64_t sum = static_cast<int64_t>(a) + b;
  return sum > static_cast<int64_t>(UINT32_MAX) ? UINT32_MAX : static_cast<uint32_t>(sum);
}

}  // namespace

uint64_t IdHash(std::string_view id) { return XXH3_128bits(id.data(), id.size()).low64; }

uint64_t EventIdHash(uint64_t session_hash, std::string_view event_id) {
  return XXH3_64bits_withSeed(event_id.data(), event_id.size(), session_hash);
}

void SessionAccumulator::TakeAttributes(const Event& e, Interner* interner) {
  if (content_length_ms_ == kAbsent && e.content_length_ms != kAbsent)
    content_length_ms_ = e.content_length_ms;
  if (e.quality_height > max_quality_)
    max_quality_ = static_cast<int16_t>(std::min<int32_t>(e.quality_height, INT16_MAX));
  if (device_id_ == 0 && !e.device_id.empty()) device_id_ = interner->Intern(e.device_id);
  if (device_type_ == DeviceType::kUnknown) device_type_ = e.device_type;
  if (platform_ == 0 && !e.platform.empty()) platform_ = interner->Intern(e.platform);
  if (app_version_ == 0 && !e.app_version.empty()) app_version_ = interner->Intern(e.app_version);
  if (country_[0] == 0 && e.has_country()) {
    country_[0] = e.country[0];
    country_[1] = e.country[1];
  }
  if (tz_ == 0 && !e.tz.empty()) tz_ = interner->Intern(e.tz);
  if (!has_ts_offset_ && e.has_ts_offset) {
    has_ts_offset_ = true;
    ts_offset_minutes_ = e.ts_offset_minutes;
  }
  if (e.type == EventType::kStart && !seen_start_) {
    seen_start_ = true;
    autoplay_ = e.autoplay == 1;
  }
  if (e.type == EventType::kComplete) complete_seen_ = true;
  last_type_ = e.type;
  last_ts_ms_ = e.ts.v;
  last_position_field_ = e.position_ms;
  ++event_count_;
}

void SessionAccumulator::ApplyFirst(const Event& e, Interner* interner) {
  start_ms_ = e.ts.v;
  user_ = interner->Intern(e.user_id);
  content_ = interner->Intern(e.content_id);
  pos_ms_ = e.has_position() ? e.position_ms : 0;
  // A first seek has no earlier position to extrapolate from: it was reached
  // at from_position when given, else at the position it reports.
  int64_t reached = pos_ms_;
  if (e.type == EventType::kSeek && e.from_position_ms != kAbsent) reached = e.from_position_ms;
  max_pos_ms_ = reached;
  switch (e.type) {
    case EventType::kPause:
      state_ = PlayerState::kPaused;
      break;
    case EventType::kStop:
    case EventType::kComplete:
      state_ = PlayerState::kEnded;
      break;
    default:
      state_ = PlayerState::kPlaying;
      break;
  }
  TakeAttributes(e, interner);
}

void SessionAccumulator::Apply(const Event& e, const SessionConfig& config, Interner* interner) {
  if (event_count_ == 0) {
    ApplyFirst(e, interner);
    return;
  }
  const int64_t gap = e.ts.v - last_ts_ms_;
  const int64_t capped = std::min(gap, config.heartbeat_gap_cap_ms);
  switch (state_) {
    case PlayerState::kPlaying:
      watch_ms_ = SaturatingAdd(watch_ms_, capped);
      break;
    case PlayerState::kBuffering:
      buffer_ms_ = SaturatingAdd(buffer_ms_, capped);
      break;
    case PlayerState::kPaused:
      pause_ms_ += gap;
      break;
    case PlayerState::kEnded:
      break;
  }
  const int64_t extrapolated = state_ == PlayerState::kPlaying ? pos_ms_ + capped : pos_ms_;
  const int64_t pos = e.has_position() ? e.position_ms : extrapolated;
  int64_t reached = pos;
  if (e.type == EventType::kSeek) reached = e.from_position_ms != kAbsent ? e.from_position_ms : extrapolated;

  if (state_ == PlayerState::kPlaying) {
    const int64_t advance = reached - pos_ms_;
    if (advance >= 0 && advance <= kCoverageMaxSpeed * capped + kCoverageSlackMs)
      intervals_.Add(pos_ms_, reached);
  }

  switch (e.type) {
    case EventType::kStart:
      state_ = PlayerState::kPlaying;
      break;
    case EventType::kPause:
      if (state_ == PlayerState::kPlaying || state_ == PlayerState::kBuffering) {
        state_ = PlayerState::kPaused;
        ++pauses_;
      }
      break;
    case EventType::kResume:
      if (state_ == PlayerState::kPaused || state_ == PlayerState::kEnded) state_ = PlayerState::kPlaying;
      break;
    case EventType::kBufferStart:
      if (state_ == PlayerState::kPlaying) {
        state_ = PlayerState::kBuffering;
        ++buffers_;
      }
      break;
    case EventType::kBufferEnd:
      if (state_ == PlayerState::kBuffering) state_ = PlayerState::kPlaying;
      break;
    case EventType::kSeek:
      if (pos < reached) ++rewinds_;
      if (pos > reached) ++forwards_;
      if (state_ == PlayerState::kEnded) state_ = PlayerState::kPlaying;
      break;
    case EventType::kHeartbeat:
      if (state_ == PlayerState::kEnded) state_ = PlayerState::kPlaying;
      break;
    case EventType::kQualityChange:
      break;
    case EventType::kStop:
    case EventType::kComplete:
      state_ = PlayerState::kEnded;
      break;
  }
  pos_ms_ = pos;
  max_pos_ms_ = std::max(max_pos_ms_, reached);
  TakeAttributes(e, interner);
}

SessionRecord SessionAccumulator::Finalize(std::string_view session_id, bool closed,
                                           const SessionConfig& config, const Interner& interner,
                                           const CatalogView* catalog) const {
  SessionRecord r;
  r.session_id = std::string(session_id);
  r.user_id = std::string(interner.Get(user_));
  r.content_id = std::string(interner.Get(content_));
  r.start = EpochMillis{start_ms_};
  r.end = EpochMillis{last_ts_ms_};
  r.date_key = DayOf(r.start);
  r.watch_ms = watch_ms_;
  r.pause_ms = pause_ms_;
  r.buffer_ms = buffer_ms_;
  r.pauses = pauses_;
  r.rewinds = rewinds_;
  r.forwards = forwards_;
  r.buffers = buffers_;
  r.playback_position_ms = pos_ms_;
  r.max_position_ms = max_pos_ms_;
  r.max_quality = max_quality_;
  r.autoplay = autoplay_;
  r.complete_seen = complete_seen_;
  r.event_count = event_count_;
  r.state = state_;
  r.last_type = last_type_;
  r.device_type = device_type_;
  r.device_id = std::string(interner.Get(device_id_));
  r.platform = std::string(interner.Get(platform_));
  r.app_version = std::string(interner.Get(app_version_));

  const ContentInfo* content = catalog != nullptr ? catalog->FindContent(r.content_id) : nullptr;
  const UserInfo* user = catalog != nullptr ? catalog->FindUser(r.user_id) : nullptr;

  r.content_length_ms = content_length_ms_;
  if (r.content_length_ms == kAbsent && content != nullptr && content->length_ms > 0) {
    r.content_length_ms = content->length_ms;
  }
  if (r.has_length()) {
    r.credits_start_ms = CreditsStartMs(content, r.content_length_ms, config.credits_default_fraction);
    r.watched_credits = r.max_position_ms >= r.credits_start_ms;
    r.coverage_ms = intervals_.CoveredMs(r.content_length_ms);
  } else {
    r.coverage_ms = intervals_.CoveredMs(0);
  }

  if (country_[0] != 0) {
    r.country.assign(country_, 2);
  } else if (user != nullptr) {
    r.country = user->country;
  }

  if (tz_ != 0) {
    r.tz = std::string(interner.Get(tz_));
  } else if (user != nullptr && !user->timezone.empty() && IsKnownTimeZone(user->timezone)) {
    r.tz = user->timezone;
  }
  LocalTime local;
  if (!r.tz.empty()) {
    local = ToLocal(r.start, r.tz);
  } else if (has_ts_offset_) {
    local = ToLocalFixed(r.start, ts_offset_minutes_);
  } else {
    local = ToLocalFixed(r.start, 0);
  }
  r.local_start_hour = local.hour;
  r.local_date = local.date;

  r.status = closed ? ClosingStatus(r, config) : SessionStatus::kInProgress;
  return r;
}

SessionStatus ClosingStatus(const SessionRecord& r, const SessionConfig& config) {
  if (r.complete_seen || r.watched_credits) return SessionStatus::kCompleted;
  if (r.watch_ms < config.bounce_ms) return SessionStatus::kBounced;
  if (r.last_type == EventType::kStop) return SessionStatus::kStopped;
  return SessionStatus::kAbandoned;
}

SessionRecord ComputeSession(std::vector<Event> events, bool closed, const SessionConfig& config,
                             const CatalogView* catalog) {
  SortAndDeduplicate(&events);
  Interner interner;
  SessionAccumulator acc;
  for (const Event& e : events) acc.Apply(e, config, &interner);
  return acc.Finalize(events.front().session_id, closed, config, interner, catalog);
}

}  // namespace ws
