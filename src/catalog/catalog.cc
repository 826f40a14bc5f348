#include "catalog/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <span>
#include <unordered_set>

#include "catalog/catalog_state.h"
#include "catalog/readers.h"
#include "catalog/values.h"
#include "vocab/key_names.h"

namespace ws {

namespace {

using catalog::StringMap;
using catalog::TitleEntry;
using catalog::UserEntry;
using sqlite::SqliteDb;
using sqlite::SqliteStmt;

constexpr char kListSeparator = ';';
constexpr char kSignatureSeparator = '\x1f';

// Schema migrations: kMigrations[i] brings user_version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE titles (
  title_key           INTEGER PRIMARY KEY,
  title_id            TEXT    NOT NULL,
  kind                TEXT    NOT NULL CHECK (kind IN ('movie', 'series')),
  title               TEXT    NOT NULL,
  original_language   TEXT    NOT NULL DEFAULT '',
  release_year        INTEGER,
  countries           TEXT    NOT NULL DEFAULT '',
  production_status   TEXT    NOT NULL DEFAULT '',
  production_end_date TEXT,
  source_id           TEXT    NOT NULL DEFAULT '',
  valid_from          INTEGER NOT NULL,
  valid_to            INTEGER,
  is_current          INTEGER NOT NULL CHECK (is_current IN (0, 1))
);
CREATE UNIQUE INDEX titles_current ON titles (title_id) WHERE is_current = 1;
CREATE INDEX titles_history ON titles (title_id, valid_from);
CREATE TABLE title_genres (
  title_key INTEGER NOT NULL REFERENCES titles (title_key),
  position  INTEGER NOT NULL,
  genre     TEXT    NOT NULL,
  PRIMARY KEY (title_key, position)
) WITHOUT ROWID;
CREATE INDEX title_genres_genre ON title_genres (genre);
CREATE TABLE title_languages (
  title_key INTEGER NOT NULL REFERENCES titles (title_key),
  position  INTEGER NOT NULL,
  language  TEXT    NOT NULL,
  PRIMARY KEY (title_key, position)
) WITHOUT ROWID;
CREATE INDEX title_languages_language ON title_languages (language);
CREATE TABLE content_items (
  content_id       TEXT    PRIMARY KEY,
  title_id         TEXT    NOT NULL,
  kind             TEXT    NOT NULL CHECK (kind IN ('movie', 'episode')),
  episode_title    TEXT    NOT NULL DEFAULT '',
  season_number    INTEGER NOT NULL DEFAULT 0,
  episode_number   INTEGER NOT NULL DEFAULT 0,
  length_ms        INTEGER,
  credits_start_ms INTEGER,
  release_date     TEXT,
  first_loaded     INTEGER NOT NULL,
  updated          INTEGER NOT NULL
);
CREATE INDEX content_items_title ON content_items (title_id, season_number, episode_number);
CREATE TABLE users (
  user_key          INTEGER PRIMARY KEY,
  user_id           TEXT    NOT NULL,
  age               INTEGER,
  country           TEXT    NOT NULL DEFAULT '',
  subscription_type TEXT    NOT NULL DEFAULT '',
  registration_date TEXT,
  languages         TEXT    NOT NULL DEFAULT '',
  timezone          TEXT    NOT NULL DEFAULT '',
  attributes        TEXT    NOT NULL DEFAULT '{}',
  valid_from        INTEGER NOT NULL,
  valid_to          INTEGER,
  is_current        INTEGER NOT NULL CHECK (is_current IN (0, 1))
);
CREATE UNIQUE INDEX users_current ON users (user_id) WHERE is_current = 1;
)sql",
    // 2: a checksum of each part's rows, recorded by every load and verified
    // at open (damage that SQLite's own checks cannot see).
    R"sql(
CREATE TABLE checksums (
  part  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
);
)sql",
};
constexpr int kMigrationCount = static_cast<int>(std::size(kMigrations));
static_assert(kMigrationCount == Catalog::kSchemaVersion, "one migration per schema version");

// WAL with synchronous=NORMAL: every load stays atomic and a crash never
// corrupts the database, though the last loads before a power loss may roll
// back (they are re-runnable: loads are idempotent). The 64 MiB page cache
// keeps bulk loads of millions of rows fast.
constexpr const char* kSessionPragmas =
    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; "
    "PRAGMA temp_store = MEMORY";

constexpr const char* kInsertTitle =
    "INSERT INTO titles (title_id, kind, title, original_language, release_year, countries, "
    "production_status, "
    "production_end_date, source_id, valid_from, valid_to, is_current) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, 1)";
constexpr const char* kCloseTitle = "UPDATE titles SET valid_to = ?1, is_current = 0 WHERE title_key = ?2";
constexpr const char* kInsertGenre =
    "INSERT INTO title_genres (title_key, position, genre) VALUES (?1, ?2, ?3)";
constexpr const char* kInsertLanguage =
    "INSERT INTO title_languages (title_key, position, language) VALUES (?1, ?2, ?3)";
constexpr const char* kUpsertItem =
    "INSERT INTO content_items (content_id, title_id, kind, episode_title, season_number, episode_number, "
    "length_ms, credits_start_ms, release_date, first_loaded, updated) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) "
    "ON CONFLICT (content_id) DO UPDATE SET title_id = excluded.title_id, kind = excluded.kind, "
    "episode_title = excluded.episode_title, season_number = excluded.season_number, "
    "episode_number = excluded.episode_number, length_ms = excluded.length_ms, "
    "credits_start_ms = excluded.credits_start_ms, release_date = excluded.release_date, updated = "
    "excluded.updated";
