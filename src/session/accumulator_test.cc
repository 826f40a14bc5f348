// One test (at least) per rule of SPEC 2, on ComputeSession: the pure
// function every ingest path must agree with.
#include "session/accumulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace ws {
namespace {

constexpr int64_t kT0 = 1'790'000'000'000;  // 2026-09-21T...Z, an arbitrary instant

class FakeCatalog : public CatalogView {
 public:
  const ContentInfo* FindContent(std::string_view id) const override {
    auto it = content.find(std::string(id));
    return it == content.end() ? nullptr : &it->second;
  }
  const TitleInfo* FindTitle(std::string_view) const override { return nullptr; }
  const UserInfo* FindUser(std::string_view id) const override {
    auto it = users.find(std::string(id));
    return it == users.end() ? nullptr : &it->second;
  }
  std::map<std::string, ContentInfo> content;
  std::map<std::string, UserInfo> users;
};

// An event at kT0 + seconds, with position in seconds (negative: absent).
Event Ev(EventType type, double at_s, double pos_s = -1) {
  Event e;
  e.session_id = "s1";
  e.user_id = "u1";
  e.content_id = "c1";
  e.type = type;
  e.ts = EpochMillis{kT0 + static_cast<int64_t>(at_s * 1000)};
  e.position_ms = pos_s < 0 ? kAbsent : static_cast<int64_t>(pos_s * 1000);
  return e;
}

SessionRecord Compute(std::vector<Event> events, const CatalogView* catalog = nullptr, bool closed = true) {
  return ComputeSession(std::move(events), closed, SessionConfig{}, catalog);
}

using T = EventType;

// 2.1 Deduplication ---------------------------------------------------------

TEST(Dedup, SameEventIdCountedOnce) {
  Event a = Ev(T::kStart, 0, 0);
  a.event_id = "e1";
  Event b = Ev(T::kHeartbeat, 30, 30);
  b.event_id = "e2";
  SessionRecord r = Compute({a, b, b, b});
  EXPECT_EQ(r.event_count, 2);
  EXPECT_EQ(r.watch_ms, 30'000);
}

TEST(Dedup, WithoutIdIdentityIsSessionTypeTsPosition) {
  SessionRecord r = Compute(
      {Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 30, 30), Ev(T::kHeartbeat, 30, 30), Ev(T::kHeartbeat, 30, 31)});
  EXPECT_EQ(r.event_count, 3);  // the position-31 heartbeat is another event
}

TEST(Dedup, DifferingCopiesKeepTheOneThatSortsFirst) {
  Event start = Ev(T::kStart, 0, 0);
  Event early = Ev(T::kStop, 50, 50);
  early.event_id = "x";
  Event late = Ev(T::kStop, 90, 90);
  late.event_id = "x";
  SessionRecord r1 = Compute({start, late, early});
  SessionRecord r2 = Compute({start, early, late});
  EXPECT_EQ(r1.event_count, 2);
  EXPECT_EQ(r1.end.v, kT0 + 50'000);
  EXPECT_EQ(r1.watch_ms, r2.watch_ms);
  EXPECT_EQ(r1.end, r2.end);
}

// 2.2 Order -------------------------------------------------------------------

TEST(Order, ArrivalOrderDoesNotMatter) {
  std::vector<Event> ev = {
      Ev(T::kStart, 0, 0),          Ev(T::kHeartbeat, 20, 20),  Ev(T::kPause, 40, 40),
      Ev(T::kResume, 100, 40),      Ev(T::kSeek, 110, 10),      Ev(T::kHeartbeat, 130, 30),
      Ev(T::kBufferStart, 140, 40), Ev(T::kBufferEnd, 150, 40), Ev(T::kStop, 170, 60)};
  SessionRecord ref = Compute(ev);
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(ev.begin(), ev.end(), rng);
    SessionRecord r = Compute(ev);
    EXPECT_EQ(r.watch_ms, ref.watch_ms);
    EXPECT_EQ(r.pause_ms, ref.pause_ms);
    EXPECT_EQ(r.coverage_ms, ref.coverage_ms);
    EXPECT_EQ(r.rewinds, ref.rewinds);
    EXPECT_EQ(r.playback_position_ms, ref.playback_position_ms);
  }
}

TEST(Order, TypeRankBreaksTiesOnTimestamp) {
  // pause (rank 7) and resume (rank 1) at the same instant: resume first, so
  // the pause is applied last and the session ends paused.
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kPause, 10, 10), Ev(T::kResume, 10, 10)});
  EXPECT_EQ(r.state, PlayerState::kPaused);
  EXPECT_EQ(r.pauses, 1);
}

