#include "catalog/sqlite.h"

#include <fmt/format.h>

namespace ws::sqlite {

namespace {
constexpr int kBusyTimeoutMillis = 5000;
}  // namespace

Status SqliteStmt::Check(int rc, const char* what) {
  if (rc == SQLITE_OK) return Status::Ok();
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  return Status::Internal(fmt::format("catalog database: {} failed: {}", what, sqlite3_errmsg(db)));
}

Status SqliteStmt::BindInt(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_.get(), index, value), "bind");
}

Status SqliteStmt::BindDouble(int index, double value) {
  return Check(sqlite3_bind_double(stmt_.get(), index, value), "bind");
}

Status SqliteStmt::BindText(int index, std::string_view value) {
  return Check(
      sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind");
}

Status SqliteStmt::BindNull(int index) { return Check(sqlite3_bind_null(stmt_.get(), index), "bind"); }

Status SqliteStmt::BindOptInt(int index, std::optional<int64_t> value) {
  return value ? BindInt(index, *value) : BindNull(index);
}

Status SqliteStmt::BindOptText(int index, std::optional<std::string_view> value) {
  return value ? BindText(index, *value) : BindNull(index);
}

Result<bool> SqliteStmt::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  return Status::Internal(fmt::format("catalog database: statement failed: {}", sqlite3_errmsg(db)));
}

Status SqliteStmt::Run() {
  Result<bool> r = Step();
  Reset();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

void SqliteStmt::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string SqliteStmt::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), col);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

void SqliteStmt::ChecksumRow(StreamChecksum64* sum) const {
  sqlite3_stmt* st = stmt_.get();
  const int n = sqlite3_column_count(st);
  for (int c = 0; c < n; ++c) {
    const int type = sqlite3_column_type(st, c);
    const auto tag = static_cast<uint8_t>(type);
    sum->Update(&tag, sizeof tag);
    switch (type) {
      case SQLITE_INTEGER: {
        const int64_t v = sqlite3_column_int64(st, c);
        sum->Update(&v, sizeof v);
        break;
      }
      case SQLITE_FLOAT: {
        const double v = sqlite3_column_double(st, c);
        sum->Update(&v, sizeof v);
        break;
      }
      case SQLITE_NULL:
        break;
      default: {  // text and blobs: length, then bytes
        const void* bytes = sqlite3_column_blob(st, c);
        const auto len = static_cast<uint32_t>(sqlite3_column_bytes(st, c));
        sum->Update(&len, sizeof len);
        if (bytes != nullptr) sum->Update(bytes, len);
        break;
      }
    }
  }
}

std::optional<int64_t> SqliteStmt::ColumnOptInt(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnInt(col);
}

Result<SqliteDb> SqliteDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  SqliteDb db(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    return Status::IOError(fmt::format("cannot open catalog database {}: {}", path,
                                       raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, kBusyTimeoutMillis);
  return db;
}

Status SqliteDb::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Status::Internal(fmt::format("catalog database: {}", msg));
}

Result<SqliteStmt> SqliteDb::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  SqliteStmt owned(stmt);
  if (rc != SQLITE_OK) {
    return Status::Internal(
        fmt::format("catalog database: cannot prepare statement: {}", sqlite3_errmsg(db_.get())));
  }
  return owned;
}

Result<Transaction> Transaction::Begin(SqliteDb* db) {
  WS_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    Status ignored = db_->Exec("ROLLBACK");
    (void)ignored;
  }
}

Status Transaction::Commit() {
  WS_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  db_ = nullptr;
  return Status::Ok();
}

}  // namespace ws::sqlite