constexpr const char* kInsertUser =
    "INSERT INTO users (user_id, age, country, subscription_type, registration_date, languages, timezone, "
    "attributes, valid_from, valid_to, is_current) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, 1)";
constexpr const char* kCloseUser = "UPDATE users SET valid_to = ?1, is_current = 0 WHERE user_key = ?2";

constexpr const char* kSelectTitles =
    "SELECT title_key, title_id, kind, title, original_language, release_year, countries, production_status, "
    "production_end_date, valid_from, valid_to FROM titles ORDER BY title_key";
constexpr const char* kSelectGenres =
    "SELECT title_key, genre FROM title_genres ORDER BY title_key, position";
constexpr const char* kSelectLanguages =
    "SELECT title_key, language FROM title_languages ORDER BY title_key, position";
constexpr const char* kSelectItems =
    "SELECT content_id, title_id, kind, episode_title, season_number, episode_number, length_ms, "
    "credits_start_ms, release_date FROM content_items ORDER BY content_id";
constexpr const char* kSelectUsers =
    "SELECT user_key, user_id, age, country, subscription_type, registration_date, languages, timezone, "
    "attributes, valid_from, valid_to FROM users ORDER BY user_key";
constexpr const char* kCountUsers = "SELECT COUNT(*) FROM users WHERE is_current = 1";
constexpr const char* kSelectChecksums = "SELECT part, value FROM checksums";
constexpr const char* kCountChecksums = "SELECT COUNT(*) FROM checksums";
constexpr int64_t kChecksumParts = 2;  // content, users
constexpr const char* kUpsertChecksum =
    "INSERT INTO checksums (part, value) VALUES (?1, ?2) ON CONFLICT (part) DO UPDATE SET value = "
    "excluded.value";
// The parts checksummed, and the queries whose rows (in that order) make
// each: the same statements Open reads the rows with.
constexpr const char* kContentPart = "content";
constexpr const char* kUsersPart = "users";
constexpr const char* kContentQueries[] = {kSelectTitles, kSelectGenres, kSelectLanguages, kSelectItems};
constexpr const char* kUsersQueries[] = {kSelectUsers};

std::string JoinList(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out.push_back(kListSeparator);
    out.append(v);
  }
  return out;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t sep = text.find(kListSeparator, start);
    size_t end = sep == std::string_view::npos ? text.size() : sep;
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::optional<DayNumber> OptDate(const SqliteStmt& st, int col) {
  if (st.ColumnIsNull(col)) return std::nullopt;
  return ParseDate(st.ColumnText(col));
}

std::optional<std::string> OptDateText(const std::optional<DayNumber>& d) {
  if (!d) return std::nullopt;
  return FormatDate(*d);
}

std::optional<int64_t> KnownOrNull(int64_t v) {
  if (v < 0) return std::nullopt;
  return v;
}

void AppendSorted(std::string* sig, std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  for (const auto& v : values) {
    sig->append(v);
    sig->push_back(kListSeparator);
  }
  sig->push_back(kSignatureSeparator);
}

// The versioned attributes of a title, canonicalised: two TitleInfos with
// equal signatures are the same version. Order within genres, languages and
// countries does not matter; episode_count is derived, not versioned.
std::string TitleSignature(const TitleInfo& t) {
  std::string sig;
  for (const std::string* f : {&t.kind, &t.title, &t.original_language, &t.production_status}) {
    sig.append(*f);
    sig.push_back(kSignatureSeparator);
  }
  AppendSorted(&sig, t.genres);
  AppendSorted(&sig, t.languages);
  AppendSorted(&sig, t.countries);
  sig.append(std::to_string(t.release_year));
  sig.push_back(kSignatureSeparator);
  sig.append(t.production_end_date ? std::to_string(t.production_end_date->v) : "-");
  return sig;
}

bool SameAsSet(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;
  std::vector<std::string> x = a;
  std::vector<std::string> y = b;
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

// The versioned attributes of a user are equal (language order aside).
bool SameUser(const UserInfo& a, const UserInfo& b) {
  return a.age == b.age && a.country == b.country && a.subscription_type == b.subscription_type &&
         a.registration_date == b.registration_date && a.timezone == b.timezone &&
         a.attributes_json == b.attributes_json && SameAsSet(a.languages, b.languages);
}

// Playable-item attributes owned by the item (type 1), not by its title.
bool SameItem(const ContentInfo& a, const ContentInfo& b) {
  return a.kind == b.kind && a.title_id == b.title_id && a.episode_title == b.episode_title &&
         a.season_number == b.season_number && a.episode_number == b.episode_number &&
         a.length_ms == b.length_ms && a.credits_start_ms == b.credits_start_ms &&
         a.release_date == b.release_date;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return Status::NotFound(fmt::format("cannot open {}", path));
  std::string data;
  constexpr size_t kChunk = 1 << 20;
  std::string chunk(kChunk, '\0');
  size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), f.get())) > 0) data.append(chunk.data(), n);
  if (std::ferror(f.get())) return Status::IOError(fmt::format("cannot read {}", path));
  return data;
}

EpochMillis Now() {
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return EpochMillis{now.time_since_epoch().count()};
}

// Brings the schema to kSchemaVersion, one version per transaction. The
// version is read inside each (IMMEDIATE) transaction, so two processes
// opening a fresh data directory at once migrate it once: the second waits
// for the first, then finds the work done.
// The checksum of the rows of `queries`, in order.
Result<uint64_t> PartChecksum(SqliteDb* db, std::span<const char* const> queries) {
  StreamChecksum64 sum;
  for (const char* sql : queries) {
    WS_ASSIGN_OR_RETURN(SqliteStmt st, db->Prepare(sql));
    while (true) {
      WS_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      st.ChecksumRow(&sum);
    }
  }
  return sum.Value();
}

