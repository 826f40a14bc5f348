#include "query/reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_map>

#include "query/engine.h"
#include "query/report_defs.h"
#include "vocab/country.h"
#include "vocab/device_type.h"

namespace ws {
namespace {

using query::Dim;
using query::Frame;
using query::FrameColumn;

constexpr int32_t kDefaultRangeDays = 30;
constexpr int64_t kDefaultLimit = 20;
constexpr int64_t kDefaultMinViewers = 100;
constexpr int64_t kDefaultGlobalTop = 50;
constexpr int64_t kDefaultLocalTop = 10;
constexpr const char* kViewerClock = "viewer";

const std::vector<std::string> kCommonParams = {"from",  "to",           "country", "device_type",
                                                "genre", "content_type", "title",   "tz"};

std::string Normalise(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

Result<int64_t> IntParam(const ReportParams& params, const std::string& key, int64_t def, int64_t min) {
  auto it = params.find(key);
  if (it == params.end()) return def;
  int64_t v = 0;
  const std::string& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min) {
    return Status::InvalidArgument(
        fmt::format("parameter '{}' must be an integer >= {}, got '{}'", key, min, s));
  }
  return v;
}

Result<DayNumber> DateParam(const ReportParams& params, const std::string& key, DayNumber def) {
  auto it = params.find(key);
  if (it == params.end()) return def;
  auto d = ParseDate(it->second);
  if (!d) {
    return Status::InvalidArgument(
        fmt::format("parameter '{}' must be a date YYYY-MM-DD, got '{}'", key, it->second));
  }
  return *d;
}

std::string Get(const ReportParams& p, const std::string& k) {
  auto it = p.find(k);
  return it == p.end() ? std::string() : it->second;
}

Result<std::vector<Dim>> ParseBy(const std::string& text) {
  std::vector<Dim> dims;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string name = text.substr(pos, comma - pos);
    bool found = false;
    for (const auto& [n, d] : query::BreakdownDims()) {
      if (n == name) {
        if (std::find(dims.begin(), dims.end(), d) != dims.end()) {
          return Status::InvalidArgument(fmt::format("parameter 'by' names '{}' twice", name));
        }
        dims.push_back(d);
        found = true;
      }
    }
    if (!found) {
      std::string valid;
      for (const auto& [n, d] : query::BreakdownDims()) {
        if (!valid.empty()) valid.append(", ");
        valid.append(n);
      }
      return Status::InvalidArgument(
          fmt::format("parameter 'by' takes a comma-separated list of {}; got '{}'", valid, name));
    }
    pos = comma + 1;
  }
  return dims;
}

// Whether a report with these `by` keys reads user profiles.
bool ReadsUsers(const query::ReportSpec& spec, const std::vector<Dim>& by) {
  if (spec.needs_users) return true;
  return std::any_of(by.begin(), by.end(),
                     [](Dim d) { return d == Dim::kSubscription || d == Dim::kAgeBand; });
}

Value CellOf(const FrameColumn& c, size_t r, const query::OutputColumn& out, const query::QueryEnv& env) {
  if (c.kind == query::ColKind::kKey) {
    query::KeyValue k = query::RenderKey(c.dim, c.keys[r], out.render == query::Render::kName, env);
    if (k.is_null) return Null{};
    if (k.is_number) return k.number;
    return k.text;
  }
  double v = 0;
  if (!c.Get(r, &v)) return Null{};
  switch (out.render) {
    case query::Render::kTimestamp:
      return FormatRfc3339(EpochMillis{static_cast<int64_t>(v)});
    case query::Render::kBool:
      return v != 0;
    default:
      break;
  }
  if (c.kind == query::ColKind::kInt || c.kind == query::ColKind::kSet) return static_cast<int64_t>(v);
  return v;
}

// compare=previous: the key of a row, with dates shifted by the period's
// length so that rows match by day offset.
std::string RowKey(const Frame& f, size_t r, int32_t shift_days) {
  std::string key;
  for (const FrameColumn& c : f.cols) {
    if (c.kind != query::ColKind::kKey) continue;
    int64_t k = c.keys[r];
    if (c.dim == Dim::kDate) k += shift_days;
    key.append(reinterpret_cast<const char*>(&k), sizeof k);
  }
  return key;
}

}  // namespace

