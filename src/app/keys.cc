#include "app/keys.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <filesystem>

#include "util/time.h"

namespace ws::app {
namespace {

constexpr std::string_view kKeyPrefix = "wsk_";
constexpr size_t kIdBytes = 4;        // 8 hex digits
constexpr size_t kSecretBytes = 16;   // 32 hex digits: 128 random bits
constexpr int kBusyTimeoutMs = 5000;  // a CLI `keys create` beside a running server

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('ingest', 'analyst', 'admin')),
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
)sql";

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 0xF]);
  }
  return out;
}

Result<std::string> RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
    return Status::IOError("the system's random number generator failed; no key was created");
  return Hex(buf.data(), buf.size());
}

std::string NowRfc3339() { return FormatRfc3339(SystemNow()); }

}  // namespace

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kIngest:
      return "ingest";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAdmin:
      return "admin";
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kIngest, Role::kAnalyst, Role::kAdmin})
    if (RoleName(r) == name) return r;
  return std::nullopt;
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

Result<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& data_dir, bool create) {
  const std::filesystem::path path = std::filesystem::path(data_dir) / kFileName;
  std::error_code ec;
  if (create) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec)
      return Status::IOError(fmt::format("cannot create the data directory {}: {}", data_dir, ec.message()));
  }
  const bool existed = std::filesystem::exists(path, ec);
  if (!existed && !create) {
    // No keys yet: an empty in-memory store answers every lookup with "no".
    WS_ASSIGN_OR_RETURN(sqlite::SqliteDb db, sqlite::SqliteDb::Open(":memory:"));
    WS_RETURN_IF_ERROR(db.Exec(kSchema));
    return std::make_unique<KeyStore>(Passkey{}, std::move(db));
  }
  WS_ASSIGN_OR_RETURN(sqlite::SqliteDb db, sqlite::SqliteDb::Open(path.string()));
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  Status schema = db.Exec(kSchema);
  if (!schema.ok())
    return Status::Corruption(
        fmt::format("{} is not a watchstats key store: {}", path.string(), schema.message()));
  WS_ASSIGN_OR_RETURN(sqlite::SqliteStmt get,
                      db.Prepare("SELECT value FROM meta WHERE name = 'schema_version'"));
  WS_ASSIGN_OR_RETURN(bool has_version, get.Step());
  if (!has_version) {
    WS_ASSIGN_OR_RETURN(sqlite::SqliteStmt put,
                        db.Prepare("INSERT INTO meta (name, value) VALUES ('schema_version', ?)"));
    WS_RETURN_IF_ERROR(put.BindText(1, std::to_string(kSchemaVersion)));
    WS_RETURN_IF_ERROR(put.Run());
  } else if (get.ColumnText(0) != std::to_string(kSchemaVersion)) {
    return Status::FailedPrecondition(
        fmt::format("{} has key store schema version {}; this watchstats reads {}", path.string(),
                    get.ColumnText(0), kSchemaVersion));
  }
  return std::make_unique<KeyStore>(Passkey{}, std::move(db));
}

Result<NewKey> KeyStore::Create(Role role, std::string_view name) {
  std::lock_guard<std::mutex> l(mu_);
  WS_ASSIGN_OR_RETURN(std::string id, RandomHex(kIdBytes));
  WS_ASSIGN_OR_RETURN(std::string secret, RandomHex(kSecretBytes));
  NewKey k;
  k.key = fmt::format("{}{}_{}", kKeyPrefix, id, secret);
  k.info.id = id;
  k.info.role = role;
  k.info.name = std::string(name);
  k.info.created_at = NowRfc3339();
  WS_ASSIGN_OR_RETURN(
      sqlite::SqliteStmt ins,
      db_.Prepare("INSERT INTO api_keys (id, role, name, sha256, created_at) VALUES (?, ?, ?, ?, ?)"));
  WS_RETURN_IF_ERROR(ins.BindText(1, id));
  WS_RETURN_IF_ERROR(ins.BindText(2, RoleName(role)));
  WS_RETURN_IF_ERROR(ins.BindText(3, name));
  WS_RETURN_IF_ERROR(ins.BindText(4, Sha256Hex(k.key)));
  WS_RETURN_IF_ERROR(ins.BindText(5, k.info.created_at));
  WS_RETURN_IF_ERROR(ins.Run());
  data_version_ = -1;  // reload at the next Authenticate
  return k;
}

