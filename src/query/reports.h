// Reports (SPEC 4): parameters in, a ResultTable out.
//
// Every report is a definition (query/report_defs.h) run by the query engine
// (query/engine.h) over column scans of the sessions; this layer validates
// the parameters, resolves the date range, the clock (tz) and the common
// filters, and renders the engine's frame as the report's columns, with
// compare=previous joined in. The CLI and the HTTP server call RunReport
// with the same parameters.
//
// Thread safety: RunReport only reads; many may run at once on snapshots.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "query/column_cache.h"
#include "query/table.h"
#include "session/config.h"
#include "session/session_table.h"
#include "store/store.h"
#include "util/status.h"

namespace ws {

// Parameter names as SPEC 4 spells them (device_type); a '-' in a name
// (the CLI's --device-type) is read as '_'.
using ReportParams = std::map<std::string, std::string>;

struct QueryContext {
  const store::Snapshot* snapshot = nullptr;  // the state the report reads
  const SessionKeys* keys = nullptr;
  const Catalog* catalog = nullptr;  // may be null: no roll-up to titles
  SessionConfig config;
  int threads = 2;  // scan threads
  // A long-running process's column cache (query/column_cache.h); the CLI
  // passes none and reads through the page cache.
  query::ColumnCache* cache = nullptr;
};

// Whether report `name` with `params` reads users' profiles (subscription,
// age, languages), so that a caller may open the catalog without them
// (Catalog::Parts::kContentOnly) otherwise. Unknown names: true.
bool ReportReadsUsers(const std::string& name, const ReportParams& params);

// Names of the reports, in the order --help lists them.
std::vector<std::string> ReportNames();

// What report `name` accepts: every parameter name (the common ones first),
// and whether it takes compare=previous. Empty for an unknown name.
struct ReportParameterList {
  std::vector<std::string> params;
  bool comparable = false;
};
ReportParameterList ReportParameters(const std::string& name);

// Runs report `name`. Unknown names or parameters, a missing required
// parameter and malformed values are kInvalidArgument with a sentence naming
// the parameter; store damage is kCorruption naming the file.
Result<ResultTable> RunReport(const std::string& name, const ReportParams& params, const QueryContext& ctx);

}  // namespace ws
