// Realistic synthetic session records for the store benchmarks
// (bench/commit_bench.cc, bench/scan_bench.cc): what one busy day of the
// sessions table looks like.
//
// Value ranges: up to 100,000 users, 10,000 titles and 120,000 devices (so
// their surrogate keys stay below ~10^5), sessions starting anywhere in the
// UTC day, durations from a few seconds (bounces) to four hours in
// milliseconds, watch/pause/buffer times and positions consistent with the
// duration and the title's length, small counters, statuses and states.
// Strings are random v4 UUID session ids and the same id shapes as
// event/synthetic_events.h ("u-123", "m-45", "dev-678").
//
// Header-only, benchmarks only: nothing in watchstats_core includes it.
// Thread safety: pure functions of their arguments.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "event/synthetic_events.h"
#include "session/data_store.h"
#include "session/session.h"
#include "session/session_table.h"
#include "util/time.h"

namespace ws::bench {

inline constexpr int64_t kSessionUsers = 100000;
inline constexpr int64_t kSessionTitles = 10000;
inline constexpr int64_t kSessionDevices = 120000;

// One realistic session starting on `day`. Keys are not assigned (see
// AssignKeys in session/session_table.h).
inline SessionRecord MakeRealisticSession(std::mt19937_64& rng, DayNumber day) {
  constexpr int64_t kShortestMs = 3 * kMillisPerSecond;
  constexpr double kLongestOverShortest = 4800.0;  // 3 s .. 4 h, log-uniform
  constexpr int64_t kBounceMs = 10 * kMillisPerSecond;
  constexpr int64_t kMinTitleMinutes = 20;
  constexpr int64_t kTitleMinutesSpan = 130;
  constexpr int kUnknownLengthOneIn = 20;
  constexpr double kCreditsFraction = 0.95;
  constexpr int64_t kPauseShare = 10;   // pauses take up to a tenth of the duration
  constexpr int64_t kBufferShare = 50;  // buffering up to a fiftieth, at most a minute
  constexpr int64_t kMaxBufferMs = kMillisPerMinute;
  constexpr int kResumeOneIn = 8;
  constexpr int64_t kMaxCount = 12;
  constexpr int64_t kHeartbeatMs = 20 * kMillisPerSecond;
  constexpr int kAbandonOneIn = 6;
  constexpr int64_t kHoursPerDay = 24;
  static const char* const kPlatforms[] = {"android", "ios", "tizen", "chrome", "webos", "roku"};
  static const char* const kZones[] = {"", "Asia/Seoul", "America/New_York", "Europe/Berlin", "Asia/Tokyo"};
  static const int kZoneOffsetHours[] = {0, 9, -5, 1, 9};
  static const char* const kCountries[] = {"KR", "US", "DE", "JP", "BR", "FR"};
  static const int32_t kQualities[] = {480, 720, 1080, 2160};
  constexpr int64_t kAppMinors = 20;
  constexpr int64_t kAppPatches = 9;

  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto pick = [&](const auto& array) { return array[uni(0, static_cast<int64_t>(std::size(array)) - 1)]; };
  const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng);

  SessionRecord r;
  r.session_id = synthetic::RandomUuid(rng);
  r.user_id = "u-" + std::to_string(uni(1, kSessionUsers));
  const int64_t title = uni(1, kSessionTitles);
  r.content_id = "m-" + std::to_string(title);
  r.device_id = "dev-" + std::to_string(uni(1, kSessionDevices));
  r.device_type = static_cast<DeviceType>(
      uni(static_cast<int64_t>(DeviceType::kTv), static_cast<int64_t>(DeviceType::kOther)));
  r.platform = pick(kPlatforms);
  r.app_version = "5." + std::to_string(uni(0, kAppMinors)) + "." + std::to_string(uni(0, kAppPatches));
  r.country = pick(kCountries);
  const int64_t zone = uni(0, static_cast<int64_t>(std::size(kZones)) - 1);
  r.tz = kZones[zone];

  r.date_key = day;
  r.start.v = int64_t{day.v} * kMillisPerDay + uni(0, kMillisPerDay - 1);
  const int64_t duration =
      static_cast<int64_t>(static_cast<double>(kShortestMs) * std::pow(kLongestOverShortest, unit));
  r.end.v = r.start.v + duration;
  const int64_t hour = (r.start.v % kMillisPerDay) / kMillisPerHour;
  const int64_t local_hour = hour + kZoneOffsetHours[zone];
  r.local_start_hour = static_cast<int32_t>((local_hour + kHoursPerDay) % kHoursPerDay);
  r.local_date.v = day.v + (local_hour < 0 ? -1 : local_hour >= kHoursPerDay ? 1 : 0);

