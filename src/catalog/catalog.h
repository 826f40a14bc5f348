// The catalog: content (titles, episodes) and users (SPEC 3), persisted in
// SQLite under the data directory (DIR/catalog.db) and held in memory for
// fast lookups by the sessionizer and the query engine.
//
// Thread safety: lookups on a loaded Catalog are safe from many threads;
// Load() must not run concurrently with anything else.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/key_registry.h"
#include "util/status.h"
#include "util/time.h"
#include "vocab/device_type.h"

namespace ws {

// A playable item (movie or episode), current version.
struct ContentInfo {
  std::string content_id;
  std::string kind;      // "movie" or "episode"
  std::string title_id;  // the movie itself, or the episode's series
  std::string title;     // title of the movie or series
  std::string episode_title;
  int32_t season_number = 0;
  int32_t episode_number = 0;
  int64_t length_ms = -1;                 // -1: unknown
  int64_t credits_start_ms = -1;          // -1: unknown
  std::vector<std::string> genres;        // of the title
  std::vector<std::string> languages;     // of the title
  std::optional<DayNumber> release_date;  // episodes (and movies that carry one)
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
  int32_t episode_count = 0;           // playable items of the title (1 for a movie)
  int32_t release_year = 0;            // 0: unknown
  std::vector<std::string> countries;  // ISO 3166-1 alpha-2, upper-case
};

struct UserInfo {
  std::string user_id;
  int32_t age = -1;  // -1: unknown
  std::string country;
  std::string subscription_type;
  std::string timezone;                // IANA name or ""
  std::vector<std::string> languages;  // ISO 639-1
  std::optional<DayNumber> registration_date;
  // Columns of the users CSV that watchstats does not know, as a JSON object
  // of strings keyed by the lower-cased column name ("{}" when none).
  std::string attributes_json = "{}";
};

// Read-only lookups used by the sessionizer and the query engine.
class CatalogView {
 public:
  virtual ~CatalogView() = default;
  // nullptr when unknown. Pointers stay valid while the view lives.
  virtual const ContentInfo* FindContent(std::string_view content_id) const = 0;
  virtual const TitleInfo* FindTitle(std::string_view title_id) const = 0;
  virtual const UserInfo* FindUser(std::string_view user_id) const = 0;

  // The genres of the content's title as of instant `t` (the SCD2 version
  // valid then; see docs/data-model.md for which reports use it). The
  // default, for views without history, is the current version. nullptr
  // when the content is unknown.
  virtual const std::vector<std::string>* GenresAt(std::string_view content_id, EpochMillis t) const {
    (void)t;
    const ContentInfo* c = FindContent(content_id);
    return c == nullptr ? nullptr : &c->genres;
  }