Status Migrate(SqliteDb* db) {
  while (true) {
    WS_ASSIGN_OR_RETURN(sqlite::Transaction tx, sqlite::Transaction::Begin(db));
    int version = 0;
    {
      WS_ASSIGN_OR_RETURN(SqliteStmt st, db->Prepare("PRAGMA user_version"));
      WS_ASSIGN_OR_RETURN(bool row, st.Step());
      version = row ? static_cast<int>(st.ColumnInt(0)) : 0;
    }
    if (version > Catalog::kSchemaVersion) {
      return Status::FailedPrecondition(
          fmt::format("the catalog database has schema version {}, newer than this watchstats supports ({})",
                      version, Catalog::kSchemaVersion));
    }
    if (version == Catalog::kSchemaVersion) return tx.Commit();
    WS_RETURN_IF_ERROR(db->Exec(kMigrations[version]));
    // PRAGMA takes no bound parameters; the value is a compile-time constant.
    std::string set_version = fmt::format("PRAGMA user_version = {}", version + 1);
    WS_RETURN_IF_ERROR(db->Exec(set_version.c_str()));
    WS_RETURN_IF_ERROR(tx.Commit());
  }
}

// Recomputes the title-derived fields of a title's playable items and its
// episode_count from its current version.
void RefreshTitle(StringMap<ContentInfo>* content, TitleEntry* entry) {
  if (entry->versions.empty()) return;
  TitleInfo& current = entry->versions.back()->info;
  std::sort(entry->items.begin(), entry->items.end());
  entry->items.erase(std::unique(entry->items.begin(), entry->items.end()), entry->items.end());
  current.episode_count = static_cast<int32_t>(entry->items.size());
  for (const auto& id : entry->items) {
    auto it = content->find(id);
    if (it == content->end()) continue;
    it->second.title = current.title;
    it->second.genres = current.genres;
    it->second.languages = current.languages;
  }
}

template <typename Version>
const Version* VersionAt(const std::vector<std::unique_ptr<Version>>& versions, EpochMillis t) {
  if (versions.empty()) return nullptr;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if ((*it)->valid_from <= t) return it->get();
  }
  return versions.front().get();
}

}  // namespace

std::string_view LoadKindName(LoadKind kind) {
  switch (kind) {
    case LoadKind::kAuto:
      return "auto";
    case LoadKind::kContent:
      return "content";
    case LoadKind::kUsers:
      return "users";
    case LoadKind::kSessions:
      return "sessions";
  }
  return "auto";
}

std::optional<LoadKind> ParseLoadKind(std::string_view name) {
  for (LoadKind k : {LoadKind::kAuto, LoadKind::kContent, LoadKind::kUsers, LoadKind::kSessions}) {
    if (name == LoadKindName(k)) return k;
  }
  return std::nullopt;
}

std::string LoadReport::Summary() const {
  std::string out;
  for (const auto& f : files) {
    out += fmt::format("{}: {}, {} rows, {} rejected\n", f.file, LoadKindName(f.kind), f.rows_read,
                       f.rows_rejected);
  }
  out += fmt::format("titles: {} added, {} changed (new version), {} unchanged\n", titles.added,
                     titles.changed, titles.unchanged);
  out += fmt::format("playable items: {} added, {} changed, {} unchanged\n", items.added, items.changed,
                     items.unchanged);
  out += fmt::format("users: {} added, {} changed (new version), {} unchanged\n", users.added, users.changed,
                     users.unchanged);
  if (!sessions.empty()) out += fmt::format("legacy sessions: {} valid\n", sessions.size());
  out += fmt::format("rejected rows: {}\n", errors.size());
  return out;
}

