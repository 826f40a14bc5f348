#include "query/table.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/json_writer.h"

namespace ws {
namespace {

constexpr int kDecimals = 3;

void AppendJsonValue(std::string* out, const Value& v) {
  if (std::holds_alternative<Null>(v)) {
    out->append("null");
  } else if (auto* i = std::get_if<int64_t>(&v)) {
    out->append(std::to_string(*i));
  } else if (auto* d = std::get_if<double>(&v)) {
    out->append(FormatDecimal(*d, kDecimals));
  } else if (auto* s = std::get_if<std::string>(&v)) {
    AppendJsonString(out, *s);
  } else {
    out->append(std::get<bool>(v) ? "true" : "false");
  }
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q.push_back('"');
    q.push_back(c);
  }
  q.push_back('"');
  return q;
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "ndjson") return OutputFormat::kNdjson;
  if (name == "html") return OutputFormat::kHtml;
  return Status::InvalidArgument(
      fmt::format("unknown format '{}' (expected table, csv, json, ndjson or html)", name));
}

std::string FormatValue(const Value& v) {
  if (std::holds_alternative<Null>(v)) return "";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) return FormatDecimal(*d, kDecimals);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return std::get<bool>(v) ? "true" : "false";
}

std::string RenderTable(const ResultTable& t) {
  std::vector<size_t> width(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) width[c] = t.columns[c].size();
  std::vector<std::vector<std::string>> cells;
  cells.reserve(t.rows.size());
  for (const auto& row : t.rows) {
    std::vector<std::string> r;
    for (size_t c = 0; c < row.size(); ++c) {
      r.push_back(FormatValue(row[c]));
      width[c] = std::max(width[c], r.back().size());
    }
    cells.push_back(std::move(r));
  }
  auto numeric = [&](size_t c) {
    for (const auto& row : t.rows) {
      if (c < row.size() &&
          (std::holds_alternative<std::string>(row[c]) || std::holds_alternative<bool>(row[c])))
        return false;
    }
    return true;
  };
  std::vector<bool> right(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) right[c] = numeric(c);
  std::string out;
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size(); ++c) {
      if (c) out.append("  ");
      out.append(right[c] ? fmt::format("{:>{}}", r[c], width[c]) : fmt::format("{:<{}}", r[c], width[c]));
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out.push_back('\n');
  };
  line(t.columns);
  std::vector<std::string> rule;
  for (size_t w : width) rule.emplace_back(w, '-');
  line(rule);
  for (const auto& r : cells) line(r);
  out.append(fmt::format("({} row{})\n", t.rows.size(), t.rows.size() == 1 ? "" : "s"));
  return out;
}

std::string RenderCsv(const ResultTable& t) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c) out.push_back(',');
    out.append(CsvField(t.columns[c]));
  }
  out.push_back('\n');
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out.push_back(',');
      out.append(CsvField(FormatValue(row[c])));
    }
    out.push_back('\n');
  }
  return out;
}

std::string RenderJson(const ResultTable& t) {
  std::string out = "{\"report\":";
  AppendJsonString(&out, t.report);
  out.append(",\"params\":{");
  for (size_t i = 0; i < t.params.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, t.params[i].first);
    out.push_back(':');
    AppendJsonString(&out, t.params[i].second);
  }
  out.append("},\"columns\":[");
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c) out.push_back(',');
    AppendJsonString(&out, t.columns[c]);
  }
  out.append("],\"rows\":[");
  for (size_t r = 0; r < t.rows.size(); ++r) {
    if (r) out.push_back(',');
    out.push_back('{');
    for (size_t c = 0; c < t.columns.size() && c < t.rows[r].size(); ++c) {
      if (c) out.push_back(',');
      AppendJsonString(&out, t.columns[c]);
      out.push_back(':');
      AppendJsonValue(&out, t.rows[r][c]);
    }
    out.push_back('}');
  }
  out.push_back(']');
  if (!t.summary.empty()) {
    out.append(",\"summary\":{");
    for (size_t i = 0; i < t.summary.size(); ++i) {
      if (i) out.push_back(',');
      AppendJsonString(&out, t.summary[i].first);
      out.push_back(':');
      AppendJsonValue(&out, t.summary[i].second);
    }
    out.push_back('}');
  }
  out.append("}\n");
  return out;
}

std::string Render(const ResultTable& t, OutputFormat f) {
  switch (f) {
    case OutputFormat::kTable:
      return RenderTable(t);
    case OutputFormat::kCsv:
      return RenderCsv(t);
    case OutputFormat::kJson:
    case OutputFormat::kNdjson:
      return RenderJson(t);
    case OutputFormat::kHtml:
      return RenderHtml(t);
  }
  return {};
}

}  // namespace ws
