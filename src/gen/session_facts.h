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
// Seven patterns are planted on top (PlantedPatterns).
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

// Patterns planted in the sessions for the reports to find (issue 8;
// docs/reports.md, "Planted patterns"), by the ids the catalog gives them.
struct PlantedPatterns {
  // breakdown --by genre --country C: the genre leads in C, not overall.
  std::string local_genre, local_genre_country;
  // daypart --genre G --country C: the genre's audience there is in the evening.
  std::string evening_genre, evening_country;
  // lifecycle --title T: viewing falls after its production end date.
  std::string fading_series;
  DayNumber fading_end;
  // loyalty: a series with few viewers who watch most of it.
  std::string loyal_series;
  // binge: a series watched in sittings of three episodes or more.
  std::string binged_series;
  // regional: outside the global top by hours, first in one country.
  std::string regional_title, regional_country;
  // exclusive: its viewers watch nothing else.
  std::string exclusive_title;
};

// Writes out_dir/catalog.json, out_dir/users.csv and out_dir/planted.json
// (the patterns, as a JSON object of the fields above), then calls
// `day_sink` once per UTC day in order with that day's sessions (keys not
// assigned). Fills *planted when given. Errors: InvalidArgument for bad
// options (fewer than 50 titles cannot hold the patterns), IOError naming a
// file, or what the sink returns.
Status GenerateSessionFacts(const SessionFactsOptions& options,
                            const std::function<Status(DayNumber, std::vector<SessionRecord>&)>& day_sink,
                            PlantedPatterns* planted = nullptr);

}  // namespace ws
