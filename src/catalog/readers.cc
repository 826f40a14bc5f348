#include "catalog/readers.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "catalog/csv.h"
#include "catalog/values.h"
#include "util/ascii.h"
#include "util/time.h"
#include "vocab/country.h"
#include "vocab/device_type.h"
#include "vocab/quality.h"

namespace ws::catalog {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr int32_t kMinReleaseYear = 1870;
constexpr int32_t kMaxReleaseYear = 2200;
constexpr int64_t kMaxAge = 130;
constexpr size_t kMinLanguageCodeLength = 2;
constexpr size_t kMaxLanguageCodeLength = 3;
constexpr size_t kMaxShortTextLength = 64;
constexpr size_t kMaxTitleLength = 1024;
constexpr double kMaxPercentage = 100.0;
constexpr double kMaxWatchMinutes = 7.0 * 24 * 60;  // a week: anything longer is a bad value
constexpr double kSecondsPerMinuteD = 60.0;
constexpr double kMillisPerSecondD = 1000.0;

// ----- JSON documents ------------------------------------------------------

std::optional<element> Field(object obj, std::string_view key) {
  element el;
  if (obj.at_key(key).get(el) != simdjson::SUCCESS || el.is_null()) return std::nullopt;
  return el;
}

// Each Get* leaves *out alone when the field is absent, and returns false
// with *err set when it is present with an unusable value.
bool GetString(object obj, std::string_view key, std::string* out, std::string* err) {
  auto el = Field(obj, key);
  if (!el) return true;
  auto s = ReadString(*el);
  if (!s) {
    *err = fmt::format("field \"{}\" must be a string", key);
    return false;
  }
  *out = std::string(Trim(*s));
  return true;
}

bool GetInt(object obj, std::string_view key, std::optional<int64_t>* out, std::string* err) {
  auto el = Field(obj, key);
  if (!el) return true;
  auto v = ReadInt(*el);
  if (!v) {
    *err = fmt::format("field \"{}\" must be a whole number", key);
    return false;
  }
  *out = v;
  return true;
}

// A non-negative duration in seconds (or minutes when `minutes`), as millis.
bool GetDurationMs(object obj, std::string_view key, bool minutes, std::optional<int64_t>* out,
                   std::string* err) {
  auto el = Field(obj, key);
  if (!el) return true;
  auto v = ReadNumber(*el);
  if (!v || *v < 0) {
    *err = fmt::format("field \"{}\" must be a number of {} >= 0", key, minutes ? "minutes" : "seconds");
    return false;
  }
  double seconds = minutes ? *v * kSecondsPerMinuteD : *v;
  *out = std::llround(seconds * kMillisPerSecondD);
  return true;
}

bool GetDate(object obj, std::string_view key, std::optional<DayNumber>* out, std::string* err) {
  auto el = Field(obj, key);
  if (!el) return true;
  auto d = ReadDate(*el);
  if (!d) {
    *err = fmt::format("field \"{}\" must be a date (YYYY-MM-DD, RFC 3339 or {{\"$date\": ...}})", key);
    return false;
  }
  *out = d;
  return true;
}

// A list of strings: a JSON array of strings, or one string. Blank entries
// are dropped; duplicates (ignoring case) keep the first.
bool GetStringList(object obj, std::string_view key, std::vector<std::string>* out, std::string* err) {
  auto el = Field(obj, key);
  if (!el) return true;
  std::vector<std::string> raw;
  array arr;
  if (el->get_array().get(arr) == simdjson::SUCCESS) {
    for (element item : arr) {
      auto s = ReadString(item);
      if (!s) {
        *err = fmt::format("field \"{}\" must be an array of strings", key);
        return false;
      }
      raw.push_back(std::move(*s));
    }
  } else if (auto s = ReadString(*el)) {
    raw.push_back(std::move(*s));
  } else {
    *err = fmt::format("field \"{}\" must be an array of strings", key);
    return false;
  }
  out->clear();
  std::unordered_set<std::string> seen;
  for (auto& r : raw) {
    std::string v(Trim(r));
    if (v.empty() || !seen.insert(ToLower(v)).second) continue;
    out->push_back(std::move(v));
  }
  return true;
}

bool IsAsciiLetters(std::string_view s) { return std::all_of(s.begin(), s.end(), IsAsciiAlpha); }

bool ValidLanguage(std::string_view code) {
  return code.size() >= kMinLanguageCodeLength && code.size() <= kMaxLanguageCodeLength &&
         IsAsciiLetters(code);
}

bool ValidId(std::string_view id) { return !id.empty() && id.size() <= kMaxIdLength; }

// Reads the fields shared by movies and episodes: length, credits, release date.
bool ReadPlayable(object obj, ContentInfo* info, std::string* err) {
  std::optional<int64_t> length;
  if (!GetDurationMs(obj, "duration_seconds", false, &length, err)) return false;
  if (!length && !GetDurationMs(obj, "duration_minutes", true, &length, err)) return false;
  if (!length && !GetDurationMs(obj, "runtime_minutes", true, &length, err)) return false;
  std::optional<int64_t> credits;
  if (!GetDurationMs(obj, "credits_start_seconds", false, &credits, err)) return false;
  if (length && *length == 0) {
    *err = "field \"duration_seconds\" must be > 0";
    return false;
  }
  if (length && credits && *credits > *length) {
    *err = "field \"credits_start_seconds\" lies beyond the end of the content";
    return false;
  }
  info->length_ms = length.value_or(-1);
  info->credits_start_ms = credits.value_or(-1);
  return GetDate(obj, "release_date", &info->release_date, err);
}

std::optional<StagedItem> ReadEpisode(object ep, int32_t season, int64_t line, std::string* err) {
  StagedItem item;
  item.line = line;
  ContentInfo& info = item.info;
  info.kind = "episode";
  if (!GetString(ep, "content_id", &info.content_id, err)) return std::nullopt;
  if (!ValidId(info.content_id)) {
    *err = "field \"content_id\" is missing or longer than 128 characters";
    return std::nullopt;
  }
  std::optional<int64_t> season_override;
  if (!GetInt(ep, "season_number", &season_override, err)) return std::nullopt;
  std::optional<int64_t> number;
  if (!GetInt(ep, "episode_number", &number, err)) return std::nullopt;
  if (!number || *number < 0 || *number > INT32_MAX) {
    *err = "field \"episode_number\" is missing or not a whole number >= 0";
    return std::nullopt;
  }
  int64_t s = season_override.value_or(season);
  if (s < 0 || s > INT32_MAX) {
    *err = "field \"season_number\" must be a whole number >= 0";
    return std::nullopt;
  }
  info.season_number = static_cast<int32_t>(s);
  info.episode_number = static_cast<int32_t>(*number);
  if (!GetString(ep, "title", &info.episode_title, err)) return std::nullopt;
  if (!ReadPlayable(ep, &info, err)) return std::nullopt;
  return item;
}

// Reads a list of episode objects of one season.
void ReadEpisodes(array episodes, int32_t season, std::string_view path, const std::string& title_id,
                  int64_t line, StagedTitle* title, std::vector<RowError>* errors) {
  size_t index = 0;
  for (element el : episodes) {
    std::string where = fmt::format("{}: {}[{}]", title_id, path, index++);
    object ep;
    if (el.get_object().get(ep) != simdjson::SUCCESS) {
      errors->push_back({line, where + ": an episode must be a JSON object"});
      continue;
    }
    std::string err;
    auto item = ReadEpisode(ep, season, line, &err);
    if (!item) {
      errors->push_back({line, where + ": " + err});
      continue;
    }
    title->items.push_back(std::move(*item));
  }
}

std::optional<std::string> NormalizeType(std::string_view type) {
  std::string t = ToLower(Trim(type));
  if (t == "movie" || t == "film") return std::string("movie");
  if (t == "series" || t == "show" || t == "tv_series" || t == "tv") return std::string("series");
  return std::nullopt;
}

// Reads one document; bad documents and bad episodes go to `errors`.
void ReadDocument(element doc, int64_t line, ContentReadResult* out) {
  object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    out->errors.push_back({line, "a catalog document must be a JSON object"});
    return;
  }
  StagedTitle title;
  title.line = line;
  TitleInfo& info = title.info;
  std::string err;
  auto fail = [&](const std::string& reason) {
    std::string who = info.title_id.empty() ? std::string() : info.title_id + ": ";
    out->errors.push_back({line, who + reason});
  };
  if (!GetString(obj, "content_id", &info.title_id, &err)) return fail(err);
  if (info.title_id.empty() && !GetString(obj, "title_id", &info.title_id, &err)) return fail(err);
  if (!ValidId(info.title_id)) return fail("field \"content_id\" is missing or longer than 128 characters");
  std::string type;
  if (!GetString(obj, "type", &type, &err)) return fail(err);
  auto kind = NormalizeType(type);
  if (!kind) {
    return fail(type.empty()
                    ? "field \"type\" is missing (expected \"movie\" or \"series\")"
                    : fmt::format("unknown type \"{}\" (expected \"movie\" or \"series\"; episodes are "
                                  "nested in their series)",
                                  type));
  }
  info.kind = *kind;
  if (!GetString(obj, "title", &info.title, &err)) return fail(err);
  if (info.title.empty() || info.title.size() > kMaxTitleLength) {
    return fail("field \"title\" is missing, empty or too long");
  }
  if (!GetString(obj, "_id", &title.source_id, &err)) return fail(err);
  if (!GetStringList(obj, "genres", &info.genres, &err)) return fail(err);
  if (!GetStringList(obj, "languages", &info.languages, &err)) return fail(err);
  for (auto& l : info.languages) {
    l = ToLower(l);
    if (!ValidLanguage(l)) return fail(fmt::format("language \"{}\" is not an ISO 639 code", l));
  }
  if (!GetString(obj, "original_language", &info.original_language, &err)) return fail(err);
  info.original_language = ToLower(info.original_language);
  if (!info.original_language.empty() && !ValidLanguage(info.original_language)) {
    return fail(fmt::format("original_language \"{}\" is not an ISO 639 code", info.original_language));
  }
  std::optional<int64_t> year;
  if (!GetInt(obj, "release_year", &year, &err)) return fail(err);
  if (year) {
    if (*year < kMinReleaseYear || *year > kMaxReleaseYear) {
      return fail(fmt::format("release_year {} is out of range", *year));
    }
    info.release_year = static_cast<int32_t>(*year);
  }
  if (!GetStringList(obj, "countries", &info.countries, &err)) return fail(err);
  for (auto& c : info.countries) {
    std::optional<CountryCode> code = ParseCountryCode(c);
    if (!code) return fail(fmt::format("country \"{}\" is not an ISO 3166-1 alpha-2 code", c));
    c = code->str();
  }
  if (!GetString(obj, "production_status", &info.production_status, &err)) return fail(err);
  info.production_status = ToLower(info.production_status);
  std::replace(info.production_status.begin(), info.production_status.end(), ' ', '_');
  if (info.production_status.size() > kMaxShortTextLength)
    return fail("field \"production_status\" is too long");
  if (!GetDate(obj, "production_end_date", &info.production_end_date, &err)) return fail(err);

