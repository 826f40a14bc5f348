// Events file benchmark (the store's size target: <= 32 bytes per stored
// event on realistic data). Generates the realistic synthetic events of the
// store's tests (event/synthetic_events.h: random UUID ids, 50-200 events
// per session), then, for the events in arrival order (interleaved by time)
// and grouped by session (as the Ingestor hands them over), measures:
//   - bytes per stored event of one events file holding all of them,
//   - the row ordering (EventFileOrder), encoding, and decoding (through a
//     store in memory), in M events/s.
//
// Usage: segment_bench [SESSIONS]     (default 8000 sessions, ~1M events)
//
// Each figure is the best of several repetitions, in thread CPU time so that
// other processes on a busy machine distort it less. Not a test: it asserts
// nothing and prints figures for docs/performance.md (exits non-zero only if
// the codec itself fails).

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "event/event_table.h"
#include "event/synthetic_events.h"
#include "util/arena.h"
#include "util/mem_env.h"

namespace {

constexpr size_t kDefaultSessions = 8000;  // ~1M events
constexpr uint64_t kSeed = 42;
constexpr int kRepetitions = 5;
constexpr double kMillion = 1e6;

// CPU time of the calling thread, in seconds.
double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Report(const char* what, size_t events, double secs) {
  std::printf("  %-20s %.3f s  %6.2f M events/s\n", what, secs,
              static_cast<double>(events) / secs / kMillion);
}

// Orders, encodes and decodes `events` kRepetitions times; prints the size
// of the image and the best time of each step. Returns false if the codec
// fails.
bool BenchInput(const char* what, const std::vector<ws::Event>& events) {
  std::vector<const ws::Event*> refs;
  for (const ws::Event& e : events) refs.push_back(&e);
  const ws::DayNumber day = ws::DayOf(events.front().ts);
  double best_order = 1e30;
  double best_encode = 1e30;
  double best_decode = 1e30;
  size_t image_bytes = 0;
  for (int rep = 0; rep < kRepetitions; ++rep) {
    const double t0 = ThreadSeconds();
    const std::vector<uint32_t> order = ws::EventFileOrder(refs);
    const double t1 = ThreadSeconds();
    ws::Result<ws::store::NewFile> file = ws::EncodeEvents(ws::EventsTableDef(), refs, day, order);
    const double t2 = ThreadSeconds();
    if (!file.ok()) {
      std::fprintf(stderr, "segment_bench: encode failed: %s\n", file.status().ToString().c_str());
      return false;
    }
    image_bytes = file->image.size();
    ws::MemEnv env;
    ws::store::StoreOptions o;
    o.env = &env;
    o.tables = {ws::EventsTableDef()};
    auto store = ws::store::Store::Open("/bench", o);
    ws::store::CommitRequest req;
    req.files.push_back(std::move(*file));
    if (!store.ok() || !(*store)->Commit(std::move(req)).ok()) {
      std::fprintf(stderr, "segment_bench: cannot store the file\n");
      return false;
    }
    std::shared_ptr<const ws::store::Snapshot> snap = (*store)->snapshot();
    size_t decoded = 0;
    const double t3a = ThreadSeconds();
    ws::Status st = ws::ReadEvents(*snap, day, [&](const ws::EventBlock& b) {
      decoded += b.events.size();
      return ws::Status::Ok();
    });
    const double t3 = ThreadSeconds() - (t3a - t2);
    if (!st.ok() || decoded != events.size()) {
      std::fprintf(stderr, "segment_bench: decode failed (%s, %zu of %zu events)\n", st.ToString().c_str(),
                   decoded, events.size());
      return false;
    }
    best_order = std::min(best_order, t1 - t0);
    best_encode = std::min(best_encode, t2 - t1);
    best_decode = std::min(best_decode, t3 - t2);
  }
  const size_t n = events.size();
  std::printf("%s: one events file of %zu bytes = %.2f bytes/event\n", what, image_bytes,
              static_cast<double>(image_bytes) / static_cast<double>(n));
  Report("order rows", n, best_order);
  Report("encode", n, best_encode);
  Report("order + encode", n, best_order + best_encode);
  Report("decode", n, best_decode);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t sessions = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : kDefaultSessions;
  ws::StringArena arena;
  // Grouped by session (each session's events contiguous, in time order),
  // as the Ingestor hands events to the store.
  std::vector<ws::Event> grouped = ws::synthetic::MakeRealisticEvents(sessions, kSeed, &arena);
  // Arrival order: the sessions' events interleaved by time (the worst case
  // for EventSegmentOrder, which then sorts one run per event).
  std::vector<ws::Event> arrival = grouped;
  std::stable_sort(arrival.begin(), arrival.end(),
                   [](const ws::Event& a, const ws::Event& b) { return a.ts < b.ts; });
  std::printf("%zu sessions, %zu events\n", sessions, grouped.size());
  if (!BenchInput("arrival order (by time)", arrival)) return 1;
  if (!BenchInput("grouped by session", grouped)) return 1;
  return 0;
}
