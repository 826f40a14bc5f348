#include "gen/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace ws::gen {
namespace {

constexpr std::array<std::string_view, kGenreCount> kGenreNames = {
    "Drama",   "Comedy", "Crime",  "Action",  "Thriller", "Documentary", "Animation",
    "Romance", "Sci-Fi", "Horror", "Reality", "Kids",     "Fantasy",     "Mystery"};
enum GenreIndex {
  kDrama,
  kComedy,
  kCrime,
  kAction,
  kThriller,
  kDocumentary,
  kAnimation,
  kRomance,
  kSciFi,
  kHorror,
  kReality,
  kKids,
  kFantasy,
  kMystery
};

// How often each genre is attached to a produced title, before tastes.
constexpr std::array<double, kGenreCount> kGenreBaseShare = {1.6, 1.4, 1.0, 1.0, 0.9, 0.7, 0.6,
                                                             0.7, 0.6, 0.5, 0.5, 0.5, 0.5, 0.6};

constexpr ZoneInfo kZones[] = {
    {"America/New_York", -300, DstRule::kUs},
    {"America/Chicago", -360, DstRule::kUs},
    {"America/Denver", -420, DstRule::kUs},
    {"America/Phoenix", -420, DstRule::kNone},
    {"America/Los_Angeles", -480, DstRule::kUs},
    {"Pacific/Honolulu", -600, DstRule::kNone},
    {"Europe/London", 0, DstRule::kEu},
    {"Europe/Berlin", 60, DstRule::kEu},
    {"Europe/Paris", 60, DstRule::kEu},
    {"America/Sao_Paulo", -180, DstRule::kNone},
    {"America/Manaus", -240, DstRule::kNone},
    {"Asia/Kolkata", 330, DstRule::kNone},
    {"Asia/Tokyo", 540, DstRule::kNone},
    {"Asia/Seoul", 540, DstRule::kNone},
    {"America/Mexico_City", -360, DstRule::kNone},
    {"America/Tijuana", -480, DstRule::kUs},
    {"America/Monterrey", -360, DstRule::kNone},
    {"Europe/Madrid", 60, DstRule::kEu},
    {"Atlantic/Canary", 0, DstRule::kEu},
    {"America/Toronto", -300, DstRule::kUs},
    {"America/Vancouver", -480, DstRule::kUs},
    {"America/Edmonton", -420, DstRule::kUs},
};

using Taste = std::array<double, kGenreCount>;
// Order: Drama Comedy Crime Action Thriller Documentary Animation Romance
//        Sci-Fi Horror Reality Kids Fantasy Mystery.
constexpr CountryInfo kCountries[] = {
    {"US",
     30,
     40,
     "en",
     {{{0, 47}, {1, 29}, {2, 7}, {3, 2}, {4, 14}, {5, 1}}},
     {{{"es", 0.13}, {"", 0}, {"", 0}}},
     Taste{1.0, 1.6, 2.5, 2.2, 1.4, 0.8, 0.7, 0.8, 1.2, 1.1, 1.3, 0.9, 0.9, 1.0},
     1.0},
    {"GB",
     8,
     10,
     "en",
     {{{6, 1}}},
     {{{"fr", 0.04}, {"", 0}, {"", 0}}},
     Taste{1.6, 1.6, 2.2, 1.1, 1.3, 1.5, 0.6, 0.8, 1.0, 0.9, 1.0, 0.8, 0.9, 1.5},
     0.9},
    {"DE",
     8,
     5,
     "de",
     {{{7, 1}}},
     {{{"en", 0.3}, {"tr", 0.04}, {"", 0}}},
     Taste{1.1, 1.0, 2.0, 1.2, 1.8, 1.4, 0.6, 0.7, 1.1, 0.9, 0.9, 0.8, 1.0, 1.3},
     0.9},
    {"FR",
     7,
     5,
     "fr",
     {{{8, 1}}},
     {{{"en", 0.2}, {"ar", 0.03}, {"", 0}}},
     Taste{1.8, 1.7, 1.2, 1.0, 1.1, 1.2, 1.0, 1.3, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0},
     1.0},
    {"BR",
     10,
     4,
     "pt",
     {{{9, 9}, {10, 1}}},
     {{{"en", 0.12}, {"es", 0.08}, {"", 0}}},
     Taste{1.7, 1.4, 1.2, 1.2, 1.0, 0.7, 0.8, 1.8, 0.8, 1.2, 1.6, 1.0, 0.9, 0.8},
     1.6},
    {"IN",
     10,
     6,
     "hi",
     {{{11, 1}}},
     {{{"en", 0.4}, {"ta", 0.1}, {"te", 0.06}}},
     Taste{1.8, 1.5, 1.1, 2.0, 1.2, 0.6, 0.8, 1.8, 0.8, 0.7, 1.0, 0.9, 1.0, 0.9},
     2.0},
    {"JP",
     7,
     8,
     "ja",
     {{{12, 1}}},
     {{{"en", 0.1}, {"", 0}, {"", 0}}},
     Taste{1.2, 1.0, 0.8, 1.0, 0.9, 0.8, 3.5, 1.1, 1.3, 1.0, 0.7, 1.0, 1.8, 1.2},
     0.7},
    {"KR",
     7,
     10,
     "ko",
     {{{13, 1}}},
     {{{"en", 0.15}, {"", 0}, {"", 0}}},
     Taste{3.0, 1.1, 1.1, 1.0, 1.4, 0.6, 0.8, 2.6, 0.8, 0.9, 1.2, 0.7, 1.2, 1.0},
     0.6},
    {"MX",
     7,
     4,
     "es",
     {{{14, 8}, {15, 1}, {16, 1}}},
     {{{"en", 0.2}, {"", 0}, {"", 0}}},
     Taste{1.6, 1.5, 1.3, 1.2, 1.0, 0.8, 1.0, 1.6, 0.9, 1.4, 1.1, 1.0, 0.9, 0.9},
     1.4},
    {"ES",
     6,
     6,
     "es",
     {{{17, 95}, {18, 5}}},
     {{{"en", 0.2}, {"ca", 0.15}, {"", 0}}},
     Taste{1.5, 1.3, 1.8, 1.1, 1.6, 1.0, 0.8, 1.1, 0.9, 1.0, 1.0, 0.8, 0.9, 1.2},
     1.0},
    {"CA",
     4,
     2,
     "en",
     {{{19, 6}, {20, 2}, {21, 2}}},
     {{{"fr", 0.25}, {"", 0}, {"", 0}}},
     Taste{1.1, 1.5, 1.6, 1.4, 1.2, 1.0, 0.8, 0.9, 1.1, 1.0, 1.1, 0.9, 0.9, 1.0},
     0.9},
};

// Production languages other than a country's main language: (country, language, share).
struct LanguageOverride {
  std::string_view country;
  std::string_view language;
  double share;
};
constexpr LanguageOverride kLanguageOverrides[] = {
    {"IN", "ta", 0.15}, {"IN", "en", 0.15}, {"CA", "fr", 0.2}, {"ES", "ca", 0.05}};

// Dub and subtitle languages added to titles.
constexpr std::string_view kDubLanguages[] = {"es", "fr", "de", "pt", "ja", "ko", "hi", "it"};
constexpr double kEnglishDubShare = 0.7;
constexpr double kOtherDubShare = 0.3;

constexpr double kSeriesShare = 0.6;
constexpr double kGenreCountWeights[] = {30, 49, 21};  // 1, 2 or 3 genres
constexpr int kShortEpisodeMinMinutes = 20;            // comedy, kids, animation
constexpr int kShortEpisodeMaxMinutes = 30;
constexpr int kLongEpisodeMinMinutes = 38;
constexpr int kLongEpisodeMaxMinutes = 60;
constexpr double kZipfExponent = 0.9;
constexpr double kExtendedJsonShare = 0.25;

constexpr double kMovieMeanMinutes = 112;
constexpr double kMovieSdMinutes = 20;
constexpr int kMovieMinMinutes = 80;
constexpr int kMovieMaxMinutes = 180;
constexpr double kMovieCreditsFromFraction = 0.94;
constexpr double kMovieCreditsToFraction = 0.97;

constexpr int kEpisodeMinMinutes = 20;
constexpr int kEpisodeMaxMinutes = 60;
constexpr double kEpisodeLengthJitter = 0.1;
constexpr int kEpisodeCreditsMinSeconds = 30;
constexpr int kEpisodeCreditsMaxSeconds = 150;
constexpr double kSeasonCountWeights[] = {35, 25, 15, 10, 8, 7};  // 1..6 seasons
constexpr int kMinEpisodesPerSeason = 6;
constexpr int kMaxEpisodesPerSeason = 13;
constexpr int kMaxEpisodesLongFormat = 20;  // reality and kids shows
constexpr double kWeeklyReleaseShare = 0.5;
constexpr int kDaysPerWeek = 7;
constexpr int kLastSeasonMinAgeDays = 20;
constexpr int kLastSeasonMaxAgeDays = 1200;
constexpr int kSeasonGapMinDays = 300;
constexpr int kSeasonGapMaxDays = 420;
constexpr int kRecentSeasonDays = 500;
constexpr double kInProductionRecentShare = 0.65;
constexpr double kInProductionOldShare = 0.12;
constexpr int kEndAfterLastEpisodeMinDays = 30;
constexpr int kEndAfterLastEpisodeMaxDays = 240;
constexpr double kMovieAgeMeanYears = 6;
constexpr int kEarliestReleaseYear = 1975;

constexpr double kEndedInSnapshotShare = 0.05;
constexpr int kTitlesGainingGenre = 2;

constexpr double kUserAgeMean = 36;
constexpr double kUserAgeSd = 12;
constexpr int kUserMinAge = 18;
constexpr int kUserMaxAge = 75;
constexpr double kSubscriptionWeights[] = {35, 45, 20};  // basic, standard, premium
constexpr double kRegistrationAgeMeanDays = 500;
constexpr int kServiceLaunchYear = 2016;
constexpr double kZoneListedShare = 0.99;
constexpr double kMarketingOptInShare = 0.4;
constexpr double kActivityFloor = 0.03;
constexpr double kActivityMean = 0.12;
constexpr double kActivityCap = 0.95;
constexpr double kFavouriteBoost = 2.5;
constexpr double kSecondFavouriteShare = 0.5;
constexpr double kTasteNoiseLow = 0.7;
constexpr double kTasteNoiseHigh = 1.3;

constexpr std::string_view kAdjectives[] = {"Silent",  "Broken", "Golden",   "Hidden", "Last",   "Crimson",
                                            "Endless", "Frozen", "Wild",     "Lost",   "Secret", "Midnight",
                                            "Burning", "Quiet",  "Electric", "Velvet", "Iron",   "Paper",
                                            "Distant", "Hollow", "Bright",   "Savage", "Gentle", "Neon"};
constexpr std::string_view kNouns[] = {
    "Harbor",   "Kingdom", "Witness", "Garden",    "Signal",  "Empire",  "Frontier", "Orchard", "Verdict",
    "Horizon",  "Tide",    "Station", "Circle",    "Mirror",  "Dynasty", "Alley",    "Summit",  "Island",
    "Protocol", "Letters", "Sisters", "Detective", "Kitchen", "Academy", "Heist",    "Season"};
constexpr std::string_view kPlaces[] = {"Seoul",  "Brooklyn", "Lisbon",  "Osaka", "Mumbai", "Marseille",
                                        "Berlin", "Havana",   "Toronto", "Rio",   "Madrid", "Glasgow"};
constexpr std::string_view kEpisodeWords[] = {"Pilot",   "Homecoming", "The Offer", "Crossroads",
                                              "Fallout", "Reunion",    "The Deal",  "Aftermath",
                                              "Ghosts",  "Trust",      "Leverage",  "Endgame"};

template <typename T, size_t N>
const T& PickOne(const T (&items)[N], Rng& rng) {
  return items[rng.Below(N)];
}

std::string MakeTitleName(Rng& rng) {
  switch (rng.Below(4)) {
    case 0:
      return fmt::format("The {} {}", PickOne(kAdjectives, rng), PickOne(kNouns, rng));
    case 1:
      return fmt::format("{} of {}", PickOne(kNouns, rng), PickOne(kPlaces, rng));
    case 2:
      return fmt::format("{} {}s", PickOne(kAdjectives, rng), PickOne(kNouns, rng));
    default:
      return fmt::format("{}: {}", PickOne(kPlaces, rng), PickOne(kNouns, rng));
  }
}

std::vector<int> PickGenres(const Taste& taste, Rng& rng) {
  const int count = 1 + static_cast<int>(rng.Pick(kGenreCountWeights));
  std::array<double, kGenreCount> w{};
  for (int g = 0; g < kGenreCount; ++g) w[g] = kGenreBaseShare[g] * taste[g];
  std::vector<int> genres;
  for (int i = 0; i < count; ++i) {
    const int g = static_cast<int>(rng.Pick(w));
    genres.push_back(g);
    w[g] = 0;
  }
  return genres;
}

bool HasGenre(const Title& t, int genre) {
  return std::find(t.genres.begin(), t.genres.end(), genre) != t.genres.end();
}

std::string OriginalLanguage(const CountryInfo& c, Rng& rng) {
  double u = rng.Uniform();
  for (const auto& o : kLanguageOverrides) {
    if (o.country != c.code) continue;
    if (u < o.share) return std::string(o.language);
    u -= o.share;
  }
  return std::string(c.language);
}

void AddLanguages(Title& t, Rng& rng) {
  t.languages.push_back(t.original_language);
  if (t.original_language != "en" && rng.Chance(kEnglishDubShare)) t.languages.emplace_back("en");
  for (std::string_view l : kDubLanguages) {
    if (l != t.original_language && rng.Chance(kOtherDubShare / 2)) t.languages.emplace_back(l);
  }
}

void MakeMovie(Title& t, Rng& rng) {
  double minutes = kMovieMeanMinutes + kMovieSdMinutes * rng.Normal();
  minutes = std::clamp(minutes, static_cast<double>(kMovieMinMinutes), static_cast<double>(kMovieMaxMinutes));
  t.duration_s = static_cast<int>(minutes) * 60 + static_cast<int>(rng.Below(60));
  t.credits_s =
      static_cast<int>(t.duration_s * rng.Uniform(kMovieCreditsFromFraction, kMovieCreditsToFraction));
}

void MakeSeries(Title& t, int64_t first_day, Rng& rng) {
  t.seasons = 1 + static_cast<int>(rng.Pick(kSeasonCountWeights));
  const bool short_format = HasGenre(t, kComedy) || HasGenre(t, kKids) || HasGenre(t, kAnimation);
  const bool long_format = HasGenre(t, kReality) || HasGenre(t, kKids);
  const int base_minutes =
      static_cast<int>(short_format ? rng.Range(kShortEpisodeMinMinutes, kShortEpisodeMaxMinutes)
                                    : rng.Range(kLongEpisodeMinMinutes, kLongEpisodeMaxMinutes));
  const int64_t last_season_day = first_day - rng.Range(kLastSeasonMinAgeDays, kLastSeasonMaxAgeDays);
  const bool weekly = rng.Chance(kWeeklyReleaseShare);
  int64_t last_release = 0;
  for (int s = 1; s <= t.seasons; ++s) {
    const int64_t season_day =
        last_season_day - (t.seasons - s) * rng.Range(kSeasonGapMinDays, kSeasonGapMaxDays);
    if (s == 1) t.release_year = static_cast<int>(CivilFromDays(season_day).year);
    const int episodes = static_cast<int>(
        rng.Range(kMinEpisodesPerSeason, long_format ? kMaxEpisodesLongFormat : kMaxEpisodesPerSeason));
    for (int e = 1; e <= episodes; ++e) {
      Episode ep;
      ep.content_id = fmt::format("{}-e{:02d}{:02d}", t.content_id, s, e);
      ep.season = s;
      ep.number = e;
      ep.title = (s == 1 && e == 1) ? "Pilot" : std::string(PickOne(kEpisodeWords, rng));
      const double jitter = 1.0 + kEpisodeLengthJitter * (2 * rng.Uniform() - 1);
      const int minutes =
          std::clamp(static_cast<int>(base_minutes * jitter), kEpisodeMinMinutes, kEpisodeMaxMinutes);
      ep.duration_s = minutes * 60 + static_cast<int>(rng.Below(60));
      ep.credits_s =
          ep.duration_s - static_cast<int>(rng.Range(kEpisodeCreditsMinSeconds, kEpisodeCreditsMaxSeconds));
      ep.release_day = std::min(season_day + (weekly ? (e - 1) * kDaysPerWeek : 0), first_day - 1);
      last_release = std::max(last_release, ep.release_day);
      t.episodes.push_back(std::move(ep));
    }
  }
  const bool recent = last_season_day > first_day - kRecentSeasonDays;
  t.in_production = rng.Chance(recent ? kInProductionRecentShare : kInProductionOldShare);
  if (!t.in_production) {
    t.production_end_day = std::min(
        last_release + rng.Range(kEndAfterLastEpisodeMinDays, kEndAfterLastEpisodeMaxDays), first_day - 1);
  }
}

void AppendStringArray(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += '"';
    out += items[i];
    out += '"';
  }
  out += ']';
}

