#include "query/report_defs.h"

#include <utility>

namespace ws::query {
namespace {

using Op = Expr::Op;
using WFn = WindowStep::Fn;

constexpr double kMillisPerSecondD = 1000.0;
constexpr double kDependentShareNum = 4;  // exclusive: >= 80 % = 4/5 of the viewer's time
constexpr double kDependentShareDen = 5;
constexpr double kMedian = 0.5;
constexpr double kTopQuarter = 0.75;
constexpr double kWeekDays = 7;
constexpr double kMonthDays = 30;
constexpr int32_t kMonthLookback = 29;  // mau on the first day needs the 29 days before it

// Scan measures.
Measure Count(std::string name) { return {std::move(name), AggFn::kCount, {}}; }
Measure CountIf(std::string name, Input in) { return {std::move(name), AggFn::kCountIf, {in}}; }
Measure Sum(std::string name, Input in) { return {std::move(name), AggFn::kSum, {in}}; }
Measure Avg(std::string name, Input in) { return {std::move(name), AggFn::kAvg, {in}}; }
Measure Distinct(std::string name, Input in) { return {std::move(name), AggFn::kDistinct, {in}}; }

Measure Sessions() { return Count("sessions"); }
Measure Viewers() { return Distinct("viewers", Input::kUserKey); }
Measure WatchMs() { return Sum("watch_ms", Input::kWatchMs); }
Measure Completed() { return CountIf("completed", Input::kCompleted); }
Measure AvgCompletion() { return Avg("avg_completion_percentage", Input::kCompletionPct); }

Step Derive(std::string name, Expr e, ColKind kind = ColKind::kDouble) {
  return DeriveStep{std::move(name), std::move(e), kind};
}
Step WatchHours() { return Derive("watch_hours", Hours("watch_ms")); }
Step SortDesc(std::string col) { return SortStep{{{std::move(col), true}}}; }
Step SortAsc(std::string col) { return SortStep{{{std::move(col), false}}}; }
Step Window(std::string name, WFn fn, std::string arg, std::vector<std::string> partition = {},
            std::string order = "", double param = 0, ColKind kind = ColKind::kDouble) {
  return WindowStep{std::move(name), fn, std::move(arg), std::move(partition), std::move(order), param, kind};
}
Step Rank(std::string name, std::string arg, std::vector<std::string> partition = {}) {
  return Window(std::move(name), WFn::kRank, std::move(arg), std::move(partition), "", 0, ColKind::kInt);
}
Step Join(std::string pipeline, std::vector<std::string> on,
          std::vector<std::pair<std::string, std::string>> cols) {
  return JoinStep{std::move(pipeline), std::move(on), std::move(cols)};
}
Step FrameAgg(std::vector<std::string> keys, std::vector<AggregateStep::FrameMeasure> measures) {
  return AggregateStep{std::move(keys), std::move(measures)};
}
AggregateStep::FrameMeasure FCount(std::string name) {
  return {std::move(name), AggFn::kCount, Lit(0), ColKind::kInt};
}
AggregateStep::FrameMeasure FCountIf(std::string name, Expr e) {
  return {std::move(name), AggFn::kCountIf, std::move(e), ColKind::kInt};
}
AggregateStep::FrameMeasure FSum(std::string name, Expr e, ColKind kind = ColKind::kInt) {
  return {std::move(name), AggFn::kSum, std::move(e), kind};
}
AggregateStep::FrameMeasure FAvg(std::string name, Expr e) {
  return {std::move(name), AggFn::kAvg, std::move(e), ColKind::kDouble};
}
void Limit(const ReportArgs& a, std::vector<Step>* steps) {
  if (a.limit > 0) steps->push_back(LimitStep{a.limit});
}

OutputColumn Key(std::string name, std::string source) {
  return {std::move(name), std::move(source), Render::kValue, false};
}
OutputColumn TitleName() { return {"title", "title", Render::kName, false}; }
OutputColumn M(std::string name) {
  std::string source = name;
  return {std::move(name), std::move(source), Render::kValue, true};
}
OutputColumn Plain(std::string name) {
  std::string source = name;
  return {std::move(name), std::move(source), Render::kValue, false};
}

ReportDef Def(std::string name, std::vector<Pipeline> pipelines, std::vector<OutputColumn> output,
              bool comparable = false) {
  ReportDef d;
  d.name = std::move(name);
  d.pipelines = std::move(pipelines);
  d.output = std::move(output);
  d.comparable = comparable;
  return d;
}

// -- the reports ------------------------------------------------------------

ReportDef Popular(const ReportArgs& a) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {
      ScanStep{{Dim::kTitle}, {Sessions(), Viewers(), WatchMs(), Completed(), AvgCompletion()}, {}, 0, false},
      WatchHours(), Derive("completion_rate", Pct(Col("completed"), Col("sessions"))),
      SortDesc(a.sort == "watch_hours" ? "watch_ms" : a.sort)};
  Limit(a, &p.steps);
  return Def("popular", {p},
             {Key("title_id", "title"), TitleName(), M("sessions"), M("viewers"), M("watch_hours"),
              M("completion_rate"), M("avg_completion_percentage")},
             true);
}

ReportDef ContentPerformance(const ReportArgs& a) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{{Dim::kContent}, {Viewers(), WatchMs(), AvgCompletion(), Sessions()}, {}, 0, false},
             Derive("total_viewing_time_seconds", Div(Col("watch_ms"), Lit(kMillisPerSecondD))),
             FilterStep{Ge(Col("viewers"), Lit(static_cast<double>(a.min_viewers)))}, SortDesc("watch_ms")};
  Limit(a, &p.steps);
  return Def("content-performance", {p},
             {Key("content_id", "content"), M("viewers"), M("total_viewing_time_seconds"),
              M("avg_completion_percentage"), M("sessions")});
}