Catalog::Catalog(std::unique_ptr<State> state) : state_(std::move(state)) {}
Catalog::~Catalog() = default;

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& data_dir, Parts parts,
                                               Existence existence) {
  std::error_code ec;
  std::string path = (std::filesystem::path(data_dir) / kDatabaseFileName).string();
  if (existence == Existence::kMustExist) {
    const bool present = std::filesystem::exists(path, ec);
    if (!present || std::filesystem::file_size(path, ec) == 0) {
      return Status::Corruption(fmt::format(
          "catalog database {} is {}, but this data directory's store holds the keys of titles from earlier "
          "catalog loads; restore it from a backup or load the catalog files again (watchstats catalog load)",
          path, present ? "empty" : "missing"));
    }
  }
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::IOError(fmt::format("cannot create data directory {}: {}", data_dir, ec.message()));
  WS_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path));
  {
    // journal_mode returns a row; read it to make sure WAL was accepted.
    WS_ASSIGN_OR_RETURN(SqliteStmt wal, db.Prepare("PRAGMA journal_mode = WAL"));
    WS_ASSIGN_OR_RETURN(bool row, wal.Step());
    if (!row || wal.ColumnText(0) != "wal") {
      return Status::IOError(fmt::format("cannot switch {} to WAL journal mode", path));
    }
  }
  WS_RETURN_IF_ERROR(db.Exec(kSessionPragmas));
  WS_RETURN_IF_ERROR(Migrate(&db).WithContext(path));

  auto state = std::make_unique<State>(std::move(db));
  StreamChecksum64 content_sum, users_sum;  // of the rows as read, checked below
  state->path = path;
  SqliteDb& d = state->db;
  std::unordered_map<int64_t, TitleVersion*> by_key;
  {
    WS_ASSIGN_OR_RETURN(SqliteStmt st, d.Prepare(kSelectTitles));
    while (true) {
      WS_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      st.ChecksumRow(&content_sum);
      auto v = std::make_unique<TitleVersion>();
      v->version_key = st.ColumnInt(0);
      v->info.title_id = st.ColumnText(1);
      v->info.kind = st.ColumnText(2);
      v->info.title = st.ColumnText(3);
      v->info.original_language = st.ColumnText(4);
      v->info.release_year = static_cast<int32_t>(st.ColumnOptInt(5).value_or(0));
      v->info.countries = SplitList(st.ColumnText(6));
      v->info.production_status = st.ColumnText(7);
      v->info.production_end_date = OptDate(st, 8);
      v->valid_from = EpochMillis{st.ColumnInt(9)};
      if (auto to = st.ColumnOptInt(10)) v->valid_to = EpochMillis{*to};
      state->latest_snapshot = std::max(state->latest_snapshot, v->valid_from);
      by_key[v->version_key] = v.get();
      state->titles[v->info.title_id].versions.push_back(std::move(v));
    }
  }
  for (auto [sql, is_genre] : {std::pair{kSelectGenres, true}, std::pair{kSelectLanguages, false}}) {
    WS_ASSIGN_OR_RETURN(SqliteStmt st, d.Prepare(sql));
    while (true) {
      WS_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      st.ChecksumRow(&content_sum);
      auto it = by_key.find(st.ColumnInt(0));
      if (it == by_key.end()) continue;
      (is_genre ? it->second->info.genres : it->second->info.languages).push_back(st.ColumnText(1));
    }
  }
  {
    WS_ASSIGN_OR_RETURN(SqliteStmt st, d.Prepare(kSelectItems));
    while (true) {
      WS_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      st.ChecksumRow(&content_sum);
      ContentInfo c;
      c.content_id = st.ColumnText(0);
      c.title_id = st.ColumnText(1);
      c.kind = st.ColumnText(2);
      c.episode_title = st.ColumnText(3);
      c.season_number = static_cast<int32_t>(st.ColumnInt(4));
      c.episode_number = static_cast<int32_t>(st.ColumnInt(5));
      c.length_ms = st.ColumnOptInt(6).value_or(-1);
      c.credits_start_ms = st.ColumnOptInt(7).value_or(-1);
      c.release_date = OptDate(st, 8);
      state->titles[c.title_id].items.push_back(c.content_id);
      std::string id = c.content_id;
      state->content.emplace(std::move(id), std::move(c));
    }
  }
  for (auto it = state->titles.begin(); it != state->titles.end();) {
    if (it->second.versions.empty()) {
      // Items whose title row is missing cannot be resolved; keep them with
      // their own attributes only.
      it = state->titles.erase(it);
      continue;
    }
    RefreshTitle(&state->content, &it->second);
    ++it;
  }
  state->users_loaded = parts == Parts::kAll;
  if (state->users_loaded) {
    WS_ASSIGN_OR_RETURN(SqliteStmt count, d.Prepare(kCountUsers));
    WS_ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) state->users.reserve(static_cast<size_t>(count.ColumnInt(0)));
    WS_ASSIGN_OR_RETURN(SqliteStmt st, d.Prepare(kSelectUsers));
    while (true) {
      WS_ASSIGN_OR_RETURN(bool more, st.Step());
      if (!more) break;
      st.ChecksumRow(&users_sum);
      auto v = std::make_unique<UserVersion>();
      v->version_key = st.ColumnInt(0);
      v->info.user_id = st.ColumnText(1);
      v->info.age = static_cast<int32_t>(st.ColumnOptInt(2).value_or(-1));
      v->info.country = st.ColumnText(3);
      v->info.subscription_type = st.ColumnText(4);
      v->info.registration_date = OptDate(st, 5);
      v->info.languages = SplitList(st.ColumnText(6));
      v->info.timezone = st.ColumnText(7);
      v->info.attributes_json = st.ColumnText(8);
      v->valid_from = EpochMillis{st.ColumnInt(9)};
      if (auto to = st.ColumnOptInt(10)) v->valid_to = EpochMillis{*to};
      state->latest_snapshot = std::max(state->latest_snapshot, v->valid_from);
      state->users[v->info.user_id].versions.push_back(std::move(v));
    }
  }
  // Damage SQLite cannot see: the rows must give the checksums the last
  // load recorded (databases loaded before checksums existed have none).
  {
    WS_ASSIGN_OR_RETURN(SqliteStmt st, d.Prepare(kSelectChecksums));
    while (true) {
      WS_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      const std::string part = st.ColumnText(0);
      const auto recorded = static_cast<uint64_t>(st.ColumnInt(1));
      const bool content = part == kContentPart;
      if (!content && !(part == kUsersPart && state->users_loaded)) continue;
      if ((content ? content_sum : users_sum).Value() != recorded) {
        return Status::Corruption(fmt::format(
            "catalog database {} is damaged: its {} rows do not match the checksum its last load recorded; "
            "restore it from a backup, or delete it and load the catalog files again",
            path, part));
      }
    }
  }
  return std::make_unique<Catalog>(std::move(state));
}

const ContentInfo* Catalog::FindContent(std::string_view content_id) const {
  auto it = state_->content.find(content_id);
  return it == state_->content.end() ? nullptr : &it->second;
}

const TitleInfo* Catalog::FindTitle(std::string_view title_id) const {
  auto it = state_->titles.find(title_id);
  return it == state_->titles.end() ? nullptr : &it->second.versions.back()->info;
}

const UserInfo* Catalog::FindUser(std::string_view user_id) const {
  auto it = state_->users.find(user_id);
  return it == state_->users.end() ? nullptr : &it->second.versions.back()->info;
}