// 2.3 State machine -------------------------------------------------------------

TEST(StateMachine, StartOpensPlaying) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 30, 30)});
  EXPECT_EQ(r.watch_ms, 30'000);
  EXPECT_EQ(r.state, PlayerState::kPlaying);
}

TEST(StateMachine, FirstEventNotStartIsImplicitStartNotCounted) {
  SessionRecord paused =
      Compute({Ev(T::kPause, 0, 100), Ev(T::kResume, 60, 100), Ev(T::kHeartbeat, 90, 130)});
  EXPECT_EQ(paused.pauses, 0);
  EXPECT_EQ(paused.pause_ms, 60'000);
  EXPECT_EQ(paused.watch_ms, 30'000);

  SessionRecord seek = Compute({Ev(T::kSeek, 0, 100), Ev(T::kHeartbeat, 20, 120)});
  EXPECT_EQ(seek.rewinds + seek.forwards, 0);
  EXPECT_EQ(seek.watch_ms, 20'000);

  SessionRecord buffering = Compute({Ev(T::kBufferStart, 0, 0), Ev(T::kHeartbeat, 20, 20)});
  EXPECT_EQ(buffering.buffers, 0);
  EXPECT_EQ(buffering.watch_ms, 20'000);  // implicit start: playing
  EXPECT_EQ(buffering.buffer_ms, 0);
}

TEST(StateMachine, FirstEventCompleteMarksCompletedAndQualityCounts) {
  Event c = Ev(T::kComplete, 0, 10);
  c.quality_height = 1080;
  SessionRecord r = Compute({c});
  EXPECT_EQ(r.status, SessionStatus::kCompleted);
  EXPECT_EQ(r.max_quality, 1080);
  EXPECT_EQ(r.state, PlayerState::kEnded);
}

TEST(StateMachine, LaterStartPlaysFromAnyState) {
  SessionRecord r =
      Compute({Ev(T::kStart, 0, 0), Ev(T::kStop, 10, 10), Ev(T::kStart, 20, 10), Ev(T::kHeartbeat, 50, 40)});
  EXPECT_EQ(r.watch_ms, 10'000 + 30'000);
  EXPECT_EQ(r.state, PlayerState::kPlaying);
}

TEST(StateMachine, PauseFromPlayingOrBufferingCountsElseIgnored) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kPause, 10, 10), Ev(T::kPause, 20, 10),
                             Ev(T::kResume, 30, 10), Ev(T::kBufferStart, 40, 20), Ev(T::kPause, 50, 20)});
  EXPECT_EQ(r.pauses, 2);
  EXPECT_EQ(r.state, PlayerState::kPaused);
}

TEST(StateMachine, ResumeOnlyFromPaused) {
  SessionRecord r = Compute(
      {Ev(T::kStart, 0, 0), Ev(T::kBufferStart, 10, 10), Ev(T::kResume, 20, 10), Ev(T::kBufferEnd, 30, 10)});
  EXPECT_EQ(r.buffer_ms, 20'000);  // the resume did not end the buffering
}

TEST(StateMachine, BufferStartOnlyFromPlaying) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kPause, 10, 10), Ev(T::kBufferStart, 20, 10),
                             Ev(T::kResume, 30, 10), Ev(T::kBufferStart, 40, 20), Ev(T::kBufferEnd, 45, 20)});
  EXPECT_EQ(r.buffers, 1);
  EXPECT_EQ(r.buffer_ms, 5'000);
}