ReportDef UserStats(const ReportArgs& a) {
  const std::vector<ScanFilter> user = {{ScanFilter::Kind::kUser, a.user}};
  Pipeline totals{"totals", Period::kCurrent, {}};
  totals.steps = {ScanStep{{},
                           {Sessions(),
                            Completed(),
                            Distinct("unique_content", Input::kContentKey),
                            WatchMs(),
                            {"first_seen", AggFn::kMin, {Input::kStartMs}},
                            {"last_seen", AggFn::kMax, {Input::kEndMs}}},
                           user,
                           0,
                           false}};
  Pipeline top_content{"top_content", Period::kCurrent, {}};
  top_content.steps = {ScanStep{{Dim::kContent}, {WatchMs()}, user, 0, false}, SortDesc("watch_ms"),
                       LimitStep{1}};
  Pipeline top_genre{"top_genre", Period::kCurrent, {}};
  top_genre.steps = {ScanStep{{Dim::kGenre}, {WatchMs()}, user, 0, false}, SortDesc("watch_ms"),
                     LimitStep{1}};
  Pipeline binges{"binges", Period::kCurrent, {}};
  std::vector<ScanFilter> user_episodes = user;
  user_episodes.push_back({ScanFilter::Kind::kEpisodes, ""});
  binges.steps = {ScanStep{{Dim::kTitle},
                           {{"s", AggFn::kSittings, {Input::kStartMs, Input::kEndMs, Input::kContentKey}}},
                           user_episodes,
                           0,
                           false},
                  FrameAgg({}, {FSum("binge_sittings", Col("s_binges"))})};
  Pipeline report{"report", Period::kCurrent, {}};
  report.steps = {FromStep{"totals"},
                  Derive("watch_time_seconds", Div(Col("watch_ms"), Lit(kMillisPerSecondD))),
                  Derive("completion_rate", Pct(Col("completed"), Col("sessions"))),
                  Join("top_content", {}, {{"content", "most_watched_content_id"}}),
                  Join("top_genre", {}, {{"genre", "favourite_genre"}}),
                  Join("binges", {}, {{"binge_sittings", "binge_sittings"}})};
  return Def("user-stats", {totals, top_content, top_genre, binges, report},
             {M("sessions"),
              M("completed"),
              M("unique_content"),
              M("watch_time_seconds"),
              M("completion_rate"),
              Plain("most_watched_content_id"),
              Plain("favourite_genre"),
              {"first_seen", "first_seen", Render::kTimestamp, false},
              {"last_seen", "last_seen", Render::kTimestamp, false},
              M("binge_sittings")});
}

