// The ingest engine's state kept in the store's manifest (its opaque
// application state, docs/storage-format.md section 7.2): the watermark and
// the counters that `rejected` and the ingest summary report.
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"
#include "util/time.h"

namespace ws {

struct IngestState {
  std::optional<EpochMillis> watermark;                // highest ts of any accepted event; none yet
  uint64_t events_accepted = 0;                        // events stored (after deduplication)
  uint64_t events_duplicate = 0;                       // duplicates dropped
  std::map<std::string, uint64_t> rejected_by_reason;  // reason code -> count
  std::map<std::string, uint64_t> warnings_by_reason;  // warning code -> count
  bool upgraded_from_v1 = false;                       // the store was converted from format version 1
};

std::string EncodeIngestState(const IngestState& s);
// An empty text is the state of a new store. Failure: kCorruption.
Result<IngestState> DecodeIngestState(std::string_view bytes);

}  // namespace ws