  if (info.kind == "movie") {
    StagedItem item;
    item.line = line;
    item.info.content_id = info.title_id;
    item.info.kind = "movie";
    if (!ReadPlayable(obj, &item.info, &err)) return fail(err);
    title.items.push_back(std::move(item));
  } else {
    if (auto seasons_el = Field(obj, "seasons")) {
      array seasons;
      if (seasons_el->get_array().get(seasons) != simdjson::SUCCESS) {
        return fail("field \"seasons\" must be an array");
      }
      size_t index = 0;
      for (element s : seasons) {
        size_t this_index = index++;
        object season;
        std::string where = fmt::format("seasons[{}]", this_index);
        if (s.get_object().get(season) != simdjson::SUCCESS) {
          out->errors.push_back(
              {line, fmt::format("{}: {}: a season must be a JSON object", info.title_id, where)});
          continue;
        }
        std::optional<int64_t> number;
        std::string serr;
        if (!GetInt(season, "season_number", &number, &serr) ||
            (number && (*number < 0 || *number > INT32_MAX))) {
          out->errors.push_back(
              {line, fmt::format("{}: {}: field \"season_number\" must be a whole number >= 0", info.title_id,
                                 where)});
          continue;
        }
        auto season_number = static_cast<int32_t>(number.value_or(static_cast<int64_t>(this_index) + 1));
        auto eps_el = Field(season, "episodes");
        if (!eps_el) continue;
        array eps;
        if (eps_el->get_array().get(eps) != simdjson::SUCCESS) {
          out->errors.push_back(
              {line, fmt::format("{}: {}: field \"episodes\" must be an array", info.title_id, where)});
          continue;
        }
        ReadEpisodes(eps, season_number, where + ".episodes", info.title_id, line, &title, &out->errors);
      }
    }
    if (auto eps_el = Field(obj, "episodes")) {
      array eps;
      if (eps_el->get_array().get(eps) != simdjson::SUCCESS)
        return fail("field \"episodes\" must be an array");
      ReadEpisodes(eps, 1, "episodes", info.title_id, line, &title, &out->errors);
    }
  }
  for (auto& item : title.items) {
    item.info.title_id = info.title_id;
    item.info.title = info.title;
    item.info.genres = info.genres;
    item.info.languages = info.languages;
  }
  out->titles.push_back(std::move(title));
}

