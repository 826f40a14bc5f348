#include "gen/session_facts.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>

#include "gen/model.h"
#include "gen/rng.h"
#include "gen/text.h"
#include "util/time.h"
#include "vocab/device_type.h"

namespace ws {
namespace {

using gen::Rng;

constexpr uint64_t kWorldStream = 11;
constexpr uint64_t kSessionStream = 12;
// Local start hours (weights), evening-heavy as in the event generator.
constexpr std::array<double, 24> kHourWeights = {0.5,  0.3, 0.15, 0.1, 0.08, 0.1, 0.25, 0.45,
                                                 0.5,  0.5, 0.55, 0.7, 1.0,  1.0, 0.8,  0.75,
                                                 0.85, 1.1, 1.6,  2.6, 3.2,  3.0, 2.4,  1.3};
// Episodes played in one sitting of a series: 1..6.
constexpr std::array<double, 6> kEpisodesInSitting = {0.45, 0.2, 0.15, 0.1, 0.06, 0.04};
// Outcomes.
constexpr std::array<double, 4> kOutcomeWeights = {0.08, 0.45, 0.30, 0.17};  // bounce, finish, stop, abandon
constexpr int64_t kBounceMaxMs = 9 * kMillisPerSecond;
constexpr int64_t kMinBetweenEpisodesMs = 20 * kMillisPerSecond;
constexpr int64_t kMaxBetweenEpisodesMs = 5 * kMillisPerMinute;
constexpr int kMaxPauseShare = 10;  // pauses up to a tenth of the watch time
constexpr std::array<double, 6> kDeviceWeights = {0.40, 0.25, 0.10, 0.05, 0.15, 0.05};
constexpr std::array<DeviceType, 6> kDeviceTypes = {DeviceType::kTv,     DeviceType::kMobile,
                                                    DeviceType::kTablet, DeviceType::kDesktop,
                                                    DeviceType::kWeb,    DeviceType::kConsole};
constexpr std::array<const char*, 6> kPlatforms = {"tizen",  "android", "ios",
                                                   "chrome", "chrome",  "playstation"};
constexpr std::array<int32_t, 4> kQualities = {480, 720, 1080, 2160};
constexpr std::array<double, 4> kQualityWeights = {0.1, 0.3, 0.45, 0.15};
constexpr double kCreditsShare = 0.95;

// Draws an index with probability proportional to its weight, by binary
// search over the cumulative weights (Rng::Pick scans them all).
class CumulativePick {
 public:
  explicit CumulativePick(const std::vector<double>& weights) {
    double sum = 0;
    for (double w : weights) cum_.push_back(sum += w);
  }
  size_t operator()(Rng& rng) const {
    const double x = rng.Uniform() * cum_.back();
    const auto it = std::upper_bound(cum_.begin(), cum_.end(), x);
    return std::min(static_cast<size_t>(it - cum_.begin()), cum_.size() - 1);
  }

