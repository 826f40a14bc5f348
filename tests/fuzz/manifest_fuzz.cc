// libFuzzer target: DecodeManifest must take any bytes without crashing.
// The input is a manifest whose trailing checksum is recomputed
// (RepairManifestChecksumForTesting) so that mutated bytes reach the
// decoder. The application state a manifest carries is decoded too, as the
// ingest engine does (DecodeIngestState).
//
// Invariants (a broken one prints what broke and traps):
//   * a failure is kCorruption;
//   * a decoded manifest re-encodes (EncodeManifest) and decodes back to the
//     same value, and keeps what the decoder promises: every file number
//     below next_file_number, every file's seq at most last_seq.
//
// Build, seed and run: see table_file_fuzz.cc (target manifest_fuzz, corpus
// build-fuzz/corpus/manifest_fuzz).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "session/ingest_state.h"
#include "store/manifest.h"

namespace {

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "manifest_fuzz: invariant broken: %s\n", what);
  __builtin_trap();
}

bool SameTables(const ws::store::Manifest& a, const ws::store::Manifest& b) {
  if (a.tables.size() != b.tables.size()) return false;
  for (size_t t = 0; t < a.tables.size(); ++t) {
    const ws::store::ManifestTable& x = a.tables[t];
    const ws::store::ManifestTable& y = b.tables[t];
    if (x.name != y.name || x.mode != y.mode || x.partitions != y.partitions || x.files != y.files)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  ws::store::RepairManifestChecksumForTesting(&bytes);
  ws::Result<ws::store::Manifest> m = ws::store::DecodeManifest(bytes);
  if (!m.ok()) {
    Check(m.status().code() == ws::StatusCode::kCorruption, "DecodeManifest fails with kCorruption only");
    return 0;
  }
  for (const ws::store::ManifestTable& t : m->tables) {
    for (const ws::store::FileMeta& f : t.files) {
      Check(f.number < m->next_file_number, "file numbers lie below the counter");
      Check(f.seq <= m->last_seq, "files are no newer than the last commit");
    }
  }
  ws::Result<ws::store::Manifest> again = ws::store::DecodeManifest(ws::store::EncodeManifest(*m));
  Check(again.ok(), "a decoded manifest re-encodes to one that decodes");
  Check(again->number == m->number && again->next_file_number == m->next_file_number &&
            again->last_seq == m->last_seq && again->log_covered_seq == m->log_covered_seq &&
            again->app_state == m->app_state && SameTables(*again, *m),
        "a decoded manifest round-trips");

  ws::Result<ws::IngestState> state = ws::DecodeIngestState(m->app_state);
  Check(state.ok() || state.status().code() == ws::StatusCode::kCorruption,
        "DecodeIngestState fails with kCorruption only");
  return 0;
}
