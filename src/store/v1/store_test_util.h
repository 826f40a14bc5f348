// Test helpers for the store: temporary directories, field-by-field
// comparisons, and a generator of realistic synthetic events.
// Test-only; not part of the library.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "event/event.h"
#include "event/parser.h"
#include "session/session.h"
#include "util/arena.h"

namespace ws::store::testing {

// A fresh directory under /tmp, removed recursively on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/ws-store-test-XXXXXX";
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void ExpectEventEq(const Event& a, const Event& b, size_t i) {
  SCOPED_TRACE("event #" + std::to_string(i));
  EXPECT_EQ(a.event_id, b.event_id);
  EXPECT_EQ(a.session_id, b.session_id);
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.content_id, b.content_id);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.ts.v, b.ts.v);
  EXPECT_EQ(a.ts_offset_minutes, b.ts_offset_minutes);
  EXPECT_EQ(a.has_ts_offset, b.has_ts_offset);
  EXPECT_EQ(a.position_ms, b.position_ms);
  EXPECT_EQ(a.from_position_ms, b.from_position_ms);
  EXPECT_EQ(a.quality_height, b.quality_height);
  EXPECT_EQ(a.autoplay, b.autoplay);
  EXPECT_EQ(a.device_type, b.device_type);
  EXPECT_EQ(a.device_id, b.device_id);
  EXPECT_EQ(a.platform, b.platform);
  EXPECT_EQ(a.app_version, b.app_version);
  EXPECT_EQ(a.country[0], b.country[0]);
  EXPECT_EQ(a.country[1], b.country[1]);
  EXPECT_EQ(a.tz, b.tz);
  EXPECT_EQ(a.content_length_ms, b.content_length_ms);
  EXPECT_EQ(a.metadata, b.metadata);
}

inline void ExpectEventsEq(const std::vector<Event>& a, const std::vector<Event>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ExpectEventEq(a[i], b[i], i);
}

inline void ExpectSessionEq(const SessionRecord& a, const SessionRecord& b) {
  SCOPED_TRACE("session " + a.session_id);
  EXPECT_EQ(a.session_id, b.session_id);
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.content_id, b.content_id);
  EXPECT_EQ(a.date_key, b.date_key);
  EXPECT_EQ(a.start, b.start);
  EXPECT_EQ(a.end, b.end);
  EXPECT_EQ(a.watch_ms, b.watch_ms);
  EXPECT_EQ(a.pause_ms, b.pause_ms);
  EXPECT_EQ(a.buffer_ms, b.buffer_ms);
  EXPECT_EQ(a.pauses, b.pauses);
  EXPECT_EQ(a.rewinds, b.rewinds);
  EXPECT_EQ(a.forwards, b.forwards);
  EXPECT_EQ(a.buffers, b.buffers);
  EXPECT_EQ(a.playback_position_ms, b.playback_position_ms);
  EXPECT_EQ(a.max_position_ms, b.max_position_ms);
  EXPECT_EQ(a.content_length_ms, b.content_length_ms);
  EXPECT_EQ(a.coverage_ms, b.coverage_ms);
  EXPECT_EQ(a.credits_start_ms, b.credits_start_ms);
  EXPECT_EQ(a.watched_credits, b.watched_credits);
  EXPECT_EQ(a.autoplay, b.autoplay);
  EXPECT_EQ(a.complete_seen, b.complete_seen);
  EXPECT_EQ(a.max_quality, b.max_quality);
  EXPECT_EQ(a.event_count, b.event_count);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.last_type, b.last_type);
  EXPECT_EQ(a.origin, b.origin);
  EXPECT_EQ(a.device_type, b.device_type);
  EXPECT_EQ(a.device_id, b.device_id);
  EXPECT_EQ(a.platform, b.platform);
  EXPECT_EQ(a.app_version, b.app_version);
  EXPECT_EQ(a.country, b.country);
  EXPECT_EQ(a.tz, b.tz);
  EXPECT_EQ(a.local_start_hour, b.local_start_hour);
  EXPECT_EQ(a.local_date, b.local_date);
}