ReportDef Trends(const ReportArgs&) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{{Dim::kDate},
                      {Sessions(), Completed(), Viewers(), Distinct("titles", Input::kTitleCode), WatchMs()},
                      {},
                      0,
                      false},
             WatchHours()};
  return Def(
      "trends", {p},
      {Key("date", "date"), M("sessions"), M("completed"), M("viewers"), M("titles"), M("watch_hours")},
      true);
}

ReportDef PeakHours(const ReportArgs&) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{{Dim::kHour}, {Sessions(), Viewers(), WatchMs()}, {}, 0, true}, WatchHours()};
  return Def("peak-hours", {p}, {Key("hour", "hour"), M("sessions"), M("viewers"), M("watch_hours")});
}

std::vector<OutputColumn> ByColumns(const ReportArgs& a) {
  std::vector<OutputColumn> out;
  for (Dim d : a.by) out.push_back(Key(DimName(d), DimName(d)));
  return out;
}

ReportDef Breakdown(const ReportArgs& a) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{a.by, {Sessions(), Viewers(), WatchMs(), AvgCompletion()}, {}, 0, false}, WatchHours(),
             SortDesc("watch_ms")};
  Limit(a, &p.steps);
  std::vector<OutputColumn> out = ByColumns(a);
  for (const char* m : {"sessions", "viewers", "watch_hours", "avg_completion_percentage"})
    out.push_back(M(m));
  return Def("breakdown", {p}, out, true);
}

ReportDef Daypart(const ReportArgs& a) {
  std::vector<Dim> keys = a.by;
  keys.push_back(Dim::kDaypart);
  std::vector<std::string> groups;
  for (Dim d : a.by) groups.emplace_back(DimName(d));
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{keys, {Sessions(), Viewers(), WatchMs()}, {}, 0, false}, WatchHours(),
             Window("group_ms", WFn::kSum, "watch_ms", groups),
             Derive("share_pct", Pct(Col("watch_ms"), Col("group_ms"))), SortStep{}};
  std::vector<OutputColumn> out = ByColumns(a);
  out.push_back(Key("daypart", "daypart"));
  for (const char* m : {"sessions", "viewers", "watch_hours", "share_pct"}) out.push_back(M(m));
  return Def("daypart", {p}, out);
}

ReportDef Reach(const ReportArgs& a) {
  auto all = [](std::string name, Period period) {
    return Pipeline{
        std::move(name), period, {ScanStep{{}, {Distinct("all_viewers", Input::kUserKey)}, {}, 0, false}}};
  };
  Pipeline prev{"prev", Period::kPrevious, {}};
  prev.steps = {ScanStep{{Dim::kTitle}, {Viewers()}, {}, 0, false},
                Join("prev_all", {}, {{"all_viewers", "all_viewers"}}),
                Derive("reach_pct", Pct(Col("viewers"), Col("all_viewers")))};
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {
      ScanStep{{Dim::kTitle}, {Viewers(), WatchMs()}, {}, 0, false},
      Join("all", {}, {{"all_viewers", "all_viewers"}}),
      WatchHours(),
      Derive("hours_per_viewer", Div(Col("watch_hours"), Col("viewers"))),
      Derive("reach_pct", Pct(Col("viewers"), Col("all_viewers"))),
      Rank("rank_by_hours", "watch_ms"),
      Rank("rank_by_reach", "viewers"),
      Join("prev", {"title"}, {{"reach_pct", "prev_reach_pct"}}),
      Derive("reach_change_pct", Pct(Sub(Col("reach_pct"), Col("prev_reach_pct")), Col("prev_reach_pct"))),
      SortAsc("rank_by_hours")};
  Limit(a, &p.steps);
  return Def("reach", {all("all", Period::kCurrent), all("prev_all", Period::kPrevious), prev, p},
             {Key("title_id", "title"), TitleName(), M("viewers"), M("watch_hours"), M("hours_per_viewer"),
              M("reach_pct"), Plain("rank_by_hours"), Plain("rank_by_reach"), Plain("reach_change_pct")},
             true);
}

