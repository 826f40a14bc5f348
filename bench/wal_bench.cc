// Group commit of the write-ahead log (issue "Must show" 2): N concurrent
// writer threads, as a server's request handlers would be, each appending
// batches of events through one WalWriter on the real file system (POSIX
// env, fsync on) and waiting for each to be durable before the next.
//
// A batch is realistic: BATCH (default 1,000) events taken from a shared
// pool of realistic synthetic events (event/synthetic_events.h: random UUID
// ids, ~125 events per session) in arrival order (interleaved by time, so a
// batch mixes the events of some hundred sessions), encoded in the writer's
// thread as an events table image (EncodeEvents, the same image the store
// would keep) and appended as one record. Building the pool is not timed;
// encoding is part of each writer's loop (as in a server) and reported apart.
//
// Per writer count (default 4, 16, 64), after a one-second warm-up, for
// SECONDS (default 10) of wall time:
//   - events acknowledged per second (Append returned OK), target >= 1,000,000,
//   - groups written (each one write and one fsync) and records per group,
//   - acknowledgement latency (Append call to return), p50 and p99 (and max),
//   - bytes per event of the payload and of the log files,
//   - mean encode time per batch.
//
// Usage: wal_bench [--writers N[,N...]] [--seconds S] [--batch-events E]
//                  [--order arrival|grouped] [--compress] [--dir DIR]
// By default the log's own zstd pass over each record is off, as in
// LiveIngest (the payloads are compressed table images already); --compress
// turns it on, to show what it would cost.
// DIR (default /tmp/watchstats-wal-bench) is emptied before each writer count
// and removed at the end.
//
// Not a test: it asserts nothing and prints figures; it exits non-zero only
// if the log fails.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "event/event_table.h"
#include "event/synthetic_events.h"
#include "store/wal.h"
#include "util/arena.h"
#include "util/env.h"

namespace {

constexpr const char* kDefaultDir = "/tmp/watchstats-wal-bench";
constexpr int kDefaultWriters[] = {4, 16, 64};
constexpr double kDefaultSeconds = 10.0;
constexpr size_t kDefaultBatchEvents = 1000;
constexpr double kWarmupSeconds = 1.0;
constexpr size_t kPoolSessions = 4000;  // ~500,000 events shared by every writer
constexpr uint64_t kSeed = 7;
constexpr double kP50 = 0.5;
constexpr double kP99 = 0.99;

using Clock = std::chrono::steady_clock;

struct Sample {
  Clock::time_point begin;
  Clock::time_point end;
  double encode_ms = 0;
  uint64_t payload_bytes = 0;
};

struct Outcome {
  double seconds = 0;
  uint64_t batches = 0;
  uint64_t events = 0;
  uint64_t groups = 0;
  uint64_t records = 0;
  uint64_t payload_bytes = 0;
  uint64_t log_bytes = 0;
  uint64_t all_records = 0;  // every record appended, warm-up included (the log holds them all)
  double encode_ms = 0;
  std::vector<double> latency_ms;
};

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

// Runs `writers` threads appending batches for warm-up + `seconds`; fills
// *out with what happened inside the measured window. Returns false (after
// printing why) if the log fails.
bool Run(const std::string& dir, int writers, double seconds, size_t batch, bool compress,
         const std::vector<const ws::Event*>& pool, Outcome* out) {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  ws::Env* env = ws::Env::Default();
  auto recovered =
      ws::store::RecoverWal(env, dir, 0, [](uint64_t, std::string_view) { return ws::Status::Ok(); });
  if (!recovered.ok()) {
    std::fprintf(stderr, "wal_bench: recover: %s\n", recovered.status().ToString().c_str());
    return false;
  }
  ws::store::WalOptions options;
  options.compress = compress;
  auto wal = ws::store::WalWriter::Open(env, dir, *recovered, recovered->last_seq + 1, options);
  if (!wal.ok()) {
    std::fprintf(stderr, "wal_bench: open: %s\n", wal.status().ToString().c_str());
    return false;
  }
  const Clock::time_point start = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(kWarmupSeconds));
  const Clock::time_point stop =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::atomic<bool> failed{false};
  std::mutex error_mu;
  std::string error;
  std::vector<std::vector<Sample>> samples(static_cast<size_t>(writers));
  uint64_t groups_at_start = 0, records_at_start = 0;
  std::atomic<bool> marked{false};
  std::mutex mark_mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      // Each writer starts at its own place in the pool.
      size_t pos = (pool.size() / static_cast<size_t>(writers)) * static_cast<size_t>(t);
      std::vector<const ws::Event*> slice(batch);
      std::vector<Sample>& mine = samples[static_cast<size_t>(t)];
      while (!failed.load(std::memory_order_relaxed)) {
        const Clock::time_point t0 = Clock::now();
        if (t0 >= stop) break;
        if (t0 >= start && !marked.load()) {
          std::lock_guard<std::mutex> l(mark_mu);
          if (!marked.load()) {
            groups_at_start = (*wal)->groups();
            records_at_start = (*wal)->records();
            marked.store(true);
          }
        }
        for (size_t i = 0; i < batch; ++i) slice[i] = pool[(pos + i) % pool.size()];
        pos = (pos + batch) % pool.size();
        ws::Result<ws::store::NewFile> image =
            ws::EncodeEvents(ws::EventsTableDef(), slice, ws::DayOf(slice.front()->ts));
        const Clock::time_point t1 = Clock::now();
        ws::Result<uint64_t> seq =
            image.ok() ? (*wal)->Append(image->image) : ws::Result<uint64_t>(image.status());
        const Clock::time_point t2 = Clock::now();
        if (!seq.ok()) {
          std::lock_guard<std::mutex> l(error_mu);
          error = seq.status().ToString();
          failed.store(true);
          break;
        }
        if (t1 >= start && t2 <= stop) {
          mine.push_back(
              {t1, t2, std::chrono::duration<double, std::milli>(t1 - t0).count(), image->image.size()});
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  if (failed.load()) {
    std::fprintf(stderr, "wal_bench: append: %s\n", error.c_str());
    return false;
  }
  // Groups and records are counted from the first measured append on; the
  // last few groups may end after `stop` (their appends are not counted).
  out->groups = (*wal)->groups() - groups_at_start;
  out->records = (*wal)->records() - records_at_start;
  out->all_records = (*wal)->records();
  out->seconds = seconds;
  for (const std::vector<Sample>& s : samples) {
    for (const Sample& x : s) {
      ++out->batches;
      out->events += batch;
      out->payload_bytes += x.payload_bytes;
      out->encode_ms += x.encode_ms;
      out->latency_ms.push_back(std::chrono::duration<double, std::milli>(x.end - x.begin).count());
    }
  }
  wal->reset();
  out->log_bytes = DirBytes(dir);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured, also in a pipe
  std::string dir = kDefaultDir;
  std::vector<int> writer_counts(std::begin(kDefaultWriters), std::end(kDefaultWriters));
  double seconds = kDefaultSeconds;
  size_t batch = kDefaultBatchEvents;
  bool arrival = true;
  bool compress = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--writers") {
      writer_counts.clear();
      const std::string list = next();
      for (size_t p = 0; p < list.size();) {
        size_t c = list.find(',', p);
        if (c == std::string::npos) c = list.size();
        writer_counts.push_back(std::atoi(list.substr(p, c - p).c_str()));
        p = c + 1;
      }
    } else if (a == "--seconds") {
      seconds = std::atof(next().c_str());
    } else if (a == "--batch-events") {
      batch = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--order") {
      const std::string o = next();
      if (o != "arrival" && o != "grouped") return std::fprintf(stderr, "wal_bench: bad --order\n"), 2;
      arrival = o == "arrival";
    } else if (a == "--compress") {
      compress = true;
    } else if (a == "--dir") {
      dir = next();
    } else {
      std::fprintf(stderr,
                   "usage: wal_bench [--writers N[,N...]] [--seconds S] [--batch-events E] "
                   "[--order arrival|grouped] [--compress] [--dir DIR]\n");
      return 2;
    }
  }
  if (batch == 0 || seconds <= 0 || writer_counts.empty() ||
      std::any_of(writer_counts.begin(), writer_counts.end(), [](int n) { return n <= 0; })) {
    std::fprintf(stderr, "wal_bench: --writers, --seconds and --batch-events must be positive\n");
    return 2;
  }

