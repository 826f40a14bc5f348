#include "app/catalog_show.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "catalog/catalog.h"
#include "catalog/dimensions.h"
#include "catalog/values.h"

namespace ws::app {

namespace {

using catalog::JsonWriter;

// ----- JSON -----------------------------------------------------------------

void OptDateJson(JsonWriter* w, const std::optional<DayNumber>& d) {
  if (d) {
    w->String(FormatDate(*d));
  } else {
    w->Null();
  }
}

void MillisJson(JsonWriter* w, int64_t ms) {
  if (ms < 0) {
    w->Null();
  } else {
    w->Seconds(ms);
  }
}

void ValidityJson(JsonWriter* w, EpochMillis from, const std::optional<EpochMillis>& to) {
  w->Key("valid_from").String(FormatRfc3339(from));
  w->Key("valid_to");
  if (to) {
    w->String(FormatRfc3339(*to));
  } else {
    w->Null();
  }
  w->Key("is_current").Bool(!to);
}

// The versioned attributes of a title.
void TitleAttributesJson(JsonWriter* w, const TitleInfo& t) {
  w->Key("title").String(t.title);
  w->Key("genres").StringArray(t.genres);
  w->Key("languages").StringArray(t.languages);
  w->Key("original_language");
  t.original_language.empty() ? w->Null() : w->String(t.original_language);
  w->Key("release_year");
  t.release_year > 0 ? w->Int(t.release_year) : w->Null();
  w->Key("countries").StringArray(t.countries);
  w->Key("production_status");
  t.production_status.empty() ? w->Null() : w->String(t.production_status);
  w->Key("production_end_date");
  OptDateJson(w, t.production_end_date);
}

void TitleVersionsJson(JsonWriter* w, const std::vector<const TitleVersion*>& versions) {
  w->Key("versions").BeginArray();
  int n = 0;
  for (const TitleVersion* v : versions) {
    w->BeginObject();
    w->Key("version").Int(++n);
    ValidityJson(w, v->valid_from, v->valid_to);
    TitleAttributesJson(w, v->info);
    w->EndObject();
  }
  w->EndArray();
}

void PlayableJson(JsonWriter* w, const ContentInfo& c) {
  w->Key("length_seconds");
  MillisJson(w, c.length_ms);
  w->Key("credits_start_seconds");
  MillisJson(w, c.credits_start_ms);
  w->Key("release_date");
  OptDateJson(w, c.release_date);
}

void UserAttributesJson(JsonWriter* w, const UserInfo& u) {
  w->Key("age");
  u.age >= 0 ? w->Int(u.age) : w->Null();
  w->Key("age_band").String(AgeBandName(AgeBandOf(u.age)));
  w->Key("country");
  u.country.empty() ? w->Null() : w->String(u.country);
  w->Key("subscription_type");
  u.subscription_type.empty() ? w->Null() : w->String(u.subscription_type);
  w->Key("registration_date");
  OptDateJson(w, u.registration_date);
  w->Key("languages").StringArray(u.languages);
  w->Key("timezone");
  u.timezone.empty() ? w->Null() : w->String(u.timezone);
  w->Key("attributes").Raw(u.attributes_json.empty() ? "{}" : u.attributes_json);
}

int SeasonCount(const std::vector<const ContentInfo*>& items) {
  std::set<int32_t> seasons;
  for (const ContentInfo* c : items) {
    if (c->kind == "episode") seasons.insert(c->season_number);
  }
  return static_cast<int>(seasons.size());
}

// ----- tables -----------------------------------------------------------------

using Rows = std::vector<std::vector<std::string>>;

std::string RenderTable(const Rows& rows) {
  std::vector<size_t> widths;
  for (const auto& r : rows) {
    if (widths.size() < r.size()) widths.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - r[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string OptDateText(const std::optional<DayNumber>& d) { return d ? FormatDate(*d) : ""; }
std::string MillisText(int64_t ms) {
  if (ms < 0) return "";
  return fmt::format("{}.{:03d}", ms / kMillisPerSecond, ms % kMillisPerSecond);
}
std::string ValidToText(const std::optional<EpochMillis>& to) {
  return to ? FormatRfc3339(*to) : "(current)";
}

void TitleAttributeRows(Rows* rows, const TitleInfo& t) {
  rows->push_back({"title", t.title});
  rows->push_back({"genres", Join(t.genres, ", ")});
  rows->push_back({"languages", Join(t.languages, ", ")});
  rows->push_back({"original_language", t.original_language});
  rows->push_back({"release_year", t.release_year > 0 ? std::to_string(t.release_year) : ""});
  rows->push_back({"countries", Join(t.countries, ", ")});
  rows->push_back({"production_status", t.production_status});
  rows->push_back({"production_end_date", OptDateText(t.production_end_date)});
}

std::string TitleVersionsTable(const std::vector<const TitleVersion*>& versions) {
  Rows rows = {
      {"version", "valid_from", "valid_to", "title", "genres", "production_status", "production_end_date"}};
  int n = 0;
  for (const TitleVersion* v : versions) {
    rows.push_back({std::to_string(++n), FormatRfc3339(v->valid_from), ValidToText(v->valid_to),
                    v->info.title, Join(v->info.genres, ", "), v->info.production_status,
                    OptDateText(v->info.production_end_date)});
  }
  return "\nversions:\n" + RenderTable(rows);
}

std::string StatsTable(const CatalogStats& stats) {
  Rows rows = {{"table", "rows"}};
  for (const auto& t : stats.tables) rows.push_back({t.table, std::to_string(t.rows)});
  return RenderTable(rows);
}

}  // namespace

namespace {

Result<std::string> ShowJson(const Catalog& catalog, std::string_view id, bool history) {
  JsonWriter w;
  const ContentInfo* item = catalog.FindContent(id);
  if (item != nullptr && item->kind == "episode") {
    const TitleInfo* series = catalog.FindTitle(item->title_id);
    w.BeginObject();
    w.Key("kind").String("episode");
    w.Key("content_id").String(item->content_id);
    w.Key("series").BeginObject();
    w.Key("title_id").String(item->title_id);
    w.Key("title").String(series ? series->title : item->title);
    w.EndObject();
    w.Key("season_number").Int(item->season_number);
    w.Key("episode_number").Int(item->episode_number);
    w.Key("episode_title").String(item->episode_title);
    PlayableJson(&w, *item);
    w.Key("genres").StringArray(item->genres);
    w.Key("languages").StringArray(item->languages);
    if (history) TitleVersionsJson(&w, catalog.TitleHistory(item->title_id));
    w.EndObject();
    return w.str();
  }
  if (const TitleInfo* t = catalog.FindTitle(id)) {
    auto versions = catalog.TitleHistory(id);
    auto items = catalog.TitleItems(id);
    w.BeginObject();
    w.Key("kind").String(t->kind);
    w.Key("title_id").String(t->title_id);
    TitleAttributesJson(&w, *t);
    w.Key("episode_count").Int(t->episode_count);
    if (t->kind == "series") w.Key("season_count").Int(SeasonCount(items));
    if (item != nullptr) PlayableJson(&w, *item);
    ValidityJson(&w, versions.back()->valid_from, versions.back()->valid_to);
    w.Key("version_count").Int(static_cast<int64_t>(versions.size()));
    if (history) TitleVersionsJson(&w, versions);
    w.EndObject();
    return w.str();
  }
  if (catalog.FindUser(id) != nullptr) {
    auto versions = catalog.UserHistory(id);
    const UserVersion* current = versions.back();
    w.BeginObject();
    w.Key("kind").String("user");
    w.Key("user_id").String(current->info.user_id);
    UserAttributesJson(&w, current->info);
    ValidityJson(&w, current->valid_from, current->valid_to);
    w.Key("version_count").Int(static_cast<int64_t>(versions.size()));
    if (history) {
      w.Key("versions").BeginArray();
      int n = 0;
      for (const UserVersion* v : versions) {
        w.BeginObject();
        w.Key("version").Int(++n);
        ValidityJson(&w, v->valid_from, v->valid_to);
        UserAttributesJson(&w, v->info);
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
    return w.str();
  }
  return Status::NotFound(fmt::format("no episode, movie, title or user with id \"{}\" in the catalog", id));
}

Result<std::string> ShowTable(const Catalog& catalog, std::string_view id, bool history) {
  Rows rows;
  const ContentInfo* item = catalog.FindContent(id);
  if (item != nullptr && item->kind == "episode") {
    const TitleInfo* series = catalog.FindTitle(item->title_id);
    rows.push_back({"kind", "episode"});
    rows.push_back({"content_id", item->content_id});
    rows.push_back({"series", fmt::format("{} ({})", item->title_id, series ? series->title : item->title)});
    rows.push_back({"season_number", std::to_string(item->season_number)});
    rows.push_back({"episode_number", std::to_string(item->episode_number)});
    rows.push_back({"episode_title", item->episode_title});
    rows.push_back({"length_seconds", MillisText(item->length_ms)});
    rows.push_back({"credits_start_seconds", MillisText(item->credits_start_ms)});
    rows.push_back({"release_date", OptDateText(item->release_date)});
    rows.push_back({"genres", Join(item->genres, ", ")});
    rows.push_back({"languages", Join(item->languages, ", ")});
    std::string out = RenderTable(rows);
    if (history) out += TitleVersionsTable(catalog.TitleHistory(item->title_id));
    return out;
  }
  if (const TitleInfo* t = catalog.FindTitle(id)) {
    auto versions = catalog.TitleHistory(id);
    rows.push_back({"kind", t->kind});
    rows.push_back({"title_id", t->title_id});
    TitleAttributeRows(&rows, *t);
    rows.push_back({"episode_count", std::to_string(t->episode_count)});
    if (t->kind == "series")
      rows.push_back({"season_count", std::to_string(SeasonCount(catalog.TitleItems(id)))});
    if (item != nullptr) {
      rows.push_back({"length_seconds", MillisText(item->length_ms)});
      rows.push_back({"credits_start_seconds", MillisText(item->credits_start_ms)});
      rows.push_back({"release_date", OptDateText(item->release_date)});
    }
    rows.push_back({"valid_from", FormatRfc3339(versions.back()->valid_from)});
    rows.push_back({"version_count", std::to_string(versions.size())});
    std::string out = RenderTable(rows);
    if (history) out += TitleVersionsTable(versions);
    return out;
  }
  if (catalog.FindUser(id) != nullptr) {
    auto versions = catalog.UserHistory(id);
    const UserInfo& u = versions.back()->info;
    rows.push_back({"kind", "user"});
    rows.push_back({"user_id", u.user_id});
    rows.push_back({"age", u.age >= 0 ? std::to_string(u.age) : ""});
    rows.push_back({"age_band", std::string(AgeBandName(AgeBandOf(u.age)))});
    rows.push_back({"country", u.country});
    rows.push_back({"subscription_type", u.subscription_type});
    rows.push_back({"registration_date", OptDateText(u.registration_date)});
    rows.push_back({"languages", Join(u.languages, ", ")});
    rows.push_back({"timezone", u.timezone});
    rows.push_back({"attributes", u.attributes_json});
    rows.push_back({"valid_from", FormatRfc3339(versions.back()->valid_from)});
    rows.push_back({"version_count", std::to_string(versions.size())});
    std::string out = RenderTable(rows);
    if (history) {
      Rows vrows = {{"version", "valid_from", "valid_to", "age", "country", "subscription_type", "languages",
                     "timezone", "attributes"}};
      int n = 0;
      for (const UserVersion* v : versions) {
        const UserInfo& x = v->info;
        vrows.push_back({std::to_string(++n), FormatRfc3339(v->valid_from), ValidToText(v->valid_to),
                         x.age >= 0 ? std::to_string(x.age) : "", x.country, x.subscription_type,
                         Join(x.languages, ", "), x.timezone, x.attributes_json});
      }
      out += "\nversions:\n" + RenderTable(vrows);
    }
    return out;
  }
  return Status::NotFound(fmt::format("no episode, movie, title or user with id \"{}\" in the catalog", id));
}

}  // namespace

Result<std::string> ShowCatalogItem(const Catalog& catalog, std::string_view id, bool history,
                                    ShowFormat format) {
  return format == ShowFormat::kJson ? ShowJson(catalog, id, history) : ShowTable(catalog, id, history);
}

std::string RenderCatalogStats(const CatalogStats& stats, ShowFormat format) {
  if (format == ShowFormat::kTable) return StatsTable(stats);
  JsonWriter w;
  w.BeginObject();
  for (const auto& t : stats.tables) w.Key(t.table).Int(t.rows);
  w.EndObject();
  return w.str();
}

}  // namespace ws::app
