// Commit cost follows the change (issue "Must show" 1): the time of a store
// commit that touches ONE session, into a day that already holds a large
// compacted base of sessions versus into an empty (new) day of the same
// store, side by side in one run.
//
// Setup, per day size N (default 1,000,000 then 5,000,000): a fresh
// DataStore (events, quarantine and sessions tables) on the real file system
// (POSIX env, every file and directory fsynced, no background compaction) in
// DIR (default /tmp/watchstats-commit-bench). Day D gets N realistic session
// records (bench/synthetic_sessions.h: random UUID ids, keys assigned),
// committed in chunks and compacted into one base with CompactAll().
//
// Measured, alternating the two cases so that machine noise hits both alike
// (REPEAT times each, default 20):
//   big   — a sessions delta of one record (an existing session of day D,
//           three events longer) + an events file of those three events,
//           committed into day D;
//   empty — the same kind of commit for a new session of a new day (a
//           different empty day each repetition, so it is always empty).
// Reported per case: Commit() wall time (median, p90, min, max), the bytes
// the commit wrote (table files and manifest, counted by an Env wrapper) and
// its fsyncs; then the ratio big/empty of the medians and of the p90s
// (target: <= 2x). Encoding the two files is timed apart (it is the same
// for both cases). Also reported, not part of the commit: the first read of
// the committed day afterwards (Snapshot::Partition, which computes which
// rows of the base the delta hides).
//
// Usage: commit_bench [--sessions N[,N...]] [--repeat R] [--dir DIR]
//        commit_bench --make-store DIR [--sessions N]
// --make-store builds a data directory for bench/commit_cli_bench.sh: day
// 2026-10-15 with N (default 1,000,000) compacted sessions, and an ingest
// state whose watermark is the latest session end, so that `watchstats
// ingest` treats it as a store it wrote itself; then exits.
//
// Not a test: it asserts nothing and prints figures; it exits non-zero only
// if a store operation fails.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "event/event_table.h"
#include "session/data_store.h"
#include "session/ingest_state.h"
#include "session/session_table.h"
#include "synthetic_sessions.h"
#include "util/env.h"
#include "util/time.h"

