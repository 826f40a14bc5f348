// Lookups: the catalog's attributes by the surrogate keys session facts
// carry (SPEC 3.5), as flat arrays, so that a scan turns a content or user
// key into its title, type, genres or profile with one index.
//
// Built once per query from the catalog and the key registry; the parts a
// query does not need are not built (users are the large part).
//
// Thread safety: immutable once built; share freely.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "session/session_table.h"
#include "util/time.h"

namespace ws::query {

enum class ContentType : uint8_t { kUnknown = 0, kMovie = 1, kEpisode = 2 };

// SPEC 3.2 age bands (docs/reports.md); kAgeBandCount codes, 0 = unknown.
inline constexpr int kAgeBandCount = 8;
const char* AgeBandName(int code);  // nullptr for unknown
int AgeBand(int32_t age);

struct Lookups {
  // Content (index: content key; key 0 and keys beyond the catalog map to an
  // own title, the item itself).
  std::vector<int32_t> title_of_content;
  std::vector<ContentType> type_of_content;
  // Titles (index: title code).
  std::vector<std::string> title_id;
  std::vector<std::string> title_name;
  std::vector<int32_t> title_items;    // playable items (1 for a movie or an unknown item)
  std::vector<int32_t> title_end_day;  // production end date, kNoDay when none
  // Genres: names by code, and per title code the versions of the title's
  // genres (valid from, genre codes), oldest first (SCD2; SPEC 3.1).
  std::vector<std::string> genre_names;
  struct GenreVersion {
    int64_t from_ms = 0;
    std::vector<uint16_t> genres;
  };
  std::vector<std::vector<GenreVersion>> title_genres;
  // Users (index: user key), when built.
  std::vector<int16_t> subscription_of_user;  // code into subscription_names; -1 unknown
  std::vector<std::string> subscription_names;
  std::vector<int8_t> age_band_of_user;
  std::vector<uint8_t> multilingual_user;  // >= 2 profile languages

  static constexpr int32_t kNoDay = INT32_MIN;

  // The genre codes of content `key` as of instant `t_ms` (SCD2: the version
  // valid then; before the first version, the first). Empty when unknown.
  std::span<const uint16_t> GenresAt(uint32_t content_key, int64_t t_ms) const {
    if (content_key < flat_history.size() && !flat_history[content_key]) {
      return {flat_genres.data() + flat_offset[content_key], flat_count[content_key]};
    }
    return GenresFromHistory(content_key, t_ms);
  }
  std::span<const uint16_t> GenresFromHistory(uint32_t content_key, int64_t t_ms) const;
  // Per content key, for titles with one genre version (most): its genres
  // in one flat array (scans read them without chasing pointers).
  std::vector<uint32_t> flat_offset;
  std::vector<uint16_t> flat_count;
  std::vector<uint8_t> flat_history;  // 1: several versions, read GenresFromHistory
  std::vector<uint16_t> flat_genres;
  int32_t TitleOf(uint32_t content_key) const {
    return content_key < title_of_content.size() ? title_of_content[content_key] : 0;
  }
  // The title code of a title_id or exact title name; -1 when none.
  int32_t FindTitle(const std::string& id_or_name) const;
  int32_t FindGenre(const std::string& name) const;  // -1 when none
};

// Builds the lookups. `with_users` also builds the per-user arrays.
// Requires: catalog->AttachKeys(registry) ran (a null catalog: every item is
// its own title, with no genres or type).
Lookups BuildLookups(const Catalog* catalog, const SessionKeys& keys, bool with_users);

}  // namespace ws::query
