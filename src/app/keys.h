// API keys and their roles (SPEC 7).
//
// A key is `wsk_<id>_<secret>`: the id (8 hex digits) names it in listings
// and for revocation; the secret (32 hex digits, 128 random bits) is shown
// once, when the key is created. Only the SHA-256 of the whole key is
// stored, in `keys.db` (SQLite) under the data directory
// (docs/storage-format.md, section 10), so a copy of the data directory
// does not hand out working keys.
//
// Thread safety: a KeyStore is used by one thread at a time, except
// Authenticate, which many threads may call at once (a mutex guards its
// cache and the connection).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/sqlite.h"
#include "util/status.h"

namespace ws::app {

// What a key may do (SPEC 7): ingest posts events only; analyst reads
// reports, sessions and exports only; admin does everything.
enum class Role : uint8_t { kIngest, kAnalyst, kAdmin };
std::string_view RoleName(Role r);  // "ingest", "analyst", "admin"
std::optional<Role> ParseRole(std::string_view name);

struct KeyInfo {
  std::string id;
  Role role = Role::kAnalyst;
  std::string name;        // what the operator called it; may be empty
  std::string created_at;  // RFC 3339 UTC
  std::string revoked_at;  // empty while valid
};

struct NewKey {
  KeyInfo info;
  std::string key;  // the whole key: shown once, never stored
};

class KeyStore {
 public:
  static constexpr const char* kFileName = "keys.db";
  static constexpr int kSchemaVersion = 1;
  // How long Authenticate trusts its cache before it checks the file for
  // changes (a revocation takes effect within this long in a server).
  static constexpr std::chrono::milliseconds kRefreshInterval{1000};

  // Opens `data_dir`/keys.db, creating the directory and the file when
  // `create` (else a missing file is an empty key store). Fails with a
  // sentence when the file is not a key store or has a newer schema.
  static Result<std::unique_ptr<KeyStore>> Open(const std::string& data_dir, bool create);

  // Creates a key with `role`. Failure: an I/O error of the database.
  Result<NewKey> Create(Role role, std::string_view name);
  // Revokes the key with `id` (kNotFound when there is none; revoking a
  // revoked key again is OK).
  Status Revoke(std::string_view id);
  Result<std::vector<KeyInfo>> List();
  // The role of a valid, unrevoked key; nullopt for anything else (a
  // malformed, unknown or revoked key). Thread-safe.
  std::optional<Role> Authenticate(std::string_view key);
  // Whether any valid key exists (a server without keys can only run
  // --no-auth).
  Result<bool> HasValidKeys();

  struct Passkey {
    explicit Passkey() = default;
  };
  KeyStore(Passkey, sqlite::SqliteDb db) : db_(std::move(db)) {}

 private:
  Status Reload();  // requires mu_

  std::mutex mu_;  // guards db_ and everything below
  sqlite::SqliteDb db_;
  std::unordered_map<std::string, Role> valid_;  // SHA-256 hex -> role
  int64_t data_version_ = -1;                    // PRAGMA data_version at the last load
  std::chrono::steady_clock::time_point checked_{};
};

// The SHA-256 of `text` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view text);

}  // namespace ws::app