ReportDef Loyalty(const ReportArgs& a) {
  Pipeline uv{"viewers", Period::kCurrent, {}};
  uv.steps = {ScanStep{{Dim::kTitle, Dim::kUser},
                       {Distinct("episodes", Input::kContentKey),
                        Distinct("weeks", Input::kWeek),
                        {"items", AggFn::kMax, {Input::kTitleItems}}},
                       {{ScanFilter::Kind::kEpisodes, ""}},
                       0,
                       false}};
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {FromStep{"viewers"},
             FrameAgg({"title"}, {FCount("viewers"), FAvg("avg_episodes_per_viewer", Col("episodes")),
                                  FCountIf("returning", Ge(Col("weeks"), Lit(2))),
                                  FCountIf("deep", Ge(Mul(Col("episodes"), Lit(2)), Col("items")))}),
             Derive("returning_viewers_pct", Pct(Col("returning"), Col("viewers"))),
             Derive("deep_viewers_pct", Pct(Col("deep"), Col("viewers"))),
             Window("median_viewers", WFn::kQuantile, "viewers", {}, "", kMedian),
             Window("deep_top_quarter", WFn::kQuantile, "deep_viewers_pct", {}, "", kTopQuarter),
             Derive("small_but_loyal",
                    And(Lt(Col("viewers"), Col("median_viewers")),
                        Ge(Col("deep_viewers_pct"), Col("deep_top_quarter"))),
                    ColKind::kInt),
             SortDesc("viewers")};
  Limit(a, &p.steps);
  return Def("loyalty", {uv, p},
             {Key("title_id", "title"),
              TitleName(),
              M("viewers"),
              M("avg_episodes_per_viewer"),
              M("returning_viewers_pct"),
              M("deep_viewers_pct"),
              {"small_but_loyal", "small_but_loyal", Render::kBool, false}});
}

ReportDef Binge(const ReportArgs& a) {
  Pipeline uv{"viewers", Period::kCurrent, {}};
  uv.steps = {ScanStep{{Dim::kTitle, Dim::kUser},
                       {{"s", AggFn::kSittings, {Input::kStartMs, Input::kEndMs, Input::kContentKey}}},
                       {{ScanFilter::Kind::kEpisodes, ""}},
                       0,
                       false}};
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {FromStep{"viewers"},
             FrameAgg({"title"}, {FCount("viewers"), FCountIf("binge_viewers", Ge(Col("s_binges"), Lit(1))),
                                  FSum("sittings", Col("s_sittings")), FSum("items", Col("s_items"))}),
             Derive("binge_rate_pct", Pct(Col("binge_viewers"), Col("viewers"))),
             Derive("avg_episodes_per_sitting", Div(Col("items"), Col("sittings"))),
             SortDesc("binge_viewers")};
  Limit(a, &p.steps);
  return Def("binge", {uv, p},
             {Key("title_id", "title"), TitleName(), M("viewers"), M("binge_viewers"), M("binge_rate_pct"),
              M("avg_episodes_per_sitting")});
}