 private:
  std::vector<double> cum_;
};

struct Item {
  std::string content_id;
  uint32_t title;
  int64_t length_ms;
  int64_t credits_ms;
};

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) return Status::IOError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

Status GenerateSessionFacts(const SessionFactsOptions& o,
                            const std::function<Status(DayNumber, std::vector<SessionRecord>&)>& day_sink) {
  if (o.users <= 0 || o.titles <= 0 || o.days <= 0 || o.sessions <= 0) {
    return Status::InvalidArgument("users, titles, days and sessions must be positive");
  }
  std::optional<DayNumber> first = ParseDate(o.start_date);
  if (!first) return Status::InvalidArgument("start date must be YYYY-MM-DD, got '" + o.start_date + "'");
  Rng world(o.seed, kWorldStream);
  const gen::Catalog catalog = gen::MakeCatalog(o.titles, first->v, world);
  const std::vector<gen::User> users = gen::MakeUsers(o.users, first->v, world);
  WS_RETURN_IF_ERROR(WriteFile(o.out_dir + "/catalog.json", gen::CatalogJson(catalog)));
  WS_RETURN_IF_ERROR(WriteFile(o.out_dir + "/users.csv", gen::UsersCsv(users)));

  // Playable items by title, and per country the titles' weights.
  std::vector<std::vector<Item>> items(catalog.titles.size());
  for (uint32_t t = 0; t < catalog.titles.size(); ++t) {
    const gen::Title& title = catalog.titles[t];
    if (!title.series) {
      items[t].push_back(
          {title.content_id, t, title.duration_s * kMillisPerSecond, title.credits_s * kMillisPerSecond});
      continue;
    }
    for (const gen::Episode& e : title.episodes) {
      items[t].push_back({e.content_id, t, e.duration_s * kMillisPerSecond, e.credits_s * kMillisPerSecond});
    }
  }
  const auto countries = gen::Countries();
  std::vector<CumulativePick> title_pick;
  for (size_t c = 0; c < countries.size(); ++c) {
    std::vector<double> weights;
    for (const gen::Title& t : catalog.titles) {
      const double taste =
          t.genres.empty() ? 1.0 : countries[c].genre_taste[static_cast<size_t>(t.genres[0])];
      weights.push_back(t.popularity * taste);
    }
    title_pick.emplace_back(weights);
  }
  std::vector<double> activity;
  for (const gen::User& u : users) activity.push_back(u.activity);
  const CumulativePick user_pick(activity);

  Rng rng(o.seed, kSessionStream);
  const int64_t per_day = std::max<int64_t>(1, o.sessions / o.days);
  // Sessions start on the local day of a sitting; collect by UTC day.
  std::vector<std::vector<SessionRecord>> by_day(static_cast<size_t>(o.days) + 2);
  uint64_t serial = 0;
  for (int d = 0; d < o.days; ++d) {
    int64_t made = 0;
    while (made < per_day) {
      const auto u = static_cast<uint32_t>(user_pick(rng));
      const gen::User& user = users[u];
      const gen::ZoneInfo& zone = gen::Zones()[static_cast<size_t>(user.zone)];
      const int64_t local_ms = (first->v + d) * kMillisPerDay +
                               static_cast<int64_t>(rng.Pick(kHourWeights)) * kMillisPerHour +
                               static_cast<int64_t>(rng.Below(kMillisPerHour));
      const int64_t guess = local_ms - zone.std_minutes * kMillisPerMinute;
      int64_t start =
          local_ms - gen::ZoneOffsetMinutes(zone.std_minutes, zone.rule, guess) * kMillisPerMinute;
      const auto t = static_cast<uint32_t>(title_pick[static_cast<size_t>(user.country)](rng));
      const std::vector<Item>& its = items[t];
      if (its.empty()) continue;
      size_t first_item = 0, count = 1;
      if (catalog.titles[t].series) {
        first_item = rng.Below(its.size());
        count = std::min(its.size() - first_item, rng.Pick(kEpisodesInSitting) + 1);
      }
      const size_t device = rng.Pick(kDeviceWeights);
      const int32_t quality = kQualities[rng.Pick(kQualityWeights)];
      for (size_t i = first_item; i < first_item + count; ++i) {
        const Item& it = its[i];
        SessionRecord r;
        r.session_id = fmt::format("f{:016x}", ++serial);
        r.user_id = user.user_id;
        r.content_id = it.content_id;
        r.start = EpochMillis{start};
        const size_t outcome = rng.Pick(kOutcomeWeights);
        int64_t watch = 0;
        switch (outcome) {
          case 0:
            watch = rng.Range(kMillisPerSecond, kBounceMaxMs);
            r.status = SessionStatus::kBounced;
            r.last_type = EventType::kStop;
            break;
          case 1:
            watch = it.length_ms;
            r.status = SessionStatus::kCompleted;
            r.last_type = EventType::kComplete;
            r.complete_seen = true;
            r.watched_credits = true;
            break;
          case 2:
            watch = static_cast<int64_t>(rng.Uniform(0.05, 0.9) * static_cast<double>(it.length_ms));
            r.status = SessionStatus::kStopped;
            r.last_type = EventType::kStop;
            break;
          default:
            watch = static_cast<int64_t>(rng.Uniform(0.05, 0.9) * static_cast<double>(it.length_ms));
            r.status = SessionStatus::kAbandoned;
            r.last_type = EventType::kHeartbeat;
            break;
        }
        r.watch_ms = watch;
        r.pause_ms = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(watch / kMaxPauseShare) + 1));
        r.pauses = r.pause_ms > 0 ? 1 : 0;
        r.end = EpochMillis{start + watch + r.pause_ms};
        r.playback_position_ms = std::min(watch, it.length_ms);
        r.max_position_ms = r.playback_position_ms;
        r.coverage_ms = r.playback_position_ms;
        r.content_length_ms = it.length_ms;
        r.credits_start_ms = it.credits_ms > 0
                                 ? it.credits_ms
                                 : static_cast<int64_t>(kCreditsShare * static_cast<double>(it.length_ms));
        r.max_quality = quality;
        r.event_count = static_cast<int32_t>(2 + watch / (20 * kMillisPerSecond));
        r.state = PlayerState::kEnded;
        r.device_type = kDeviceTypes[device];
        r.device_id = fmt::format("{}-d{}", user.user_id, device);
        r.platform = kPlatforms[device];
        r.app_version = "6.2.0";
        r.country = std::string(countries[static_cast<size_t>(user.country)].code);
        r.tz = std::string(zone.name);
        const LocalTime lt = ToLocal(r.start, r.tz);
        r.local_start_hour = lt.hour;
        r.local_date = lt.date;
        r.date_key = DayOf(r.start);
        const int64_t next_start = r.end.v + rng.Range(kMinBetweenEpisodesMs, kMaxBetweenEpisodesMs);
        const int64_t slot = r.date_key.v - first->v + 1;  // the day before the first holds early starts
        if (slot >= 0 && slot < static_cast<int64_t>(by_day.size())) {
          by_day[static_cast<size_t>(slot)].push_back(std::move(r));
          ++made;
        }
        start = next_start;
      }
    }
    // A UTC day is final once the local day after it has been drawn.
    if (d >= 1) {
      const size_t slot = static_cast<size_t>(d - 1);
      WS_RETURN_IF_ERROR(day_sink(DayNumber{first->v + d - 2}, by_day[slot]));
      by_day[slot].clear();
      by_day[slot].shrink_to_fit();
    }
  }
  for (size_t slot = static_cast<size_t>(std::max(0, o.days - 1)); slot < by_day.size(); ++slot) {
    if (!by_day[slot].empty())
      WS_RETURN_IF_ERROR(day_sink(DayNumber{first->v + static_cast<int32_t>(slot) - 1}, by_day[slot]));
  }
  return Status::Ok();
}

}  // namespace ws