TEST(StateMachine, BufferEndOnlyFromBuffering) {
  SessionRecord r = Compute(
      {Ev(T::kStart, 0, 0), Ev(T::kPause, 10, 10), Ev(T::kBufferEnd, 20, 10), Ev(T::kHeartbeat, 30, 10)});
  EXPECT_EQ(r.state, PlayerState::kPaused);
  EXPECT_EQ(r.pause_ms, 20'000);
}

TEST(StateMachine, SeekCountsRewindsAndForwards) {
  SessionRecord r =
      Compute({Ev(T::kStart, 0, 0), Ev(T::kSeek, 30, 5), Ev(T::kSeek, 40, 300), Ev(T::kSeek, 50, 310)});
  // Reached positions are extrapolated: 30, 15, 310 -> rewind, forward, none.
  EXPECT_EQ(r.rewinds, 1);
  EXPECT_EQ(r.forwards, 1);
}

TEST(StateMachine, SeekUsesFromPositionWhenGiven) {
  Event s = Ev(T::kSeek, 30, 100);
  s.from_position_ms = 200'000;
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), s});
  EXPECT_EQ(r.rewinds, 1);
  EXPECT_EQ(r.max_position_ms, 200'000);
}

TEST(StateMachine, HeartbeatQualityChangeNoStateChange) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kPause, 10, 10), Ev(T::kHeartbeat, 20, 10),
                             Ev(T::kQualityChange, 30, 10), Ev(T::kResume, 40, 10)});
  EXPECT_EQ(r.pause_ms, 30'000);
}

TEST(StateMachine, StopAndCompleteEnd) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kStop, 10, 10), Ev(T::kQualityChange, 100, 10)});
  EXPECT_EQ(r.watch_ms, 10'000);
  EXPECT_EQ(r.state, PlayerState::kEnded);
}

TEST(StateMachine, EndedReopensOnStartResumeHeartbeatSeek) {
  for (EventType t : {T::kStart, T::kResume, T::kHeartbeat, T::kSeek}) {
    SessionRecord r =
        Compute({Ev(T::kStart, 0, 0), Ev(T::kStop, 10, 10), Ev(t, 20, 10), Ev(T::kHeartbeat, 50, 40)});
    EXPECT_EQ(r.watch_ms, 40'000) << EventTypeName(t);
  }
  SessionRecord r =
      Compute({Ev(T::kStart, 0, 0), Ev(T::kStop, 10, 10), Ev(T::kPause, 20, 10), Ev(T::kHeartbeat, 50, 10)});
  EXPECT_EQ(r.watch_ms, 10'000);
}

TEST(Position, ExtrapolatedWhenMissing) {
  SessionRecord r =
      Compute({Ev(T::kStart, 0, 100), Ev(T::kHeartbeat, 30), Ev(T::kPause, 40), Ev(T::kStop, 100)});
  EXPECT_EQ(r.playback_position_ms, 140'000);  // 100 + 30 + 10, frozen while paused
  SessionRecord first = Compute({Ev(T::kStart, 0), Ev(T::kHeartbeat, 30)});
  EXPECT_EQ(first.playback_position_ms, 30'000);  // first event without position is at 0
}

TEST(Position, ExtrapolationUsesCappedGap) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 1000)});
  EXPECT_EQ(r.playback_position_ms, 120'000);
}

// 2.4 Time accounting ------------------------------------------------------------

TEST(Time, WatchTimeCappedPerGap) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 30, 30), Ev(T::kHeartbeat, 630, 630)});
  EXPECT_EQ(r.watch_ms, 30'000 + 120'000);
}

TEST(Time, BufferingCapped) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kBufferStart, 10, 10), Ev(T::kBufferEnd, 400, 10)});
  EXPECT_EQ(r.buffer_ms, 120'000);
  EXPECT_EQ(r.buffers, 1);
}

TEST(Time, PauseNotCapped) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kPause, 10, 10), Ev(T::kResume, 1810, 10)});
  EXPECT_EQ(r.pause_ms, 1'800'000);
}

