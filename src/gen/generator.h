// Synthetic data generator (`watchstats generate`, SPEC 5.1): a content
// catalog, users and playback events that look like a real streaming service
// (evening peaks in local time, binges, pauses, seeks, buffering, quality
// changes, bounces and abandons), plus the noise real pipelines see
// (duplicates, late events, malformed lines).
//
// Output is a pure function of the options: the same options give
// byte-identical files on every run and machine.
// Thread safety: Generate may run concurrently for different out_dirs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "util/status.h"

namespace ws {

struct GeneratorOptions {
  std::string out_dir;
  int users = 2000;  // > 0
  int titles = 200;  // > 0
  int days = 30;     // > 0
  uint64_t seed = 42;
  std::string start_date = "2026-10-01";  // UTC date of the first day ("YYYY-MM-DD")
  // Probabilities in [0, 1] per event.
  double duplicate_rate = 0.01;    // an extra exact copy is sent
  double late_rate = 0.002;        // written into a later day's file (1-2 days late)
  double malformed_rate = 0.0005;  // replaced by a line the engine must reject
};

// What was written. `events` counts every line of the event files, including
// duplicate copies, late events and malformed lines; `duplicates` counts the
// extra copies; `sessions` counts sessions with at least one line written.
struct GeneratorStats {
  uint64_t events = 0, sessions = 0, users = 0, titles = 0, episodes = 0, malformed = 0, duplicates = 0,
           late = 0;
  uint64_t bytes = 0;  // total bytes of all files written
};

// Writes out_dir/catalog.json, out_dir/catalog-2.json (a later snapshot in
// which a few in-production series have ended during the period and a couple
// of titles gained a genre), out_dir/users.csv, and
// out_dir/events/events-YYYY-MM-DD.ndjson, one file per UTC day holding the
// events whose ts falls on that day (late events: the day they arrived) in
// roughly arrival order. Creates out_dir if needed; existing files of the
// same names are replaced.
// `progress`, when set, is called after each day file is written with the
// number of day files written so far and `days`.
// Errors: InvalidArgument for bad options; IOError naming the path when a
// directory or file cannot be created or written.
Result<GeneratorStats> Generate(const GeneratorOptions& options,
                                const std::function<void(int day, int days)>& progress = {});

}  // namespace ws
