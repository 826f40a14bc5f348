// Reports at scale, in process (warm: the store's files in the page cache,
// one process running each report `repeat` times), and the engine's scan
// rates on one thread. Figures go to docs/performance.md.
//
//   build/make_session_store --dir /tmp/ws-5m            # once
//   build/report_bench --dir /tmp/ws-5m [--repeat 7] [--threads 2]
//
// With --cache 1 (default) reports read through a ColumnCache, as the server
// does (the first run fills it); --cache 0 decodes every block every run.
// Prints, per report, the median and the fastest run in milliseconds; then
// the group-by rate (sessions grouped by device type, counted, one thread)
// and the exact distinct rate (distinct viewers per day, one thread) in
// million rows per second. Asserts nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "query/reports.h"
#include "session/data_store.h"

namespace {

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int repeat = 7, threads = 2, cache = 1;
  std::string only;        // run just this report (for profiling)
  std::string cases_file;  // bench/peers: one report command line per line, run instead of the list below
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir")
      dir = v;
    else if (k == "--repeat")
      repeat = std::atoi(v.c_str());
    else if (k == "--threads")
      threads = std::atoi(v.c_str());
    else if (k == "--cache")
      cache = std::atoi(v.c_str());
    else if (k == "--only")
      only = v;
    else if (k == "--cases")
      cases_file = v;
  }
  if (dir.empty()) {
    std::fprintf(stderr,
                 "usage: report_bench --dir DIR [--repeat N] [--threads N] [--cache 0|1] [--only REPORT] "
                 "[--cases FILE]\n");
    return 2;
  }
  ws::DataStoreOptions opts;
  opts.read_only = true;
  auto store = ws::DataStore::Open(dir + "/store", opts);
  if (!store.ok()) {
    std::fprintf(stderr, "report_bench: %s\n", store.status().message().c_str());
    return 1;
  }
  auto catalog = ws::Catalog::Open(dir + "/store");
  if (!catalog.ok()) {
    std::fprintf(stderr, "report_bench: %s\n", catalog.status().message().c_str());
    return 1;
  }
  (*catalog)->AttachKeys((*store)->store().keys());
  auto snap = (*store)->snapshot();
  ws::QueryContext ctx;
  ctx.snapshot = snap.get();
  ctx.keys = &(*store)->keys();
  ctx.catalog = catalog->get();
  ctx.threads = threads;
  ws::query::ColumnCache column_cache;
  if (cache) ctx.cache = &column_cache;
  uint64_t sessions = 0;
  for (int32_t p : snap->Partitions(ws::kSessionsTable))
    sessions += (*snap->Partition(ws::kSessionsTable, p))->live_rows();
  std::printf("%llu sessions, %d threads, %d runs each, %s\n", static_cast<unsigned long long>(sessions),
              threads, repeat, cache ? "column cache (as the server)" : "no column cache (decoded per run)");

  // A user and an item that exist, for the reports that need one.
  const std::string user(ctx.keys->user->Name(1)), content(ctx.keys->content->Name(1));
  std::string series;
  (*catalog)->ForEachTitle([&](const ws::TitleInfo& t) {
    if (series.empty() && t.production_end_date) series = t.title_id;
  });
  struct Case {
    std::string report;
    ws::ReportParams params;
  };
  std::vector<Case> cases = {
      {"trends", {}},
      {"breakdown", {{"by", "genre,country"}}},
      {"reach", {}},
      {"devices", {}},
      {"peak-hours", {}},
      {"popular", {}},
      {"content-performance", {}},
      {"completion", {}},
      {"daypart", {{"by", "genre"}}},
      {"breakdown", {{"by", "subscription_type,age_band"}}},
      {"multilingual", {}},
      {"regional", {}},
      {"engagement", {}},
      {"loyalty", {}},
      {"binge", {}},
      {"exclusive", {}},
      {"retention", {{"content", content}}},
      {"user-stats", {{"user", user}}},
      {"trends", {{"compare", "previous"}, {"tz", "America/New_York"}}},
      {"concurrency", {}},
      {"active", {}},
  };
  if (!series.empty()) cases.push_back({"lifecycle", {{"title", series}}});
  if (!cases_file.empty()) {
    // "breakdown --by genre,country --from 2026-10-01": a name, then --key value pairs.
    cases.clear();
    std::ifstream in(cases_file);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      Case c;
      words >> c.report;
      for (std::string k, v; words >> k >> v;) c.params[k.substr(2)] = v;
      if (!c.report.empty()) cases.push_back(std::move(c));
    }
  }
  for (const Case& c : cases) {
    if (!only.empty() && c.report != only) continue;
    std::vector<double> ms;
    size_t rows = 0;
    for (int i = 0; i < repeat; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto t = ws::RunReport(c.report, c.params, ctx);
      ms.push_back(Ms(std::chrono::steady_clock::now() - t0));
      if (!t.ok()) {
        std::fprintf(stderr, "%s: %s\n", c.report.c_str(), t.status().message().c_str());
        return 1;
      }
      rows = t->rows.size();
    }
    std::sort(ms.begin(), ms.end());
    std::string label = c.report;
    for (const auto& [k, v] : c.params) {
      if (k != "content" && k != "user" && k != "title") label += " " + k + "=" + v;
    }
    std::printf("%-44s median %8.1f ms  min %8.1f ms  %zu rows\n", label.c_str(), ms[ms.size() / 2], ms[0],
                rows);
  }
  std::printf("column cache: %.1f MB\n", static_cast<double>(column_cache.bytes()) / 1e6);
  if (!only.empty() || !cases_file.empty()) return 0;
  // Scan rates on one thread.
  ctx.threads = 1;
  for (const auto& [label, report, params] :
       std::vector<std::tuple<const char*, const char*, ws::ReportParams>>{
           {"group-by (devices: count, sum, avg by device)", "devices", {}},
           {"exact distinct (trends: viewers and titles per day)", "trends", {}}}) {
    std::vector<double> ms;
    for (int i = 0; i < repeat; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto t = ws::RunReport(report, params, ctx);
      ms.push_back(Ms(std::chrono::steady_clock::now() - t0));
      if (!t.ok()) return 1;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-52s one thread: %7.1f ms = %6.1f M rows/s\n", label, ms[ms.size() / 2],
                static_cast<double>(sessions) / (ms[ms.size() / 2] * 1000.0));
  }
  return 0;
}
