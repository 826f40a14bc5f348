// Exports of stored facts (SPEC 5.1 `export sessions|events`).
//
// Sessions are written one object (or CSV row) per session with the names of
// SPEC 2.5 plus date_key, ordered by (date_key, session_id); events one per
// event with the field names of SPEC 1, ordered by (day, session, SPEC 2.2
// order), copies of one event removed. Output is streamed day by day.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "query/table.h"
#include "session/session.h"
#include "session/session_table.h"
#include "store/store.h"

namespace ws {

std::vector<std::string> SessionColumns();
std::vector<Value> SessionRow(const SessionRecord& r);

// Writes every session with date_key in [from, to] (unbounded when absent).
// format: kNdjson or kCsv.
Status ExportSessions(const store::Snapshot& snap, const SessionKeys& keys, std::optional<DayNumber> from,
                      std::optional<DayNumber> to, OutputFormat format, std::FILE* out);

Status ExportEvents(const store::Snapshot& snap, std::optional<DayNumber> from, std::optional<DayNumber> to,
                    OutputFormat format, std::FILE* out);

// One row as an NDJSON line (with '\n').
std::string RenderObjectLine(const std::vector<std::string>& columns, const std::vector<Value>& row);

}  // namespace ws