  ws::StringArena arena;
  std::vector<ws::Event> events = ws::synthetic::MakeRealisticEvents(kPoolSessions, kSeed, &arena);
  if (arrival) {
    std::stable_sort(events.begin(), events.end(),
                     [](const ws::Event& a, const ws::Event& b) { return a.ts < b.ts; });
  }
  std::vector<const ws::Event*> pool;
  pool.reserve(events.size());
  for (const ws::Event& e : events) pool.push_back(&e);
  std::printf(
      "pool: %zu events of %zu sessions (%s); batches of %zu events, encoded in the writer's thread; "
      "log compression %s; %u hardware threads\n",
      pool.size(), kPoolSessions, arrival ? "arrival order" : "grouped by session", batch,
      compress ? "on" : "off", std::thread::hardware_concurrency());
  std::printf("%8s %14s %9s %12s %10s %10s %10s %10s %10s %10s\n", "writers", "events/s", "groups",
              "records/grp", "p50 ms", "p99 ms", "max ms", "image B/ev", "log B/ev", "encode ms");
  for (int writers : writer_counts) {
    Outcome o;
    if (!Run(dir, writers, seconds, batch, compress, pool, &o)) return 1;
    const double max_ms =
        o.latency_ms.empty() ? 0 : *std::max_element(o.latency_ms.begin(), o.latency_ms.end());
    const double p50 = Percentile(o.latency_ms, kP50);
    const double p99 = Percentile(o.latency_ms, kP99);
    const double logged_events = static_cast<double>(o.all_records) * static_cast<double>(batch);
    std::printf("%8d %14.0f %9llu %12.2f %10.2f %10.2f %10.1f %10.2f %10.2f %10.3f\n", writers,
                static_cast<double>(o.events) / o.seconds, static_cast<unsigned long long>(o.groups),
                o.groups ? static_cast<double>(o.records) / static_cast<double>(o.groups) : 0.0, p50, p99,
                max_ms, o.events ? static_cast<double>(o.payload_bytes) / static_cast<double>(o.events) : 0.0,
                logged_events > 0 ? static_cast<double>(o.log_bytes) / logged_events : 0.0,
                o.batches ? o.encode_ms / static_cast<double>(o.batches) : 0.0);
    std::fflush(stdout);
  }
  std::printf(
      "events/s: events acknowledged per second in the measured window (target >= 1,000,000); a group "
      "is one write + one fsync; latency: Append call to return; image B/ev: the record's payload (an "
      "events table image); log B/ev: log file bytes per event (after the log's own compression); "
      "encode ms: EncodeEvents per batch in the writer's thread (not in the latency)\n");
  std::filesystem::remove_all(dir);
  return 0;
}