TEST(Time, EndedCreditsNothing) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kStop, 10, 10), Ev(T::kStop, 100, 10)});
  EXPECT_EQ(r.watch_ms, 10'000);
  EXPECT_EQ(r.session_id, "s1");
  EXPECT_EQ(r.duration_ms(), 100'000);
}

TEST(Coverage, UnionOfWatchedIntervals) {
  FakeCatalog cat;
  cat.content["c1"].length_ms = 1'000'000;
  SessionRecord r = Compute(
      {Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 30, 30), Ev(T::kSeek, 40, 10), Ev(T::kHeartbeat, 70, 40)},
      &cat);
  // [0,30] + [30,40] + [10,40] -> [0,40]
  EXPECT_EQ(r.coverage_ms, 40'000);
  EXPECT_DOUBLE_EQ(r.coverage_percentage(), 4.0);
}

TEST(Coverage, FasterThanDoubleSpeedIsNotWatched) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 10, 26)});  // 26 > 2*10+5
  EXPECT_EQ(r.coverage_ms, 0);
  SessionRecord ok = Compute({Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 10, 25)});
  EXPECT_EQ(ok.coverage_ms, 25'000);
}

TEST(Coverage, ClippedToLength) {
  Event s = Ev(T::kStart, 0, 90);
  s.content_length_ms = 100'000;
  SessionRecord r = Compute({s, Ev(T::kHeartbeat, 20, 110)});
  EXPECT_EQ(r.coverage_ms, 10'000);
}

TEST(Coverage, OnlyWhilePlaying) {
  SessionRecord r = Compute({Ev(T::kStart, 0, 0), Ev(T::kPause, 10, 10), Ev(T::kResume, 40, 30)});
  EXPECT_EQ(r.coverage_ms, 10'000);
}

// 2.5 Measures --------------------------------------------------------------------

TEST(Measures, CompletionPercentageClipped) {
  Event s = Ev(T::kStart, 0, 0);
  s.content_length_ms = 100'000;
  SessionRecord r = Compute({s, Ev(T::kStop, 10, 150)});
  EXPECT_DOUBLE_EQ(r.completion_percentage(), 100.0);
  SessionRecord unknown = Compute({Ev(T::kStart, 0, 0)});
  EXPECT_FALSE(unknown.has_length());
}

TEST(Measures, EventLengthOverridesCatalog) {
  FakeCatalog cat;
  cat.content["c1"].length_ms = 1'000'000;
  Event h = Ev(T::kHeartbeat, 10, 50);
  h.content_length_ms = 200'000;
  SessionRecord r = Compute({Ev(T::kStart, 0, 40), h}, &cat);
  EXPECT_EQ(r.content_length_ms, 200'000);
  EXPECT_DOUBLE_EQ(r.completion_percentage(), 25.0);
}

TEST(Measures, WatchedCreditsFromCatalogElse95Percent) {
  FakeCatalog cat;
  cat.content["c1"].length_ms = 100'000;
  cat.content["c1"].credits_start_ms = 80'000;
  SessionRecord r = Compute({Ev(T::kStart, 0, 70), Ev(T::kHeartbeat, 10, 80)}, &cat);
  EXPECT_TRUE(r.watched_credits);
  EXPECT_EQ(r.status, SessionStatus::kCompleted);
  cat.content["c1"].credits_start_ms = -1;
  SessionRecord r2 = Compute({Ev(T::kStart, 0, 70), Ev(T::kHeartbeat, 10, 80)}, &cat);
  EXPECT_FALSE(r2.watched_credits);
  SessionRecord r3 = Compute({Ev(T::kStart, 0, 85), Ev(T::kHeartbeat, 10, 95)}, &cat);
  EXPECT_TRUE(r3.watched_credits);
}

TEST(Measures, MaxQualityAutoplayAndFirstCarriedAttributes) {
  Event s = Ev(T::kStart, 0, 0);
  s.autoplay = 1;
  s.quality_height = 720;
  Event h = Ev(T::kHeartbeat, 10, 10);
  h.quality_height = 2160;
  h.platform = "tizen";
  h.device_type = DeviceType::kTv;
  h.country[0] = 'K';
  h.country[1] = 'R';
  Event q = Ev(T::kQualityChange, 20, 20);
  q.quality_height = 480;
  q.platform = "android";
  SessionRecord r = Compute({s, h, q});
  EXPECT_EQ(r.max_quality, 2160);
  EXPECT_TRUE(r.autoplay);
  EXPECT_EQ(r.platform, "tizen");
  EXPECT_EQ(r.device_type, DeviceType::kTv);
  EXPECT_EQ(r.country, "KR");
  EXPECT_EQ(r.event_count, 3);
}

TEST(Measures, CountryFallsBackToUsersCountry) {
  FakeCatalog cat;
  cat.users["u1"].country = "JP";
  SessionRecord r = Compute({Ev(T::kStart, 0, 0)}, &cat);
  EXPECT_EQ(r.country, "JP");
}

TEST(Measures, MaxPositionIsHighestReached) {
  SessionRecord r = Compute(
      {Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 100, 100), Ev(T::kSeek, 110, 5), Ev(T::kStop, 120, 15)});
  EXPECT_EQ(r.max_position_ms, 110'000);
  EXPECT_EQ(r.playback_position_ms, 15'000);
}

// 2.6 Local time ---------------------------------------------------------------------

TEST(LocalTime, EventTzThenUserTzThenOffsetThenUtc) {
  // 2026-10-01T12:30:00Z
  const int64_t noon = 1'790'857'800'000;
  Event e = Ev(T::kStart, 0, 0);
  e.ts = EpochMillis{noon};
  FakeCatalog cat;
  cat.users["u1"].timezone = "America/New_York";

  Event with_tz = e;
  with_tz.tz = "Asia/Seoul";
  EXPECT_EQ(Compute({with_tz}, &cat).local_start_hour, 21);
  EXPECT_EQ(Compute({e}, &cat).local_start_hour, 8);
  Event offset = e;
  offset.has_ts_offset = true;
  offset.ts_offset_minutes = 330;
  EXPECT_EQ(Compute({offset}).local_start_hour, 18);
  SessionRecord utc = Compute({e});
  EXPECT_EQ(utc.local_start_hour, 12);
  EXPECT_EQ(FormatDate(utc.date_key), "2026-10-01");
}

TEST(LocalTime, LocalDateDiffersFromUtcDate) {
  Event e = Ev(T::kStart, 0, 0);
  e.ts = EpochMillis{1'790'888'400'000};  // 2026-10-01T21:00:00Z
  e.tz = "Asia/Tokyo";
  SessionRecord r = Compute({e});
  EXPECT_EQ(FormatDate(r.date_key), "2026-10-01");
  EXPECT_EQ(FormatDate(r.local_date), "2026-10-02");
  EXPECT_EQ(r.local_start_hour, 6);
}

// 2.7 Status ----------------------------------------------------------------------------

TEST(Status, CompletedByCompleteEvent) {
  EXPECT_EQ(Compute({Ev(T::kStart, 0, 0), Ev(T::kComplete, 5, 5)}).status, SessionStatus::kCompleted);
}

TEST(Status, BouncedUnderTenSeconds) {
  EXPECT_EQ(Compute({Ev(T::kStart, 0, 0), Ev(T::kStop, 9, 9)}).status, SessionStatus::kBounced);
}

TEST(Status, StoppedWhenLastIsStop) {
  EXPECT_EQ(Compute({Ev(T::kStart, 0, 0), Ev(T::kStop, 60, 60)}).status, SessionStatus::kStopped);
}

TEST(Status, AbandonedWhenSilent) {
  EXPECT_EQ(Compute({Ev(T::kStart, 0, 0), Ev(T::kHeartbeat, 60, 60)}).status, SessionStatus::kAbandoned);
}

TEST(Status, OpenSessionsAreInProgress) {
  EXPECT_EQ(Compute({Ev(T::kStart, 0, 0), Ev(T::kStop, 60, 60)}, nullptr, false).status,
            SessionStatus::kInProgress);
}

}  // namespace
}  // namespace ws
