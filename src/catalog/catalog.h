// The catalog: content (titles, episodes) and users (SPEC 3), persisted in
// SQLite under the data directory (DIR/catalog.db) and held in memory for
// fast lookups by the sessionizer and the query engine.
//
// Thread safety: lookups on a loaded Catalog are safe from many threads;
// Load() must not run concurrently with anything else.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "util/time.h"

namespace ws {

// A playable item (movie or episode), current version.
struct ContentInfo {
  std::string content_id;
  std::string kind;         // "movie" or "episode"
  std::string title_id;     // the movie itself, or the episode's series
  std::string title;        // title of the movie or series
  std::string episode_title;
  int32_t season_number = 0;
  int32_t episode_number = 0;
  int64_t length_ms = -1;         // -1: unknown
  int64_t credits_start_ms = -1;  // -1: unknown
  std::vector<std::string> genres;     // of the title
  std::vector<std::string> languages;  // of the title
};

// A title (movie or series), current version.
struct TitleInfo {
  std::string title_id;
  std::string kind;  // "movie" or "series"
  std::string title;
  std::vector<std::string> genres;
  std::vector<std::string> languages;
  std::string original_language;
  std::string production_status;  // "" when unknown
  std::optional<DayNumber> production_end_date;
  int32_t episode_count = 0;  // playable items of the title (1 for a movie)
};

struct UserInfo {
  std::string user_id;
  int32_t age = -1;  // -1: unknown
  std::string country;
  std::string subscription_type;
  std::string timezone;                // IANA name or ""
  std::vector<std::string> languages;  // ISO 639-1
};

// Read-only lookups used by the sessionizer and the query engine.
class CatalogView {
 public:
  virtual ~CatalogView() = default;
  // nullptr when unknown. Pointers stay valid while the view lives.
  virtual const ContentInfo* FindContent(std::string_view content_id) const = 0;
  virtual const TitleInfo* FindTitle(std::string_view title_id) const = 0;
  virtual const UserInfo* FindUser(std::string_view user_id) const = 0;
};

}  // namespace ws
