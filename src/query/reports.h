// Reports (SPEC 4) over the sessions in the store.
//
// A report reads the session partitions of its date range, applies the
// common filters and aggregates exactly (distinct viewers are counted with
// exact sets, no sampling). The CLI and the HTTP server call RunReport with
// the same parameters.
// Thread safety: RunReport only reads; many may run at once on snapshots.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "query/table.h"
#include "session/config.h"
#include "session/session.h"
#include "session/session_table.h"
#include "store/store.h"
#include "util/status.h"

namespace ws {

using ReportParams = std::map<std::string, std::string>;

struct QueryContext {
  const store::Snapshot* snapshot = nullptr;  // the state the report reads
  const SessionKeys* keys = nullptr;
  const CatalogView* catalog = nullptr;  // may be null: no roll-up to titles
  SessionConfig config;
};

// Names of the reports implemented so far, in the order --help lists them.
std::vector<std::string> ReportNames();

// Runs report `name`. Unknown names or parameters and malformed values are
// kInvalidArgument with a sentence naming the parameter.
Result<ResultTable> RunReport(const std::string& name, const ReportParams& params, const QueryContext& ctx);

// The date range and filters common to all reports.
struct SessionFilter {
  DayNumber from;
  DayNumber to;
  std::string country;
  std::string device_type;
  std::string genre;
  std::string content_type;  // "movie" or "episode"
  std::string title;         // title_id or exact title name
};

// Resolves from/to (default: the last 30 days of data) and the filters.
Result<SessionFilter> ResolveFilter(const ReportParams& params, const QueryContext& ctx);

// Calls fn for every session in the range that passes the filters.
Status ScanSessions(const QueryContext& ctx, const SessionFilter& filter,
                    const std::function<void(const SessionRecord&)>& fn);

}  // namespace ws
