// Realistic synthetic viewing events for the store's tests and benchmarks
// (the size target of the store is stated on such data).
//
// Header-only and free of any test framework, so that both the unit tests
// (through tests/store_test_util.h) and bench/segment_bench.cc use the very
// same data. Not part of the library: nothing in watchstats_core includes it.
//
// Thread safety: pure functions of their arguments (the arena is the
// caller's).
#pragma once

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "event/event.h"
#include "util/arena.h"
#include "util/time.h"

namespace ws::synthetic {

// The default first day of MakeRealisticEvents (2026-09-21T14:13:20Z).
inline constexpr EpochMillis kDefaultDayStart{1790000000000LL};

// A random version-4 UUID, lower-case text ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx").
inline std::string RandomUuid(std::mt19937_64& rng) {
  constexpr int kHalfBits = 32;
  constexpr int kQuarterBits = 16;
  constexpr uint64_t kMask12 = 0xfff;
  constexpr uint64_t kMask14 = 0x3fff;
  constexpr uint64_t kMask16 = 0xffff;
  constexpr uint64_t kMask48 = 0xffffffffffff;
  constexpr int kVariantShift = 48;
  constexpr uint64_t kVariantBits = 0x8000;  // RFC 4122 variant: 10xx
  constexpr size_t kUuidBuffer = 40;         // 36 characters and the terminator
  const uint64_t hi = rng();
  const uint64_t lo = rng();
  char buf[kUuidBuffer];
  std::snprintf(buf, sizeof buf, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
                hi >> kHalfBits, (hi >> kQuarterBits) & kMask16, hi & kMask12,
                ((lo >> kVariantShift) & kMask14) | kVariantBits, lo & kMask48);
  return buf;
}

// Realistic viewing events: random UUID event ids and session ids, 50-200
// events per session, heartbeats every 10-30 s with positions advancing with
// the clock (small jitter), occasional pauses, seeks, buffering and quality
// changes, per-session constant user/content/device fields. Sessions start
// within the 20 hours after `day_start`, so they end within a day of it.
// Events are grouped by session, in time order within each session.
// Deterministic for a given (sessions, seed, day_start).
// Requires: arena != nullptr; strings of the result live in *arena.
inline std::vector<Event> MakeRealisticEvents(size_t sessions, uint64_t seed, StringArena* arena,
                                              EpochMillis day_start = kDefaultDayStart) {
  constexpr int64_t kUsers = 50000;
  constexpr int64_t kContents = 3000;
  constexpr int64_t kDevices = 1000000;
  constexpr int64_t kAppMinors = 20;
  constexpr int64_t kAppPatches = 9;
  constexpr int kOffsetOneIn = 4;      // a quarter of sessions give a UTC offset
  constexpr int kOffsetMinutes = 540;  // +09:00
  constexpr int kMetadataOneIn = 10;   // a tenth carry metadata
  constexpr int kResumeAtOneIn = 11;   // a few sessions resume mid-title
  constexpr int64_t kMaxResumeMs = 3000000;
  constexpr int64_t kLatestStartBeforeDayEnd = 4 * kMillisPerHour;
  constexpr int64_t kMinEvents = 50;
  constexpr int64_t kMaxEvents = 200;
  constexpr int kCompleteOneIn = 3;  // otherwise the last event is a stop
  constexpr int32_t kHighQuality = 1080;
  constexpr int32_t kLowQuality = 720;
  // Event mix in percent, as cumulative bounds of a draw in [0, 100).
  constexpr int64_t kPercent = 100;
  constexpr int64_t kPauseBelow = 3;
  constexpr int64_t kSeekBelow = 5;
  constexpr int64_t kBufferStartBelow = 7;
  constexpr int64_t kBufferEndBelow = 9;
  constexpr int64_t kQualityChangeBelow = 10;
  constexpr int64_t kMaxSeekBackMs = 60000;
  constexpr int64_t kMaxSeekForwardMs = 120000;
  constexpr int64_t kMinHeartbeatMs = 10000;
  constexpr int64_t kMaxHeartbeatMs = 30000;
  constexpr int64_t kPositionJitterMs = 200;
  static const char* const kPlatforms[] = {"android", "ios", "tizen", "chrome", "webos", "roku"};
  static const char* const kZones[] = {"", "Asia/Seoul", "America/New_York", "Europe/Berlin", "Asia/Tokyo"};
  static const char* const kCountries[] = {"KR", "US", "DE", "JP", "BR", "FR"};
  constexpr auto kLast = [](const auto& array) { return static_cast<int64_t>(std::size(array)) - 1; };

  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto one_in = [&](int n) { return uni(0, n - 1) == 0; };
  std::vector<Event> out;
  for (size_t s = 0; s < sessions; ++s) {
    Event base;
    base.session_id = arena->Copy(RandomUuid(rng));
    base.user_id = arena->Copy("u-" + std::to_string(uni(0, kUsers)));
    base.content_id = arena->Copy("m-" + std::to_string(uni(0, kContents)));
    base.device_id = arena->Copy("dev-" + std::to_string(uni(0, kDevices)));
    base.device_type = static_cast<DeviceType>(
        uni(static_cast<int64_t>(DeviceType::kTv), static_cast<int64_t>(DeviceType::kOther)));
    base.platform = kPlatforms[uni(0, kLast(kPlatforms))];
    base.app_version =
        arena->Copy("5." + std::to_string(uni(0, kAppMinors)) + "." + std::to_string(uni(0, kAppPatches)));
    const char* c = kCountries[uni(0, kLast(kCountries))];
    base.country[0] = c[0];
    base.country[1] = c[1];
    base.tz = kZones[uni(0, kLast(kZones))];
    if (one_in(kOffsetOneIn)) {
      base.has_ts_offset = true;
      base.ts_offset_minutes = kOffsetMinutes;
    }
    if (one_in(kMetadataOneIn)) base.metadata = R"({"cdn":"edge-7","ab":"b"})";
    int64_t ts = day_start.v + uni(0, kMillisPerDay - kLatestStartBeforeDayEnd);
    int64_t pos = one_in(kResumeAtOneIn) ? uni(0, kMaxResumeMs) : 0;
    const int64_t n = uni(kMinEvents, kMaxEvents);
    int32_t quality = kHighQuality;
    bool paused = false;
    for (int64_t i = 0; i < n; ++i) {
      Event e = base;
      e.event_id = arena->Copy(RandomUuid(rng));
      e.ts.v = ts;
      e.quality_height = quality;
      if (i == 0) {
        e.type = EventType::kStart;
        e.autoplay = static_cast<int8_t>(uni(0, 1));
      } else if (i == n - 1) {
        e.type = one_in(kCompleteOneIn) ? EventType::kComplete : EventType::kStop;
      } else {
        const int64_t r = uni(0, kPercent - 1);
        if (paused) {
          e.type = EventType::kResume;
          paused = false;
        } else if (r < kPauseBelow) {
          e.type = EventType::kPause;
          paused = true;
        } else if (r < kSeekBelow) {
          e.type = EventType::kSeek;
          e.from_position_ms = pos;
          pos = std::max<int64_t>(0, pos + uni(-kMaxSeekBackMs, kMaxSeekForwardMs));
        } else if (r < kBufferStartBelow) {
          e.type = EventType::kBufferStart;
        } else if (r < kBufferEndBelow) {
          e.type = EventType::kBufferEnd;
        } else if (r < kQualityChangeBelow) {
          e.type = EventType::kQualityChange;
          quality = uni(0, 1) ? kLowQuality : kHighQuality;
          e.quality_height = quality;
        } else {
          e.type = EventType::kHeartbeat;
        }
      }
      e.position_ms = pos;
      out.push_back(e);
      const int64_t dt = uni(kMinHeartbeatMs, kMaxHeartbeatMs);
      ts += dt;
      if (!paused) pos += dt + uni(-kPositionJitterMs, kPositionJitterMs);
    }
  }
  return out;
}

}  // namespace ws::synthetic
