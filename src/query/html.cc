// --format html: a self-contained page (no scripts, no external files) with
// the report's table and an inline SVG chart that fits it (table.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "query/table.h"

namespace ws {
namespace {

constexpr int kChartWidth = 900;
constexpr int kBarHeight = 18;
constexpr int kBarGap = 4;
constexpr int kLabelWidth = 220;
constexpr int kLineHeight = 320;
constexpr int kMargin = 40;
constexpr int kCell = 30;
constexpr int kHours = 24;
constexpr int kWeekdays = 7;
constexpr size_t kMaxBars = 40;
constexpr const char* kInk = "rgb(33,102,172)";  // the charts' one colour
constexpr double kMinOpacity = 0.05;             // heat map: an empty cell stays visible

// Columns that are keys or positions, never the plotted measure.
const std::set<std::string>& NotMeasures() {
  static const std::set<std::string> k = {"hour",          "weekday",       "week_offset",
                                          "pct_of_length", "global_rank",   "country_rank",
                                          "rank_by_hours", "rank_by_reach", "small_but_loyal"};
  return k;
}
// First columns that make a line chart (an ordered axis).
const std::set<std::string>& LineAxes() {
  static const std::set<std::string> k = {"date", "week_offset", "pct_of_length", "hour", "bucket_start"};
  return k;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

bool AsNumber(const Value& v, double* out) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    *out = static_cast<double>(*i);
    return true;
  }
  if (const auto* d = std::get_if<double>(&v)) {
    *out = *d;
    return true;
  }
  return false;
}

int Find(const ResultTable& t, const std::string& name) {
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c] == name) return static_cast<int>(c);
  }
  return -1;
}

// The first numeric column that is a measure; -1 when none.
int MeasureColumn(const ResultTable& t) {
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (NotMeasures().count(t.columns[c])) continue;
    bool numeric = false;
    for (const auto& row : t.rows) {
      double v;
      if (AsNumber(row[c], &v))
        numeric = true;
      else if (!std::holds_alternative<Null>(row[c])) {
        numeric = false;
        break;
      }
    }
    if (numeric) return static_cast<int>(c);
  }
  return -1;
}

std::string HeatMap(const ResultTable& t, int day_col, int hour_col, int m) {
  double cell[kWeekdays][kHours] = {};
  double top = 0;
  for (const auto& row : t.rows) {
    double d, h, v;
    if (!AsNumber(row[static_cast<size_t>(day_col)], &d) ||
        !AsNumber(row[static_cast<size_t>(hour_col)], &h) || !AsNumber(row[static_cast<size_t>(m)], &v) ||
        d < 1 || d > kWeekdays || h < 0 || h >= kHours) {
      continue;
    }
    cell[static_cast<int>(d) - 1][static_cast<int>(h)] += v;
    top = std::max(top, cell[static_cast<int>(d) - 1][static_cast<int>(h)]);
  }
  static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  std::string svg = fmt::format("<svg width=\"{}\" height=\"{}\" role=\"img\">",
                                kMargin + kCell * kHours + kMargin, kMargin + kCell * kWeekdays);
  for (int h = 0; h < kHours; ++h) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
                       kMargin + h * kCell + kCell / 2, kMargin - 8, h);
  }
  for (int d = 0; d < kWeekdays; ++d) {
    svg += fmt::format("<text x=\"0\" y=\"{}\" font-size=\"11\">{}</text>",
                       kMargin + d * kCell + kCell / 2 + 4, kDays[d]);
    for (int h = 0; h < kHours; ++h) {
      const double share = top > 0 ? cell[d][h] / top : 0;
      svg += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "fill-opacity=\"{:.3f}\">"
          "<title>{} {}:00 {}</title></rect>",
          kMargin + h * kCell, kMargin + d * kCell, kCell - 2, kCell - 2, kInk,
          kMinOpacity + (1 - kMinOpacity) * share, kDays[d], h, FormatValue(Value(cell[d][h])));
    }
  }
  return svg + "</svg>";
}

