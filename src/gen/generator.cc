// The event simulation behind Generate.
//
// Users are simulated local day by local day. On a day a user may have one
// or two sittings, started at an hour drawn from an evening-heavy profile in
// the user's own time zone. A sitting plays a movie or one to six consecutive
// episodes of a series from the user's watchlist (titles drawn from country
// popularity and tastes). Each playback is a small player model: start,
// jittered heartbeats, pauses/resumes, seeks, rebuffering, adaptive quality
// changes, and one of four endings (bounce, finish, early stop, abandon).
// Events are buffered per UTC day and written, sorted by arrival time, once
// no later simulation step can add to that day.
#include "gen/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gen/model.h"
#include "gen/rng.h"
#include "gen/text.h"

namespace ws {
namespace gen {
namespace {

// ---- Tunables -------------------------------------------------------------

// Independent random streams, so that changing one part of the world does not
// reshuffle the others.
constexpr uint64_t kCatalogStream = 1;
constexpr uint64_t kSnapshotStream = 2;
constexpr uint64_t kUserStream = 3;
constexpr uint64_t kDeviceStream = 4;
constexpr uint64_t kEventStream = 5;

constexpr int kMaxDays = 3660;
constexpr size_t kMaxLineBytes = 2048;

// Viewing habits.
constexpr std::array<double, 24> kWeekdayHourWeights = {0.5,  0.3, 0.15, 0.1, 0.08, 0.1, 0.25, 0.45,
                                                        0.5,  0.5, 0.55, 0.7, 1.0,  1.0, 0.8,  0.75,
                                                        0.85, 1.1, 1.6,  2.6, 3.2,  3.0, 2.4,  1.3};
constexpr std::array<double, 24> kWeekendHourWeights = {0.8, 0.5, 0.3, 0.15, 0.1, 0.1, 0.2, 0.4,
                                                        0.7, 1.0, 1.3, 1.5,  1.6, 1.6, 1.6, 1.6,
                                                        1.7, 1.9, 2.2, 2.8,  3.2, 3.0, 2.5, 1.6};
constexpr double kFridayBoost = 1.15;
constexpr double kWeekendBoost = 1.35;
constexpr double kMaxDailyChance = 0.98;
constexpr double kSecondSittingFactor = 0.35;
constexpr int64_t kMinGapBetweenSittingsMs = 5 * kMsPerMinute;
constexpr int64_t kMaxGapBetweenSittingsMs = 60 * kMsPerMinute;

constexpr int kMinWatchlist = 3;
constexpr int kMaxWatchlist = 10;
constexpr int kCandidateTries = 20;
constexpr double kOwnLanguageBoost = 3.0;
constexpr double kEnglishContentBoost = 1.5;
constexpr double kTasteAcceptScale = 2.0;
constexpr double kTasteSharpness = 2.0;  // exponent on genre affinity
constexpr double kMinAcceptance = 0.05;
constexpr double kDiscoverShare = 0.08;
// Series that end during the period (catalog-2) lose viewers from that day:
// fewer people start them, and some current viewers give up.
constexpr double kEndedAvoidShare = 0.6;
constexpr double kEndedDropShare = 0.3;
constexpr double kStartMidSeriesShare = 0.2;
constexpr double kPrimaryDeviceShare = 0.65;

// Sittings with series: episodes in a row.
constexpr double kSingleEpisodeShare = 0.45;
constexpr double kTwoEpisodesShare = 0.25;
constexpr int kMinBingeEpisodes = 3;
constexpr int kMaxBingeEpisodes = 6;
constexpr double kAutoplayNextShare = 0.6;
constexpr int64_t kAutoplayGapMinMs = 5 * kMsPerSecond;
constexpr int64_t kAutoplayGapMaxMs = 15 * kMsPerSecond;
constexpr int64_t kManualGapMinMs = 20 * kMsPerSecond;
constexpr int64_t kManualGapMaxMs = 6 * kMsPerMinute;
constexpr int64_t kResumeThresholdMs = 3 * kMsPerMinute;
constexpr int64_t kResumeRewindMaxMs = 10 * kMsPerSecond;

// Session outcomes (bounce, finish, stop early, abandon).
constexpr std::array<double, 4> kIntentWeights = {0.07, 0.58, 0.20, 0.15};
constexpr std::array<double, 4> kAutoplayIntentWeights = {0.12, 0.62, 0.14, 0.12};
constexpr std::array<double, 4> kBingeIntentWeights = {0.05, 0.72, 0.12, 0.11};
constexpr int64_t kBounceMinMs = 2 * kMsPerSecond;
constexpr int64_t kBounceMaxMs = 9 * kMsPerSecond;
constexpr double kBounceStopShare = 0.85;
constexpr double kEarlyMinFraction = 0.05;
constexpr double kEarlyMaxFraction = 0.9;
constexpr double kMovieCompleteShare = 0.65;
constexpr double kNextEpisodeButtonShare = 0.55;
constexpr double kEpisodeCompleteShare = 0.5;
constexpr double kEpisodeStopInCreditsShare = 0.3;
constexpr int64_t kCreditsStopMinMs = 2 * kMsPerSecond;
constexpr int64_t kCreditsStopMaxMs = 60 * kMsPerSecond;

// Player behaviour while playing (hazards per minute of playback).
constexpr double kPausePerMinute = 1.0 / 25;
constexpr double kRewindPerMinute = 1.0 / 45;
constexpr double kForwardPerMinute = 1.0 / 70;
constexpr double kQualityShiftPerMinute = 1.0 / 20;
constexpr std::array<double, 3> kPauseLengthWeights = {0.70, 0.25, 0.05};  // short, medium, long
constexpr int64_t kShortPauseMinMs = 5 * kMsPerSecond;
constexpr int64_t kShortPauseMaxMs = 2 * kMsPerMinute;
constexpr int64_t kMediumPauseMinMs = 2 * kMsPerMinute;
constexpr int64_t kMediumPauseMaxMs = 15 * kMsPerMinute;
constexpr int64_t kLongPauseMinMs = 20 * kMsPerMinute;
constexpr int64_t kLongPauseMaxMs = 2 * kMsPerHour;
constexpr double kNoResumeShare = 0.05;
constexpr double kStopAfterNoResumeShare = 0.5;  // else the player just goes silent
constexpr double kRewindShortShare = 0.7;
constexpr int64_t kRewindShortMinMs = 10 * kMsPerSecond;
constexpr int64_t kRewindShortMaxMs = 30 * kMsPerSecond;
constexpr int64_t kRewindLongMinMs = 60 * kMsPerSecond;
constexpr int64_t kRewindLongMaxMs = 5 * kMsPerMinute;
constexpr int64_t kForwardMinMs = 30 * kMsPerSecond;
constexpr int64_t kForwardMaxMs = 5 * kMsPerMinute;
constexpr double kIntroSkipShare = 0.3;
constexpr int64_t kIntroAtMinMs = 20 * kMsPerSecond;
constexpr int64_t kIntroAtMaxMs = 90 * kMsPerSecond;
constexpr int64_t kIntroLengthMinMs = 40 * kMsPerSecond;
constexpr int64_t kIntroLengthMaxMs = 85 * kMsPerSecond;
constexpr double kInitialBufferShare = 0.1;
constexpr double kBufferMedianSeconds = 2.5;
constexpr double kBufferSigma = 0.8;
constexpr double kBufferMinSeconds = 0.3;
constexpr double kBufferMaxSeconds = 45;
constexpr double kDowngradeAfterBufferShare = 0.4;
constexpr double kRampUpShare = 0.8;
constexpr int kMinStartStepsBelowMax = 1;  // the first rendition is 1-2 steps below the best
constexpr int kMaxStartStepsBelowMax = 2;
constexpr int64_t kRampUpMinMs = 2 * kMsPerSecond;
constexpr int64_t kRampUpMaxMs = 8 * kMsPerSecond;
constexpr int kLowestAdaptiveQuality = 2;  // 480p
constexpr double kUpshiftShare = 0.5;      // of adaptive shifts that go up when both ways are possible
constexpr double kHeartbeatJitter = 0.08;
constexpr int64_t kPlayerReactionMs = 150;

// Devices.
enum DeviceKind : uint8_t { kTv, kMobile, kTablet, kDesktop, kWeb, kConsole, kDeviceKinds };
constexpr std::array<std::string_view, kDeviceKinds> kDeviceKindNames = {"tv",      "mobile", "tablet",
                                                                         "desktop", "web",    "console"};
constexpr std::array<double, kDeviceKinds> kDeviceKindWeights = {0.40, 0.25, 0.10, 0.05, 0.15, 0.05};
constexpr double kMobileFirstBoost = 1.8;  // mobile share boost in mobile-first markets
constexpr std::string_view kMobileFirstCountries[] = {"IN", "KR", "JP", "BR"};
struct PlatformChoice {
  std::string_view name;
  double weight;
};
constexpr int kMaxPlatforms = 6;
constexpr std::array<std::array<PlatformChoice, kMaxPlatforms>, kDeviceKinds> kPlatforms = {{
    {{{"tizen", 30}, {"webos", 20}, {"androidtv", 20}, {"roku", 15}, {"tvos", 10}, {"firetv", 5}}},
    {{{"android", 60}, {"ios", 40}}},
    {{{"ios", 60}, {"android", 40}}},
    {{{"windows", 70}, {"macos", 30}}},
    {{{"chrome", 60}, {"safari", 15}, {"firefox", 10}, {"edge", 15}}},
    {{{"playstation", 60}, {"xbox", 40}}},
}};
constexpr std::string_view kAppVersions[] = {"6.14.2", "6.14.0", "6.13.5", "6.12.1", "5.9.8"};
constexpr double kAppVersionWeights[] = {40, 26, 16, 13, 5};
constexpr std::string_view kEpochMillisVersion = "5.9.8";  // an old build that sends epoch ms
constexpr double kLocalOffsetShare = 0.04;
constexpr double kSendsTzShare = 0.5;
constexpr double kDeviceCountWeights[] = {45, 35, 20};  // 1, 2, 3 devices
constexpr int kHeartbeatSeconds[] = {10, 15, 20, 30};
constexpr double kHeartbeatWeights[] = {20, 30, 30, 20};
constexpr std::array<double, kDeviceKinds> kBufferPerMinute = {0.02, 0.08, 0.05, 0.03, 0.05, 0.02};
// Highest ladder index per device kind: one of two values, equally likely.
constexpr std::array<std::array<int, 2>, kDeviceKinds> kDeviceMaxQuality = {
    {{4, 6}, {3, 4}, {4, 4}, {4, 5}, {3, 4}, {4, 6}}};
constexpr std::array<int, 3> kSubscriptionMaxQuality = {3, 4,
                                                        6};  // basic 720p, standard 1080p, premium 2160p
constexpr std::array<int, 7> kQualityHeights = {240, 360, 480, 720, 1080, 1440, 2160};
constexpr std::array<std::string_view, 7> kQualityLabels = {"240p",  "360p",  "480p", "720p",
                                                            "1080p", "1440p", "2160p"};
constexpr std::array<std::string_view, 7> kQualityAliases = {"240p", "360p",  "480p", "HD",
                                                             "FHD",  "1440p", "4K"};

// Network and noise.
// Most events reach the collector in ts order; a few are held back by the
// network or an offline player and land slightly out of order.
constexpr double kDelayedDeliveryShare = 0.03;
constexpr int64_t kDelayedDeliveryMinMs = 200;
constexpr int64_t kDelayedDeliveryMaxMs = 30 * kMsPerSecond;
constexpr double kQuickRetryShare = 0.8;
constexpr int64_t kQuickRetryMinMs = 200;
constexpr int64_t kQuickRetryMaxMs = 10 * kMsPerSecond;
constexpr int64_t kSlowRetryMinMs = 1 * kMsPerMinute;
constexpr int64_t kSlowRetryMaxMs = 10 * kMsPerMinute;
constexpr int64_t kMaxLatenessMs = 2 * kMsPerDay;
constexpr int kMalformedKinds = 5;
constexpr int64_t kNegativePositionMs = 1500;

// ---- Events ---------------------------------------------------------------

enum EvType : uint8_t {
  kStart,
  kHeartbeat,
  kPause,
  kResume,
  kSeek,
  kBufferStart,
  kBufferEnd,
  kQualityChange,
  kStop,
  kComplete
};
constexpr std::array<std::string_view, 10> kEvTypeNames = {
    "start",        "heartbeat",  "pause",          "resume", "seek",
    "buffer_start", "buffer_end", "quality_change", "stop",   "complete"};

enum Noise : uint8_t {
  kClean,
  kDuplicateCopy,
  kLate,
  kTruncated,  // first malformed kind
  kNoSessionId,
  kUnknownType,
  kBadTs,
  kNegativePosition
};

enum class TsStyle : uint8_t { kUtc, kEpochMillis, kLocalOffset };
enum class QualityStyle : uint8_t { kLabel, kAlias, kHeight };

struct EvRec {
  int64_t arrival;  // sort key inside a day file
  int64_t ts;
  uint64_t id_hi, id_lo;
  uint32_t session;
  uint32_t seq;
  int32_t pos_ms;
  int32_t from_ms;  // seek only, else -1
  uint8_t type;
  uint8_t quality;  // ladder index + 1; 0 = none
  uint8_t noise;
  int8_t autoplay;  // -1 none
};

struct Playable {
  uint32_t title;
  int32_t duration_ms;
  int32_t credits_ms;
  bool episode;
  std::string json;  // ,"content_id":"..."
};

struct Device {
  std::string tail;      // device fields and country
  std::string tz_field;  // ,"tz":"..."
  DeviceKind kind;
  TsStyle ts_style;
  QualityStyle quality_style;
  int max_quality;
  int64_t heartbeat_ms;
  double buffer_per_minute;
  bool sends_tz;
  bool sends_content_length;
};

struct Session {
  uint64_t id_hi, id_lo;
  uint32_t user;
  uint32_t device;
  uint32_t playable;
  bool counted;
};

struct WatchItem {
  uint32_t title;
  uint32_t next_episode;  // index into Title::episodes
  int32_t resume_ms;
};

struct UserState {
  std::string json;  // ,"user_id":"..."
  std::vector<uint32_t> devices;
  std::vector<WatchItem> watchlist;
  int64_t busy_until = 0;
};

enum Intent { kBounce, kFinish, kStopEarly, kAbandon };

struct PlayResult {
  int64_t end_ms;
  int64_t position_ms;
  bool finished;  // reached the credits
};

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class Simulator {
 public:
  // `snapshot` is the catalog at the end of the period (catalog-2).
  Simulator(const GeneratorOptions& opt, const Catalog& catalog, const Catalog& snapshot,
            const std::vector<User>& users, int64_t first_day)
      : opt_(opt),
        catalog_(catalog),
        snapshot_(snapshot),
        users_(users),
        first_day_(first_day),
        begin_ms_(first_day * kMsPerDay),
        end_ms_((first_day + opt.days) * kMsPerDay),
        rng_(opt.seed, kEventStream),
        day_buffers_(static_cast<size_t>(opt.days)) {}

  Status Run(GeneratorStats& stats, const std::function<void(int, int)>& progress) {
    stats_ = &stats;
    BuildPlayables();
    BuildTitleTables();
    now_day_ = first_day_ - 1;
    BuildUsers();
    int flushed = 0;
    // Local day L covers UTC instants from day L-1 (east of UTC) to day L+1
    // (west of UTC); every event of local day L+1 or later is on UTC day L or
    // later, so after local day L the UTC days before L are final.
    for (int local = -1; local <= opt_.days; ++local) {
      for (uint32_t u = 0; u < users_.size(); ++u) SimulateUserDay(u, first_day_ + local);
      while (flushed < opt_.days && flushed < local) {
        WS_RETURN_IF_ERROR(FlushDay(flushed));
        ++flushed;
        if (progress) progress(flushed, opt_.days);
      }
    }
    while (flushed < opt_.days) {
      WS_RETURN_IF_ERROR(FlushDay(flushed));
      ++flushed;
      if (progress) progress(flushed, opt_.days);
    }
    return Status::Ok();
  }

 private:
  // ---- Setup ----

  void BuildPlayables() {
    title_first_playable_.resize(catalog_.titles.size());
    for (uint32_t t = 0; t < catalog_.titles.size(); ++t) {
      const Title& title = catalog_.titles[t];
      title_first_playable_[t] = static_cast<uint32_t>(playables_.size());
      if (!title.series) {
        playables_.push_back({t, title.duration_s * 1000, title.credits_s * 1000, false,
                              fmt::format(",\"content_id\":\"{}\"", title.content_id)});
        continue;
      }
      for (const Episode& ep : title.episodes) {
        playables_.push_back({t, ep.duration_s * 1000, ep.credits_s * 1000, true,
                              fmt::format(",\"content_id\":\"{}\"", ep.content_id)});
      }
    }
  }

  // Affinity of a viewer with `taste` and `languages` for a title.
  double Affinity(const Title& t, const std::array<double, kGenreCount>& taste,
                  const std::vector<std::string>& languages) const {
    double genre = 0;
    for (int g : t.genres) genre += taste[g];
    genre = DetPow(genre / static_cast<double>(t.genres.size()), kTasteSharpness);
    double lang = 1.0;
    if (Contains(languages, t.original_language)) {
      lang = kOwnLanguageBoost;
    } else if (t.original_language == "en") {
      lang = kEnglishContentBoost;
    }
    return genre * lang;
  }

  void BuildTitleTables() {
    ended_day_.assign(catalog_.titles.size(), INT64_MAX);
    for (size_t t = 0; t < catalog_.titles.size(); ++t) {
      if (catalog_.titles[t].in_production && !snapshot_.titles[t].in_production) {
        ended_day_[t] = snapshot_.titles[t].production_end_day;
      }
    }
    const auto countries = Countries();
    country_affinity_.resize(countries.size());
    for (size_t c = 0; c < countries.size(); ++c) {
      const std::vector<std::string> langs = {std::string(countries[c].language)};
      std::vector<double> weights;
      for (const Title& t : catalog_.titles) {
        const double a = Affinity(t, countries[c].genre_taste, langs);
        country_affinity_[c].push_back(a);
        weights.push_back(t.popularity * a);
      }
      country_tables_.emplace_back(weights);
    }
  }

  void BuildUsers() {
    Rng drng(opt_.seed, kDeviceStream);
    const auto countries = Countries();
    const auto zones = Zones();
    states_.resize(users_.size());
    for (uint32_t u = 0; u < users_.size(); ++u) {
      const User& user = users_[u];
      UserState& st = states_[u];
      st.json = fmt::format(",\"user_id\":\"{}\"", user.user_id);
      const std::string_view country = countries[user.country].code;
      std::array<double, kDeviceKinds> kind_weights = kDeviceKindWeights;
      for (std::string_view mf : kMobileFirstCountries) {
        if (mf == country) kind_weights[kMobile] *= kMobileFirstBoost;
      }
      const size_t device_count = 1 + drng.Pick(kDeviceCountWeights);
      for (size_t d = 0; d < device_count; ++d) {
        Device dev;
        dev.kind = static_cast<DeviceKind>(drng.Pick(kind_weights));
        std::array<double, kMaxPlatforms> pw{};
        for (int p = 0; p < kMaxPlatforms; ++p) pw[p] = kPlatforms[dev.kind][p].weight;
        const std::string_view platform = kPlatforms[dev.kind][drng.Pick(pw)].name;
        const std::string_view version = kAppVersions[drng.Pick(kAppVersionWeights)];
        uint64_t id_hi = 0;
        uint64_t id_lo = 0;
        drng.Uuid(&id_hi, &id_lo);
        dev.tail = fmt::format(
            ",\"device_id\":\"d-{:016x}\",\"device_type\":\"{}\",\"platform\":\"{}\",\"app_version\":\"{}\","
            "\"country\":\"{}\"",
            id_hi ^ id_lo, kDeviceKindNames[dev.kind], platform, version, country);
        dev.tz_field = fmt::format(",\"tz\":\"{}\"", zones[user.zone].name);
        dev.ts_style = version == kEpochMillisVersion   ? TsStyle::kEpochMillis
                       : drng.Chance(kLocalOffsetShare) ? TsStyle::kLocalOffset
                                                        : TsStyle::kUtc;
        if (platform == "tizen" || platform == "webos") {
          dev.quality_style = QualityStyle::kAlias;
        } else if (platform == "roku" || platform == "playstation" || platform == "xbox") {
          dev.quality_style = QualityStyle::kHeight;
        } else {
          dev.quality_style = QualityStyle::kLabel;
        }
        const auto& range = kDeviceMaxQuality[dev.kind];
        const int device_max = range[drng.Below(range.size())];
        dev.max_quality = std::min(device_max, kSubscriptionMaxQuality[static_cast<int>(user.subscription)]);
        dev.heartbeat_ms = kHeartbeatSeconds[drng.Pick(kHeartbeatWeights)] * kMsPerSecond;
        dev.buffer_per_minute = kBufferPerMinute[dev.kind] * countries[user.country].buffering_factor;
        dev.sends_tz = drng.Chance(kSendsTzShare);
        dev.sends_content_length = dev.kind == kWeb;
        st.devices.push_back(static_cast<uint32_t>(devices_.size()));
        devices_.push_back(std::move(dev));
      }
      const int64_t list_size = rng_.Range(kMinWatchlist, kMaxWatchlist);
      for (int64_t i = 0; i < list_size; ++i) st.watchlist.push_back(Discover(u));
    }
  }

  // A title the user starts watching, drawn from the country's popularity
  // and tastes, then filtered by the user's own tastes and languages.
  WatchItem Discover(uint32_t u) {
    const User& user = users_[u];
    size_t pick = 0;
    for (int tries = 0; tries < kCandidateTries; ++tries) {
      pick = country_tables_[user.country].Sample(rng_);
      if (now_day_ >= ended_day_[pick] && rng_.Chance(kEndedAvoidShare)) continue;
      const double own = Affinity(catalog_.titles[pick], user.taste, user.languages);
      const double accept = own / (country_affinity_[user.country][pick] * kTasteAcceptScale);
      if (rng_.Chance(std::max(kMinAcceptance, accept))) break;
    }
    WatchItem item{static_cast<uint32_t>(pick), 0, 0};
    const Title& t = catalog_.titles[pick];
    if (t.series && rng_.Chance(kStartMidSeriesShare)) {
      item.next_episode = static_cast<uint32_t>(rng_.Below(t.episodes.size()));
    }
    return item;
  }

  // ---- Behaviour ----

  void SimulateUserDay(uint32_t u, int64_t local_day) {
    const User& user = users_[u];
    const int weekday = Weekday(local_day);
    double chance = user.activity;
    if (weekday == 5) chance *= kFridayBoost;
    if (weekday == 0 || weekday == 6) chance *= kWeekendBoost;
    chance = std::min(chance, kMaxDailyChance);
    if (!rng_.Chance(chance)) return;
    const int sittings = rng_.Chance(chance * kSecondSittingFactor) ? 2 : 1;
    const auto& hours = (weekday == 0 || weekday == 6) ? kWeekendHourWeights : kWeekdayHourWeights;
    const ZoneInfo& zone = Zones()[user.zone];
    std::array<int64_t, 2> starts{};
    for (int s = 0; s < sittings; ++s) {
      const int64_t local_ms = local_day * kMsPerDay + static_cast<int64_t>(rng_.Pick(hours)) * kMsPerHour +
                               static_cast<int64_t>(rng_.Below(kMsPerHour));
      const int64_t guess_utc = local_ms - zone.std_minutes * kMsPerMinute;
      starts[s] = local_ms - ZoneOffsetMinutes(zone.std_minutes, zone.rule, guess_utc) * kMsPerMinute;
    }
    if (sittings == 2 && starts[1] < starts[0]) std::swap(starts[0], starts[1]);
    for (int s = 0; s < sittings; ++s) {
      int64_t start = starts[s];
      UserState& st = states_[u];
      if (start < st.busy_until)
        start = st.busy_until + rng_.Range(kMinGapBetweenSittingsMs, kMaxGapBetweenSittingsMs);
      if (start < begin_ms_ || start >= end_ms_) continue;
      st.busy_until = Sitting(u, start);
    }
  }

  // One sitting: a movie, or one or more episodes of a series. Returns when it ended.
  int64_t Sitting(uint32_t u, int64_t start) {
    UserState& st = states_[u];
    now_day_ = DayOfMs(start);
    const uint32_t device = rng_.Chance(kPrimaryDeviceShare) || st.devices.size() == 1
                                ? st.devices[0]
                                : st.devices[1 + rng_.Below(st.devices.size() - 1)];
    size_t slot = 0;
    if (rng_.Chance(kDiscoverShare)) {
      slot = st.watchlist.size() - 1 - rng_.Below(st.watchlist.size() / 2 + 1);
      st.watchlist[slot] = Discover(u);
    } else {
      std::array<double, kMaxWatchlist> w{};
      for (size_t i = 0; i < st.watchlist.size(); ++i) w[i] = 1.0 / static_cast<double>(i + 1);
      slot = rng_.Pick(std::span<const double>(w.data(), st.watchlist.size()));
    }
    WatchItem& item = st.watchlist[slot];
    if (now_day_ >= ended_day_[item.title] && rng_.Chance(kEndedDropShare)) item = Discover(u);
    const Title& title = catalog_.titles[item.title];
    if (!title.series) {
      const int64_t from = std::max<int64_t>(0, item.resume_ms - rng_.Range(0, kResumeRewindMaxMs));
      const PlayResult r = Play(u, device, title_first_playable_[item.title], start, from, false, false);
      if (r.finished) {
        item = Discover(u);
      } else if (r.position_ms > kResumeThresholdMs) {
        item.resume_ms = static_cast<int32_t>(r.position_ms);
      }
      return r.end_ms;
    }
    int episodes = 1;
    const double u01 = rng_.Uniform();
    if (u01 >= kSingleEpisodeShare + kTwoEpisodesShare) {
      episodes = static_cast<int>(rng_.Range(kMinBingeEpisodes, kMaxBingeEpisodes));
    } else if (u01 >= kSingleEpisodeShare) {
      episodes = 2;
    }
    int64_t t = start;
    bool autoplay = false;
    for (int k = 0; k < episodes; ++k) {
      const bool has_next = item.next_episode + 1 < title.episodes.size();
      const bool binge_next = k + 1 < episodes && has_next;
      const int64_t from = std::max<int64_t>(0, item.resume_ms - rng_.Range(0, kResumeRewindMaxMs));
      const PlayResult r = Play(u, device, title_first_playable_[item.title] + item.next_episode, t, from,
                                autoplay, binge_next);
      t = r.end_ms;
      if (!r.finished) {
        if (r.position_ms > kResumeThresholdMs) item.resume_ms = static_cast<int32_t>(r.position_ms);
        break;
      }
      item.resume_ms = 0;
      if (!has_next) {
        item = Discover(u);
        break;
      }
      ++item.next_episode;
      if (!binge_next) break;
      autoplay = rng_.Chance(kAutoplayNextShare);
      t += autoplay ? rng_.Range(kAutoplayGapMinMs, kAutoplayGapMaxMs)
                    : rng_.Range(kManualGapMinMs, kManualGapMaxMs);
    }
    return t;
  }

  int64_t HeartbeatGap(const Device& dev) {
    const double jitter = 1.0 + kHeartbeatJitter * (2 * rng_.Uniform() - 1);
    return static_cast<int64_t>(static_cast<double>(dev.heartbeat_ms) * jitter);
  }

  int64_t PauseLength() {
    switch (rng_.Pick(kPauseLengthWeights)) {
      case 0:
        return rng_.Range(kShortPauseMinMs, kShortPauseMaxMs);
      case 1:
        return rng_.Range(kMediumPauseMinMs, kMediumPauseMaxMs);
      default:
        return rng_.Range(kLongPauseMinMs, kLongPauseMaxMs);
    }
  }

  int64_t BufferLength() {
    const double s = rng_.LogNormal(DetLog(kBufferMedianSeconds), kBufferSigma);
    return static_cast<int64_t>(std::clamp(s, kBufferMinSeconds, kBufferMaxSeconds) * kMsPerSecond);
  }

  // Plays one content item from `from_ms`; emits its events. `binge_next`:
  // the viewer means to continue with the next episode.
  PlayResult Play(uint32_t u, uint32_t device, uint32_t playable, int64_t start, int64_t from_ms,
                  bool autoplay, bool binge_next) {
    const Device& dev = devices_[device];
    const Playable& item = playables_[playable];
    Session s{};
    rng_.Uuid(&s.id_hi, &s.id_lo);
    s.user = u;
    s.device = device;
    s.playable = playable;
    const auto sid = static_cast<uint32_t>(sessions_.size());
    sessions_.push_back(s);

    const auto& intent_weights = autoplay     ? kAutoplayIntentWeights
                                 : binge_next ? kBingeIntentWeights
                                              : kIntentWeights;
    const auto intent = static_cast<Intent>(rng_.Pick(intent_weights));
    const int64_t length = item.duration_ms;
    const int64_t credits = item.credits_ms;
    if (from_ms >= credits) from_ms = 0;
    int64_t target = length;
    enum Ending { kEndStop, kEndComplete, kEndSilent } ending = kEndStop;
    switch (intent) {
      case kBounce:
        target = from_ms + rng_.Range(kBounceMinMs, kBounceMaxMs);
        ending = rng_.Chance(kBounceStopShare) ? kEndStop : kEndSilent;
        break;
      case kStopEarly:
      case kAbandon:
        target = from_ms + static_cast<int64_t>(static_cast<double>(credits - from_ms) *
                                                rng_.Uniform(kEarlyMinFraction, kEarlyMaxFraction));
        ending = intent == kStopEarly ? kEndStop : kEndSilent;
        break;
      case kFinish:
        if (!item.episode) {
          if (rng_.Chance(kMovieCompleteShare)) {
            ending = kEndComplete;
          } else {
            target = credits + rng_.Range(kCreditsStopMinMs, kCreditsStopMaxMs);
          }
        } else if (binge_next && rng_.Chance(kNextEpisodeButtonShare)) {
          target = credits + rng_.Range(kCreditsStopMinMs, kCreditsStopMaxMs / 3);
        } else {
          const double e = rng_.Uniform();
          if (e < kEpisodeCompleteShare) {
            ending = kEndComplete;
          } else {
            target = credits + rng_.Range(kCreditsStopMinMs, kCreditsStopMaxMs);
            if (e >= kEpisodeCompleteShare + kEpisodeStopInCreditsShare) ending = kEndSilent;
          }
        }
        break;
    }
    target = std::min(target, length);

    int64_t t = start;
    int64_t pos = from_ms;
    int quality = std::max(
        kLowestAdaptiveQuality,
        dev.max_quality - static_cast<int>(rng_.Range(kMinStartStepsBelowMax, kMaxStartStepsBelowMax)));
    Emit(sid, kStart, t, pos, -1, quality, autoplay ? 1 : 0);
    int64_t ramp_at = rng_.Chance(kRampUpShare) ? t + rng_.Range(kRampUpMinMs, kRampUpMaxMs) : -1;
    int64_t intro_at = -1;
    int64_t intro_len = 0;
    if (item.episode && from_ms == 0 && intent != kBounce && rng_.Chance(kIntroSkipShare)) {
      intro_at = rng_.Range(kIntroAtMinMs, kIntroAtMaxMs);
      intro_len = rng_.Range(kIntroLengthMinMs, kIntroLengthMaxMs);
    }
    if (rng_.Chance(kInitialBufferShare)) {
      t += kPlayerReactionMs;
      Emit(sid, kBufferStart, t, pos);
      t += BufferLength();
      Emit(sid, kBufferEnd, t, pos);
      if (ramp_at >= 0) ramp_at = t + rng_.Range(kRampUpMinMs, kRampUpMaxMs);
    }
    int64_t next_hb = t + HeartbeatGap(dev);
    const double minutes_per_ms = 1.0 / static_cast<double>(kMsPerMinute);

    while (pos < target) {
      if (t >= end_ms_) break;
      // Scripted moments first: quality ramp-up, intro skip.
      if (ramp_at >= 0 && ramp_at < next_hb && pos + (ramp_at - t) < target) {
        pos += ramp_at - t;
        t = ramp_at;
        ramp_at = -1;
        if (quality < dev.max_quality) {
          quality = dev.max_quality;
          Emit(sid, kQualityChange, t, pos, -1, quality);
        }
        continue;
      }
      if (intro_at >= 0 && pos < intro_at && intro_at - pos < next_hb - t && intro_at + intro_len < target) {
        t += intro_at - pos;
        pos = intro_at;
        intro_at = -1;
        const int64_t before = pos;
        pos += intro_len;
        Emit(sid, kSeek, t, pos, before);
        continue;
      }
      const int64_t dt = next_hb - t;
      if (pos + dt >= target) {
        t += target - pos;
        pos = target;
        break;
      }
      const double minutes = static_cast<double>(dt) * minutes_per_ms;
      const std::array<double, 5> hazards = {kPausePerMinute * minutes, kRewindPerMinute * minutes,
                                             kForwardPerMinute * minutes, dev.buffer_per_minute * minutes,
                                             kQualityShiftPerMinute * minutes};
      double total = 0;
      for (double h : hazards) total += h;
      double x = rng_.Uniform();
      if (x >= total) {
        t = next_hb;
        pos += dt;
        Emit(sid, kHeartbeat, t, pos);
        next_hb = t + HeartbeatGap(dev);
        continue;
      }
      // An action at a random moment before the next heartbeat.
      const int64_t at = static_cast<int64_t>(static_cast<double>(dt) * rng_.Uniform());
      t += at;
      pos += at;
      size_t action = 0;
      while (action + 1 < hazards.size() && x >= hazards[action]) x -= hazards[action++];
      switch (action) {
        case 0: {  // pause, usually resumed
          Emit(sid, kPause, t, pos);
          t += PauseLength();
          if (rng_.Chance(kNoResumeShare)) {
            if (rng_.Chance(kStopAfterNoResumeShare)) Emit(sid, kStop, t, pos);
            return {t, pos, pos >= credits};
          }
          Emit(sid, kResume, t, pos);
          next_hb = t + HeartbeatGap(dev);
          break;
        }
        case 1: {  // rewind
          const int64_t back = rng_.Chance(kRewindShortShare)
                                   ? rng_.Range(kRewindShortMinMs, kRewindShortMaxMs)
                                   : rng_.Range(kRewindLongMinMs, kRewindLongMaxMs);
          const int64_t before = pos;
          pos = std::max<int64_t>(0, pos - back);
          Emit(sid, kSeek, t, pos, before);
          break;
        }
        case 2: {  // forward, never past where the viewer will stop
          const int64_t before = pos;
          pos = std::min(pos + rng_.Range(kForwardMinMs, kForwardMaxMs), target - 1);
          if (pos <= before) {
            pos = before;
            break;
          }
          Emit(sid, kSeek, t, pos, before);
          break;
        }
        case 3: {  // rebuffering, often followed by a lower rendition
          Emit(sid, kBufferStart, t, pos);
          t += BufferLength();
          Emit(sid, kBufferEnd, t, pos);
          if (quality > kLowestAdaptiveQuality && rng_.Chance(kDowngradeAfterBufferShare)) {
            --quality;
            t += kPlayerReactionMs;
            pos += kPlayerReactionMs;
            Emit(sid, kQualityChange, t, pos, -1, quality);
          }
          break;
        }
        default: {  // adaptive bitrate shift
          const int next =
              quality < dev.max_quality && (quality <= kLowestAdaptiveQuality || rng_.Chance(kUpshiftShare))
                  ? quality + 1
                  : quality - 1;
          if (next >= kLowestAdaptiveQuality && next != quality) {
            quality = next;
            Emit(sid, kQualityChange, t, pos, -1, quality);
          }
          break;
        }
      }
      if (t >= next_hb) next_hb = t + HeartbeatGap(dev);
    }
    if (ending == kEndComplete && pos >= length) {
      Emit(sid, kComplete, t, pos);
    } else if (ending == kEndStop && pos >= target) {
      Emit(sid, kStop, t, pos);
    }
    return {t, pos, pos >= credits};
  }

  // ---- Output ----

  void Emit(uint32_t sid, EvType type, int64_t ts, int64_t pos, int64_t from = -1, int quality = -1,
            int autoplay = -1) {
    if (ts >= end_ms_ || ts < begin_ms_) return;
    Session& s = sessions_[sid];
    if (!s.counted) {
      s.counted = true;
      ++stats_->sessions;
    }
    EvRec e{};
    rng_.Uuid(&e.id_hi, &e.id_lo);
    e.ts = ts;
    e.session = sid;
    e.seq = seq_++;
    e.pos_ms = static_cast<int32_t>(pos);
    e.from_ms = static_cast<int32_t>(from);
    e.type = type;
    e.quality = static_cast<uint8_t>(quality + 1);
    e.autoplay = static_cast<int8_t>(autoplay);
    e.noise = kClean;
    e.arrival =
        ts +
        (rng_.Chance(kDelayedDeliveryShare) ? rng_.Range(kDelayedDeliveryMinMs, kDelayedDeliveryMaxMs) : 0);
    const int64_t ts_day = DayOfMs(ts);
    int64_t file_day = ts_day;
    const double x = rng_.Uniform();
    if (x < opt_.malformed_rate) {
      e.noise = static_cast<uint8_t>(kTruncated + rng_.Below(kMalformedKinds));
      ++stats_->malformed;
    } else if (x < opt_.malformed_rate + opt_.late_rate) {
      const int64_t next_midnight = (ts_day + 1) * kMsPerDay;
      const int64_t arrival = rng_.Range(next_midnight, ts + kMaxLatenessMs);
      if (DayOfMs(arrival) - first_day_ < opt_.days) {
        e.arrival = arrival;
        e.noise = kLate;
        file_day = DayOfMs(arrival);
        ++stats_->late;
      }
    } else if (x < opt_.malformed_rate + opt_.late_rate + opt_.duplicate_rate) {
      EvRec copy = e;
      copy.noise = kDuplicateCopy;
      copy.seq = seq_++;
      copy.arrival += rng_.Chance(kQuickRetryShare) ? rng_.Range(kQuickRetryMinMs, kQuickRetryMaxMs)
                                                    : rng_.Range(kSlowRetryMinMs, kSlowRetryMaxMs);
      day_buffers_[static_cast<size_t>(ts_day - first_day_)].push_back(copy);
      ++stats_->duplicates;
    }
    day_buffers_[static_cast<size_t>(file_day - first_day_)].push_back(e);
  }

  void FormatEvent(const EvRec& e, LineBuilder& b) {
    const Session& s = sessions_[e.session];
    const Device& dev = devices_[s.device];
    const User& user = users_[s.user];
    b.Lit("{\"event_id\":\"");
    b.Uuid(e.id_hi, e.id_lo);
    b.Char('"');
    if (e.noise != kNoSessionId) {
      b.Lit(",\"session_id\":\"");
      b.Uuid(s.id_hi, s.id_lo);
      b.Char('"');
    }
    b.Lit(states_[s.user].json);
    b.Lit(playables_[s.playable].json);
    b.Lit(",\"type\":\"");
    b.Lit(e.noise == kUnknownType ? std::string_view("rewind") : kEvTypeNames[e.type]);
    b.Lit("\",\"ts\":");
    if (e.noise == kBadTs) {
      b.Lit("\"yesterday\"");
    } else if (dev.ts_style == TsStyle::kEpochMillis) {
      b.Int(e.ts);
    } else {
      int offset = 0;
      if (dev.ts_style == TsStyle::kLocalOffset) {
        const ZoneInfo& z = Zones()[user.zone];
        offset = ZoneOffsetMinutes(z.std_minutes, z.rule, e.ts);
      }
      b.Char('"');
      b.Rfc3339(e.ts, offset, dev.ts_style == TsStyle::kLocalOffset);
      b.Char('"');
    }
    b.Lit(",\"position\":");
    if (e.noise == kNegativePosition) {
      b.Millis3(-(e.pos_ms + kNegativePositionMs));
    } else {
      b.Millis3(e.pos_ms);
    }
    if (e.from_ms >= 0) {
      b.Lit(",\"from_position\":");
      b.Millis3(e.from_ms);
    }
    if (e.quality > 0) {
      const int q = e.quality - 1;
      b.Lit(",\"quality\":");
      switch (dev.quality_style) {
        case QualityStyle::kHeight:
          b.UInt(static_cast<uint64_t>(kQualityHeights[q]));
          break;
        case QualityStyle::kAlias:
          b.Char('"');
          b.Lit(kQualityAliases[q]);
          b.Char('"');
          break;
        case QualityStyle::kLabel:
          b.Char('"');
          b.Lit(kQualityLabels[q]);
          b.Char('"');
          break;
      }
    }
    if (e.autoplay >= 0) b.Lit(e.autoplay ? ",\"autoplay\":true" : ",\"autoplay\":false");
    if (e.type == kStart && dev.sends_content_length) {
      b.Lit(",\"content_length\":");
      b.Millis3(playables_[s.playable].duration_ms);
    }
    b.Lit(dev.tail);
    if (dev.sends_tz) b.Lit(dev.tz_field);
    b.Char('}');
    if (e.noise == kTruncated) {
      b.Truncate(static_cast<size_t>(rng_.Range(1, static_cast<int64_t>(b.size()) - 2)));
    }
    b.Char('\n');
  }

  Status FlushDay(int day_index) {
    std::vector<EvRec> events;
    events.swap(day_buffers_[static_cast<size_t>(day_index)]);
    std::sort(events.begin(), events.end(), [](const EvRec& a, const EvRec& b) {
      return a.arrival != b.arrival ? a.arrival < b.arrival : a.seq < b.seq;
    });
    char date[16];
    LineBuilder db(date);
    db.Date(first_day_ + day_index);
    const std::string path =
        (std::filesystem::path(opt_.out_dir) / "events" / fmt::format("events-{}.ndjson", db.view()))
            .string();
    BufferedFile file;
    WS_RETURN_IF_ERROR(file.Open(path));
    std::array<char, kMaxLineBytes> line{};
    for (const EvRec& e : events) {
      LineBuilder b(line.data());
      FormatEvent(e, b);
      file.Write(b.view());
    }
    WS_RETURN_IF_ERROR(file.Close());
    stats_->events += events.size();
    stats_->bytes += file.bytes_written();
    return Status::Ok();
  }

  const GeneratorOptions& opt_;
  const Catalog& catalog_;
  const Catalog& snapshot_;
  const std::vector<User>& users_;
  const int64_t first_day_;
  const int64_t begin_ms_;
  const int64_t end_ms_;
  Rng rng_;
  GeneratorStats* stats_ = nullptr;
  std::vector<Playable> playables_;
  std::vector<uint32_t> title_first_playable_;
  std::vector<std::vector<double>> country_affinity_;
  std::vector<WeightedTable> country_tables_;
  std::vector<int64_t> ended_day_;  // per title: the day it ended during the period, else INT64_MAX
  int64_t now_day_ = 0;             // UTC day of the sitting being simulated
  std::vector<Device> devices_;
  std::vector<UserState> states_;
  std::vector<Session> sessions_;
  std::vector<std::vector<EvRec>> day_buffers_;
  uint32_t seq_ = 0;
};

Status WriteWholeFile(const std::string& path, std::string_view text, GeneratorStats& stats) {
  BufferedFile f;
  WS_RETURN_IF_ERROR(f.Open(path));
  f.Write(text);
  WS_RETURN_IF_ERROR(f.Close());
  stats.bytes += f.bytes_written();
  return Status::Ok();
}

Status Validate(const GeneratorOptions& o, int64_t* first_day) {
  if (o.out_dir.empty()) return Status::InvalidArgument("the output directory must be given (--out DIR).");
  if (o.users <= 0) return Status::InvalidArgument(fmt::format("--users must be positive, got {}.", o.users));
  if (o.titles <= 0)
    return Status::InvalidArgument(fmt::format("--titles must be positive, got {}.", o.titles));
  if (o.days <= 0 || o.days > kMaxDays) {
    return Status::InvalidArgument(fmt::format("--days must be between 1 and {}, got {}.", kMaxDays, o.days));
  }
  const double rates[] = {o.duplicate_rate, o.late_rate, o.malformed_rate};
  for (double r : rates) {
    if (!(r >= 0 && r <= 1)) {
      return Status::InvalidArgument(fmt::format("noise rates must be between 0 and 1, got {}.", r));
    }
  }
  if (o.duplicate_rate + o.late_rate + o.malformed_rate > 1) {
    return Status::InvalidArgument("the duplicate, late and malformed rates must add up to at most 1.");
  }
  if (!ParseIsoDate(o.start_date, first_day)) {
    return Status::InvalidArgument(
        fmt::format("the start date '{}' is not a date of the form YYYY-MM-DD.", o.start_date));
  }
  return Status::Ok();
}

}  // namespace
}  // namespace gen

Result<GeneratorStats> Generate(const GeneratorOptions& options,
                                const std::function<void(int, int)>& progress) {
  int64_t first_day = 0;
  WS_RETURN_IF_ERROR(gen::Validate(options, &first_day));
  const std::filesystem::path out(options.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(out / "events", ec);
  if (ec) {
    return Status::IOError(
        fmt::format("cannot create the output directory {}: {}.", (out / "events").string(), ec.message()));
  }
  GeneratorStats stats;
  gen::Rng catalog_rng(options.seed, gen::kCatalogStream);
  const gen::Catalog catalog = gen::MakeCatalog(options.titles, first_day, catalog_rng);
  gen::Rng snapshot_rng(options.seed, gen::kSnapshotStream);
  const gen::Catalog snapshot = gen::EvolveCatalog(catalog, first_day, options.days, snapshot_rng);
  WS_RETURN_IF_ERROR(gen::WriteWholeFile((out / "catalog.json").string(), gen::CatalogJson(catalog), stats));
  WS_RETURN_IF_ERROR(
      gen::WriteWholeFile((out / "catalog-2.json").string(), gen::CatalogJson(snapshot), stats));
  gen::Rng user_rng(options.seed, gen::kUserStream);
  const std::vector<gen::User> users = gen::MakeUsers(options.users, first_day, user_rng);
  WS_RETURN_IF_ERROR(gen::WriteWholeFile((out / "users.csv").string(), gen::UsersCsv(users), stats));
  stats.users = users.size();
  stats.titles = catalog.titles.size();
  stats.episodes = catalog.episode_count;

  gen::Simulator sim(options, catalog, snapshot, users, first_day);
  WS_RETURN_IF_ERROR(sim.Run(stats, progress));
  return stats;
}

}  // namespace ws