std::string DateText(int64_t day) {
  char buf[16];
  LineBuilder b(buf);
  b.Date(day);
  return std::string(b.view());
}

std::string JsonQuoted(std::string_view s) {
  char buf[512];
  if (s.size() * 6 + 2 > sizeof(buf)) return "\"\"";
  LineBuilder b(buf);
  b.JsonString(s);
  return std::string(b.view());
}

void AppendTitleJson(std::string& out, const Title& t) {
  out += '{';
  if (t.extended_json) out += fmt::format("\"_id\": {{\"$oid\": \"{:016x}{:08x}\"}}, ", t.oid_hi, t.oid_lo);
  out += fmt::format("\"content_id\": \"{}\", \"type\": \"{}\", \"title\": {}, \"genres\": [", t.content_id,
                     t.series ? "series" : "movie", JsonQuoted(t.name));
  for (size_t i = 0; i < t.genres.size(); ++i) {
    if (i) out += ", ";
    out += fmt::format("\"{}\"", kGenreNames[t.genres[i]]);
  }
  out += "], \"languages\": ";
  AppendStringArray(out, t.languages);
  out += fmt::format(", \"original_language\": \"{}\", \"release_year\": ", t.original_language);
  if (t.extended_json) {
    out += fmt::format("{{\"$numberLong\": \"{}\"}}", t.release_year);
  } else {
    out += fmt::format("{}", t.release_year);
  }
  out += fmt::format(", \"countries\": [\"{}\"]", kCountries[t.country].code);
  if (!t.series) {
    out +=
        fmt::format(", \"duration_seconds\": {}, \"credits_start_seconds\": {}}}", t.duration_s, t.credits_s);
    return;
  }
  out += fmt::format(", \"production_status\": \"{}\"", t.in_production ? "in_production" : "ended");
  if (!t.in_production) {
    if (t.extended_json) {
      out += fmt::format(", \"production_end_date\": {{\"$date\": \"{}T00:00:00Z\"}}",
                         DateText(t.production_end_day));
    } else {
      out += fmt::format(", \"production_end_date\": \"{}\"", DateText(t.production_end_day));
    }
  }
  out += ", \"seasons\": [";
  int season = 0;
  for (const Episode& ep : t.episodes) {
    if (ep.season != season) {
      if (season != 0) out += "]}, ";
      season = ep.season;
      out += fmt::format("{{\"season_number\": {}, \"episodes\": [", season);
    } else {
      out += ", ";
    }
    out += fmt::format(
        "{{\"content_id\": \"{}\", \"episode_number\": {}, \"title\": {}, \"duration_seconds\": {}, "
        "\"credits_start_seconds\": {}, \"release_date\": \"{}\"}}",
        ep.content_id, ep.number, JsonQuoted(ep.title), ep.duration_s, ep.credits_s,
        DateText(ep.release_day));
  }
  if (season != 0) out += "]}";
  out += "]}";
}

}  // namespace