std::string Line(const ResultTable& t, int m) {
  std::vector<double> ys;
  for (const auto& row : t.rows) {
    double v = 0;
    ys.push_back(AsNumber(row[static_cast<size_t>(m)], &v) ? v : 0);
  }
  const double top = ys.empty() ? 0 : *std::max_element(ys.begin(), ys.end());
  const double step =
      ys.size() > 1 ? static_cast<double>(kChartWidth - 2 * kMargin) / static_cast<double>(ys.size() - 1) : 0;
  std::string points;
  for (size_t i = 0; i < ys.size(); ++i) {
    const double x = kMargin + step * static_cast<double>(i);
    const double y = kLineHeight - kMargin - (top > 0 ? ys[i] / top : 0) * (kLineHeight - 2 * kMargin);
    points += fmt::format("{:.1f},{:.1f} ", x, y);
  }
  std::string svg = fmt::format("<svg width=\"{}\" height=\"{}\" role=\"img\">", kChartWidth, kLineHeight);
  svg +=
      fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>", kInk, points);
  if (!t.rows.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>", kMargin, kLineHeight - 10,
                       Escape(FormatValue(t.rows.front()[0])));
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
                       kChartWidth - kMargin, kLineHeight - 10, Escape(FormatValue(t.rows.back()[0])));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\">{} (max {})</text>", kMargin, kMargin - 10,
                     Escape(t.columns[static_cast<size_t>(m)]), FormatValue(Value(top)));
  return svg + "</svg>";
}

std::string Bars(const ResultTable& t, int m) {
  const size_t n = std::min(t.rows.size(), kMaxBars);
  double top = 0;
  for (size_t i = 0; i < n; ++i) {
    double v;
    if (AsNumber(t.rows[i][static_cast<size_t>(m)], &v)) top = std::max(top, v);
  }
  const int height = static_cast<int>(n) * (kBarHeight + kBarGap) + kMargin;
  std::string svg = fmt::format("<svg width=\"{}\" height=\"{}\" role=\"img\">", kChartWidth, height);
  svg += fmt::format("<text x=\"{}\" y=\"14\" font-size=\"11\">{}</text>", kLabelWidth,
                     Escape(t.columns[static_cast<size_t>(m)]));
  for (size_t i = 0; i < n; ++i) {
    std::string label;
    for (size_t c = 0; c < static_cast<size_t>(m); ++c) {
      if (!label.empty()) label += " · ";
      label += FormatValue(t.rows[i][c]);
    }
    double v = 0;
    AsNumber(t.rows[i][static_cast<size_t>(m)], &v);
    const int y = kMargin / 2 + static_cast<int>(i) * (kBarHeight + kBarGap);
    const double w = top > 0 ? v / top * (kChartWidth - kLabelWidth - kMargin) : 0;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
                       kLabelWidth - 6, y + kBarHeight - 5, Escape(label));
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" "
        "fill=\"{}\"><title>{}</title></rect>",
        kLabelWidth, y, w, kBarHeight, kInk, FormatValue(Value(v)));
  }
  return svg + "</svg>";
}

}  // namespace

std::string RenderHtml(const ResultTable& t) {
  std::string chart;
  const int m = MeasureColumn(t);
  const int day = Find(t, "weekday"), hour = Find(t, "hour");
  if (m >= 0 && !t.rows.empty()) {
    if (day >= 0 && hour >= 0) {
      chart = HeatMap(t, day, hour, m);
    } else if (!t.columns.empty() && LineAxes().count(t.columns[0])) {
      chart = Line(t, m);
    } else {
      chart = Bars(t, m);
    }
  }
  std::string params;
  for (const auto& [k, v] : t.params) params += fmt::format("<b>{}</b> {} &nbsp; ", Escape(k), Escape(v));
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>watchstats: {0}</title>\n"
      "<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}"
      "table{{border-collapse:collapse;margin-top:1.5em}}th,td{{padding:3px 10px;border-bottom:1px solid "
      "#ddd;"
      "text-align:right}}th{{background:#f4f4f4}}td.t{{text-align:left}}</style></head>\n"
      "<body><h1>{0}</h1><p>{1}</p>\n<figure>{2}</figure>\n<table><thead><tr>",
      Escape(t.report), params, chart);
  for (const std::string& c : t.columns) out += "<th>" + Escape(c) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (const Value& v : row) {
      double x;
      out += AsNumber(v, &x) ? "<td>" : "<td class=\"t\">";
      out += Escape(FormatValue(v)) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
  if (!t.summary.empty()) {
    out += "<p>";
    for (const auto& [k, v] : t.summary)
      out += fmt::format("<b>{}</b> {} &nbsp; ", Escape(k), Escape(FormatValue(v)));
    out += "</p>\n";
  }
  return out + "</body></html>\n";
}

}  // namespace ws