bool ReportReadsUsers(const std::string& name, const ReportParams& params) {
  for (const auto& s : query::ReportSpecs()) {
    if (s.name != name) continue;
    std::vector<Dim> by;
    for (const auto& [k, v] : params) {
      if (Normalise(k) != "by") continue;
      auto parsed = ParseBy(v);
      if (!parsed.ok()) return true;  // RunReport reports the error; reading users costs only time
      by = std::move(*parsed);
    }
    return ReadsUsers(s, by);
  }
  return true;
}

std::vector<std::string> ReportNames() {
  std::vector<std::string> names;
  for (const auto& s : query::ReportSpecs()) names.push_back(s.name);
  return names;
}

ReportParameterList ReportParameters(const std::string& name) {
  ReportParameterList out;
  for (const auto& s : query::ReportSpecs()) {
    if (s.name != name) continue;
    out.params = kCommonParams;
    out.params.insert(out.params.end(), s.params.begin(), s.params.end());
    if (s.comparable) out.params.push_back("compare");
    out.comparable = s.comparable;
  }
  return out;
}

Result<ResultTable> RunReport(const std::string& name, const ReportParams& raw, const QueryContext& ctx) {
  const query::ReportSpec* spec = nullptr;
  for (const auto& s : query::ReportSpecs()) {
    if (s.name == name) spec = &s;
  }
  if (spec == nullptr) {
    std::string names;
    for (const auto& n : ReportNames()) names += " " + n;
    return Status::InvalidArgument(fmt::format("unknown report '{}' (available:{})", name, names));
  }
  ReportParams params;
  for (const auto& [k, v] : raw) params[Normalise(k)] = v;
  const std::vector<std::string> valid = ReportParameters(name).params;
  for (const auto& [k, v] : params) {
    if (std::find(valid.begin(), valid.end(), k) != valid.end()) continue;
    std::string list;
    for (const auto& c : valid) list += " " + c;
    return Status::InvalidArgument(
        fmt::format("report '{}' has no parameter '{}' (valid parameters:{})", name, k, list));
  }
  for (const std::string& k : spec->required) {
    if (Get(params, k).empty()) {
      return Status::InvalidArgument(fmt::format("report '{}' needs parameter '{}'", name, k));
    }
  }

  // The report's own parameters.
  query::ReportArgs args;
  std::string echo_interval;
  auto has = [&](const char* p) {
    return std::find(spec->params.begin(), spec->params.end(), p) != spec->params.end();
  };
  if (has("limit")) {
    WS_ASSIGN_OR_RETURN(args.limit, IntParam(params, "limit", name == "breakdown" ? 0 : kDefaultLimit, 1));
  }
  if (has("sort")) {
    args.sort = params.count("sort") ? params.at("sort") : "sessions";
    if (args.sort != "sessions" && args.sort != "viewers" && args.sort != "watch_hours") {
      return Status::InvalidArgument(
          fmt::format("parameter 'sort' must be sessions, viewers or watch_hours, got '{}'", args.sort));
    }
  }
  if (has("by")) {
    const std::string by = params.count("by") ? params.at("by") : (name == "breakdown" ? "genre" : "");
    if (!by.empty()) {
      WS_ASSIGN_OR_RETURN(args.by, ParseBy(by));
    }
    if (name == "daypart" && std::find(args.by.begin(), args.by.end(), Dim::kDaypart) != args.by.end()) {
      return Status::InvalidArgument("parameter 'by' of report 'daypart' cannot name daypart itself");
    }
  }
  if (has("min_viewers")) {
    WS_ASSIGN_OR_RETURN(args.min_viewers, IntParam(params, "min_viewers", kDefaultMinViewers, 0));
  }
  if (has("global_top")) {
    WS_ASSIGN_OR_RETURN(args.global_top, IntParam(params, "global_top", kDefaultGlobalTop, 1));
    WS_ASSIGN_OR_RETURN(args.local_top, IntParam(params, "local_top", kDefaultLocalTop, 1));
  }
  if (has("interval")) {
    const std::string interval = params.count("interval") ? params.at("interval") : "hour";
    if (interval == "minute") {
      args.interval_ms = kMillisPerMinute;
    } else if (interval == "hour") {
      args.interval_ms = kMillisPerHour;
    } else if (interval == "day") {
      args.interval_ms = kMillisPerDay;
    } else {
      return Status::InvalidArgument(
          fmt::format("parameter 'interval' must be minute, hour or day, got '{}'", interval));
    }
    echo_interval = interval;
  }
  args.user = Get(params, "user");
  args.content = Get(params, "content");
  if (has("user") && !ctx.keys->user->Find(args.user)) {
    return Status::InvalidArgument(fmt::format("parameter 'user': no sessions of user '{}'", args.user));
  }
  if (has("content") && !ctx.keys->content->Find(args.content)) {
    return Status::InvalidArgument(
        fmt::format("parameter 'content': no sessions of content '{}'", args.content));
  }
  bool compare = false;
  if (params.count("compare")) {
    if (params.at("compare") != "previous") {
      return Status::InvalidArgument(
          fmt::format("parameter 'compare' must be 'previous', got '{}'", params.at("compare")));
    }
    compare = true;
  }

  // Lookups and the common filters.
  const query::Lookups lookups = query::BuildLookups(ctx.catalog, *ctx.keys, ReadsUsers(*spec, args.by));
  query::QueryEnv env;
  env.snapshot = ctx.snapshot;
  env.keys = ctx.keys;
  env.lookups = &lookups;
  env.threads = ctx.threads;
  env.cache = ctx.cache;
  query::CommonFilter& f = env.filter;
  if (std::string country = Get(params, "country"); !country.empty()) {
    std::optional<CountryCode> code = ParseCountryCode(country);
    if (!code) {
      return Status::InvalidArgument(fmt::format(
          "parameter 'country' must be an ISO 3166-1 alpha-2 code (two letters, e.g. KR), got '{}'",
          country));
    }
    f.country_key = ctx.keys->country->Find(code->str()).value_or(store::kNoKey);
    params["country"] = code->str();  // echoed as SPEC 1 stores it
  }
  if (std::string device = Get(params, "device_type"); !device.empty()) {
    const DeviceType t = ParseDeviceType(device);
    if (t == DeviceType::kUnknown || (t == DeviceType::kOther && device != "other")) {
      return Status::InvalidArgument(fmt::format(
          "parameter 'device_type' must be one of tv, mobile, tablet, desktop, web, console, other; got '{}'",
          device));
    }
    f.device_type = static_cast<int64_t>(t);
  }
  if (std::string genre = Get(params, "genre"); !genre.empty()) f.genre = lookups.FindGenre(genre);
  if (std::string type = Get(params, "content_type"); !type.empty()) {
    if (type != "movie" && type != "episode") {
      return Status::InvalidArgument(
          fmt::format("parameter 'content_type' must be movie or episode, got '{}'", type));
    }
    f.content_type = type == "movie" ? query::ContentType::kMovie : query::ContentType::kEpisode;
  }
  if (std::string title = Get(params, "title"); !title.empty()) {
    f.title = lookups.FindTitle(title);
    if (name == "lifecycle") {
      if (*f.title < 0)
        return Status::InvalidArgument(fmt::format("parameter 'title': no title '{}'", title));
      if (lookups.title_end_day[static_cast<size_t>(*f.title)] == query::Lookups::kNoDay) {
        return Status::InvalidArgument(
            fmt::format("parameter 'title': title '{}' has no production_end_date in the catalog", title));
      }
    }
  }

  // Clock and dates.
  std::string tz = params.count("tz") ? params.at("tz") : kViewerClock;
  if (tz != kViewerClock) {
    if (!IsKnownTimeZone(tz)) {
      return Status::InvalidArgument(fmt::format(
          "parameter 'tz' must be 'viewer' or an IANA time zone (UTC, America/New_York), got '{}'", tz));
    }
    env.zone = tz;
  }
  std::vector<int32_t> days = ctx.snapshot->Partitions(kSessionsTable);
  const DayNumber last = days.empty() ? DayOf(EpochMillis{0}) : DayNumber{days.back()};
  WS_ASSIGN_OR_RETURN(env.to, DateParam(params, "to", last));
  const DayNumber first = spec->range == query::DefaultRange::kAllData && !days.empty()
                              ? DayNumber{days.front()}
                              : DayNumber{env.to.v - (kDefaultRangeDays - 1)};
  WS_ASSIGN_OR_RETURN(env.from, DateParam(params, "from", first));
  if (env.from > env.to) {
    return Status::InvalidArgument(
        fmt::format("parameter 'from' ({}) is after 'to' ({})", FormatDate(env.from), FormatDate(env.to)));
  }

  const query::ReportDef def = spec->build(args);
  WS_ASSIGN_OR_RETURN(auto frames, query::RunReportDef(def, env));
  const Frame& frame = frames.at(def.pipelines.back().name);
  const int32_t len = env.to.v - env.from.v + 1;
  Frame prev;
  query::QueryEnv prev_env = env;
  if (compare) {
    prev_env.from = DayNumber{env.from.v - len};
    prev_env.to = DayNumber{env.to.v - len};
    WS_ASSIGN_OR_RETURN(auto prev_frames, query::RunReportDef(def, prev_env));
    prev = std::move(prev_frames.at(def.pipelines.back().name));
  }

  ResultTable t;
  t.report = name;
  t.params.emplace_back("from", FormatDate(env.from));
  t.params.emplace_back("to", FormatDate(env.to));
  t.params.emplace_back("tz", tz);
  for (const auto& [k, v] : params) {
    if (k != "from" && k != "to" && k != "tz") t.params.emplace_back(k, v);
  }
  auto echo = [&](const char* k, const std::string& v) {
    if (!params.count(k)) t.params.emplace_back(k, v);
  };
  if (has("limit") && args.limit > 0) echo("limit", std::to_string(args.limit));
  if (has("sort")) echo("sort", args.sort);
  if (has("by") && !args.by.empty()) {
    std::string by;
    for (Dim d : args.by) {
      if (!by.empty()) by.push_back(',');
      by.append(query::DimName(d));
    }
    echo("by", by);
  }
  if (has("min_viewers")) echo("min_viewers", std::to_string(args.min_viewers));
  if (has("interval")) echo("interval", echo_interval);
  if (has("global_top")) {
    echo("global_top", std::to_string(args.global_top));
    echo("local_top", std::to_string(args.local_top));
  }

  std::vector<const FrameColumn*> cols;
  for (const query::OutputColumn& o : def.output) {
    const FrameColumn* c = frame.Find(o.source);
    if (c == nullptr) return Status::Internal(fmt::format("report '{}' lost column '{}'", name, o.source));
    cols.push_back(c);
    t.columns.push_back(o.name);
    if (compare && o.measure) {
      t.columns.push_back(o.name + "_prev");
      t.columns.push_back(o.name + "_change_pct");
    }
  }
  std::unordered_map<std::string, size_t> prev_rows;
  for (size_t r = 0; r < prev.rows; ++r) prev_rows.emplace(RowKey(prev, r, len), r);
  for (size_t r = 0; r < frame.rows; ++r) {
    std::vector<Value> row;
    auto match = compare ? prev_rows.find(RowKey(frame, r, 0)) : prev_rows.end();
    for (size_t i = 0; i < def.output.size(); ++i) {
      row.push_back(CellOf(*cols[i], r, def.output[i], env));
      if (!(compare && def.output[i].measure)) continue;
      const FrameColumn* pc = prev.Find(def.output[i].source);
      double now = 0, before = 0;
      const bool have_now = cols[i]->Get(r, &now);
      const bool have_before = match != prev_rows.end() && pc != nullptr && pc->Get(match->second, &before);
      row.push_back(have_before ? CellOf(*pc, match->second, def.output[i], prev_env) : Value(Null{}));
      row.push_back(have_now && have_before && before != 0 ? Value(100.0 * (now - before) / before)
                                                           : Value(Null{}));
    }
    t.rows.push_back(std::move(row));
  }
  for (const auto& s : def.summary) {
    const Frame& sf = frames.at(s.pipeline);
    const FrameColumn* c = sf.Find(s.column);
    double v = 0;
    t.summary.emplace_back(s.name, c != nullptr && sf.rows > 0 && c->Get(0, &v) ? Value(v) : Value(Null{}));
  }
  return t;
}

}  // namespace ws