Status KeyStore::Revoke(std::string_view id) {
  std::lock_guard<std::mutex> l(mu_);
  WS_ASSIGN_OR_RETURN(sqlite::SqliteStmt find, db_.Prepare("SELECT revoked_at FROM api_keys WHERE id = ?"));
  WS_RETURN_IF_ERROR(find.BindText(1, id));
  WS_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found)
    return Status::NotFound(fmt::format("no API key has the id '{}' (see: watchstats keys list)", id));
  if (!find.ColumnIsNull(0)) return Status::Ok();
  WS_ASSIGN_OR_RETURN(sqlite::SqliteStmt upd, db_.Prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?"));
  WS_RETURN_IF_ERROR(upd.BindText(1, NowRfc3339()));
  WS_RETURN_IF_ERROR(upd.BindText(2, id));
  WS_RETURN_IF_ERROR(upd.Run());
  data_version_ = -1;
  return Status::Ok();
}

Result<std::vector<KeyInfo>> KeyStore::List() {
  std::lock_guard<std::mutex> l(mu_);
  WS_ASSIGN_OR_RETURN(
      sqlite::SqliteStmt q,
      db_.Prepare("SELECT id, role, name, created_at, revoked_at FROM api_keys ORDER BY created_at, id"));
  std::vector<KeyInfo> out;
  while (true) {
    WS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    KeyInfo k;
    k.id = q.ColumnText(0);
    k.role = ParseRole(q.ColumnText(1)).value_or(Role::kAnalyst);
    k.name = q.ColumnText(2);
    k.created_at = q.ColumnText(3);
    if (!q.ColumnIsNull(4)) k.revoked_at = q.ColumnText(4);
    out.push_back(std::move(k));
  }
  return out;
}

Result<bool> KeyStore::HasValidKeys() {
  std::lock_guard<std::mutex> l(mu_);
  WS_RETURN_IF_ERROR(Reload());
  return !valid_.empty();
}

Status KeyStore::Reload() {
  WS_ASSIGN_OR_RETURN(sqlite::SqliteStmt v, db_.Prepare("PRAGMA data_version"));
  WS_ASSIGN_OR_RETURN(bool has, v.Step());
  const int64_t version = has ? v.ColumnInt(0) : 0;
  checked_ = std::chrono::steady_clock::now();
  if (version == data_version_) return Status::Ok();
  WS_ASSIGN_OR_RETURN(sqlite::SqliteStmt q,
                      db_.Prepare("SELECT sha256, role FROM api_keys WHERE revoked_at IS NULL"));
  std::unordered_map<std::string, Role> valid;
  while (true) {
    WS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (auto role = ParseRole(q.ColumnText(1))) valid.emplace(q.ColumnText(0), *role);
  }
  valid_ = std::move(valid);
  data_version_ = version;
  return Status::Ok();
}

std::optional<Role> KeyStore::Authenticate(std::string_view key) {
  if (key.substr(0, kKeyPrefix.size()) != kKeyPrefix) return std::nullopt;
  const std::string hash = Sha256Hex(key);
  std::lock_guard<std::mutex> l(mu_);
  if (data_version_ < 0 || std::chrono::steady_clock::now() - checked_ >= kRefreshInterval) {
    // A database that cannot be read keeps the last good cache: a server
    // does not lock everyone out on a transient error.
    (void)Reload();
  }
  auto it = valid_.find(hash);
  if (it == valid_.end()) {
    // A key created since the last check: look again (a cheap version check
    // when nothing changed).
    (void)Reload();
    it = valid_.find(hash);
    if (it == valid_.end()) return std::nullopt;
  }
  return it->second;
}

}  // namespace ws::app