std::string_view GenreName(int genre) { return kGenreNames[genre]; }
std::span<const ZoneInfo> Zones() { return kZones; }
std::span<const CountryInfo> Countries() { return kCountries; }

std::string_view SubscriptionName(Subscription s) {
  switch (s) {
    case Subscription::kBasic:
      return "basic";
    case Subscription::kStandard:
      return "standard";
    case Subscription::kPremium:
      return "premium";
  }
  return "standard";
}

Catalog MakeCatalog(int title_count, int64_t first_day, Rng& rng) {
  Catalog c;
  std::vector<double> country_share;
  for (const auto& ci : kCountries) country_share.push_back(ci.title_share);
  const int first_year = static_cast<int>(CivilFromDays(first_day).year);
  int movies = 0;
  int series = 0;
  for (int i = 0; i < title_count; ++i) {
    Title t;
    t.series = rng.Chance(kSeriesShare);
    t.content_id = t.series ? fmt::format("s-{:04d}", ++series) : fmt::format("m-{:04d}", ++movies);
    t.name = MakeTitleName(rng);
    t.country = static_cast<int>(rng.Pick(country_share));
    const CountryInfo& ci = kCountries[t.country];
    t.genres = PickGenres(ci.genre_taste, rng);
    t.original_language = OriginalLanguage(ci, rng);
    AddLanguages(t, rng);
    t.extended_json = rng.Chance(kExtendedJsonShare);
    t.oid_hi = rng.Next();
    t.oid_lo = static_cast<uint32_t>(rng.Next());
    if (t.series) {
      MakeSeries(t, first_day, rng);
      c.episode_count += t.episodes.size();
    } else {
      MakeMovie(t, rng);
      t.release_year =
          std::max(kEarliestReleaseYear, first_year - static_cast<int>(rng.Exponential(kMovieAgeMeanYears)));
    }
    c.titles.push_back(std::move(t));
  }
  // Zipf-like popularity over a random ranking.
  std::vector<size_t> rank(c.titles.size());
  for (size_t i = 0; i < rank.size(); ++i) rank[i] = i;
  for (size_t i = rank.size(); i > 1; --i) std::swap(rank[i - 1], rank[rng.Below(i)]);
  for (size_t r = 0; r < rank.size(); ++r) {
    c.titles[rank[r]].popularity = DetPow(static_cast<double>(r + 1), -kZipfExponent);
  }
  return c;
}