inline void ExpectRejectionEq(const Rejection& a, const Rejection& b) {
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.message, b.message);
  EXPECT_EQ(a.raw, b.raw);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.line, b.line);
  EXPECT_EQ(a.received_at, b.received_at);
}

inline std::string RandomUuid(std::mt19937_64& rng) {
  uint64_t hi = rng();
  uint64_t lo = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
                hi >> 32, (hi >> 16) & 0xffff, hi & 0xfff, ((lo >> 48) & 0x3fff) | 0x8000,
                lo & uint64_t{0xffffffffffff});
  return buf;
}

// Realistic viewing events (docs: the size target of the store): random
// UUID event ids and session ids, 50-200 events per session, heartbeats
// every 10-30 s with positions advancing with the clock (small jitter),
// occasional pauses, seeks, buffering and quality changes, per-session
// constant user/content/device fields. Strings live in `arena`.
inline std::vector<Event> MakeRealisticEvents(size_t sessions, uint64_t seed, StringArena* arena,
                                              EpochMillis day_start = EpochMillis{1790000000000LL}) {
  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  static const char* kPlatforms[] = {"android", "ios", "tizen", "chrome", "webos", "roku"};
  static const char* kZones[] = {"", "Asia/Seoul", "America/New_York", "Europe/Berlin", "Asia/Tokyo"};
  static const char* kCountries[] = {"KR", "US", "DE", "JP", "BR", "FR"};
  std::vector<Event> out;
  for (size_t s = 0; s < sessions; ++s) {
    Event base;
    base.session_id = arena->Copy(RandomUuid(rng));
    base.user_id = arena->Copy("u-" + std::to_string(uni(0, 50000)));
    base.content_id = arena->Copy("m-" + std::to_string(uni(0, 3000)));
    base.device_id = arena->Copy("dev-" + std::to_string(uni(0, 1000000)));
    base.device_type = static_cast<DeviceType>(uni(1, 7));
    base.platform = kPlatforms[uni(0, 5)];
    base.app_version = arena->Copy("5." + std::to_string(uni(0, 20)) + "." + std::to_string(uni(0, 9)));
    const char* c = kCountries[uni(0, 5)];
    base.country[0] = c[0];
    base.country[1] = c[1];
    base.tz = kZones[uni(0, 4)];
    if (uni(0, 3) == 0) {
      base.has_ts_offset = true;
      base.ts_offset_minutes = 540;
    }
    if (uni(0, 9) == 0) base.metadata = R"({"cdn":"edge-7","ab":"b"})";
    int64_t ts = day_start.v + uni(0, kMillisPerDay - 4 * kMillisPerHour);
    int64_t pos = uni(0, 10) == 0 ? uni(0, 3000000) : 0;
    int64_t n = uni(50, 200);
    int32_t quality = 1080;
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
        e.type = uni(0, 2) == 0 ? EventType::kComplete : EventType::kStop;
      } else {
        int64_t r = uni(0, 99);
        if (paused) {
          e.type = EventType::kResume;
          paused = false;
        } else if (r < 3) {
          e.type = EventType::kPause;
          paused = true;
        } else if (r < 5) {
          e.type = EventType::kSeek;
          e.from_position_ms = pos;
          pos = std::max<int64_t>(0, pos + uni(-60000, 120000));
        } else if (r < 7) {
          e.type = EventType::kBufferStart;
        } else if (r < 9) {
          e.type = EventType::kBufferEnd;
        } else if (r < 10) {
          e.type = EventType::kQualityChange;
          quality = uni(0, 1) ? 720 : 1080;
          e.quality_height = quality;
        } else {
          e.type = EventType::kHeartbeat;
        }
      }
      e.position_ms = pos;
      out.push_back(e);
      int64_t dt = uni(10000, 30000);
      ts += dt;
      if (!paused) pos += dt + uni(-200, 200);
    }
  }
  return out;
}

}  // namespace ws::store::testing