void Catalog::RegisterKeys(store::KeyRegistry& registry) const {
  store::KeyDictionary& content = registry.Dictionary(kContentKeys);
  store::KeyDictionary& titles = registry.Dictionary(kTitleKeys);
  store::KeyDictionary& users = registry.Dictionary(kUserKeys);
  // A fixed order (by id), so that the same catalog always gets the same keys.
  std::vector<std::string_view> ids;
  auto intern_sorted = [&](store::KeyDictionary& dict) {
    std::sort(ids.begin(), ids.end());
    for (std::string_view id : ids) dict.Intern(id);
    ids.clear();
  };
  for (const auto& [id, c] : state_->content) ids.push_back(id);
  intern_sorted(content);
  for (const auto& [id, t] : state_->titles) ids.push_back(id);
  intern_sorted(titles);
  for (const auto& [id, u] : state_->users) ids.push_back(id);
  intern_sorted(users);
}

void Catalog::AttachKeys(const store::KeyRegistry& registry) {
  auto attach = [&](std::string_view dict_name, auto& map, auto& by_key, auto info_of) {
    by_key.clear();
    const store::KeyDictionary* dict = registry.Find(dict_name);
    if (dict == nullptr) return;
    by_key.assign(size_t{dict->size()} + 1, nullptr);
    for (auto& [id, row] : map) {
      if (std::optional<uint32_t> key = dict->Find(id)) by_key[*key] = info_of(row);
    }
  };
  attach(kContentKeys, state_->content, state_->content_by_key, [](const ContentInfo& c) { return &c; });
  attach(kUserKeys, state_->users, state_->user_by_key,
         [](const catalog::UserEntry& u) { return &u.versions.back()->info; });
}

const ContentInfo* Catalog::FindContentByKey(uint32_t content_key) const {
  return content_key < state_->content_by_key.size() ? state_->content_by_key[content_key] : nullptr;
}

const UserInfo* Catalog::FindUserByKey(uint32_t user_key) const {
  return user_key < state_->user_by_key.size() ? state_->user_by_key[user_key] : nullptr;
}

const TitleVersion* Catalog::FindTitleAt(std::string_view title_id, EpochMillis t) const {
  auto it = state_->titles.find(title_id);
  return it == state_->titles.end() ? nullptr : VersionAt(it->second.versions, t);
}

const UserVersion* Catalog::FindUserAt(std::string_view user_id, EpochMillis t) const {
  auto it = state_->users.find(user_id);
  return it == state_->users.end() ? nullptr : VersionAt(it->second.versions, t);
}

std::optional<ContentAt> Catalog::FindContentAt(std::string_view content_id, EpochMillis t) const {
  const ContentInfo* c = FindContent(content_id);
  if (c == nullptr) return std::nullopt;
  return ContentAt{c, FindTitleAt(c->title_id, t)};
}

const std::vector<std::string>* Catalog::GenresAt(std::string_view content_id, EpochMillis t) const {
  std::optional<ContentAt> at = FindContentAt(content_id, t);
  if (!at) return nullptr;
  return at->title != nullptr ? &at->title->info.genres : &at->content->genres;
}

std::vector<const TitleVersion*> Catalog::TitleHistory(std::string_view title_id) const {
  std::vector<const TitleVersion*> out;
  auto it = state_->titles.find(title_id);
  if (it != state_->titles.end()) {
    for (const auto& v : it->second.versions) out.push_back(v.get());
  }
  return out;
}

std::vector<const UserVersion*> Catalog::UserHistory(std::string_view user_id) const {
  std::vector<const UserVersion*> out;
  auto it = state_->users.find(user_id);
  if (it != state_->users.end()) {
    for (const auto& v : it->second.versions) out.push_back(v.get());
  }
  return out;
}

std::vector<const ContentInfo*> Catalog::TitleItems(std::string_view title_id) const {
  std::vector<const ContentInfo*> out;
  auto it = state_->titles.find(title_id);
  if (it == state_->titles.end()) return out;
  for (const auto& id : it->second.items) {
    if (const ContentInfo* c = FindContent(id)) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const ContentInfo* a, const ContentInfo* b) {
    return std::tie(a->season_number, a->episode_number, a->content_id) <
           std::tie(b->season_number, b->episode_number, b->content_id);
  });
  return out;
}

void Catalog::ForEachTitle(const std::function<void(const TitleInfo&)>& fn) const {
  for (const auto& [id, entry] : state_->titles) fn(entry.versions.back()->info);
}

size_t Catalog::title_count() const { return state_->titles.size(); }
size_t Catalog::content_count() const { return state_->content.size(); }
size_t Catalog::user_count() const { return state_->users.size(); }