Catalog EvolveCatalog(const Catalog& catalog, int64_t first_day, int days, Rng& rng) {
  Catalog next = catalog;
  std::vector<size_t> producing;
  for (size_t i = 0; i < next.titles.size(); ++i) {
    if (next.titles[i].series && next.titles[i].in_production) producing.push_back(i);
  }
  if (!producing.empty()) {
    const size_t ending = std::max<size_t>(
        1, static_cast<size_t>(static_cast<double>(producing.size()) * kEndedInSnapshotShare + 0.5));
    for (size_t i = 0; i < ending; ++i) {
      std::swap(producing[i], producing[i + rng.Below(producing.size() - i)]);
      Title& t = next.titles[producing[i]];
      t.in_production = false;
      t.production_end_day = first_day + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(days)));
    }
  }
  for (int i = 0; i < kTitlesGainingGenre && !next.titles.empty(); ++i) {
    Title& t = next.titles[rng.Below(next.titles.size())];
    for (int tries = 0; tries < kGenreCount; ++tries) {
      const int g = static_cast<int>(rng.Below(kGenreCount));
      if (!HasGenre(t, g)) {
        t.genres.push_back(g);
        break;
      }
    }
  }
  return next;
}

std::string CatalogJson(const Catalog& catalog) {
  std::string out = "[\n";
  for (size_t i = 0; i < catalog.titles.size(); ++i) {
    AppendTitleJson(out, catalog.titles[i]);
    out += i + 1 < catalog.titles.size() ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

std::vector<User> MakeUsers(int count, int64_t first_day, Rng& rng) {
  std::vector<double> user_share;
  for (const auto& ci : kCountries) user_share.push_back(ci.user_share);
  const int64_t launch_day = DaysFromCivil(kServiceLaunchYear, 1, 1);
  std::vector<User> users;
  users.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    User u;
    u.user_id = fmt::format("u-{:06d}", i + 1);
    u.country = static_cast<int>(rng.Pick(user_share));
    const CountryInfo& ci = kCountries[u.country];
    std::array<double, kMaxZonesPerCountry> zw{};
    for (int z = 0; z < kMaxZonesPerCountry; ++z) zw[z] = ci.zones[z].weight;
    u.zone = ci.zones[rng.Pick(zw)].zone;
    u.zone_listed = rng.Chance(kZoneListedShare);
    u.age = std::clamp(static_cast<int>(kUserAgeMean + kUserAgeSd * rng.Normal()), kUserMinAge, kUserMaxAge);
    u.subscription = static_cast<Subscription>(rng.Pick(kSubscriptionWeights));
    u.registration_day =
        std::max(launch_day, first_day - 1 - static_cast<int64_t>(rng.Exponential(kRegistrationAgeMeanDays)));
    u.languages.emplace_back(ci.language);
    for (const auto& extra : ci.extra_languages) {
      if (!extra.code.empty() && rng.Chance(extra.probability)) u.languages.emplace_back(extra.code);
    }
    u.marketing_opt_in = rng.Chance(kMarketingOptInShare);
    u.activity = std::min(kActivityCap, kActivityFloor + rng.Exponential(kActivityMean));
    for (int g = 0; g < kGenreCount; ++g)
      u.taste[g] = ci.genre_taste[g] * rng.Uniform(kTasteNoiseLow, kTasteNoiseHigh);
    const int favourites = rng.Chance(kSecondFavouriteShare) ? 2 : 1;
    for (int f = 0; f < favourites; ++f) u.taste[rng.Pick(ci.genre_taste)] *= kFavouriteBoost;
    users.push_back(std::move(u));
  }
  return users;
}

std::string UsersCsv(std::span<const User> users) {
  std::string out =
      "user_id,age,country,subscription_type,registration_date,languages,timezone,marketing_opt_in\n";
  for (const User& u : users) {
    out += fmt::format("{},{},{},{},{},", u.user_id, u.age, kCountries[u.country].code,
                       SubscriptionName(u.subscription), DateText(u.registration_day));
    for (size_t i = 0; i < u.languages.size(); ++i) {
      if (i) out += ';';
      out += u.languages[i];
    }
    out += ',';
    if (u.zone_listed) out += kZones[u.zone].name;
    out += u.marketing_opt_in ? ",true\n" : ",false\n";
  }
  return out;
}

}  // namespace ws::gen
