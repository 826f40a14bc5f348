// Catalog load benchmark: generates a content catalog of 100,000 titles
// (80,000 movies and 20,000 series of 10 episodes) and a users CSV of
// 1,000,000 users under /tmp, then measures Catalog::Open + Load, a reopen,
// and an identical reload (a no-op).
//
// Usage: catalog_load_bench [TITLES [USERS]]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "catalog/catalog.h"

namespace {

constexpr int kDefaultTitles = 100000;
constexpr int kDefaultUsers = 1000000;
constexpr int kSeriesEvery = 5;  // every 5th title is a series
constexpr int kEpisodesPerSeries = 10;
constexpr int kEpisodesPerSeason = 5;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

std::string MakeCatalog(int titles) {
  const char* genres[] = {"Drama", "Comedy", "Crime", "Thriller", "Romance", "Documentary", "Animation"};
  const char* langs[] = {"en", "ko", "ja", "es", "fr", "de"};
  std::string out;
  for (int i = 1; i <= titles; ++i) {
    const char* g1 = genres[i % 7];
    const char* g2 = genres[(i / 7) % 7];
    const char* l = langs[i % 6];
    if (i % kSeriesEvery == 0) {
      out += fmt::format(
          R"({{"_id": {{"$oid": "{:024x}"}}, "content_id": "s-{:06d}", "type": "series", "title": "Series {}", )"
          R"("genres": ["{}", "{}"], "languages": ["{}", "en"], "production_status": "ongoing", "seasons": [)",
          i, i, i, g1, g2, l);
      for (int s = 1; s <= kEpisodesPerSeries / kEpisodesPerSeason; ++s) {
        out += fmt::format(R"({}{{"season_number": {}, "episodes": [)", s > 1 ? ", " : "", s);
        for (int e = 1; e <= kEpisodesPerSeason; ++e) {
          out += fmt::format(
              R"({}{{"content_id": "s-{:06d}-e{:02d}{:02d}", "episode_number": {}, "title": "Episode {}", )"
              R"("duration_seconds": 2700, "credits_start_seconds": 2580, "release_date": "2024-01-05"}})",
              e > 1 ? ", " : "", i, s, e, e, e);
        }
        out += "]}";
      }
      out += "]}\n";
    } else {
      out += fmt::format(
          R"({{"content_id": "m-{:06d}", "type": "movie", "title": "Movie {}", "genres": ["{}", "{}"], )"
          R"("languages": ["{}"], "release_year": {{"$numberLong": "{}"}}, "duration_seconds": 6840, )"
          R"("credits_start_seconds": 6510, "countries": ["US"]}})"
          "\n",
          i, i, g1, g2, l, 1990 + i % 35);
    }
  }
  return out;
}

std::string MakeUsers(int users) {
  const char* countries[] = {"US", "KR", "JP", "DE", "FR", "BR", "IN"};
  const char* zones[] = {"America/New_York", "Asia/Seoul",        "Asia/Tokyo",  "Europe/Berlin",
                         "Europe/Paris",     "America/Sao_Paulo", "Asia/Kolkata"};
  const char* subs[] = {"free", "basic", "standard", "premium"};
  std::string out =
      "user_id,age,country,subscription_type,registration_date,languages,timezone,marketing_opt_in\n";
  for (int i = 1; i <= users; ++i) {
    int c = i % 7;
    out += fmt::format("u-{:07d},{},{},{},2024-{:02d}-{:02d},{},{},{}\n", i, 16 + i % 60, countries[c],
                       subs[i % 4], 1 + i % 12, 1 + i % 28, i % 3 == 0 ? "en;ko" : "en", zones[c],
                       i % 2 ? "true" : "false");
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int titles = argc > 1 ? std::atoi(argv[1]) : kDefaultTitles;
  int users = argc > 2 ? std::atoi(argv[2]) : kDefaultUsers;
  std::filesystem::path root = std::filesystem::temp_directory_path() / "ws-catalog-bench";
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  std::filesystem::create_directories(root / "data", ec);
  std::string catalog_file = (root / "catalog.ndjson").string();
  std::string users_file = (root / "users.csv").string();
  auto t0 = std::chrono::steady_clock::now();
  if (!WriteFile(catalog_file, MakeCatalog(titles)) || !WriteFile(users_file, MakeUsers(users))) {
    std::fprintf(stderr, "cannot write input files under %s\n", root.c_str());
    return 1;
  }
  std::printf("generated %d titles and %d users in %.2f s\n", titles, users, Seconds(t0));

  auto t1 = std::chrono::steady_clock::now();
  auto opened = ws::Catalog::Open((root / "data").string());
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto report = (*opened)->Load({catalog_file, users_file});
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  double first = Seconds(t1);
  std::printf("%s", report->Summary().c_str());
  std::printf("first load (open + load + commit): %.2f s\n", first);
  opened->reset();

  auto t2 = std::chrono::steady_clock::now();
  auto reopened = ws::Catalog::Open((root / "data").string());
  if (!reopened.ok()) {
    std::fprintf(stderr, "%s\n", reopened.status().ToString().c_str());
    return 1;
  }
  std::printf("reopen (read everything into memory): %.2f s\n", Seconds(t2));

  auto t3 = std::chrono::steady_clock::now();
  auto again = (*reopened)->Load({catalog_file, users_file});
  if (!again.ok()) {
    std::fprintf(stderr, "%s\n", again.status().ToString().c_str());
    return 1;
  }
  std::printf("identical reload (no-op): %.2f s, %lld titles and %lld users changed\n", Seconds(t3),
              static_cast<long long>(again->titles.added + again->titles.changed),
              static_cast<long long>(again->users.added + again->users.changed));
  std::filesystem::remove_all(root, ec);
  return 0;
}