  // Lookups by the surrogate keys facts carry (SPEC 3.5), once the view's
  // rows are attached to the store's keys; nullptr when the key has no
  // catalog row (or the view has no keys).
  virtual const ContentInfo* FindContentByKey(uint32_t content_key) const {
    (void)content_key;
    return nullptr;
  }
  virtual const UserInfo* FindUserByKey(uint32_t user_key) const {
    (void)user_key;
    return nullptr;
  }
};

// ---------------------------------------------------------------------------
// The SQLite-backed catalog.
//
// Storage: DIR/catalog.db (WAL journal, synchronous=NORMAL, schema version in
// PRAGMA user_version; see docs/data-model.md for the tables). Open() reads
// every row into memory; lookups never touch the database.
//
// History (slowly changing dimension type 2): titles and users are kept as
// versions. A version is valid over [valid_from, valid_to); the current one
// has no valid_to. Each Load() is a snapshot taken at its load time: a title
// or user whose versioned attributes differ from its current version gets
// that version closed (valid_to = load time) and a new one opened
// (valid_from = load time); an unchanged one is left alone, so reloading the
// same file changes nothing. Titles and users absent from a load are left as
// they are (a load never deletes). Playable items (movies and episodes) are
// type 1: changed attributes are overwritten in place.
//
// Pointer lifetime: every pointer returned by a lookup stays valid for the
// life of the Catalog. A later Load() may overwrite the contents of playable
// items (FindContent, TitleItems: type 1, and the title fields copied into
// them) and the derived episode_count of a current title version; other
// version contents never change, except that valid_to is set when a version
// is closed. FindTitle()/FindUser() return the version current at the call.
// ---------------------------------------------------------------------------

// What a file holds. kAuto: detect from the content (a JSON array or object
// -> kContent; a CSV header with session_id and watch_date -> kSessions; a
// CSV header with user_id and any of age, country, subscription_type,
// registration_date -> kUsers).
enum class LoadKind { kAuto, kContent, kUsers, kSessions };
std::string_view LoadKindName(LoadKind kind);  // "auto", "content", "users", "sessions"
// Parses "auto" / "content" / "users" / "sessions"; nullopt otherwise.
std::optional<LoadKind> ParseLoadKind(std::string_view name);

// One rejected row (or document) of a catalog file.
struct LoadError {
  std::string file;
  int64_t line = 0;    // 1-based line where the row starts
  std::string reason;  // a sentence naming the field and the problem
};

// A row of a legacy viewing_sessions.csv (SPEC 3.3), validated. The caller
// stores it as a session fact with origin kLegacy.
struct LegacySession {
  std::string session_id;
  std::string user_id;
  std::string content_id;
  DayNumber watch_date;
  int64_t watch_ms = 0;                           // watch_duration_minutes, in milliseconds
  double completion_percentage = 0;               // 0..100
  DeviceType device_type = DeviceType::kUnknown;  // read by ParseDeviceType
  int32_t quality_height = 0;                     // pixel height, 0 when absent
};

struct LoadFileReport {
  std::string file;
  LoadKind kind = LoadKind::kAuto;  // the kind it was read as
  int64_t rows_read = 0;            // documents or CSV records (header excluded)
  int64_t rows_rejected = 0;
};

struct LoadCounts {
  int64_t added = 0;      // not in the catalog before
  int64_t changed = 0;    // a new version (titles, users) or an overwrite (items)
  int64_t unchanged = 0;  // identical to the catalog: nothing written
};

struct LoadReport {
  EpochMillis load_time;
  std::vector<LoadFileReport> files;
  LoadCounts titles;  // movies and series
  LoadCounts items;   // playable items: movies and episodes
  LoadCounts users;
  std::vector<LegacySession> sessions;  // from legacy sessions files, in file order
  std::vector<LoadError> errors;        // every rejected row, in file order

  // Lines such as "catalog.json: content, 120 rows, 2 rejected" and totals.
  std::string Summary() const;
};

// A version of a title (SCD2 row of table `titles`).
struct TitleVersion {
  TitleInfo info;
  int64_t version_key = 0;  // titles.title_key, the surrogate key of this version
  EpochMillis valid_from;
  std::optional<EpochMillis> valid_to;  // nullopt: the current version
};

// A version of a user (SCD2 row of table `users`).
struct UserVersion {
  UserInfo info;
  int64_t version_key = 0;  // users.user_key
  EpochMillis valid_from;
  std::optional<EpochMillis> valid_to;
};

// A playable item together with the version of its title valid at an instant.
struct ContentAt {
  const ContentInfo* content = nullptr;
  const TitleVersion* title = nullptr;
};

struct TableCount {
  std::string table;
  int64_t rows = 0;
};

struct CatalogStats {
  std::vector<TableCount> tables;  // fixed order: titles, title_versions, ...
};

class Catalog : public CatalogView {
 public:
  static constexpr int kSchemaVersion = 2;
  static constexpr const char* kDatabaseFileName = "catalog.db";