void ParseAndRead(simdjson::dom::parser* parser, std::string_view text, int64_t line,
                  ContentReadResult* out) {
  ++out->rows_read;
  element doc;
  auto error = parser->parse(text.data(), text.size(), true).get(doc);
  if (error != simdjson::SUCCESS) {
    out->errors.push_back({line, fmt::format("not valid JSON: {}", simdjson::error_message(error))});
    return;
  }
  ReadDocument(doc, line, out);
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Splits a top-level JSON array into its elements and reads each. The split
// is string-aware so that one malformed element does not hide the others.
void ReadJsonArray(simdjson::dom::parser* parser, std::string_view text, size_t pos, int64_t line,
                   ContentReadResult* out) {
  auto skip_space = [&]() {
    while (pos < text.size() && IsJsonSpace(text[pos])) {
      if (text[pos] == '\n') ++line;
      ++pos;
    }
  };
  ++pos;  // '['
  while (true) {
    skip_space();
    if (pos >= text.size()) {
      out->errors.push_back({line, "the JSON array is not closed"});
      return;
    }
    if (text[pos] == ']') {
      ++pos;
      skip_space();
      if (pos < text.size()) out->errors.push_back({line, "text after the end of the JSON array"});
      return;
    }
    size_t begin = pos;
    int64_t begin_line = line;
    int depth = 0;
    bool in_string = false;
    bool done = false;
    while (pos < text.size() && !done) {
      char c = text[pos];
      if (in_string) {
        if (c == '\\') {
          ++pos;
        } else if (c == '"') {
          in_string = false;
        } else if (c == '\n') {
          ++line;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) {
          done = true;
          continue;  // leave the array's ']' for the outer loop
        }
        --depth;
      } else if (c == ',' && depth == 0) {
        done = true;
        continue;
      } else if (c == '\n') {
        ++line;
      }
      ++pos;
    }
    if (!done) {
      ++out->rows_read;
      out->errors.push_back({begin_line, "the JSON array ends inside this document"});
      return;
    }
    size_t end = pos;
    while (end > begin && IsJsonSpace(text[end - 1])) --end;
    if (end == begin) {
      out->errors.push_back({begin_line, "empty element in the JSON array"});
    } else {
      ParseAndRead(parser, text.substr(begin, end - begin), begin_line, out);
    }
    if (text[pos] == ',') ++pos;
  }
}

// ----- CSV -------------------------------------------------------------------

struct CsvHeader {
  std::vector<std::string> names;  // normalised
  std::unordered_map<std::string, size_t> index;
};

Result<CsvHeader> ReadHeader(CsvReader* reader, std::vector<std::string>* fields) {
  if (!reader->Next(fields)) return Status::InvalidArgument("the CSV file is empty (no header line)");
  if (!reader->error().empty()) {
    return Status::InvalidArgument(
        fmt::format("the CSV header (line {}) is malformed: {}", reader->line(), reader->error()));
  }
  CsvHeader h;
  for (size_t i = 0; i < fields->size(); ++i) {
    std::string name = NormalizeHeaderName((*fields)[i]);
    if (name.empty()) return Status::InvalidArgument(fmt::format("CSV header column {} has no name", i + 1));
    if (!h.index.emplace(name, i).second) {
      return Status::InvalidArgument(fmt::format("CSV header repeats the column \"{}\"", name));
    }
    h.names.push_back(std::move(name));
  }
  return h;
}

std::optional<size_t> Column(const CsvHeader& h, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    auto it = h.index.find(std::string(n));
    if (it != h.index.end()) return it->second;
  }
  return std::nullopt;
}