ReportDef Multilingual(const ReportArgs& a) {
  auto measures = [] {
    return std::vector<Measure>{
        Viewers(), {"multilingual_viewers", AggFn::kDistinctIf, {Input::kUserKey, Input::kMultilingual}}};
  };
  Pipeline all{"all", Period::kCurrent, {ScanStep{{}, measures(), {}, 0, false}}};
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{{Dim::kTitle}, measures(), {}, 0, false},
             Join("all", {}, {{"viewers", "all_viewers"}, {"multilingual_viewers", "all_multilingual"}}),
             Derive("multilingual_pct", Pct(Col("multilingual_viewers"), Col("viewers"))),
             Derive("overall_pct", Pct(Col("all_multilingual"), Col("all_viewers"))),
             Derive("index", Pct(Col("multilingual_pct"), Col("overall_pct"))),
             FilterStep{Ge(Col("viewers"), Lit(static_cast<double>(a.min_viewers)))},
             SortDesc("index")};
  Limit(a, &p.steps);
  return Def("multilingual", {all, p},
             {Key("title_id", "title"), TitleName(), M("viewers"), M("multilingual_viewers"),
              M("multilingual_pct"), M("index")});
}

ReportDef Exclusive(const ReportArgs& a) {
  Pipeline ut{"viewers", Period::kCurrent, {}};
  ut.steps = {
      ScanStep{{Dim::kTitle, Dim::kUser}, {WatchMs()}, {}, 0, false},
      Window("user_ms", WFn::kSum, "watch_ms", {"user"}),
      Derive("dependent",
             And(Bin(Op::kGt, Col("user_ms"), Lit(0)), Ge(Mul(Col("watch_ms"), Lit(kDependentShareDen)),
                                                          Mul(Col("user_ms"), Lit(kDependentShareNum)))),
             ColKind::kInt)};
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {FromStep{"viewers"},
             FrameAgg({"title"}, {FCount("viewers"), FCountIf("dependent_viewers", Col("dependent")),
                                  FSum("watch_ms", Col("watch_ms"))}),
             Derive("dependent_pct", Pct(Col("dependent_viewers"), Col("viewers"))), WatchHours(),
             SortDesc("dependent_viewers")};
  Limit(a, &p.steps);
  return Def("exclusive", {ut, p},
             {Key("title_id", "title"), TitleName(), M("viewers"), M("dependent_viewers"), M("dependent_pct"),
              M("watch_hours")});
}

ReportDef Regional(const ReportArgs& a) {
  Pipeline titles{"titles", Period::kCurrent, {}};
  titles.steps = {ScanStep{{Dim::kTitle}, {WatchMs()}, {}, 0, false}, Rank("global_rank", "watch_ms")};
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{{Dim::kTitle, Dim::kCountry}, {WatchMs()}, {}, 0, false},
             FilterStep{Ge(Col("country"), Lit(1))},  // sessions with a known country
             Join("titles", {"title"}, {{"global_rank", "global_rank"}}),
             Rank("country_rank", "watch_ms", {"country"}),
             Window("country_ms", WFn::kSum, "watch_ms", {"country"}),
             Derive("country_share_pct", Pct(Col("watch_ms"), Col("country_ms"))),
             FilterStep{And(Bin(Op::kGt, Col("global_rank"), Lit(static_cast<double>(a.global_top))),
                            Bin(Op::kLe, Col("country_rank"), Lit(static_cast<double>(a.local_top))))},
             SortDesc("country_share_pct")};
  return Def("regional", {titles, p},
             {Key("title_id", "title"),
              TitleName(),
              {"global_rank", "global_rank", Render::kValue, false},
              Key("country", "country"),
              Plain("country_rank"),
              M("country_share_pct")});
}

ReportDef Lifecycle(const ReportArgs&) {
  Pipeline weeks{"weeks", Period::kCurrent, {}};
  weeks.steps = {ScanStep{{Dim::kWeekOffset}, {WatchMs(), Viewers()}, {}, 0, true}, WatchHours()};
  auto mean = [](std::string name, Expr pred) {
    return Pipeline{
        name,
        Period::kCurrent,
        {FromStep{"weeks"}, FilterStep{std::move(pred)}, FrameAgg({}, {FAvg(name, Col("watch_hours"))})}};
  };
  ReportDef d = Def("lifecycle",
                    {weeks, mean("mean_weekly_hours_before", Lt(Col("week_offset"), Lit(0))),
                     mean("mean_weekly_hours_after", Ge(Col("week_offset"), Lit(0))),
                     Pipeline{"report", Period::kCurrent, {FromStep{"weeks"}}}},
                    {Key("week_offset", "week_offset"), M("watch_hours"), M("viewers")});
  d.summary = {{"mean_weekly_hours_before", "mean_weekly_hours_before", "mean_weekly_hours_before"},
               {"mean_weekly_hours_after", "mean_weekly_hours_after", "mean_weekly_hours_after"}};
  return d;
}

