// The application layer (issue 9, item 0): what the CLI and the server both
// do with a data directory (open its store and catalog, load catalog files
// with their legacy facts, run a report), so that src/cli and src/server
// only parse requests and render answers.
//
// Thread safety: free functions; each call uses only its arguments.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "event/parser.h"
#include "query/column_cache.h"
#include "query/reports.h"
#include "session/config.h"
#include "session/data_store.h"
#include "util/status.h"

namespace ws::app {

inline constexpr const char* kDefaultDataDir = "./watchstats-data";

// `flag` when set, else $WATCHSTATS_DATA, else ./watchstats-data.
std::string ResolveDataDir(const std::string& flag);
// The SPEC 9 keys of `config_file` (defaults when empty).
Result<SessionConfig> ResolveConfig(const std::string& config_file);

// Opens the store of `data_dir`. Read-only opens never create anything;
// writable ones create the store and run background compaction. A store
// in format version 1 is converted (in memory when read-only); `*notice`
// then says so (it is empty otherwise).
Result<std::unique_ptr<DataStore>> OpenStore(const std::string& data_dir, bool read_only,
                                             std::string* notice);

// The catalog of a data directory whose store has `registry`. Once a
// catalog was loaded the store holds title keys, and a missing or empty
// catalog.db is damage to report (kCorruption), not an empty catalog.
Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& data_dir, const store::KeyRegistry& registry,
                                             Catalog::Parts parts = Catalog::Parts::kAll);

// The catalog for reading only (`catalog show`, `catalog stats`): a data
// directory that does not exist is kNotFound; nothing is created.
Result<std::unique_ptr<Catalog>> OpenCatalogToRead(const std::string& data_dir);

// What a catalog load did.
struct CatalogLoadResult {
  LoadReport report;
  size_t legacy_sessions = 0;  // legacy session facts stored
};

// Loads catalog files into `catalog` and gives its rows their keys in
// `store`; legacy session rows become session facts in the same commit.
// Requires: `store` opened for writing (its writer lock keeps a load from
// racing an ingest). Failure: nothing of the load's facts is committed.
Result<CatalogLoadResult> LoadCatalogFiles(DataStore* store, Catalog* catalog,
                                           const std::vector<std::string>& files, LoadKind kind,
                                           const SessionConfig& config);

// One rejected event as a row: received_at, source, line, reason, message,
// raw (the columns of RejectionColumns), for `watchstats rejected`'s table.
const std::vector<std::string>& RejectionColumns();
std::vector<Value> RejectionRow(const Rejection& r);

// One rejected event as an NDJSON line (with '\n'): received_at, source,
// line, reason, message, raw, and raw_base64 with the exact bytes when raw
// is not UTF-8 (JSON strings are; "raw" then shows U+FFFD for bad bytes).
// `watchstats rejected --format ndjson` and GET /v1/rejected write these.
std::string RejectionNdjsonLine(const Rejection& r);

// Runs report `name` on the current snapshot of `store` (query/reports.h).
// `catalog` may be null (no roll-up to titles); `cache` may be null.
Result<ResultTable> RunReportOn(const DataStore& store, const Catalog* catalog, const std::string& name,
                                const ReportParams& params, const SessionConfig& config,
                                query::ColumnCache* cache = nullptr);

}  // namespace ws::app