std::string_view Cell(const std::vector<std::string>& fields, std::optional<size_t> col) {
  return col ? Trim(fields[*col]) : std::string_view();
}

// Checks the record shape; returns false with an error recorded otherwise.
bool CheckRecord(const CsvReader& reader, const std::vector<std::string>& fields, size_t columns,
                 std::vector<RowError>* errors) {
  if (!reader.error().empty()) {
    errors->push_back({reader.line(), "malformed CSV: " + reader.error()});
    return false;
  }
  if (fields.size() != columns) {
    errors->push_back(
        {reader.line(), fmt::format("the row has {} fields but the header has {}", fields.size(), columns)});
    return false;
  }
  return true;
}

}  // namespace

ContentReadResult ReadContentCatalog(std::string_view text) {
  ContentReadResult out;
  simdjson::dom::parser parser;
  size_t pos = 0;
  int64_t line = 1;
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) pos = kBom.size();
  while (pos < text.size() && IsJsonSpace(text[pos])) {
    if (text[pos] == '\n') ++line;
    ++pos;
  }
  if (pos < text.size() && text[pos] == '[') {
    ReadJsonArray(&parser, text, pos, line, &out);
    return out;
  }
  // NDJSON: one document per line; blank lines are skipped.
  line = 1;
  size_t start = 0;
  if (text.substr(0, kBom.size()) == kBom) start = kBom.size();
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view row = text.substr(start, end - start);
    size_t b = 0;
    while (b < row.size() && IsJsonSpace(row[b])) ++b;
    if (b < row.size()) ParseAndRead(&parser, row, line, &out);
    ++line;
    start = end + 1;
  }
  return out;
}