namespace {

struct Origin {
  size_t file = 0;
  int64_t line = 0;
};

// Everything read from the files of one load, validated and deduplicated.
struct Staged {
  std::vector<std::pair<catalog::StagedTitle, size_t>> titles;  // with file index
  std::vector<std::pair<catalog::StagedUser, size_t>> users;
};

struct Statements {
  SqliteStmt insert_title, close_title, insert_genre, insert_language, upsert_item, insert_user, close_user;
};

Result<Statements> PrepareAll(SqliteDb* db) {
  Statements s;
  WS_ASSIGN_OR_RETURN(s.insert_title, db->Prepare(kInsertTitle));
  WS_ASSIGN_OR_RETURN(s.close_title, db->Prepare(kCloseTitle));
  WS_ASSIGN_OR_RETURN(s.insert_genre, db->Prepare(kInsertGenre));
  WS_ASSIGN_OR_RETURN(s.insert_language, db->Prepare(kInsertLanguage));
  WS_ASSIGN_OR_RETURN(s.upsert_item, db->Prepare(kUpsertItem));
  WS_ASSIGN_OR_RETURN(s.insert_user, db->Prepare(kInsertUser));
  WS_ASSIGN_OR_RETURN(s.close_user, db->Prepare(kCloseUser));
  return s;
}

Result<int64_t> InsertTitle(Statements* s, SqliteDb* db, const catalog::StagedTitle& t, EpochMillis at) {
  const TitleInfo& i = t.info;
  SqliteStmt& st = s->insert_title;
  WS_RETURN_IF_ERROR(st.BindText(1, i.title_id));
  WS_RETURN_IF_ERROR(st.BindText(2, i.kind));
  WS_RETURN_IF_ERROR(st.BindText(3, i.title));
  WS_RETURN_IF_ERROR(st.BindText(4, i.original_language));
  WS_RETURN_IF_ERROR(
      st.BindOptInt(5, i.release_year > 0 ? std::optional<int64_t>(i.release_year) : std::nullopt));
  WS_RETURN_IF_ERROR(st.BindText(6, JoinList(i.countries)));
  WS_RETURN_IF_ERROR(st.BindText(7, i.production_status));
  auto end_date = OptDateText(i.production_end_date);
  WS_RETURN_IF_ERROR(st.BindOptText(8, end_date ? std::optional<std::string_view>(*end_date) : std::nullopt));
  WS_RETURN_IF_ERROR(st.BindText(9, t.source_id));
  WS_RETURN_IF_ERROR(st.BindInt(10, at.v));
  WS_RETURN_IF_ERROR(st.Run());
  int64_t key = db->LastInsertRowId();
  for (size_t p = 0; p < i.genres.size(); ++p) {
    WS_RETURN_IF_ERROR(s->insert_genre.BindInt(1, key));
    WS_RETURN_IF_ERROR(s->insert_genre.BindInt(2, static_cast<int64_t>(p)));
    WS_RETURN_IF_ERROR(s->insert_genre.BindText(3, i.genres[p]));
    WS_RETURN_IF_ERROR(s->insert_genre.Run());
  }
  for (size_t p = 0; p < i.languages.size(); ++p) {
    WS_RETURN_IF_ERROR(s->insert_language.BindInt(1, key));
    WS_RETURN_IF_ERROR(s->insert_language.BindInt(2, static_cast<int64_t>(p)));
    WS_RETURN_IF_ERROR(s->insert_language.BindText(3, i.languages[p]));
    WS_RETURN_IF_ERROR(s->insert_language.Run());
  }
  return key;
}

Status UpsertItem(Statements* s, const ContentInfo& c, EpochMillis at) {
  SqliteStmt& st = s->upsert_item;
  WS_RETURN_IF_ERROR(st.BindText(1, c.content_id));
  WS_RETURN_IF_ERROR(st.BindText(2, c.title_id));
  WS_RETURN_IF_ERROR(st.BindText(3, c.kind));
  WS_RETURN_IF_ERROR(st.BindText(4, c.episode_title));
  WS_RETURN_IF_ERROR(st.BindInt(5, c.season_number));
  WS_RETURN_IF_ERROR(st.BindInt(6, c.episode_number));
  WS_RETURN_IF_ERROR(st.BindOptInt(7, KnownOrNull(c.length_ms)));
  WS_RETURN_IF_ERROR(st.BindOptInt(8, KnownOrNull(c.credits_start_ms)));
  auto release = OptDateText(c.release_date);
  WS_RETURN_IF_ERROR(st.BindOptText(9, release ? std::optional<std::string_view>(*release) : std::nullopt));
  WS_RETURN_IF_ERROR(st.BindInt(10, at.v));
  return st.Run();
}

Result<int64_t> InsertUser(Statements* s, SqliteDb* db, const UserInfo& u, EpochMillis at) {
  SqliteStmt& st = s->insert_user;
  WS_RETURN_IF_ERROR(st.BindText(1, u.user_id));
  WS_RETURN_IF_ERROR(st.BindOptInt(2, KnownOrNull(u.age)));
  WS_RETURN_IF_ERROR(st.BindText(3, u.country));
  WS_RETURN_IF_ERROR(st.BindText(4, u.subscription_type));
  auto reg = OptDateText(u.registration_date);
  WS_RETURN_IF_ERROR(st.BindOptText(5, reg ? std::optional<std::string_view>(*reg) : std::nullopt));
  WS_RETURN_IF_ERROR(st.BindText(6, JoinList(u.languages)));
  WS_RETURN_IF_ERROR(st.BindText(7, u.timezone));
  WS_RETURN_IF_ERROR(st.BindText(8, u.attributes_json));
  WS_RETURN_IF_ERROR(st.BindInt(9, at.v));
  WS_RETURN_IF_ERROR(st.Run());
  return db->LastInsertRowId();
}

Status CloseVersion(SqliteStmt* st, int64_t key, EpochMillis at) {
  WS_RETURN_IF_ERROR(st->BindInt(1, at.v));
  WS_RETURN_IF_ERROR(st->BindInt(2, key));
  return st->Run();
}

}  // namespace

