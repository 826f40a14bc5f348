// End-to-end ingest benchmark (issue 2): generates >= 10 million events with
// the built-in generator (random UUID event ids), then measures ingest
// (read, parse, validate, sessionize, store) on one thread:
//   - events per second, wall clock and per CPU second,
//   - bytes on disk per stored event,
//   - memory per open session (accounted bytes at the commit with the most
//     open sessions).
// Usage: ingest_bench [--users N] [--titles N] [--days N] [--seed S]
//                     [--work DIR] [--batch-events N]
// The generated input is kept under DIR/input and reused by later runs with
// the same options.
// Not a test: it asserts nothing and prints figures for docs/performance.md.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "gen/generator.h"
#include "session/data_store.h"
#include "session/ingest_files.h"
#include "session/ingestor.h"

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double PeakRssMiB() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

int Die(const ws::Status& s) {
  std::fprintf(stderr, "ingest_bench: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  ws::GeneratorOptions gen;
  gen.users = 9000;
  gen.titles = 600;
  gen.days = 30;
  std::string work = "/tmp/watchstats-bench";
  size_t batch_events = 0;
  bool background_compaction = true;
  int parse_threads = 0;
  int encode_threads = -1;  // -1: two with parse threads, else one
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--users")
      gen.users = std::atoi(next().c_str());
    else if (a == "--titles")
      gen.titles = std::atoi(next().c_str());
    else if (a == "--days")
      gen.days = std::atoi(next().c_str());
    else if (a == "--seed")
      gen.seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--work")
      work = next();
    else if (a == "--batch-events")
      batch_events = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--no-compaction")
      background_compaction = false;
    else if (a == "--parse-threads")
      parse_threads = std::atoi(next().c_str());
    else if (a == "--encode-threads")
      encode_threads = std::atoi(next().c_str());
    else {
      std::fprintf(stderr,
                   "usage: ingest_bench [--users N] [--titles N] [--days N] [--seed S] [--work DIR] "
                   "[--batch-events N] [--no-compaction] [--parse-threads N] [--encode-threads N]\n");
      return 2;
    }
  }
  gen.out_dir = work + "/input";
  std::string store_dir = work + "/store";
  std::string marker = gen.out_dir + "/.options";
  std::string options_text = std::to_string(gen.users) + " " + std::to_string(gen.titles) + " " +
                             std::to_string(gen.days) + " " + std::to_string(gen.seed);
  bool have_input = false;
  if (FILE* f = std::fopen(marker.c_str(), "r")) {
    char buf[256] = {};
    have_input = std::fgets(buf, sizeof buf, f) != nullptr && options_text == buf;
    std::fclose(f);
  }
  if (!have_input) {
    fs::remove_all(gen.out_dir);
    auto t0 = std::chrono::steady_clock::now();
    auto g = ws::Generate(gen);
    if (!g.ok()) return Die(g.status());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("generated %llu events (%llu sessions) in %.1f s\n",
                static_cast<unsigned long long>(g->events), static_cast<unsigned long long>(g->sessions),
                secs);
    if (FILE* f = std::fopen(marker.c_str(), "w")) {
      std::fputs(options_text.c_str(), f);
      std::fclose(f);
    }
  }
  std::vector<std::string> files;
  uint64_t input_bytes = 0;
  for (const auto& e : fs::directory_iterator(gen.out_dir + "/events")) {
    files.push_back(e.path().string());
    input_bytes += e.file_size();
  }
  std::sort(files.begin(), files.end());

  fs::remove_all(store_dir);
  auto catalog = ws::Catalog::Open(store_dir);
  if (!catalog.ok()) return Die(catalog.status());
  auto loaded = (*catalog)->Load({gen.out_dir + "/catalog.json", gen.out_dir + "/users.csv"});
  if (!loaded.ok()) return Die(loaded.status());
  ws::DataStoreOptions so;
  so.background_compaction = background_compaction;
  auto store = ws::DataStore::Open(store_dir, so);
  if (!store.ok()) return Die(store.status());
  ws::Ingestor::Options io;
  if (batch_events > 0) io.batch_events = batch_events;
  io.encode_threads = static_cast<size_t>(encode_threads > 0 ? encode_threads : (parse_threads > 0 ? 2 : 1));
  auto ingestor = ws::Ingestor::Create(store->get(), catalog->get(), io);
  if (!ingestor.ok()) return Die(ingestor.status());

  ws::IngestFilesOptions opts;
  opts.close_all = true;
  opts.parse_threads = parse_threads;
  opts.now = ws::EpochMillis{std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count()};
  double cpu0 = CpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  ws::Status st = ws::IngestFiles(ingestor->get(), files, opts);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = CpuSeconds() - cpu0;
  if (!st.ok()) return Die(st);

  const ws::IngestStats& s = (*ingestor)->stats();
  auto usage = (*store)->snapshot()->DiskUsage();
  double per_event = static_cast<double>(usage["events"]) / static_cast<double>(s.stored);
  double all_per_event = 0;
  for (const auto& [kind, bytes] : usage) all_per_event += static_cast<double>(bytes);
  all_per_event /= static_cast<double>(s.stored);
  std::printf("input: %zu files, %.1f MiB NDJSON, %llu events received\n", files.size(),
              static_cast<double>(input_bytes) / (1 << 20), static_cast<unsigned long long>(s.received));
  std::printf(
      "ingest: %.2f s wall, %.2f s CPU (%d parse thread%s beside the sessionizer, %zu encode thread%s)\n",
      wall, cpu, parse_threads, parse_threads == 1 ? "" : "s", io.encode_threads,
      io.encode_threads == 1 ? "" : "s");
  std::printf("  %.0f events/s (wall), %.0f events/s per CPU second\n",
              static_cast<double>(s.received) / wall, static_cast<double>(s.received) / cpu);
  std::printf("  stored %llu, duplicate %llu, rejected %llu; %llu commits; %llu sessions recomputed\n",
              static_cast<unsigned long long>(s.stored), static_cast<unsigned long long>(s.duplicates),
              static_cast<unsigned long long>(s.rejected), static_cast<unsigned long long>(s.commits),
              static_cast<unsigned long long>(s.sessions_recomputed));
  std::printf(
      "disk: events %.1f MiB = %.2f bytes/stored event; sessions %.1f MiB; all files %.2f bytes/event\n",
      static_cast<double>(usage["events"]) / (1 << 20), per_event,
      static_cast<double>(usage["sessions"]) / (1 << 20), all_per_event);
  if (s.measured_open_sessions > 0) {
    double per = static_cast<double>(s.measured_open_bytes) / static_cast<double>(s.measured_open_sessions);
    std::printf("open sessions: %zu at the fullest commit; %.0f bytes each (state, session id, index)\n",
                s.measured_open_sessions, per);
    std::printf("  event-id filter: %.2f MiB for %zu ids (%.2f bytes/id, %.0f bytes per open session)\n",
                static_cast<double>(s.measured_filter_bytes) / (1 << 20), s.measured_filter_ids,
                s.measured_filter_ids ? static_cast<double>(s.measured_filter_bytes) /
                                            static_cast<double>(s.measured_filter_ids)
                                      : 0.0,
                static_cast<double>(s.measured_filter_bytes) / static_cast<double>(s.measured_open_sessions));
    std::printf("  interned strings shared by all sessions (users, content, devices...): %.2f MiB\n",
                static_cast<double>(s.measured_interner_bytes) / (1 << 20));
  }
  std::printf("peak RSS %.0f MiB (includes the batch of up to %zu events in flight)\n", PeakRssMiB(),
              io.batch_events);
  return 0;
}
