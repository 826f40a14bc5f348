#include "query/lookups.h"

#include <algorithm>
#include <unordered_map>

namespace ws::query {
namespace {

struct AgeBandDef {
  int32_t below;  // ages below this (and at or above the previous band's) belong here
  const char* name;
};
constexpr AgeBandDef kAgeBands[] = {{18, "under 18"}, {25, "18-24"}, {35, "25-34"},     {45, "35-44"},
                                    {55, "45-54"},    {65, "55-64"}, {INT32_MAX, "65+"}};

}  // namespace

const char* AgeBandName(int code) {
  if (code <= 0 || code > static_cast<int>(std::size(kAgeBands))) return nullptr;
  return kAgeBands[code - 1].name;
}

int AgeBand(int32_t age) {
  if (age < 0) return 0;
  for (size_t i = 0; i < std::size(kAgeBands); ++i) {
    if (age < kAgeBands[i].below) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::span<const uint16_t> Lookups::GenresFromHistory(uint32_t content_key, int64_t t_ms) const {
  const auto t = static_cast<size_t>(TitleOf(content_key));
  if (t >= title_genres.size() || title_genres[t].empty()) return {};
  const auto& v = title_genres[t];
  size_t i = 0;
  while (i + 1 < v.size() && v[i + 1].from_ms <= t_ms) ++i;
  return v[i].genres;
}

int32_t Lookups::FindTitle(const std::string& id_or_name) const {
  for (size_t i = 0; i < title_id.size(); ++i) {
    if (title_id[i] == id_or_name) return static_cast<int32_t>(i);
  }
  for (size_t i = 0; i < title_name.size(); ++i) {
    if (title_name[i] == id_or_name) return static_cast<int32_t>(i);
  }
  return -1;
}

int32_t Lookups::FindGenre(const std::string& name) const {
  for (size_t i = 0; i < genre_names.size(); ++i) {
    if (genre_names[i] == name) return static_cast<int32_t>(i);
  }
  return -1;
}

Lookups BuildLookups(const Catalog* catalog, const SessionKeys& keys, bool with_users) {
  Lookups l;
  const uint32_t contents = keys.content->size();
  l.title_of_content.assign(contents + 1, 0);
  l.type_of_content.assign(contents + 1, ContentType::kUnknown);
  std::unordered_map<std::string, int32_t> title_code;
  std::unordered_map<std::string, uint16_t> genre_code;
  auto genre = [&](const std::string& g) {
    auto [it, fresh] = genre_code.try_emplace(g, static_cast<uint16_t>(l.genre_names.size()));
    if (fresh) l.genre_names.push_back(g);
    return it->second;
  };
  auto title = [&](const std::string& id, const std::string& name, int32_t items, int32_t end_day) {
    auto [it, fresh] = title_code.try_emplace(id, static_cast<int32_t>(l.title_id.size()));
    if (fresh) {
      l.title_id.push_back(id);
      l.title_name.push_back(name);
      l.title_items.push_back(items);
      l.title_end_day.push_back(end_day);
      l.title_genres.emplace_back();
    }
    return it->second;
  };
  title("", "", 0, Lookups::kNoDay);  // code 0: content key 0 (absent)
  for (uint32_t k = 1; k <= contents; ++k) {
    const ContentInfo* c = catalog ? catalog->FindContentByKey(k) : nullptr;
    if (c == nullptr) {
      l.title_of_content[k] = title(std::string(keys.content->Name(k)), "", 1, Lookups::kNoDay);
      continue;
    }
    const TitleInfo* t = catalog->FindTitle(c->title_id);
    const int32_t end_day = t && t->production_end_date ? t->production_end_date->v : Lookups::kNoDay;
    l.title_of_content[k] =
        title(c->title_id, t ? t->title : c->title, t ? std::max(1, t->episode_count) : 1, end_day);
    l.type_of_content[k] = c->kind == "movie"     ? ContentType::kMovie
                           : c->kind == "episode" ? ContentType::kEpisode
                                                  : ContentType::kUnknown;
    auto& versions = l.title_genres[static_cast<size_t>(l.title_of_content[k])];
    if (versions.empty()) {
      for (const TitleVersion* v : catalog->TitleHistory(c->title_id)) {
        Lookups::GenreVersion gv;
        gv.from_ms = v->valid_from.v;
        for (const std::string& g : v->info.genres) gv.genres.push_back(genre(g));
        versions.push_back(std::move(gv));
      }
    }
  }
  // The flat copy for single-version titles.
  l.flat_offset.assign(contents + 1, 0);
  l.flat_count.assign(contents + 1, 0);
  l.flat_history.assign(contents + 1, 0);
  for (uint32_t k = 0; k <= contents; ++k) {
    const auto& versions = l.title_genres[static_cast<size_t>(l.title_of_content[k])];
    if (versions.size() > 1) {
      l.flat_history[k] = 1;
      continue;
    }
    l.flat_offset[k] = static_cast<uint32_t>(l.flat_genres.size());
    if (versions.size() == 1) {
      l.flat_genres.insert(l.flat_genres.end(), versions[0].genres.begin(), versions[0].genres.end());
      l.flat_count[k] = static_cast<uint16_t>(versions[0].genres.size());
    }
  }
  if (with_users) {
    const uint32_t users = keys.user->size();
    l.subscription_of_user.assign(users + 1, -1);
    l.age_band_of_user.assign(users + 1, 0);
    l.multilingual_user.assign(users + 1, 0);
    std::unordered_map<std::string, int16_t> sub_code;
    for (uint32_t k = 1; catalog != nullptr && k <= users; ++k) {
      const UserInfo* u = catalog->FindUserByKey(k);
      if (u == nullptr) continue;
      if (!u->subscription_type.empty()) {
        auto [it, fresh] =
            sub_code.try_emplace(u->subscription_type, static_cast<int16_t>(l.subscription_names.size()));
        if (fresh) l.subscription_names.push_back(u->subscription_type);
        l.subscription_of_user[k] = it->second;
      }
      l.age_band_of_user[k] = static_cast<int8_t>(AgeBand(u->age));
      l.multilingual_user[k] = u->languages.size() >= 2;
    }
  }
  return l;
}

}  // namespace ws::query