namespace {

constexpr const char* kDefaultDir = "/tmp/watchstats-commit-bench";
constexpr size_t kDefaultSessions[] = {1000000, 5000000};
constexpr size_t kDefaultCliSessions = 1000000;
constexpr int kDefaultRepeat = 20;
constexpr uint64_t kSeed = 20261015;
constexpr const char* kBigDay = "2026-10-15";
constexpr int kEventsPerCommit = 3;  // heartbeat, heartbeat, stop
constexpr int64_t kEventGapMs = 20 * ws::kMillisPerSecond;
constexpr double kPercentile90 = 0.9;
constexpr double kMillisPerSecondF = 1e3;
constexpr double kMiB = 1024.0 * 1024.0;

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double PeakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

int Die(const char* what, const ws::Status& s) {
  std::fprintf(stderr, "commit_bench: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

// ---------------------------------------------------------------- counting

// What an Env wrapper saw: bytes appended to files, file fsyncs, directory
// fsyncs, files created, renames.
struct IoCounts {
  uint64_t bytes = 0;
  uint64_t syncs = 0;
  uint64_t dir_syncs = 0;
  uint64_t creates = 0;
  uint64_t renames = 0;
};

struct AtomicCounts {
  std::atomic<uint64_t> bytes{0}, syncs{0}, dir_syncs{0}, creates{0}, renames{0};
  IoCounts Get() const {
    return {bytes.load(), syncs.load(), dir_syncs.load(), creates.load(), renames.load()};
  }
};

IoCounts operator-(const IoCounts& a, const IoCounts& b) {
  return {a.bytes - b.bytes, a.syncs - b.syncs, a.dir_syncs - b.dir_syncs, a.creates - b.creates,
          a.renames - b.renames};
}

class CountingFile : public ws::WritableFile {
 public:
  CountingFile(std::unique_ptr<ws::WritableFile> f, AtomicCounts* c) : f_(std::move(f)), c_(c) {}
  ws::Status Append(std::string_view data) override {
    c_->bytes += data.size();
    return f_->Append(data);
  }
  ws::Status Sync() override {
    ++c_->syncs;
    return f_->Sync();
  }
  ws::Status Close() override { return f_->Close(); }

 private:
  std::unique_ptr<ws::WritableFile> f_;
  AtomicCounts* c_;
};

// Forwards everything to `base`, counting writes and fsyncs.
class CountingEnv : public ws::Env {
 public:
  explicit CountingEnv(ws::Env* base) : base_(base) {}
  IoCounts counts() const { return c_.Get(); }

  ws::Result<std::unique_ptr<ws::WritableFile>> NewWritableFile(const std::string& path) override {
    ++c_.creates;
    return Wrap(base_->NewWritableFile(path));
  }
  ws::Result<std::unique_ptr<ws::WritableFile>> NewAppendableFile(const std::string& path) override {
    return Wrap(base_->NewAppendableFile(path));
  }
  ws::Result<std::unique_ptr<ws::RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  ws::Status RenameFile(const std::string& from, const std::string& to) override {
    ++c_.renames;
    return base_->RenameFile(from, to);
  }
  ws::Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  ws::Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_->TruncateFile(path, size);
  }
  ws::Status CreateDir(const std::string& path) override { return base_->CreateDir(path); }
  ws::Status RemoveDir(const std::string& path) override { return base_->RemoveDir(path); }
  ws::Status SyncDir(const std::string& path) override {
    ++c_.dir_syncs;
    return base_->SyncDir(path);
  }
  ws::Result<std::vector<ws::DirEntry>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  ws::Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  bool PathExists(const std::string& path) override { return base_->PathExists(path); }
  bool IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  ws::Result<std::unique_ptr<ws::FileLock>> LockFile(const std::string& path,
                                                     std::string_view initial_content) override {
    return base_->LockFile(path, initial_content);
  }
  ws::Result<std::unique_ptr<ws::FileLock>> PinFile(const std::string& path) override {
    return base_->PinFile(path);
  }
  ws::Result<bool> RemoveFileIfUnpinned(const std::string& path) override {
    return base_->RemoveFileIfUnpinned(path);
  }

 private:
  ws::Result<std::unique_ptr<ws::WritableFile>> Wrap(ws::Result<std::unique_ptr<ws::WritableFile>> f) {
    if (!f.ok()) return f.status();
    return std::unique_ptr<ws::WritableFile>(std::make_unique<CountingFile>(std::move(f).value(), &c_));
  }

  ws::Env* base_;
  AtomicCounts c_;
};

// ------------------------------------------------------------------ build

// True when a session made kEventsPerCommit events longer still ends on its
// start day (so that its events file goes to the same day).
bool StaysInDay(const ws::SessionRecord& r) {
  return ws::DayOf(ws::EpochMillis{r.end.v + (kEventsPerCommit + 1) * kEventGapMs}) == r.date_key;
}

struct BuiltDay {
  ws::DayNumber day;
  std::vector<ws::SessionRecord> sample;  // existing sessions to touch, one per repetition
  ws::EpochMillis latest_end;
  double build_seconds = 0;
  double compact_seconds = 0;
  uint64_t base_bytes = 0;
};

// Commits `n` sessions to `day` in chunks, then compacts them into one base.
ws::Status BuildDay(ws::DataStore* ds, ws::DayNumber day, size_t n, size_t sample, BuiltDay* out) {
  out->day = day;
  const auto t0 = Clock::now();
  auto t1 = t0;
  size_t done = 0;
  WS_RETURN_IF_ERROR(
      ws::bench::CommitRealisticDay(ds, day, n, kSeed, [&](const std::vector<ws::SessionRecord>& chunk) {
        for (const ws::SessionRecord& r : chunk) {
          out->latest_end = std::max(out->latest_end, r.end);
          if (out->sample.size() < sample && StaysInDay(r)) out->sample.push_back(r);
        }
        done += chunk.size();
        if (done == n) t1 = Clock::now();  // the rest is CompactAll
      }));
  const auto t2 = Clock::now();
  out->build_seconds = Millis(t1 - t0) / kMillisPerSecondF;
  out->compact_seconds = Millis(t2 - t1) / kMillisPerSecondF;
  for (const ws::store::FileMeta& f : ds->snapshot()->Files(ws::kSessionsTable, day.v))
    out->base_bytes += f.size;
  return ws::Status::Ok();
}

// ----------------------------------------------------------------- commits

// The events of one touched session: heartbeats and a stop after its end.
// Strings point into `r`, which must outlive them.
std::vector<ws::Event> EventsFor(const ws::SessionRecord& r, std::mt19937_64& rng, ws::StringArena* arena) {
  std::vector<ws::Event> out;
  for (int i = 0; i < kEventsPerCommit; ++i) {
    ws::Event e;
    e.event_id = arena->Copy(ws::synthetic::RandomUuid(rng));
    e.session_id = r.session_id;
    e.user_id = r.user_id;
    e.content_id = r.content_id;
    e.device_id = r.device_id;
    e.device_type = r.device_type;
    e.platform = r.platform;
    e.app_version = r.app_version;
    e.tz = r.tz;
    e.type = i + 1 == kEventsPerCommit ? ws::EventType::kStop : ws::EventType::kHeartbeat;
    e.ts.v = r.end.v + (i + 1) * kEventGapMs;
    e.position_ms = r.playback_position_ms + (i + 1) * kEventGapMs;
    e.quality_height = r.max_quality;
    out.push_back(e);
  }
  return out;
}

struct CommitSample {
  double encode_ms = 0;
  double commit_ms = 0;
  double first_read_ms = 0;
  IoCounts io;
};

// Encodes and commits one session record (and its events) into `day`.
ws::Status CommitOne(ws::DataStore* ds, const CountingEnv& env, const ws::SessionRecord& r,
                     std::mt19937_64& rng, CommitSample* out) {
  ws::StringArena arena;
  const auto t0 = Clock::now();
  std::vector<ws::Event> events = EventsFor(r, rng, &arena);
  std::vector<const ws::Event*> event_refs;
  for (const ws::Event& e : events) event_refs.push_back(&e);
  const ws::SessionRecord* one = &r;
  WS_ASSIGN_OR_RETURN(ws::store::NewFile sessions, ws::EncodeSessions({&one, 1}, {}, r.date_key));
  WS_ASSIGN_OR_RETURN(ws::store::NewFile event_file,
                      ws::EncodeEvents(ws::EventsTableDef(), event_refs, ws::DayOf(events.front().ts)));
  ws::store::CommitRequest req;
  req.files.push_back(std::move(sessions));
  req.files.push_back(std::move(event_file));
  const IoCounts before = env.counts();
  const auto t1 = Clock::now();
  WS_RETURN_IF_ERROR(ds->store().Commit(std::move(req)));
  const auto t2 = Clock::now();
  out->io = env.counts() - before;
  WS_ASSIGN_OR_RETURN(auto reader, ds->snapshot()->Partition(ws::kSessionsTable, r.date_key.v));
  const auto t3 = Clock::now();
  (void)reader;
  out->encode_ms = Millis(t1 - t0);
  out->commit_ms = Millis(t2 - t1);
  out->first_read_ms = Millis(t3 - t2);
  return ws::Status::Ok();
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct CaseStats {
  double median = 0, p90 = 0, min = 0, max = 0;
};

CaseStats Summarise(const std::vector<CommitSample>& s, double CommitSample::*field) {
  std::vector<double> v;
  for (const CommitSample& c : s) v.push_back(c.*field);
  return {Percentile(v, 0.5), Percentile(v, kPercentile90), *std::min_element(v.begin(), v.end()),
          *std::max_element(v.begin(), v.end())};
}

void PrintCase(const char* name, const std::vector<CommitSample>& s) {
  const CaseStats c = Summarise(s, &CommitSample::commit_ms);
  const CaseStats e = Summarise(s, &CommitSample::encode_ms);
  const CaseStats r = Summarise(s, &CommitSample::first_read_ms);
  std::vector<double> bytes;
  for (const CommitSample& x : s) bytes.push_back(static_cast<double>(x.io.bytes));
  const IoCounts& io = s.back().io;
  std::printf("  %-6s commit  median %7.2f ms  p90 %7.2f ms  (min %.2f, max %.2f)\n", name, c.median, c.p90,
              c.min, c.max);
  std::printf(
      "         wrote   median %.0f bytes (last: %llu bytes in %llu files, %llu file fsyncs + %llu "
      "directory fsyncs, %llu rename)\n",
      Percentile(bytes, 0.5), static_cast<unsigned long long>(io.bytes),
      static_cast<unsigned long long>(io.creates), static_cast<unsigned long long>(io.syncs),
      static_cast<unsigned long long>(io.dir_syncs), static_cast<unsigned long long>(io.renames));
  std::printf("         encode  median %7.3f ms (both files; not in the commit time)\n", e.median);
  std::printf(
      "         first read of the day afterwards (Snapshot::Partition, not in the commit): median "
      "%.2f ms, p90 %.2f ms\n",
      r.median, r.p90);
}

ws::Result<std::unique_ptr<ws::DataStore>> OpenStore(const std::string& dir, ws::Env* env) {
  ws::DataStoreOptions o;
  o.env = env;
  o.background_compaction = false;
  return ws::DataStore::Open(dir, o);
}

int RunSize(const std::string& dir, size_t sessions, int repeat) {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  CountingEnv env(ws::Env::Default());
  auto ds = OpenStore(dir, &env);
  if (!ds.ok()) return Die("open", ds.status());
  const ws::DayNumber big_day = *ws::ParseDate(kBigDay);
  BuiltDay built;
  ws::Status st = BuildDay(ds->get(), big_day, sessions, static_cast<size_t>(repeat), &built);
  if (!st.ok()) return Die("build the day", st);
  {
    auto reader = (*ds)->snapshot()->Partition(ws::kSessionsTable, big_day.v);
    if (!reader.ok()) return Die("read the day", reader.status());
    std::printf(
        "day %s: %llu live sessions in %zu file(s) (%s), %zu blocks, %.1f MiB (built in %.1f s, compacted "
        "in %.1f s); peak RSS so far %.0f MiB\n",
        kBigDay, static_cast<unsigned long long>((*reader)->live_rows()), (*reader)->files().size(),
        (*reader)->files().size() == 1 && (*reader)->files()[0].base ? "one base" : "NOT one base",
        (*reader)->block_count(), static_cast<double>(built.base_bytes) / kMiB, built.build_seconds,
        built.compact_seconds, PeakRssMiB());
  }
  if (built.sample.empty()) return Die("build the day", ws::Status::Internal("no session to touch"));

  std::mt19937_64 rng(kSeed);
  std::vector<CommitSample> big, empty;
  for (int i = 0; i < repeat; ++i) {
    // The big case: an existing session of the day, three events longer.
    ws::SessionRecord touched = built.sample[static_cast<size_t>(i) % built.sample.size()];
    touched.end.v += kEventsPerCommit * kEventGapMs;
    touched.watch_ms += kEventsPerCommit * kEventGapMs;
    touched.event_count += kEventsPerCommit;
    // The empty case: a new session on a day no commit has touched yet.
    const ws::DayNumber new_day{big_day.v + 1 + i};
    ws::SessionRecord fresh;
    do {
      fresh = ws::bench::MakeRealisticSession(rng, new_day);
    } while (!StaysInDay(fresh));
    fresh.user_id = touched.user_id;  // same dimension values: no new keys in either commit
    fresh.content_id = touched.content_id;
    fresh.device_id = touched.device_id;
    fresh.platform = touched.platform;
    fresh.app_version = touched.app_version;
    fresh.country = touched.country;
    fresh.tz = touched.tz;
    fresh.max_quality = touched.max_quality;
    ws::AssignKeys(&fresh, (*ds)->keys());
    CommitSample a, b;
    // Alternate which case goes first, so that neither always follows the other.
    if (i % 2 == 0) {
      st = CommitOne(ds->get(), env, touched, rng, &a);
      if (st.ok()) st = CommitOne(ds->get(), env, fresh, rng, &b);
    } else {
      st = CommitOne(ds->get(), env, fresh, rng, &b);
      if (st.ok()) st = CommitOne(ds->get(), env, touched, rng, &a);
    }
    if (!st.ok()) return Die("commit", st);
    big.push_back(a);
    empty.push_back(b);
  }
  std::printf("one-session commits, %d of each, alternating (POSIX env, fsync on):\n", repeat);
  PrintCase("big", big);
  PrintCase("empty", empty);
  const CaseStats cb = Summarise(big, &CommitSample::commit_ms);
  const CaseStats ce = Summarise(empty, &CommitSample::commit_ms);
  std::printf("  ratio big/empty: median %.2fx, p90 %.2fx (target <= 2x)\n", cb.median / ce.median,
              cb.p90 / ce.p90);
  return 0;
}

// Builds the data directory for bench/commit_cli_bench.sh.
int MakeStore(const std::string& dir, size_t sessions) {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  auto ds = OpenStore(dir, ws::Env::Default());
  if (!ds.ok()) return Die("open", ds.status());
  const ws::DayNumber big_day = *ws::ParseDate(kBigDay);
  BuiltDay built;
  ws::Status st = BuildDay(ds->get(), big_day, sessions, 1, &built);
  if (!st.ok()) return Die("build the day", st);
  ws::IngestState state;
  state.watermark = built.latest_end;
  state.events_accepted = sessions;  // nominal: the store holds no events of these sessions
  ws::store::CommitRequest req;
  req.app_state = ws::EncodeIngestState(state);
  st = (*ds)->store().Commit(std::move(req));
  if (!st.ok()) return Die("commit the ingest state", st);
  std::printf(
      "%s: day %s with %zu compacted sessions (%.1f MiB), watermark %s; built in %.1f s + %.1f s "
      "compaction\n",
      dir.c_str(), kBigDay, sessions, static_cast<double>(built.base_bytes) / kMiB,
      ws::FormatRfc3339(built.latest_end).c_str(), built.build_seconds, built.compact_seconds);
  return 0;
}

std::vector<size_t> ParseList(const std::string& s) {
  std::vector<size_t> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    out.push_back(std::strtoull(s.substr(pos, comma - pos).c_str(), nullptr, 10));
    pos = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured, also in a pipe
  std::string dir = kDefaultDir;
  std::string make_store;
  std::vector<size_t> sizes;
  int repeat = kDefaultRepeat;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--sessions") {
      sizes = ParseList(next());
    } else if (a == "--repeat") {
      repeat = std::atoi(next().c_str());
    } else if (a == "--dir") {
      dir = next();
    } else if (a == "--make-store") {
      make_store = next();
    } else {
      std::fprintf(stderr,
                   "usage: commit_bench [--sessions N[,N...]] [--repeat R] [--dir DIR]\n"
                   "       commit_bench --make-store DIR [--sessions N]\n");
      return 2;
    }
  }
  if (repeat < 1 || std::any_of(sizes.begin(), sizes.end(), [](size_t n) { return n == 0; })) {
    std::fprintf(stderr, "commit_bench: --repeat and --sessions must be positive\n");
    return 2;
  }
  if (!make_store.empty()) return MakeStore(make_store, sizes.empty() ? kDefaultCliSessions : sizes.front());
  if (sizes.empty()) sizes.assign(std::begin(kDefaultSessions), std::end(kDefaultSessions));
  for (size_t n : sizes) {
    std::printf("== %zu sessions in day %s ==\n", n, kBigDay);
    if (int rc = RunSize(dir, n, repeat); rc != 0) return rc;
  }
  std::filesystem::remove_all(dir);
  return 0;
}