ReportDef Retention(const ReportArgs& a) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {
      ScanStep{{Dim::kPositionBucket}, {Sessions()}, {{ScanFilter::Kind::kContent, a.content}}, 0, true},
      Window("reaching", WFn::kSuffixSum, "sessions", {}, "position_bucket"),
      Window("total", WFn::kSum, "sessions"),
      Derive("sessions_reaching_pct", Pct(Col("reaching"), Col("total")))};
  return Def("retention", {p}, {Key("pct_of_length", "position_bucket"), M("sessions_reaching_pct")});
}

ReportDef Engagement(const ReportArgs&) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {
      ScanStep{
          {Dim::kDate},
          {{"users", AggFn::kDistinctSet, {Input::kUserKey}}, Distinct("dau", Input::kUserKey), WatchMs()},
          {},
          kMonthLookback,
          false},
      Window("wau", WFn::kRollingUnion, "users", {}, "date", kWeekDays, ColKind::kInt),
      Window("mau", WFn::kRollingUnion, "users", {}, "date", kMonthDays, ColKind::kInt),
      FilterStep{Ge(Col("date"), FromDay())},
      Derive("stickiness_pct", Pct(Col("dau"), Col("mau"))),
      Derive("hours_per_active_user", Div(Hours("watch_ms"), Col("dau")))};
  return Def(
      "engagement", {p},
      {Key("date", "date"), M("dau"), M("wau"), M("mau"), M("stickiness_pct"), M("hours_per_active_user")},
      true);
}

ReportDef Devices(const ReportArgs&) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{{Dim::kDeviceType},
                      {Sessions(), Avg("avg_duration_ms", Input::kDurationMs), AvgCompletion(), WatchMs()},
                      {},
                      0,
                      false},
             Derive("avg_session_duration_seconds", Div(Col("avg_duration_ms"), Lit(kMillisPerSecondD))),
             WatchHours(), SortDesc("sessions")};
  return Def("devices", {p},
             {Key("device_type", "device_type"), M("sessions"), M("avg_session_duration_seconds"),
              M("avg_completion_percentage"), M("watch_hours")},
             true);
}

ReportDef Completion(const ReportArgs&) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{{Dim::kContentType}, {Sessions(), AvgCompletion(), Completed()}, {}, 0, false},
             Derive("completion_rate", Pct(Col("completed"), Col("sessions"))), SortStep{}};
  return Def("completion", {p},
             {Key("content_type", "content_type"), M("sessions"), M("avg_completion_percentage"),
              M("completion_rate")},
             true);
}

ReportDef Concurrency(const ReportArgs& a) {
  Pipeline p{"report", Period::kCurrent, {}};
  ScanStep scan{{Dim::kBucket},
                {{"c", AggFn::kPeakOverlap, {Input::kBucketStartMs, Input::kBucketEndMs}}, Viewers()},
                {},
                0,
                false};
  scan.bucket_ms = a.interval_ms;
  p.steps = {scan, Derive("avg_sessions", Div(Col("c_open_ms"), Lit(static_cast<double>(a.interval_ms))))};
  return Def("concurrency", {p},
             {Key("bucket_start", "bucket"),
              {"peak_sessions", "c_peak", Render::kValue, true},
              {"peak_at", "c_peak_at", Render::kTimestamp, false},
              M("avg_sessions"),
              M("viewers")});
}

