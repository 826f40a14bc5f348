// libFuzzer target: RecoverWal must take any log file without crashing.
// The first input byte holds flags (store/fuzz_inputs.h); the rest is log
// file 000001.wsl of a MemEnv store directory, its checksums recomputed
// (RepairWalChecksumsForTesting) so that mutated bytes reach the record
// parser and the zstd payloads. With kWalNotNewest an empty log 000002
// follows (made by WalWriter::Open), so that damage in the first file is
// corruption rather than a torn tail.
//
// Invariants (a broken one prints what broke and traps):
//   * a failure is kCorruption;
//   * records are delivered in strictly increasing sequence order, and the
//     report counts them and names the last sequence;
//   * recovery is idempotent: a second RecoverWal, after the first cut any
//     torn tail, succeeds, cuts nothing and delivers the same records (with
//     kWalSkipFirst, all but the first, which it counts as skipped).
//
// Build, seed and run: see tests/fuzz/table_file_fuzz.cc (target wal_fuzz, corpus
// build-fuzz/corpus/wal_fuzz).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/fuzz_inputs.h"
#include "store/wal.h"
#include "util/mem_env.h"

namespace {

constexpr std::string_view kDir = "/db";
constexpr std::string_view kFirstLog = "000001.wsl";

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "wal_fuzz: invariant broken: %s\n", what);
  __builtin_trap();
}

using Records = std::vector<std::pair<uint64_t, std::string>>;

ws::Result<ws::store::WalRecoveryReport> Recover(ws::MemEnv* env, uint64_t after, Records* out) {
  return ws::store::RecoverWal(env, std::string(kDir), after, [&](uint64_t seq, std::string_view payload) {
    Check(out->empty() || seq > out->back().first, "records come in increasing sequence order");
    Check(seq > after, "only records after the covered sequence are replayed");
    out->emplace_back(seq, std::string(payload));
    return ws::Status::Ok();
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string log(reinterpret_cast<const char*>(data) + 1, size - 1);
  ws::store::RepairWalChecksumsForTesting(&log);

  ws::MemEnv env;
  const std::string wal_dir = ws::JoinPath(kDir, ws::store::kWalDir);
  Check(env.MakeDirs(wal_dir).ok(), "MemEnv makes directories");
  Check(env.WriteFileSynced(ws::JoinPath(wal_dir, kFirstLog), log).ok(), "MemEnv writes the log");
  if ((flags & ws::fuzz::kWalNotNewest) != 0) {
    // A writer of a later process: it starts log 000002 after the fuzzed one.
    auto writer = ws::store::WalWriter::Open(&env, std::string(kDir), ws::store::WalRecoveryReport{}, 1);
    Check(writer.ok(), "WalWriter::Open starts a newer log");
  }

  Records first;
  auto r1 = Recover(&env, 0, &first);
  if (!r1.ok()) {
    Check(r1.status().code() == ws::StatusCode::kCorruption, "RecoverWal fails with kCorruption only");
    return 0;
  }
  Check(r1->records == first.size() && r1->skipped == 0, "the report counts the records replayed");
  Check(r1->last_seq == (first.empty() ? 0 : first.back().first), "the report names the last sequence");

  const bool skip = (flags & ws::fuzz::kWalSkipFirst) != 0 && !first.empty();
  const uint64_t after = skip ? first.front().first : 0;
  Records second;
  auto r2 = Recover(&env, after, &second);
  Check(r2.ok(), "recovery succeeds again once the torn tail is cut");
  Check(r2->torn_bytes == 0 && r2->torn_file.empty(), "a second recovery finds no torn tail");
  Check(r2->skipped == (skip ? 1u : 0u), "a second recovery skips exactly the covered records");
  Check(Records(first.begin() + (skip ? 1 : 0), first.end()) == second,
        "a second recovery replays the same records");
  Check(r2->last_seq == r1->last_seq, "a second recovery names the same last sequence");
  return 0;
}
