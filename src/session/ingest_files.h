// Drives an ingest of event files: read -> parse -> sessionize -> commit.
//
// Used by `watchstats ingest` (and any caller that ingests files). Each
// file is read in chunks; the Ingestor commits whenever its batch is full
// and once at the end, so an acknowledged ingest (OK returned) is durable.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "event/parser.h"
#include "session/ingestor.h"

namespace ws {

struct IngestProgress {
  std::string file;
  uint64_t file_bytes_read = 0;
  uint64_t file_bytes_total = 0;
  uint64_t events = 0;  // events received so far (all files)
};

struct IngestFilesOptions {
  bool close_all = false;
  EpochMillis now;                                      // server clock, for the future-timestamp rule
  size_t max_line_bytes = size_t{1} << 20;              // SPEC 9: longer lines are line_too_long
  std::function<void(const IngestProgress&)> progress;  // may be empty
  // Threads that read and parse chunks while the calling thread sessionizes
  // and commits; 0: everything on the calling thread. The result does not
  // depend on it (chunks are applied in file order).
  int parse_threads = 0;
  // Chunks parsed ahead of the sessionizer, at most (each ~8 MiB of text and
  // its parsed events; enough to keep parsing while a batch commits).
  size_t max_chunks_ahead = 32;
};

// Ingests `files` ("-" is stdin) in order. Stops at the first file that
// cannot be read (what was committed before stays committed). With parse
// threads, chunks of NDJSON are read and parsed ahead (a bounded number in
// flight) and applied in order; their event strings live until the commit
// that covers them.
Status IngestFiles(Ingestor* ingestor, const std::vector<std::string>& files,
                   const IngestFilesOptions& options);

}  // namespace ws
