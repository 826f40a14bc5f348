// The query engine: runs the report definitions of query/plan.h.
//
// A scan reads the sessions table through the store's column scans
// (store/store.h): only the columns its keys, filters and measures need, of
// the partitions its dates need, block by block, skipping blocks by their
// min/max statistics. Rows are filtered into a selection vector, grouped by
// a composite of their dimension codes (array-indexed when the key space is
// small, hashed otherwise) and fed to the aggregate functions in batches.
// Blocks are shared among threads, each with its own states, merged at the
// end. Later steps are frame operations.
//
// Thread safety: RunReportDef only reads the snapshot, the catalog and the
// lookups; many may run at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "query/column_cache.h"
#include "query/frame.h"
#include "query/lookups.h"
#include "query/plan.h"
#include "session/session_table.h"
#include "store/store.h"
#include "util/status.h"
#include "util/time.h"

namespace ws::query {

// What every scan of a report filters on (SPEC 4 common parameters),
// resolved to codes. A filter naming a value no session has matches nothing.
struct CommonFilter {
  std::optional<uint32_t> country_key;  // kNoKey: a country no session has
  std::optional<int64_t> device_type;   // DeviceType value
  std::optional<int32_t> genre;         // genre code; -1: unknown genre
  std::optional<ContentType> content_type;
  std::optional<int32_t> title;  // title code; -1: unknown title
};

struct QueryEnv {
  const store::Snapshot* snapshot = nullptr;
  const SessionKeys* keys = nullptr;
  const Lookups* lookups = nullptr;
  DayNumber from;  // report dates, inclusive: UTC dates, or dates on `zone`
  DayNumber to;
  std::string zone;  // "" : the viewer's clock (SPEC 4 tz=viewer); else an IANA zone
  CommonFilter filter;
  int threads = 2;
  ColumnCache* cache = nullptr;  // a long-running process's decoded columns; nullptr: decode per scan
};

// Runs every pipeline of `def`; pipelines of Period::kPrevious read the
// period of equal length before [from, to]. Returns each pipeline's result
// by name. Failure: kCorruption / kIOError from the store; kInvalidArgument
// for a definition naming a column it does not have (a bug in the report).
Result<std::map<std::string, Frame>> RunReportDef(const ReportDef& def, const QueryEnv& env);

// The rendered value of key code `code` of dimension `dim` (a title's id, or
// with `name` its display name; a date as YYYY-MM-DD; ...). Numbers for
// numeric dimensions; null for an absent key.
struct KeyValue {
  bool is_null = false;
  bool is_number = false;
  int64_t number = 0;
  std::string text;
};
KeyValue RenderKey(Dim dim, int64_t code, bool name, const QueryEnv& env);

// Day arithmetic shared with the report layer.
int32_t IsoWeekday(DayNumber d);  // 1 = Monday
int32_t WeekIndex(DayNumber d);   // ISO weeks since the epoch's week
int32_t DaypartOf(int32_t hour);  // Dim::kDaypart's code

}  // namespace ws::query
