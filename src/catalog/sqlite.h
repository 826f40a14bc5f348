// Thin RAII wrappers over the SQLite C API used by the catalog.
//
// SqliteDb owns a sqlite3* connection and SqliteStmt owns a prepared
// sqlite3_stmt*; both release their handle in the destructor. Every SQL text
// given to these classes is a constant of the program: values always travel
// through Bind*(), never through the SQL text. Errors come back as Status
// values carrying SQLite's message.
//
// Thread safety: a connection and its statements are used by one thread at a
// time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/checksum.h"
#include "util/status.h"

namespace ws::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

class SqliteStmt {
 public:
  SqliteStmt() = default;
  explicit SqliteStmt(sqlite3_stmt* stmt) : stmt_(stmt) {}

  // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  Status BindInt(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindText(int index, std::string_view value);
  Status BindNull(int index);
  // Binds the value, or NULL when it is absent.
  Status BindOptInt(int index, std::optional<int64_t> value);
  Status BindOptText(int index, std::optional<std::string_view> value);

  // Advances the statement: true when a row is available, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows, then resets it for reuse.
  Status Run();
  // Resets the statement and clears its bindings.
  void Reset();

  int64_t ColumnInt(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  double ColumnDouble(int col) const { return sqlite3_column_double(stmt_.get(), col); }
  bool ColumnIsNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
  std::string ColumnText(int col) const;
  std::optional<int64_t> ColumnOptInt(int col) const;
  // Feeds every column of the current row into `sum`: per column its type
  // and its value (integers and reals as their 8 bytes, text and blobs as
  // length and bytes), so equal rows feed equal streams.
  void ChecksumRow(StreamChecksum64* sum) const;

 private:
  Status Check(int rc, const char* what);
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

class SqliteDb {
 public:
  // Opens (creating if needed) the database file at `path`.
  static Result<SqliteDb> Open(const std::string& path);

  // Runs one or more constant SQL statements that return no rows.
  Status Exec(const char* sql);
  // Prepares one constant SQL statement.
  Result<SqliteStmt> Prepare(const char* sql);
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }
  sqlite3* get() const { return db_.get(); }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, DbCloser> db_;
};

// BEGIN IMMEDIATE on construction through Begin(); ROLLBACK in the destructor
// unless Commit() succeeded. Nothing of an uncommitted transaction persists.
class Transaction {
 public:
  static Result<Transaction> Begin(SqliteDb* db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

}  // namespace ws::sqlite
