// What an ingest did (the ingest summary and the benchmarks read it).
//
// Thread safety: a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace ws {

struct IngestStats {
  uint64_t received = 0;    // events offered (accepted + duplicate + rejected)
  uint64_t stored = 0;      // new events stored
  uint64_t duplicates = 0;  // events already known (SPEC 2.1)
  uint64_t rejected = 0;
  uint64_t warnings = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  std::map<std::string, uint64_t> warnings_by_reason;
  uint64_t sessions_closed = 0;
  std::map<std::string, uint64_t> closed_by_status;  // the closings by the status they closed with
  uint64_t sessions_recomputed = 0;                  // slow-path recomputations
  uint64_t commits = 0;
  size_t open_sessions = 0;
  size_t peak_open_sessions = 0;
  // Memory for open sessions, measured at each commit before closing (when
  // the most sessions are open): at the commit with the most open sessions.
  size_t measured_open_sessions = 0;
  size_t measured_open_bytes = 0;      // OpenSessions::bytes()
  size_t measured_filter_bytes = 0;    // the SeenFilter of event ids
  size_t measured_filter_ids = 0;      // event ids it holds
  size_t measured_interner_bytes = 0;  // shared interned strings (users, content, devices...)
};

}  // namespace ws