Result<LoadReport> Catalog::Load(const std::vector<std::string>& files, LoadKind kind,
                                 std::optional<EpochMillis> load_time) {
  if (!state_->users_loaded) {
    return Status::FailedPrecondition("the catalog in " + state_->path +
                                      " was opened without its users and cannot load files");
  }
  LoadReport report;
  report.load_time = load_time.value_or(Now());
  const EpochMillis at = report.load_time;
  if (at < state_->latest_snapshot) {
    return Status::FailedPrecondition(fmt::format("load time {} precedes the latest catalog snapshot ({})",
                                                  FormatRfc3339(at), FormatRfc3339(state_->latest_snapshot)));
  }

  // 1. Read, validate and deduplicate every file before touching the database.
  Staged staged;
  StringMap<Origin> seen_titles;
  StringMap<Origin> seen_items;
  StringMap<Origin> seen_users;
  StringMap<Origin> seen_sessions;
  auto where = [&](const Origin& o) { return fmt::format("{}:{}", files[o.file], o.line); };
  for (size_t fi = 0; fi < files.size(); ++fi) {
    const std::string& file = files[fi];
    WS_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(file));
    // Room for every row of this file in the duplicate detectors.
    const size_t approx_rows = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    LoadKind file_kind = kind;
    if (file_kind == LoadKind::kAuto) {
      auto detected = catalog::DetectLoadKind(text);
      if (!detected) {
        return Status::InvalidArgument(
            fmt::format("{}: cannot tell what this file holds (expected a JSON content catalog, a users CSV "
                        "or a sessions CSV); "
                        "name the kind with --kind content|users|sessions",
                        file));
      }
      file_kind = *detected;
    }
    LoadFileReport fr{file, file_kind, 0, 0};
    size_t errors_before = report.errors.size();
    auto add_errors = [&](const std::vector<catalog::RowError>& errs) {
      for (const auto& e : errs) report.errors.push_back({file, e.line, e.reason});
    };
    auto reject = [&](int64_t line, std::string reason) {
      report.errors.push_back({file, line, std::move(reason)});
    };
    if (file_kind == LoadKind::kContent) {
      catalog::ContentReadResult r = catalog::ReadContentCatalog(text);
      fr.rows_read = r.rows_read;
      add_errors(r.errors);
      for (auto& t : r.titles) {
        Origin here{fi, t.line};
        if (auto [it, fresh] = seen_titles.emplace(t.info.title_id, here); !fresh) {
          reject(t.line, fmt::format("{}: duplicate title in this load (first at {})", t.info.title_id,
                                     where(it->second)));
          continue;
        }
        std::vector<catalog::StagedItem> kept;
        bool title_ok = true;
        for (auto& item : t.items) {
          auto [it, fresh] = seen_items.emplace(item.info.content_id, here);
          if (fresh) {
            kept.push_back(std::move(item));
            continue;
          }
          reject(t.line, fmt::format("{}: duplicate content_id {} in this load (first at {})",
                                     t.info.title_id, item.info.content_id, where(it->second)));
          if (item.info.kind == "movie") title_ok = false;
        }
        if (!title_ok) continue;
        t.items = std::move(kept);
        staged.titles.emplace_back(std::move(t), fi);
      }
    } else if (file_kind == LoadKind::kUsers) {
      auto parsed = catalog::ReadUsersCsv(text);
      if (!parsed.ok()) return parsed.status().WithContext(file);
      catalog::UsersReadResult& r = parsed.value();
      seen_users.reserve(seen_users.size() + approx_rows);
      fr.rows_read = r.rows_read;
      add_errors(r.errors);
      for (auto& u : r.users) {
        if (auto [it, fresh] = seen_users.emplace(u.info.user_id, Origin{fi, u.line}); !fresh) {
          reject(u.line, fmt::format("duplicate user_id {} in this load (first at {})", u.info.user_id,
                                     where(it->second)));
          continue;
        }
        staged.users.emplace_back(std::move(u), fi);
      }
    } else {
      auto parsed = catalog::ReadLegacySessionsCsv(text);
      if (!parsed.ok()) return parsed.status().WithContext(file);
      catalog::SessionsReadResult& r = parsed.value();
      seen_sessions.reserve(seen_sessions.size() + approx_rows);
      fr.rows_read = r.rows_read;
      add_errors(r.errors);
      for (size_t k = 0; k < r.sessions.size(); ++k) {
        LegacySession& s = r.sessions[k];
        Origin here{fi, r.lines[k]};
        if (auto [it, fresh] = seen_sessions.emplace(s.session_id, here); !fresh) {
          reject(here.line, fmt::format("duplicate session_id {} in this load (first at {})", s.session_id,
                                        where(it->second)));
          continue;
        }
        report.sessions.push_back(std::move(s));
      }
    }
    fr.rows_rejected = static_cast<int64_t>(report.errors.size() - errors_before);
    report.files.push_back(std::move(fr));
  }

  // 2. Write the changes in one transaction.
  SqliteDb* db = &state_->db;
  WS_ASSIGN_OR_RETURN(sqlite::Transaction tx, sqlite::Transaction::Begin(db));
  WS_ASSIGN_OR_RETURN(Statements st, PrepareAll(db));

  struct TitleChange {
    size_t staged = 0;
    int64_t new_key = 0;
  };
  std::vector<TitleChange> title_changes;
  std::vector<const ContentInfo*> item_changes;
  for (size_t i = 0; i < staged.titles.size(); ++i) {
    const catalog::StagedTitle& t = staged.titles[i].first;
    auto it = state_->titles.find(t.info.title_id);
    const TitleVersion* current = it == state_->titles.end() || it->second.versions.empty()
                                      ? nullptr
                                      : it->second.versions.back().get();
    if (current != nullptr && TitleSignature(current->info) == TitleSignature(t.info)) {
      ++report.titles.unchanged;
    } else {
      if (current != nullptr) {
        WS_RETURN_IF_ERROR(CloseVersion(&st.close_title, current->version_key, at));
        ++report.titles.changed;
      } else {
        ++report.titles.added;
      }
      WS_ASSIGN_OR_RETURN(int64_t key, InsertTitle(&st, db, t, at));
      title_changes.push_back({i, key});
    }
    for (const auto& item : t.items) {
      auto cit = state_->content.find(item.info.content_id);
      if (cit != state_->content.end() && SameItem(cit->second, item.info)) {
        ++report.items.unchanged;
        continue;
      }
      ++(cit == state_->content.end() ? report.items.added : report.items.changed);
      WS_RETURN_IF_ERROR(UpsertItem(&st, item.info, at));
      item_changes.push_back(&item.info);
    }
  }

  struct UserChange {
    size_t staged = 0;
    int64_t new_key = 0;
  };
  std::vector<UserChange> user_changes;
  for (size_t i = 0; i < staged.users.size(); ++i) {
    const UserInfo& u = staged.users[i].first.info;
    auto it = state_->users.find(u.user_id);
    const UserVersion* current =
        it == state_->users.end() || it->second.versions.empty() ? nullptr : it->second.versions.back().get();
    if (current != nullptr && SameUser(current->info, u)) {
      ++report.users.unchanged;
      continue;
    }
    if (current != nullptr) {
      WS_RETURN_IF_ERROR(CloseVersion(&st.close_user, current->version_key, at));
      ++report.users.changed;
    } else {
      ++report.users.added;
    }
    WS_ASSIGN_OR_RETURN(int64_t key, InsertUser(&st, db, u, at));
    user_changes.push_back({i, key});
  }
  // The checksums of what the catalog now holds, in the same transaction
  // (a load that changed nothing keeps the recorded ones).
  bool recorded = false;
  {
    WS_ASSIGN_OR_RETURN(SqliteStmt count, db->Prepare(kCountChecksums));
    WS_ASSIGN_OR_RETURN(bool row, count.Step());
    recorded = row && count.ColumnInt(0) == kChecksumParts;
  }
  if (!title_changes.empty() || !item_changes.empty() || !user_changes.empty() || !recorded) {
    WS_ASSIGN_OR_RETURN(uint64_t content_sum, PartChecksum(db, kContentQueries));
    WS_ASSIGN_OR_RETURN(uint64_t users_sum, PartChecksum(db, kUsersQueries));
    WS_ASSIGN_OR_RETURN(SqliteStmt up, db->Prepare(kUpsertChecksum));
    for (auto [part, value] : {std::pair{kContentPart, content_sum}, std::pair{kUsersPart, users_sum}}) {
      WS_RETURN_IF_ERROR(up.BindText(1, part));
      WS_RETURN_IF_ERROR(up.BindInt(2, static_cast<int64_t>(value)));
      WS_RETURN_IF_ERROR(up.Run());
    }
  }
  WS_RETURN_IF_ERROR(tx.Commit());

  // 3. The transaction is durable: mirror it in memory.
  std::unordered_set<std::string> touched;
  for (const auto& ch : title_changes) {
    catalog::StagedTitle& t = staged.titles[ch.staged].first;
    TitleEntry& entry = state_->titles[t.info.title_id];
    if (!entry.versions.empty()) entry.versions.back()->valid_to = at;
    auto v = std::make_unique<TitleVersion>();
    v->info = t.info;
    v->version_key = ch.new_key;
    v->valid_from = at;
    entry.versions.push_back(std::move(v));
    touched.insert(t.info.title_id);
  }
  for (const ContentInfo* c : item_changes) {
    auto [it, fresh] = state_->content.try_emplace(c->content_id, *c);
    if (!fresh) {
      if (it->second.title_id != c->title_id) {
        auto old = state_->titles.find(it->second.title_id);
        if (old != state_->titles.end()) {
          std::erase(old->second.items, c->content_id);
          touched.insert(old->first);
        }
      }
      it->second = *c;
    }
    state_->titles[c->title_id].items.push_back(c->content_id);
    touched.insert(c->title_id);
  }
  for (const auto& id : touched) RefreshTitle(&state_->content, &state_->titles[id]);
  state_->users.reserve(state_->users.size() + user_changes.size());
  for (const auto& ch : user_changes) {
    UserInfo& u = staged.users[ch.staged].first.info;
    UserEntry& entry = state_->users[u.user_id];
    if (!entry.versions.empty()) entry.versions.back()->valid_to = at;
    auto v = std::make_unique<UserVersion>();
    v->info = std::move(u);
    v->version_key = ch.new_key;
    v->valid_from = at;
    entry.versions.push_back(std::move(v));
  }
  if (!title_changes.empty() || !user_changes.empty())
    state_->latest_snapshot = std::max(state_->latest_snapshot, at);
  return report;
}

