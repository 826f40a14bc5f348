#include "query/reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "vocab/country.h"

namespace ws {
namespace {

constexpr int32_t kDefaultRangeDays = 30;
constexpr int64_t kDefaultLimit = 20;
constexpr double kMillisPerHourD = 3'600'000.0;
constexpr int kHoursPerDay = 24;

const std::set<std::string> kCommonParams = {"from",  "to",           "country", "device_type",
                                             "genre", "content_type", "title"};

Status CheckParams(const std::string& report, const ReportParams& params,
                   const std::set<std::string>& extra) {
  for (const auto& [k, v] : params) {
    if (kCommonParams.count(k) || extra.count(k)) continue;
    std::string valid;
    for (const auto& c : kCommonParams) valid += " " + c;
    for (const auto& c : extra) valid += " " + c;
    return Status::InvalidArgument(
        fmt::format("report '{}' has no parameter '{}' (valid parameters:{})", report, k, valid));
  }
  return Status::Ok();
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

std::string TitleIdOf(const SessionRecord& r, const CatalogView* catalog) {
  const ContentInfo* c = catalog ? catalog->FindContent(r.content_id) : nullptr;
  return c ? c->title_id : r.content_id;
}

std::string TitleNameOf(const std::string& title_id, const CatalogView* catalog) {
  const TitleInfo* t = catalog ? catalog->FindTitle(title_id) : nullptr;
  return t ? t->title : "";
}

void AddRangeParams(const SessionFilter& f, ResultTable* t) {
  t->params.emplace_back("from", FormatDate(f.from));
  t->params.emplace_back("to", FormatDate(f.to));
  if (!f.country.empty()) t->params.emplace_back("country", f.country);
  if (!f.device_type.empty()) t->params.emplace_back("device_type", f.device_type);
  if (!f.genre.empty()) t->params.emplace_back("genre", f.genre);
  if (!f.content_type.empty()) t->params.emplace_back("content_type", f.content_type);
  if (!f.title.empty()) t->params.emplace_back("title", f.title);
}

double Hours(int64_t ms) { return static_cast<double>(ms) / kMillisPerHourD; }

// popular: per title, ranked.
Result<ResultTable> Popular(const ReportParams& params, const QueryContext& ctx) {
  WS_RETURN_IF_ERROR(CheckParams("popular", params, {"sort", "limit"}));
  WS_ASSIGN_OR_RETURN(SessionFilter f, ResolveFilter(params, ctx));
  WS_ASSIGN_OR_RETURN(int64_t limit, IntParam(params, "limit", kDefaultLimit, 1));
  std::string sort = params.count("sort") ? params.at("sort") : "sessions";
  if (sort != "sessions" && sort != "viewers" && sort != "watch_hours") {
    return Status::InvalidArgument(
        fmt::format("parameter 'sort' must be sessions, viewers or watch_hours, got '{}'", sort));
  }
  struct Agg {
    int64_t sessions = 0, completed = 0, watch_ms = 0, pct_n = 0;
    double pct_sum = 0;
    std::unordered_set<std::string> viewers;
  };
  std::unordered_map<std::string, Agg> by_title;
  WS_RETURN_IF_ERROR(ScanSessions(ctx, f, [&](const SessionRecord& r) {
    Agg& a = by_title[TitleIdOf(r, ctx.catalog)];
    ++a.sessions;
    if (r.status == SessionStatus::kCompleted) ++a.completed;
    a.watch_ms += r.watch_ms;
    if (r.has_length()) {
      a.pct_sum += r.completion_percentage();
      ++a.pct_n;
    }
    a.viewers.insert(r.user_id);
  }));
  struct Row {
    std::string id;
    const Agg* a;
  };
  std::vector<Row> rows;
  for (auto& [id, a] : by_title) rows.push_back({id, &a});
  auto key = [&](const Row& r) -> double {
    if (sort == "viewers") return static_cast<double>(r.a->viewers.size());
    if (sort == "watch_hours") return static_cast<double>(r.a->watch_ms);
    return static_cast<double>(r.a->sessions);
  };
  std::sort(rows.begin(), rows.end(), [&](const Row& x, const Row& y) {
    double kx = key(x), ky = key(y);
    return kx != ky ? kx > ky : x.id < y.id;
  });
  if (static_cast<int64_t>(rows.size()) > limit) rows.resize(limit);
  ResultTable t;
  t.report = "popular";
  AddRangeParams(f, &t);
  t.params.emplace_back("sort", sort);
  t.params.emplace_back("limit", std::to_string(limit));
  t.columns = {"title_id",
               "title",
               "sessions",
               "viewers",
               "watch_hours",
               "completion_rate",
               "avg_completion_percentage"};
  for (const Row& r : rows) {
    const Agg& a = *r.a;
    t.rows.push_back({r.id, TitleNameOf(r.id, ctx.catalog), a.sessions,
                      static_cast<int64_t>(a.viewers.size()), Hours(a.watch_ms),
                      100.0 * static_cast<double>(a.completed) / static_cast<double>(a.sessions),
                      a.pct_n ? Value(a.pct_sum / static_cast<double>(a.pct_n)) : Value(Null{})});
  }
  return t;
}

// trends: per day.
Result<ResultTable> Trends(const ReportParams& params, const QueryContext& ctx) {
  WS_RETURN_IF_ERROR(CheckParams("trends", params, {}));
  WS_ASSIGN_OR_RETURN(SessionFilter f, ResolveFilter(params, ctx));
  struct Agg {
    int64_t sessions = 0, completed = 0, watch_ms = 0;
    std::unordered_set<std::string> viewers, titles;
  };
  std::map<int32_t, Agg> by_day;
  WS_RETURN_IF_ERROR(ScanSessions(ctx, f, [&](const SessionRecord& r) {
    Agg& a = by_day[r.date_key.v];
    ++a.sessions;
    if (r.status == SessionStatus::kCompleted) ++a.completed;
    a.watch_ms += r.watch_ms;
    a.viewers.insert(r.user_id);
    a.titles.insert(TitleIdOf(r, ctx.catalog));
  }));
  ResultTable t;
  t.report = "trends";
  AddRangeParams(f, &t);
  t.columns = {"date", "sessions", "completed", "viewers", "titles", "watch_hours"};
  for (auto& [day, a] : by_day) {
    t.rows.push_back({FormatDate(DayNumber{day}), a.sessions, a.completed,
                      static_cast<int64_t>(a.viewers.size()), static_cast<int64_t>(a.titles.size()),
                      Hours(a.watch_ms)});
  }
  return t;
}

// peak-hours: per local start hour.
Result<ResultTable> PeakHours(const ReportParams& params, const QueryContext& ctx) {
  WS_RETURN_IF_ERROR(CheckParams("peak-hours", params, {}));
  WS_ASSIGN_OR_RETURN(SessionFilter f, ResolveFilter(params, ctx));
  struct Agg {
    int64_t sessions = 0, watch_ms = 0;
    std::unordered_set<std::string> viewers;
  };
  std::vector<Agg> by_hour(kHoursPerDay);
  WS_RETURN_IF_ERROR(ScanSessions(ctx, f, [&](const SessionRecord& r) {
    Agg& a = by_hour[static_cast<size_t>(std::clamp(r.local_start_hour, 0, kHoursPerDay - 1))];
    ++a.sessions;
    a.watch_ms += r.watch_ms;
    a.viewers.insert(r.user_id);
  }));
  ResultTable t;
  t.report = "peak-hours";
  AddRangeParams(f, &t);
  t.columns = {"hour", "sessions", "viewers", "watch_hours"};
  for (int h = 0; h < kHoursPerDay; ++h) {
    const Agg& a = by_hour[static_cast<size_t>(h)];
    t.rows.push_back({int64_t{h}, a.sessions, static_cast<int64_t>(a.viewers.size()), Hours(a.watch_ms)});
  }
  return t;
}

using ReportFn = Result<ResultTable> (*)(const ReportParams&, const QueryContext&);
const std::vector<std::pair<std::string, ReportFn>>& Registry() {
  static const std::vector<std::pair<std::string, ReportFn>> kReports = {
      {"popular", &Popular},
      {"trends", &Trends},
      {"peak-hours", &PeakHours},
  };
  return kReports;
}

}  // namespace

std::vector<std::string> ReportNames() {
  std::vector<std::string> names;
  for (const auto& [n, fn] : Registry()) names.push_back(n);
  return names;
}

Result<ResultTable> RunReport(const std::string& name, const ReportParams& params, const QueryContext& ctx) {
  for (const auto& [n, fn] : Registry()) {
    if (n == name) return fn(params, ctx);
  }
  std::string names;
  for (const auto& n : ReportNames()) names += " " + n;
  return Status::InvalidArgument(fmt::format("unknown report '{}' (available:{})", name, names));
}

Result<SessionFilter> ResolveFilter(const ReportParams& params, const QueryContext& ctx) {
  SessionFilter f;
  std::vector<int32_t> days = ctx.snapshot->Partitions(kSessionsTable);
  DayNumber last = days.empty() ? DayOf(EpochMillis{0}) : DayNumber{days.back()};
  f.to = last;
  if (auto it = params.find("to"); it != params.end()) {
    auto d = ParseDate(it->second);
    if (!d)
      return Status::InvalidArgument(
          fmt::format("parameter 'to' must be a date YYYY-MM-DD, got '{}'", it->second));
    f.to = *d;
  }
  f.from = DayNumber{f.to.v - (kDefaultRangeDays - 1)};
  if (auto it = params.find("from"); it != params.end()) {
    auto d = ParseDate(it->second);
    if (!d) {
      return Status::InvalidArgument(
          fmt::format("parameter 'from' must be a date YYYY-MM-DD, got '{}'", it->second));
    }
    f.from = *d;
  }
  if (f.from > f.to) {
    return Status::InvalidArgument(
        fmt::format("parameter 'from' ({}) is after 'to' ({})", FormatDate(f.from), FormatDate(f.to)));
  }
  auto get = [&](const char* k) { return params.count(k) ? params.at(k) : std::string(); };
  if (std::string country = get("country"); !country.empty()) {
    std::optional<CountryCode> code = ParseCountryCode(country);
    if (!code) {
      return Status::InvalidArgument(fmt::format(
          "parameter 'country' must be an ISO 3166-1 alpha-2 code (two letters, e.g. KR), got '{}'",
          country));
    }
    f.country = code->str();
  }
  f.device_type = get("device_type");
  f.genre = get("genre");
  f.content_type = get("content_type");
  if (!f.content_type.empty() && f.content_type != "movie" && f.content_type != "episode") {
    return Status::InvalidArgument(
        fmt::format("parameter 'content_type' must be movie or episode, got '{}'", f.content_type));
  }
  f.title = get("title");
  return f;
}

Status ScanSessions(const QueryContext& ctx, const SessionFilter& f,
                    const std::function<void(const SessionRecord&)>& fn) {
  bool needs_content = !f.genre.empty() || !f.content_type.empty() || !f.title.empty();
  for (int32_t p : ctx.snapshot->Partitions(kSessionsTable)) {
    DayNumber day{p};
    if (day < f.from || day > f.to) continue;
    WS_RETURN_IF_ERROR(ForEachSession(*ctx.snapshot, *ctx.keys, day, [&](const SessionRecord& r) {
      if (!f.country.empty() && r.country != f.country) return Status::Ok();
      if (!f.device_type.empty() && DeviceTypeName(r.device_type) != f.device_type) return Status::Ok();
      if (needs_content) {
        const ContentInfo* c = ctx.catalog ? ctx.catalog->FindContent(r.content_id) : nullptr;
        if (c == nullptr) return Status::Ok();
        if (!f.content_type.empty() && c->kind != f.content_type) return Status::Ok();
        if (!f.genre.empty()) {
          // A session counts under the genres its title had when watched.
          const std::vector<std::string>* genres = ctx.catalog->GenresAt(r.content_id, r.start);
          if (genres == nullptr || std::find(genres->begin(), genres->end(), f.genre) == genres->end())
            return Status::Ok();
        }
        if (!f.title.empty() && c->title_id != f.title && c->title != f.title) return Status::Ok();
      }
      fn(r);
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

}  // namespace ws