Result<UsersReadResult> ReadUsersCsv(std::string_view text) {
  UsersReadResult out;
  CsvReader reader(text);
  std::vector<std::string> fields;
  WS_ASSIGN_OR_RETURN(CsvHeader header, ReadHeader(&reader, &fields));
  auto c_user = Column(header, {"user_id"});
  if (!c_user) return Status::InvalidArgument("the users CSV header has no user_id column");
  auto c_age = Column(header, {"age"});
  auto c_country = Column(header, {"country"});
  auto c_sub = Column(header, {"subscription_type"});
  auto c_reg = Column(header, {"registration_date"});
  auto c_lang = Column(header, {"languages"});
  auto c_tz = Column(header, {"timezone"});
  std::vector<size_t> extra;
  for (size_t i = 0; i < header.names.size(); ++i) {
    if (i != c_user && i != c_age && i != c_country && i != c_sub && i != c_reg && i != c_lang && i != c_tz) {
      extra.push_back(i);
    }
  }
  // Attributes are written in name order so that the same columns in another
  // order give the same JSON (and no spurious new version).
  std::sort(extra.begin(), extra.end(),
            [&](size_t a, size_t b) { return header.names[a] < header.names[b]; });
  std::unordered_map<std::string, bool> zone_cache;
  while (reader.Next(&fields)) {
    ++out.rows_read;
    if (!CheckRecord(reader, fields, header.names.size(), &out.errors)) continue;
    int64_t line = reader.line();
    auto bad = [&](const std::string& reason) { out.errors.push_back({line, reason}); };
    StagedUser u;
    u.line = line;
    UserInfo& info = u.info;
    info.user_id = std::string(Cell(fields, c_user));
    if (!ValidId(info.user_id)) {
      bad("user_id is empty or longer than 128 characters");
      continue;
    }
    if (auto a = Cell(fields, c_age); !a.empty()) {
      auto n = ParseNumber(a);
      if (!n || *n < 0 || *n > kMaxAge || std::trunc(*n) != *n) {
        bad(fmt::format("age \"{}\" is not a whole number between 0 and {}", a, kMaxAge));
        continue;
      }
      info.age = static_cast<int32_t>(*n);
    }
    if (auto c = Cell(fields, c_country); !c.empty()) {
      std::optional<CountryCode> code = ParseCountryCode(c);
      if (!code) {
        bad(fmt::format("country \"{}\" is not an ISO 3166-1 alpha-2 code", c));
        continue;
      }
      info.country = code->str();
    }
    info.subscription_type = ToLower(Cell(fields, c_sub));
    if (auto r = Cell(fields, c_reg); !r.empty()) {
      info.registration_date = ParseDateOrInstant(r);
      if (!info.registration_date) {
        bad(fmt::format("registration_date \"{}\" is not a date (YYYY-MM-DD)", r));
        continue;
      }
    }
    bool ok = true;
    if (auto l = Cell(fields, c_lang); !l.empty()) {
      size_t start = 0;
      while (start <= l.size() && ok) {
        size_t sep = l.find_first_of(";,|", start);
        size_t end = sep == std::string_view::npos ? l.size() : sep;
        std::string code = ToLower(Trim(l.substr(start, end - start)));
        if (!code.empty()) {
          if (!ValidLanguage(code)) {
            bad(fmt::format("language \"{}\" is not an ISO 639-1 code", code));
            ok = false;
          } else if (std::find(info.languages.begin(), info.languages.end(), code) == info.languages.end()) {
            info.languages.push_back(std::move(code));
          }
        }
        start = end + 1;
      }
    }
    if (!ok) continue;
    if (auto tz = Cell(fields, c_tz); !tz.empty()) {
      std::string zone(tz);
      auto it = zone_cache.find(zone);
      if (it == zone_cache.end()) it = zone_cache.emplace(zone, IsKnownTimeZone(zone)).first;
      if (!it->second) {
        bad(fmt::format("timezone \"{}\" is not an IANA time zone", tz));
        continue;
      }
      info.timezone = std::move(zone);
    }
    if (!extra.empty()) {
      JsonWriter w;
      w.BeginObject();
      for (size_t i : extra) {
        std::string_view v = Trim(fields[i]);
        if (!v.empty()) w.Key(header.names[i]).String(v);
      }
      w.EndObject();
      info.attributes_json = w.str();
    }
    out.users.push_back(std::move(u));
  }
  return out;
}

