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
constexpr int kLocalGenre = 5;    // gen::GenreName: Documentary
constexpr int kEveningGenre = 2;  // gen::GenreName: Crime
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

// Planted patterns (PlantedPatterns).
constexpr int kMinTitles = 50;
constexpr int kMinPlantedEpisodes = 6;
constexpr double kLocalGenreBoost = 25.0;       // the local genre's titles, in its country
constexpr double kRegionalShare = 0.12;         // of the regional country's sittings
constexpr int kExclusiveUserOneIn = 150;        // users who watch only the exclusive title
constexpr double kFadeKeep = 0.15;              // the fading series after its end date
constexpr int kLoyalUserOneIn = 211;            // users among whom the loyal series has its viewers
constexpr double kLoyalChance = 0.5;            // of their sittings: the loyal series, two episodes on
constexpr size_t kLoyalEpisodesPerSitting = 2;  // never a binge: the loyal are not the binged
constexpr size_t kMaxLoyalEpisodes = 10;
constexpr size_t kBingeMinEpisodes = 3;
// Evening-only local hours (17-22) for the evening genre in its country.
constexpr std::array<double, 24> kEveningWeights = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                    0, 0, 0, 0, 0, 1, 2, 3, 3, 2, 0, 0};

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
                            const std::function<Status(DayNumber, std::vector<SessionRecord>&)>& day_sink,
                            PlantedPatterns* planted_out) {
  if (o.users <= 0 || o.titles < kMinTitles || o.days <= 0 || o.sessions <= 0) {
    return Status::InvalidArgument(
        fmt::format("users, days and sessions must be positive and titles at least {}", kMinTitles));
  }
  std::optional<DayNumber> first = ParseDate(o.start_date);
  if (!first) return Status::InvalidArgument("start date must be YYYY-MM-DD, got '" + o.start_date + "'");
  Rng world(o.seed, kWorldStream);
  gen::Catalog catalog = gen::MakeCatalog(o.titles, first->v, world);
  const std::vector<gen::User> users = gen::MakeUsers(o.users, first->v, world);

  // Choose the planted titles: by popularity rank, series with enough episodes.
  std::vector<uint32_t> by_pop(catalog.titles.size());
  for (uint32_t t = 0; t < by_pop.size(); ++t) by_pop[t] = t;
  std::sort(by_pop.begin(), by_pop.end(), [&](uint32_t a, uint32_t b) {
    return catalog.titles[a].popularity > catalog.titles[b].popularity;
  });
  auto pick = [&](bool series, double from_rank_share, const std::vector<uint32_t>& taken,
                  size_t max_episodes = SIZE_MAX) -> uint32_t {
    const auto start = static_cast<size_t>(from_rank_share * static_cast<double>(by_pop.size()));
    for (size_t r = start; r < by_pop.size(); ++r) {
      const uint32_t t = by_pop[r];
      const gen::Title& title = catalog.titles[t];
      if (title.series != series || std::find(taken.begin(), taken.end(), t) != taken.end()) continue;
      if (series && (title.episodes.size() < kMinPlantedEpisodes || title.episodes.size() > max_episodes))
        continue;
      return t;
    }
    return by_pop.back();
  };
  std::vector<uint32_t> taken;
  const uint32_t fading = pick(true, 0.0, taken);
  taken.push_back(fading);
  const uint32_t binged = pick(true, 0.05, taken);
  taken.push_back(binged);
  const uint32_t loyal = pick(true, 0.8, taken, kMaxLoyalEpisodes);
  taken.push_back(loyal);
  const uint32_t regional = pick(false, 0.6, taken);
  taken.push_back(regional);
  const uint32_t exclusive = pick(false, 0.7, taken);
  taken.push_back(exclusive);
  const DayNumber fading_end{first->v + o.days / 2};
  catalog.titles[fading].in_production = false;
  catalog.titles[fading].production_end_day = fading_end.v;
  const auto countries = gen::Countries();
  auto country_index = [&](std::string_view code) {
    for (size_t c = 0; c < countries.size(); ++c) {
      if (countries[c].code == code) return c;
    }
    return size_t{0};
  };
  PlantedPatterns planted;
  planted.local_genre = std::string(gen::GenreName(kLocalGenre));
  planted.local_genre_country = "KR";
  planted.evening_genre = std::string(gen::GenreName(kEveningGenre));
  planted.evening_country = "US";
  planted.fading_series = catalog.titles[fading].content_id;
  planted.fading_end = fading_end;
  planted.loyal_series = catalog.titles[loyal].content_id;
  planted.binged_series = catalog.titles[binged].content_id;
  planted.regional_title = catalog.titles[regional].content_id;
  planted.regional_country = "JP";
  planted.exclusive_title = catalog.titles[exclusive].content_id;
  const size_t local_country = country_index(planted.local_genre_country);
  const size_t evening_country = country_index(planted.evening_country);
  const size_t regional_country = country_index(planted.regional_country);

  WS_RETURN_IF_ERROR(WriteFile(o.out_dir + "/catalog.json", gen::CatalogJson(catalog)));
  WS_RETURN_IF_ERROR(WriteFile(o.out_dir + "/users.csv", gen::UsersCsv(users)));
  WS_RETURN_IF_ERROR(WriteFile(
      o.out_dir + "/planted.json",
      fmt::format("{{\"local_genre\": \"{}\", \"local_genre_country\": \"{}\", \"evening_genre\": \"{}\", "
                  "\"evening_country\": \"{}\", \"fading_series\": \"{}\", \"fading_end\": \"{}\", "
                  "\"loyal_series\": \"{}\", \"binged_series\": \"{}\", \"regional_title\": \"{}\", "
                  "\"regional_country\": \"{}\", \"exclusive_title\": \"{}\"}}\n",
                  planted.local_genre, planted.local_genre_country, planted.evening_genre,
                  planted.evening_country, planted.fading_series, FormatDate(planted.fading_end),
                  planted.loyal_series, planted.binged_series, planted.regional_title,
                  planted.regional_country, planted.exclusive_title)));
  if (planted_out != nullptr) *planted_out = planted;

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
  std::vector<CumulativePick> title_pick;
  for (size_t c = 0; c < countries.size(); ++c) {
    std::vector<double> weights;
    for (uint32_t i = 0; i < catalog.titles.size(); ++i) {
      const gen::Title& t = catalog.titles[i];
      const double taste =
          t.genres.empty() ? 1.0 : countries[c].genre_taste[static_cast<size_t>(t.genres[0])];
      double w = t.popularity * taste;
      if (c == local_country && std::find(t.genres.begin(), t.genres.end(), kLocalGenre) != t.genres.end()) {
        w *= kLocalGenreBoost;
      }
      if (i == exclusive || i == loyal || i == regional) w = 0;  // drawn only by their own rules
      weights.push_back(w);
    }
    title_pick.emplace_back(weights);
  }
  auto has_genre = [&](uint32_t t, int g) {
    const auto& gs = catalog.titles[t].genres;
    return std::find(gs.begin(), gs.end(), g) != gs.end();
  };
  std::vector<double> activity;
  for (const gen::User& u : users) activity.push_back(u.activity);
  const CumulativePick user_pick(activity);

  Rng rng(o.seed, kSessionStream);
  const int64_t per_day = std::max<int64_t>(1, o.sessions / o.days);
  // Sessions start on the local day of a sitting; collect by UTC day.
  std::vector<std::vector<SessionRecord>> by_day(static_cast<size_t>(o.days) + 2);
  uint64_t serial = 0;
  std::vector<size_t> loyal_next(users.size(), 0);  // the loyal series' next episode, per user
  for (int d = 0; d < o.days; ++d) {
    int64_t made = 0;
    while (made < per_day) {
      const auto u = static_cast<uint32_t>(user_pick(rng));
      const gen::User& user = users[u];
      const auto home = static_cast<size_t>(user.country);
      // Which title: the planted rules first, then taste and popularity.
      uint32_t t = 0;
      if (u % kExclusiveUserOneIn == 0) {
        t = exclusive;
      } else if (home == regional_country && rng.Chance(kRegionalShare)) {
        t = regional;
      } else if (u % kLoyalUserOneIn == 1 && rng.Chance(kLoyalChance)) {
        t = loyal;
      } else {
        t = static_cast<uint32_t>(title_pick[home](rng));
        if (t == fading && first->v + d >= fading_end.v && !rng.Chance(kFadeKeep)) continue;
      }
      const gen::ZoneInfo& zone = gen::Zones()[static_cast<size_t>(user.zone)];
      const bool evening = home == evening_country && has_genre(t, kEveningGenre);
      const int64_t local_ms =
          (first->v + d) * kMillisPerDay +
          static_cast<int64_t>(rng.Pick(evening ? kEveningWeights : kHourWeights)) * kMillisPerHour +
          static_cast<int64_t>(rng.Below(kMillisPerHour));
      const int64_t guess = local_ms - zone.std_minutes * kMillisPerMinute;
      int64_t start =
          local_ms - gen::ZoneOffsetMinutes(zone.std_minutes, zone.rule, guess) * kMillisPerMinute;
      const std::vector<Item>& its = items[t];
      if (its.empty()) continue;
      size_t first_item = 0, count = 1;
      if (t == loyal) {
        // Two episodes a sitting, on from where this viewer stopped.
        size_t& next = loyal_next[u];
        first_item = next % its.size();
        count = std::min(its.size() - first_item, kLoyalEpisodesPerSitting);
        next = first_item + count;
      } else if (t == binged) {
        first_item = rng.Below(its.size() - kBingeMinEpisodes + 1);
        count = std::min(its.size() - first_item, kBingeMinEpisodes + rng.Pick(kEpisodesInSitting));
      } else if (catalog.titles[t].series) {
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
