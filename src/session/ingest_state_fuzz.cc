// libFuzzer target: DecodeIngestState (the ingest engine's state in the
// manifest, which has no checksum of its own: the manifest's covers it) must
// take any bytes without crashing.
//
// Invariants (a broken one prints what broke and traps):
//   * a failure is kCorruption; the empty text is the state of a new store;
//   * a decoded state re-encodes (EncodeIngestState) and decodes back to the
//     same value, and that encoding is a fixed point.
//
// Build, seed and run: see tests/fuzz/table_file_fuzz.cc (target
// ingest_state_fuzz, corpus build-fuzz/corpus/ingest_state_fuzz).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "session/ingest_state.h"

namespace {

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "ingest_state_fuzz: invariant broken: %s\n", what);
  __builtin_trap();
}

bool Same(const ws::IngestState& a, const ws::IngestState& b) {
  return a.watermark.has_value() == b.watermark.has_value() &&
         (!a.watermark || a.watermark->v == b.watermark->v) && a.events_accepted == b.events_accepted &&
         a.events_duplicate == b.events_duplicate && a.rejected_by_reason == b.rejected_by_reason &&
         a.warnings_by_reason == b.warnings_by_reason && a.upgraded_from_v1 == b.upgraded_from_v1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ws::Result<ws::IngestState> st = ws::DecodeIngestState(bytes);
  if (!st.ok()) {
    Check(st.status().code() == ws::StatusCode::kCorruption, "DecodeIngestState fails with kCorruption only");
    return 0;
  }
  if (bytes.empty()) Check(Same(*st, ws::IngestState{}), "the empty text is a new store's state");
  const std::string encoded = ws::EncodeIngestState(*st);
  ws::Result<ws::IngestState> again = ws::DecodeIngestState(encoded);
  Check(again.ok(), "a decoded state re-encodes to one that decodes");
  Check(Same(*again, *st), "a decoded state round-trips");
  Check(ws::EncodeIngestState(*again) == encoded, "the encoding of a decoded state is a fixed point");
  return 0;
}