  // What Open reads into memory.
  enum class Parts : uint8_t {
    kAll,          // titles, items and users
    kContentOnly,  // titles and items: user lookups find nothing and Load is refused
                   // (kFailedPrecondition); for readers that never look at users
  };
  // Opens DIR/catalog.db, creating the directory and the database (schema
  // version kSchemaVersion) when missing and allowed, and loads the rows of
  // `parts` into memory. Fails with kFailedPrecondition when the database
  // has a newer schema, and with kCorruption naming the file when its rows
  // do not match the checksums its last load recorded.
  // Whether Open may create the database.
  enum class Existence : uint8_t {
    kCreateIfMissing,
    // The data directory has had a catalog loaded (its store holds title
    // keys): a missing or empty catalog.db is damage, kCorruption naming it,
    // and nothing is created.
    kMustExist,
  };
  static Result<std::unique_ptr<Catalog>> Open(const std::string& data_dir, Parts parts = Parts::kAll,
                                               Existence existence = Existence::kCreateIfMissing);
  ~Catalog() override;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // CatalogView: current versions, O(1).
  const ContentInfo* FindContent(std::string_view content_id) const override;
  const TitleInfo* FindTitle(std::string_view title_id) const override;
  const UserInfo* FindUser(std::string_view user_id) const override;
  const std::vector<std::string>* GenresAt(std::string_view content_id, EpochMillis t) const override;

  // The version valid at `t`: valid_from <= t < valid_to. An instant before
  // the first version (history older than the first load) gets the first
  // version. nullptr when the id is unknown.
  const TitleVersion* FindTitleAt(std::string_view title_id, EpochMillis t) const;
  const UserVersion* FindUserAt(std::string_view user_id, EpochMillis t) const;
  // The playable item and its title's version valid at `t`.
  std::optional<ContentAt> FindContentAt(std::string_view content_id, EpochMillis t) const;

  // Every version, oldest first (empty when unknown).
  std::vector<const TitleVersion*> TitleHistory(std::string_view title_id) const;
  std::vector<const UserVersion*> UserHistory(std::string_view user_id) const;
  // Playable items of a title ordered by (season, episode, content_id).
  std::vector<const ContentInfo*> TitleItems(std::string_view title_id) const;
  // Calls `fn` for the current version of every title, in no fixed order.
  void ForEachTitle(const std::function<void(const TitleInfo&)>& fn) const;
  size_t title_count() const;
  size_t content_count() const;
  size_t user_count() const;

  // Loads catalog files as one snapshot taken at `load_time` (default: now)
  // in one SQLite transaction. `kind` other than kAuto forces the kind of
  // every file. Rows that fail validation are listed in LoadReport.errors and
  // the others load. Returns an error Status, with nothing applied, when a
  // file cannot be read, its kind cannot be told, a CSV header lacks a
  // required column, `load_time` precedes the latest snapshot, or the
  // database fails. Must not run concurrently with any other call.
  Result<LoadReport> Load(const std::vector<std::string>& files, LoadKind kind = LoadKind::kAuto,
                          std::optional<EpochMillis> load_time = std::nullopt);

  // Row counts per table of catalog.db (`catalog stats`).
  Result<CatalogStats> Stats() const;

  // Gives every playable item, title and user a key in the store's key
  // registry (SPEC 3.5: keys first assigned to ids seen in events stay;
  // the rest get new ones). The caller commits the store to persist them.
  void RegisterKeys(store::KeyRegistry& registry) const;
  // Attaches the rows to the registry's keys, for the *ByKey lookups (run
  // it again after a Load). Ids without a key (never registered) are simply
  // not found by key. Must not run concurrently with any other call.
  void AttachKeys(const store::KeyRegistry& registry);
  const ContentInfo* FindContentByKey(uint32_t content_key) const override;
  const UserInfo* FindUserByKey(uint32_t user_key) const override;

  struct State;
  // Internal: use Open().
  explicit Catalog(std::unique_ptr<State> state);

 private:
  std::unique_ptr<State> state_;
};

}  // namespace ws
