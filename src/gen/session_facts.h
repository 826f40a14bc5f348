// Session facts without events, for benchmarks at scale (issue 8: 5,000,000
// sessions in minutes rather than a month of 750 M events).
//
// The same world as Generate (gen/model.h: countries, zones, the catalog,
// the users and their tastes), with sessions drawn directly: viewers by
// their activity, titles by popularity and the viewer's taste, start hours
// from the evening-heavy local profile, one to six consecutive episodes of a
// series in a sitting, and outcomes (bounce, finish, stop early, abandon)
// that set watch time, position and status. Measures are consistent with
// SPEC 2.5 (duration >= watch + pause, completion from the position).
//
// Output is a pure function of the options. Thread safety: none needed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "session/session.h"
#include "util/status.h"

namespace ws {

struct SessionFactsOptions {
  std::string out_dir;  // receives catalog.json and users.csv
  int users = 200000;
  int titles = 2000;
  int days = 30;
  int64_t sessions = 5000000;  // about this many in total, spread over the days
  uint64_t seed = 42;
  std::string start_date = "2026-10-01";
};

// Writes out_dir/catalog.json and out_dir/users.csv, then calls `day_sink`
// once per UTC day in order with that day's sessions (keys not assigned).
// Errors: InvalidArgument for bad options, IOError naming a file, or what
// the sink returns.
Status GenerateSessionFacts(const SessionFactsOptions& options,
                            const std::function<Status(DayNumber, std::vector<SessionRecord>&)>& day_sink);

}  // namespace ws