  r.pause_ms = uni(0, duration / kPauseShare);
  r.buffer_ms = uni(0, std::min(duration / kBufferShare, kMaxBufferMs));
  r.watch_ms = std::max<int64_t>(0, duration - r.pause_ms - r.buffer_ms);
  // A title's length depends on the title only.
  const int64_t length = (kMinTitleMinutes + title * 7919 % kTitleMinutesSpan) * kMillisPerMinute;
  const bool known = uni(0, kUnknownLengthOneIn - 1) != 0;
  r.content_length_ms = known ? length : kAbsent;
  const int64_t resume_at = uni(0, kResumeOneIn - 1) == 0 ? uni(0, length / 2) : 0;
  r.playback_position_ms = std::min(length, resume_at + r.watch_ms);
  r.max_position_ms = std::min(length, r.playback_position_ms + uni(0, kMillisPerMinute));
  r.coverage_ms = std::min(length, r.watch_ms);
  r.credits_start_ms = known ? static_cast<int64_t>(kCreditsFraction * static_cast<double>(length)) : kAbsent;
  r.watched_credits = known && r.playback_position_ms >= r.credits_start_ms;
  r.pauses = static_cast<int32_t>(uni(0, kMaxCount));
  r.rewinds = static_cast<int32_t>(uni(0, kMaxCount / 3));
  r.forwards = static_cast<int32_t>(uni(0, kMaxCount / 3));
  r.buffers = static_cast<int32_t>(uni(0, kMaxCount / 2));
  r.max_quality = pick(kQualities);
  r.event_count = static_cast<int32_t>(1 + duration / kHeartbeatMs + 2 * r.pauses + r.rewinds + r.forwards +
                                       2 * r.buffers);
  r.autoplay = uni(0, 1) == 1;
  r.complete_seen = r.watched_credits;
  if (duration < kBounceMs) {
    r.status = SessionStatus::kBounced;
    r.state = PlayerState::kEnded;
    r.last_type = EventType::kStop;
  } else if (r.watched_credits) {
    r.status = SessionStatus::kCompleted;
    r.state = PlayerState::kEnded;
    r.last_type = EventType::kComplete;
  } else if (uni(0, kAbandonOneIn - 1) == 0) {
    r.status = SessionStatus::kAbandoned;
    r.state = PlayerState::kPlaying;
    r.last_type = EventType::kHeartbeat;
  } else {
    r.status = SessionStatus::kStopped;
    r.state = PlayerState::kEnded;
    r.last_type = EventType::kStop;
  }
  r.origin = SessionOrigin::kEvents;
  return r;
}

// `n` realistic sessions of `day`, keys assigned from `keys` (new values are
// interned). Deterministic for a given (n, seed, day) and registry state.
inline std::vector<SessionRecord> MakeRealisticSessions(size_t n, uint64_t seed, DayNumber day,
                                                        const SessionKeys& keys) {
  std::mt19937_64 rng(seed);
  std::vector<SessionRecord> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(MakeRealisticSession(rng, day));
    AssignKeys(&out.back(), keys);
  }
  return out;
}

// Sessions per commit while CommitRealisticDay builds a day: bounds the
// memory of the records and the file being encoded.
inline constexpr size_t kDayBuildChunk = 250000;

// Commits `n` realistic sessions of `day` to `ds`, kDayBuildChunk at a time
// and in at least two chunks (one delta per chunk, chunk k generated with
// seed + k), calling on_chunk(records) after each commit, then compacts the
// store until no partition needs it: the deltas merge into one base (a
// partition of one delta is never compacted, hence two chunks). Failure:
// the store's.
inline Status CommitRealisticDay(DataStore* ds, DayNumber day, size_t n, uint64_t seed,
                                 const std::function<void(const std::vector<SessionRecord>&)>& on_chunk) {
  const size_t per_chunk = std::min(kDayBuildChunk, std::max<size_t>(1, (n + 1) / 2));
  size_t done = 0;
  for (uint64_t chunk = 0; done < n; ++chunk) {
    const size_t k = std::min(per_chunk, n - done);
    std::vector<SessionRecord> records = MakeRealisticSessions(k, seed + chunk, day, ds->keys());
    std::vector<const SessionRecord*> refs;
    refs.reserve(records.size());
    for (const SessionRecord& r : records) refs.push_back(&r);
    WS_ASSIGN_OR_RETURN(store::NewFile file, EncodeSessions(refs, {}, day));
    store::CommitRequest req;
    req.files.push_back(std::move(file));
    WS_RETURN_IF_ERROR(ds->store().Commit(std::move(req)));
    if (on_chunk) on_chunk(records);
    done += k;
  }
  return ds->store().CompactAll();
}

}  // namespace ws::bench