namespace {

struct CountQuery {
  const char* table;
  const char* sql;
};
constexpr std::array<CountQuery, 11> kCountQueries = {{
    {"titles", "SELECT COUNT(*) FROM titles WHERE is_current = 1"},
    {"title_versions", "SELECT COUNT(*) FROM titles"},
    {"movies", "SELECT COUNT(*) FROM titles WHERE is_current = 1 AND kind = 'movie'"},
    {"series", "SELECT COUNT(*) FROM titles WHERE is_current = 1 AND kind = 'series'"},
    {"content_items", "SELECT COUNT(*) FROM content_items"},
    {"episodes", "SELECT COUNT(*) FROM content_items WHERE kind = 'episode'"},
    {"title_genres", "SELECT COUNT(*) FROM title_genres"},
    {"title_languages", "SELECT COUNT(*) FROM title_languages"},
    {"genres", "SELECT COUNT(DISTINCT genre) FROM title_genres"},
    {"users", "SELECT COUNT(*) FROM users WHERE is_current = 1"},
    {"user_versions", "SELECT COUNT(*) FROM users"},
}};

}  // namespace

Result<CatalogStats> Catalog::Stats() const {
  CatalogStats stats;
  for (const auto& q : kCountQueries) {
    WS_ASSIGN_OR_RETURN(sqlite::SqliteStmt st, state_->db.Prepare(q.sql));
    WS_ASSIGN_OR_RETURN(bool row, st.Step());
    stats.tables.push_back({q.table, row ? st.ColumnInt(0) : 0});
  }
  return stats;
}

}  // namespace ws
