// Readers that turn catalog files into validated, staged records (no
// database access): content catalogs (JSON array / NDJSON, nested series ->
// seasons -> episodes, MongoDB Extended JSON), users CSV and legacy sessions
// CSV. Each bad row becomes a RowError with its line; good rows are staged.
//
// Thread safety: pure functions over the given text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "util/status.h"

namespace ws::catalog {

constexpr size_t kMaxIdLength = 128;

struct RowError {
  int64_t line = 0;
  std::string reason;
};

// A playable item as read from a document.
struct StagedItem {
  ContentInfo info;  // title, genres and languages are filled in from the title
  int64_t line = 0;
};

// A title document with its playable items (the movie itself, or the
// episodes of a series).
struct StagedTitle {
  TitleInfo info;         // episode_count is not set
  std::string source_id;  // MongoDB _id when present
  std::vector<StagedItem> items;
  int64_t line = 0;
};

struct StagedUser {
  UserInfo info;
  int64_t line = 0;
};

struct ContentReadResult {
  std::vector<StagedTitle> titles;
  std::vector<RowError> errors;
  int64_t rows_read = 0;  // documents
};

// Reads a JSON array of documents or NDJSON (one document per line).
ContentReadResult ReadContentCatalog(std::string_view text);

struct UsersReadResult {
  std::vector<StagedUser> users;
  std::vector<RowError> errors;
  int64_t rows_read = 0;
};
// Fails (InvalidArgument) when the header lacks user_id or repeats a column.
Result<UsersReadResult> ReadUsersCsv(std::string_view text);

struct SessionsReadResult {
  std::vector<LegacySession> sessions;
  std::vector<int64_t> lines;  // the line of each session
  std::vector<RowError> errors;
  int64_t rows_read = 0;
};
// Fails (InvalidArgument) when the header lacks a required column.
Result<SessionsReadResult> ReadLegacySessionsCsv(std::string_view text);

// Tells the kind of a file from its first bytes / CSV header; nullopt when
// it is none of the three.
std::optional<LoadKind> DetectLoadKind(std::string_view text);

}  // namespace ws::catalog
