// Test helpers for the store: temporary directories, field-by-field
// comparisons, and (from event/synthetic_events.h) a generator of realistic
// synthetic events. Test-only; not part of the library.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "event/event.h"
#include "event/parser.h"
#include "event/synthetic_events.h"
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

// The realistic synthetic events, shared with bench/segment_bench.cc.
using synthetic::MakeRealisticEvents;

}  // namespace ws::store::testing
