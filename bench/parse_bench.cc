// Parse-speed benchmark for EventParser (target: >= 2 M events/s on one core
// for typical ~250-byte NDJSON events).
//
// Usage:
//   parse_bench            synthetic events, NDJSON and JSON array, in memory
//   parse_bench FILE...    events files read through InputReader (plain/.gz)
//
// Prints events/s and MB/s of the best of several repetitions (in-memory) or
// of one pass (files), measured in thread CPU time so that other processes on
// a busy machine distort it less. A plain main(), no Google Benchmark
// dependency.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "event/input.h"
#include "event/parser.h"

namespace {

constexpr int kSyntheticEvents = 1000000;
constexpr int kRepetitions = 5;
constexpr ws::EpochMillis kNow{1790899200000};  // 2026-10-02T00:00:00Z
constexpr int kEventsPerSession = 60;
constexpr int kUsers = 50000;
constexpr int kContents = 3000;

// CPU time of the calling thread, in seconds.
double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

class CountingSink : public ws::EventSink {
 public:
  void OnEvent(const ws::Event& e, std::string_view, int64_t) override {
    ++events;
    bytes += e.session_id.size();
  }
  void OnReject(ws::Rejection) override { ++rejects; }
  void OnWarning(ws::WarningReason, int64_t) override { ++warnings; }
  int64_t events = 0;
  int64_t rejects = 0;
  int64_t warnings = 0;
  size_t bytes = 0;
};

// One realistic event line (about 250 bytes).
std::string MakeEvent(int i) {
  static const char* const kTypes[] = {"heartbeat", "heartbeat", "heartbeat",      "heartbeat", "pause",
                                       "resume",    "seek",      "quality_change", "start",     "stop"};
  static const char* const kDevices[] = {"tv", "mobile", "tablet", "desktop", "web"};
  static const char* const kZones[] = {"Asia/Seoul", "America/New_York", "Europe/Berlin", "UTC"};
  const int session = i / kEventsPerSession;
  char buf[512];
  const int n = std::snprintf(
      buf, sizeof(buf),
      R"({"event_id":"ev-%08d-%04d","session_id":"sess-%08d","user_id":"user-%06d","content_id":"m-%05d",)"
      R"("type":"%s","ts":"2026-10-01T%02d:%02d:%02d.%03dZ","position":%d.%03d,"quality":"1080p",)"
      R"("device_type":"%s","platform":"tizen","app_version":"5.12.3","country":"KR","tz":"%s"})",
      session, i % kEventsPerSession, session, session % kUsers, session % kContents, kTypes[i % 10],
      (i / 3600) % 24, (i / 60) % 60, i % 60, i % 1000, (i % kEventsPerSession) * 30, i % 1000,
      kDevices[session % 5], kZones[session % 4]);
  return std::string(buf, static_cast<size_t>(n));
}

void Report(const char* what, int64_t events, size_t bytes, double secs) {
  std::printf("%-28s %9lld events %7.1f MB  %.3f s  %6.2f M events/s  %6.0f MB/s\n", what,
              static_cast<long long>(events), static_cast<double>(bytes) / 1e6, secs,
              static_cast<double>(events) / secs / 1e6, static_cast<double>(bytes) / secs / 1e6);
}

// Parses `data` kRepetitions times with one parser; reports the best pass.
void BenchInMemory(const char* what, const std::string& data, int64_t expected) {
  ws::EventParser parser(ws::ParserOptions{kNow});
  double best = 1e30;
  for (int rep = 0; rep < kRepetitions; ++rep) {
    CountingSink sink;
    const double start = ThreadSeconds();
    ws::Status st = parser.Parse(data, "bench", 1, &sink);
    const double secs = ThreadSeconds() - start;
    parser.ClearArena();
    if (!st.ok() || sink.events != expected || sink.rejects != 0) {
      std::fprintf(stderr, "%s: unexpected result (%s, %lld events, %lld rejects)\n", what,
                   st.ToString().c_str(), static_cast<long long>(sink.events),
                   static_cast<long long>(sink.rejects));
      return;
    }
    best = std::min(best, secs);
  }
  Report(what, expected, data.size(), best);
}

int BenchFile(const std::string& path) {
  auto reader = ws::InputReader::Open(path);
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.status().message().c_str());
    return 1;
  }
  ws::EventParser parser(ws::ParserOptions{kNow});
  CountingSink sink;
  std::string chunk;
  int64_t first_line = 0;
  size_t bytes = 0;
  double parse_secs = 0;
  const double start = ThreadSeconds();
  ws::EventParser::Position position = ws::EventParser::Position::kStart;
  while ((*reader)->Next(&chunk, &first_line)) {
    const double p0 = ThreadSeconds();
    ws::Status st = parser.Parse(chunk, path, first_line, &sink, position);
    parse_secs += ThreadSeconds() - p0;
    position = ws::EventParser::Position::kContinuation;
    parser.ClearArena();
    bytes += chunk.size();
    if (!st.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), st.message().c_str());
      return 1;
    }
  }
  const double total = ThreadSeconds() - start;
  if (!(*reader)->status().ok()) {
    std::fprintf(stderr, "%s\n", (*reader)->status().message().c_str());
    return 1;
  }
  std::printf("%s: %lld events, %lld rejects, %lld warnings\n", path.c_str(),
              static_cast<long long>(sink.events), static_cast<long long>(sink.rejects),
              static_cast<long long>(sink.warnings));
  Report("  parse only", sink.events + sink.rejects, bytes, parse_secs);
  Report("  read + parse", sink.events + sink.rejects, bytes, total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    int rc = 0;
    for (int i = 1; i < argc; ++i) rc |= BenchFile(argv[i]);
    return rc;
  }
  std::string ndjson;
  std::string array = "[";
  for (int i = 0; i < kSyntheticEvents; ++i) {
    std::string e = MakeEvent(i);
    ndjson += e;
    ndjson += '\n';
    if (i > 0) array += ",\n";
    array += e;
  }
  array += "]\n";
  std::printf("synthetic events: %.0f bytes each on average\n",
              static_cast<double>(ndjson.size()) / kSyntheticEvents);
  BenchInMemory("NDJSON (in memory)", ndjson, kSyntheticEvents);
  BenchInMemory("JSON array (in memory)", array, kSyntheticEvents);
  return 0;
}
