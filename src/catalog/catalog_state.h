// Internal: the in-memory state behind a Catalog, shared by catalog.cc
// (open, load, lookups) and catalog_show.cc (show, stats). Not part of the
// public API.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/sqlite.h"

namespace ws {
namespace catalog {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

struct TitleEntry {
  std::vector<std::unique_ptr<TitleVersion>> versions;  // oldest first; back() is current
  std::vector<std::string> items;                       // content_ids of its playable items
};

struct UserEntry {
  std::vector<std::unique_ptr<UserVersion>> versions;  // oldest first; back() is current
};

}  // namespace catalog

struct Catalog::State {
  explicit State(sqlite::SqliteDb database) : db(std::move(database)) {}
  std::string path;
  // Used by Load() and by the const Stats(); never concurrently (see Load()).
  mutable sqlite::SqliteDb db;
  catalog::StringMap<catalog::TitleEntry> titles;
  catalog::StringMap<ContentInfo> content;
  catalog::StringMap<catalog::UserEntry> users;
  EpochMillis latest_snapshot{INT64_MIN};  // highest valid_from of any version
  bool users_loaded = true;                // false: opened with Parts::kContentOnly
  // By surrogate key (AttachKeys); index 0 unused. Pointers into the maps above.
  std::vector<const ContentInfo*> content_by_key;
  std::vector<const UserInfo*> user_by_key;
};

}  // namespace ws