Result<SessionsReadResult> ReadLegacySessionsCsv(std::string_view text) {
  SessionsReadResult out;
  CsvReader reader(text);
  std::vector<std::string> fields;
  WS_ASSIGN_OR_RETURN(CsvHeader header, ReadHeader(&reader, &fields));
  constexpr std::array<std::string_view, 6> kRequired = {
      "session_id", "user_id", "content_id", "watch_date", "watch_duration_minutes", "completion_percentage"};
  for (auto name : kRequired) {
    if (!Column(header, {name})) {
      return Status::InvalidArgument(fmt::format("the sessions CSV header has no {} column", name));
    }
  }
  auto c_session = Column(header, {"session_id"});
  auto c_user = Column(header, {"user_id"});
  auto c_content = Column(header, {"content_id"});
  auto c_date = Column(header, {"watch_date"});
  auto c_minutes = Column(header, {"watch_duration_minutes"});
  auto c_pct = Column(header, {"completion_percentage"});
  auto c_device = Column(header, {"device_type"});
  auto c_quality = Column(header, {"quality_level"});
  while (reader.Next(&fields)) {
    ++out.rows_read;
    if (!CheckRecord(reader, fields, header.names.size(), &out.errors)) continue;
    int64_t line = reader.line();
    auto bad = [&](const std::string& reason) { out.errors.push_back({line, reason}); };
    LegacySession s;
    s.session_id = std::string(Cell(fields, c_session));
    s.user_id = std::string(Cell(fields, c_user));
    s.content_id = std::string(Cell(fields, c_content));
    if (!ValidId(s.session_id)) {
      bad("session_id is empty or longer than 128 characters");
      continue;
    }
    if (!ValidId(s.user_id)) {
      bad("user_id is empty or longer than 128 characters");
      continue;
    }
    if (!ValidId(s.content_id)) {
      bad("content_id is empty or longer than 128 characters");
      continue;
    }
    auto date = ParseDateOrInstant(Cell(fields, c_date));
    if (!date) {
      bad(fmt::format("watch_date \"{}\" is not a date (YYYY-MM-DD)", Cell(fields, c_date)));
      continue;
    }
    s.watch_date = *date;
    auto minutes = ParseNumber(Cell(fields, c_minutes));
    if (!minutes || *minutes < 0 || *minutes > kMaxWatchMinutes) {
      bad(fmt::format("watch_duration_minutes \"{}\" is not a number of minutes between 0 and {}",
                      Cell(fields, c_minutes), kMaxWatchMinutes));
      continue;
    }
    s.watch_ms = std::llround(*minutes * kSecondsPerMinuteD * kMillisPerSecondD);
    std::string_view pct_text = Cell(fields, c_pct);
    if (!pct_text.empty() && pct_text.back() == '%') pct_text.remove_suffix(1);
    auto pct = ParseNumber(pct_text);
    if (!pct || *pct < 0 || *pct > kMaxPercentage) {
      bad(fmt::format("completion_percentage \"{}\" is not a number between 0 and 100", Cell(fields, c_pct)));
      continue;
    }
    s.completion_percentage = *pct;
    s.device_type = ParseDeviceType(Cell(fields, c_device));
    if (auto q = Cell(fields, c_quality); !q.empty()) {
      std::optional<int32_t> height = ParseQualityName(q);
      if (!height) {
        bad(fmt::format("quality_level \"{}\" is not a known quality (e.g. 720p, HD, 4K; at most {}p)", q,
                        kMaxQualityHeight));
        continue;
      }
      s.quality_height = *height;
    }
    out.sessions.push_back(std::move(s));
    out.lines.push_back(line);
  }
  return out;
}

std::optional<LoadKind> DetectLoadKind(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  size_t pos = text.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
  while (pos < text.size() && IsJsonSpace(text[pos])) ++pos;
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == '[' || text[pos] == '{') return LoadKind::kContent;
  CsvReader reader(text);
  std::vector<std::string> fields;
  if (!reader.Next(&fields) || !reader.error().empty()) return std::nullopt;
  std::unordered_set<std::string> names;
  for (const auto& f : fields) names.insert(NormalizeHeaderName(f));
  if (names.count("session_id") && names.count("watch_date")) return LoadKind::kSessions;
  if (names.count("user_id") && (names.count("age") || names.count("country") ||
                                 names.count("subscription_type") || names.count("registration_date"))) {
    return LoadKind::kUsers;
  }
  return std::nullopt;
}

}  // namespace ws::catalog
