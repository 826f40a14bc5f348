// The definitions of the SPEC 4 reports, in the language of query/plan.h
// (docs/reports.md explains each one). The report layer (query/reports.h)
// validates parameters and calls these builders with the values resolved.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/plan.h"
#include "util/status.h"

namespace ws::query {

// A report's own parameters, validated and with their defaults.
struct ReportArgs {
  int64_t limit = 0;  // 0: no limit
  std::string sort;   // popular: sessions, viewers or watch_hours
  std::vector<Dim> by;
  int64_t min_viewers = 0;
  std::string user;
  std::string content;
  int64_t global_top = 0;
  int64_t local_top = 0;
  int64_t interval_ms = 0;  // concurrency: minute, hour or day
};

// How a report's default date range is chosen when from/to are absent.
enum class DefaultRange : uint8_t {
  kLast30Days,  // SPEC 4: the last 30 days of data
  kAllData,     // every day with sessions (lifecycle: before and after an end date)
};

struct ReportSpec {
  std::string name;
  std::vector<std::string> params;    // its own parameters, beyond the common ones
  std::vector<std::string> required;  // parameters it cannot run without
  bool comparable = false;            // takes compare=previous
  bool needs_users = false;           // reads user profiles (lookups with users)
  DefaultRange range = DefaultRange::kLast30Days;
  ReportDef (*build)(const ReportArgs& args) = nullptr;
};

// Every report, in the order help lists them.
const std::vector<ReportSpec>& ReportSpecs();

// The dimensions `breakdown` and `daypart` take in `by`, by name.
const std::vector<std::pair<std::string, Dim>>& BreakdownDims();

}  // namespace ws::query
