// ResultTable: what every report returns, and its three output formats
// (SPEC 4: table, csv, json).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "util/status.h"

namespace ws {

struct Null {};
// A cell. Doubles are printed with at most three decimals.
using Value = std::variant<Null, int64_t, double, std::string, bool>;

struct ResultTable {
  std::string report;
  std::vector<std::pair<std::string, std::string>> params;  // as resolved
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  // Scalars beside the rows (lifecycle's summary); JSON "summary" when any.
  std::vector<std::pair<std::string, Value>> summary;
};

enum class OutputFormat { kTable, kCsv, kJson, kNdjson, kHtml };
Result<OutputFormat> ParseOutputFormat(std::string_view name);

std::string FormatValue(const Value& v);  // plain text (null -> "")
std::string RenderTable(const ResultTable& t);
std::string RenderCsv(const ResultTable& t);
// {"report": ..., "params": {...}, "columns": [...], "rows": [{col: value}]}
std::string RenderJson(const ResultTable& t);
// A self-contained page (no scripts or external files): the parameters, an
// inline SVG chart that fits the table — a day x hour heat map when it has
// weekday and hour columns, a line when its first column is a date, week,
// hour or position, bars otherwise — and the table (query/html.cc).
std::string RenderHtml(const ResultTable& t);
std::string Render(const ResultTable& t, OutputFormat f);

}  // namespace ws
