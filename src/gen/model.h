// The synthetic world behind generated data: countries with their time
// zones, languages and genre tastes; the content catalog (SPEC 3.1) and the
// users (SPEC 3.2), with their JSON and CSV renderings.
//
// Everything is a pure function of its inputs and the Rng passed in, so the
// same seed yields byte-identical files.
// Thread safety: values and immutable tables only.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gen/rng.h"
#include "gen/text.h"

namespace ws::gen {

constexpr int kGenreCount = 14;
std::string_view GenreName(int genre);

struct ZoneInfo {
  std::string_view name;  // IANA name
  int std_minutes;        // standard UTC offset
  DstRule rule;
};
std::span<const ZoneInfo> Zones();

constexpr int kMaxZonesPerCountry = 6;
constexpr int kMaxExtraLanguages = 3;

struct WeightedZone {
  int zone = 0;  // index into Zones()
  double weight = 0;
};
struct ExtraLanguage {
  std::string_view code;
  double probability = 0;  // chance a user of the country also speaks it
};

struct CountryInfo {
  std::string_view code;      // ISO 3166-1 alpha-2
  double user_share;          // relative share of users
  double title_share;         // relative share of produced titles
  std::string_view language;  // main language (ISO 639-1)
  std::array<WeightedZone, kMaxZonesPerCountry> zones;
  std::array<ExtraLanguage, kMaxExtraLanguages> extra_languages;
  std::array<double, kGenreCount> genre_taste;  // multiplier per genre
  double buffering_factor;                      // relative rate of rebuffering
};
std::span<const CountryInfo> Countries();

struct Episode {
  std::string content_id;  // "s-0042-e0101"
  int season = 1;
  int number = 1;
  std::string title;
  int duration_s = 0;
  int credits_s = 0;
  int64_t release_day = 0;  // days since epoch
};

struct Title {
  std::string content_id;  // "m-0001" or "s-0042"
  bool series = false;
  std::string name;
  std::vector<int> genres;  // indices, see GenreName
  std::string original_language;
  std::vector<std::string> languages;
  int release_year = 0;
  int country = 0;                // producing country, index into Countries()
  int duration_s = 0;             // movies
  int credits_s = 0;              // movies
  std::vector<Episode> episodes;  // series, in viewing order
  int seasons = 0;
  bool in_production = false;      // series
  int64_t production_end_day = 0;  // series that ended
  bool extended_json = false;      // written in MongoDB Extended JSON style
  uint64_t oid_hi = 0;             // ObjectId (96 bits) for extended_json documents
  uint32_t oid_lo = 0;
  double popularity = 0;  // Zipf-like weight
};

struct Catalog {
  std::vector<Title> titles;
  uint64_t episode_count = 0;
};

// A catalog of `title_count` titles (about 60% series) released before
// `first_day`.
Catalog MakeCatalog(int title_count, int64_t first_day, Rng& rng);

// The second snapshot: about 5% of in-production series (at least one when
// any exist) end on a day in [first_day, first_day + days), and a couple of
// titles gain a genre.
Catalog EvolveCatalog(const Catalog& catalog, int64_t first_day, int days, Rng& rng);

// The catalog as one JSON array, one document per line.
std::string CatalogJson(const Catalog& catalog);

enum class Subscription : uint8_t { kBasic, kStandard, kPremium };
std::string_view SubscriptionName(Subscription s);

struct User {
  std::string user_id;  // "u-000123"
  int age = 0;
  int country = 0;          // index into Countries()
  int zone = 0;             // index into Zones()
  bool zone_listed = true;  // false: users.csv leaves the timezone blank
  Subscription subscription = Subscription::kStandard;
  int64_t registration_day = 0;
  std::vector<std::string> languages;
  bool marketing_opt_in = false;
  double activity = 0;                      // chance of watching on a given day
  std::array<double, kGenreCount> taste{};  // country taste times personal favourites
};

// `count` users registered before `first_day`.
std::vector<User> MakeUsers(int count, int64_t first_day, Rng& rng);

// users.csv with the header of SPEC 3.2 plus marketing_opt_in.
std::string UsersCsv(std::span<const User> users);

}  // namespace ws::gen