// seed 000's fact_daily_viewing_summary. (Computed by a scan of the range;
// its incremental maintenance at commit is not built yet: docs/reports.md.)
ReportDef DailySummary(const ReportArgs&) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {
      ScanStep{{Dim::kDate, Dim::kContent, Dim::kUser}, {WatchMs(), Count("session_count")}, {}, 0, false},
      Derive("total_watch_time_seconds", Div(Col("watch_ms"), Lit(kMillisPerSecondD))), SortStep{}};
  return Def("daily-summary", {p},
             {Key("date", "date"), Key("content_id", "content"), Key("user_id", "user"),
              M("total_watch_time_seconds"), M("session_count")});
}

// The open sessions (in_progress), by item, device type and country.
ReportDef Active(const ReportArgs&) {
  Pipeline p{"report", Period::kCurrent, {}};
  p.steps = {ScanStep{{Dim::kContent, Dim::kDeviceType, Dim::kCountry},
                      {Count("open_sessions"), Viewers()},
                      {{ScanFilter::Kind::kOpen, ""}},
                      0,
                      false},
             SortDesc("open_sessions")};
  return Def("active", {p},
             {Key("content_id", "content"), Key("device_type", "device_type"), Key("country", "country"),
              M("open_sessions"), M("viewers")});
}

}  // namespace

const std::vector<std::pair<std::string, Dim>>& BreakdownDims() {
  static const std::vector<std::pair<std::string, Dim>> kDims = {{"genre", Dim::kGenre},
                                                                 {"country", Dim::kCountry},
                                                                 {"device_type", Dim::kDeviceType},
                                                                 {"platform", Dim::kPlatform},
                                                                 {"content_type", Dim::kContentType},
                                                                 {"hour", Dim::kHour},
                                                                 {"daypart", Dim::kDaypart},
                                                                 {"weekday", Dim::kWeekday},
                                                                 {"quality", Dim::kQuality},
                                                                 {"subscription_type", Dim::kSubscription},
                                                                 {"age_band", Dim::kAgeBand}};
  return kDims;
}

const std::vector<ReportSpec>& ReportSpecs() {
  using R = DefaultRange;
  static const std::vector<ReportSpec> kSpecs = {
      {"popular", {"sort", "limit"}, {}, true, false, R::kLast30Days, &Popular},
      {"content-performance",
       {"min_viewers", "limit"},
       {},
       false,
       false,
       R::kLast30Days,
       &ContentPerformance},
      {"user-stats", {"user"}, {"user"}, false, false, R::kLast30Days, &UserStats},
      {"trends", {}, {}, true, false, R::kLast30Days, &Trends},
      {"peak-hours", {}, {}, false, false, R::kLast30Days, &PeakHours},
      {"breakdown", {"by", "limit"}, {}, true, false, R::kLast30Days, &Breakdown},
      {"daypart", {"by"}, {}, false, false, R::kLast30Days, &Daypart},
      {"reach", {"limit"}, {}, true, false, R::kLast30Days, &Reach},
      {"loyalty", {"limit"}, {}, false, false, R::kLast30Days, &Loyalty},
      {"binge", {"limit"}, {}, false, false, R::kLast30Days, &Binge},
      {"multilingual", {"min_viewers", "limit"}, {}, false, true, R::kLast30Days, &Multilingual},
      {"exclusive", {"limit"}, {}, false, false, R::kLast30Days, &Exclusive},
      {"regional", {"global_top", "local_top"}, {}, false, false, R::kLast30Days, &Regional},
      {"lifecycle", {}, {"title"}, false, false, R::kAllData, &Lifecycle},
      {"retention", {"content"}, {"content"}, false, false, R::kLast30Days, &Retention},
      {"engagement", {}, {}, true, false, R::kLast30Days, &Engagement},
      {"devices", {}, {}, true, false, R::kLast30Days, &Devices},
      {"completion", {}, {}, true, false, R::kLast30Days, &Completion},
      {"concurrency", {"interval"}, {}, false, false, R::kLast30Days, &Concurrency},
      {"daily-summary", {}, {}, false, false, R::kLast30Days, &DailySummary},
      {"active", {}, {}, false, false, R::kAllData, &Active},
  };
  return kSpecs;
}

}  // namespace ws::query
