// Scans of the sessions table (issue "Must show" 3).
//
// Setup: one day of N realistic sessions (default 4,000,000;
// bench/synthetic_sessions.h: keys up to ~10^5, durations up to 4 h in ms,
// small statuses) committed in chunks and compacted into one base, in a
// DataStore on the real file system under DIR (default
// /tmp/watchstats-scan-bench; the files are in the page cache, having just
// been written) or, with --mem, in a MemEnv.
//
// Measured on one thread, best of REPEAT (default 5) runs, in thread CPU
// time (so "per core"), wall time alongside:
//   1. PartitionReader::Read of the projected integer columns (default
//      user_key, content_key, watch, status) block by block: values decoded
//      per second per core (target >= 200 M values/s per core);
//   2. the same chunks taken apart, each step over all chunks on its own:
//      file read (pread from the page cache, or MemEnv copy), checksum
//      (XXH3-64 of the stored bytes), zstd decompression, DecodeIntChunk on
//      the decompressed bytes — so the decoder's own rate is separated from
//      the file read and the decompression;
//   3. block skipping: a range query on `start` (one hour of the day: count
//      and total watch time of the sessions that started in it) that uses
//      stats(block, "start") to skip blocks, versus the full scan; prints
//      blocks total and read, rows scanned, both answers and whether they
//      agree.
//
// Usage: scan_bench [--sessions N] [--repeat R] [--columns a,b,...] [--dir DIR] [--mem] [--keep]
// --keep leaves the store in DIR (reused by a later run with the same N).
//
// Not a test: it asserts nothing and prints figures; it exits non-zero only
// if a store operation fails or the range query's two answers differ.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "session/data_store.h"
#include "session/session_table.h"
#include "store/codec.h"
#include "store/compress.h"
#include "store/table_file.h"
#include "synthetic_sessions.h"
#include "util/checksum.h"
#include "util/mem_env.h"
#include "util/time.h"

namespace {

constexpr const char* kDefaultDir = "/tmp/watchstats-scan-bench";
constexpr size_t kDefaultSessions = 4000000;
constexpr int kDefaultRepeat = 5;
constexpr const char* kDefaultColumns[] = {"user_key", "content_key", "watch", "status"};
constexpr uint64_t kSeed = 99;
constexpr const char* kDay = "2026-10-15";
constexpr int64_t kRangeStartHour = 18;  // the range query: sessions started 18:00-19:00 UTC
constexpr uint8_t kCodecZstd = 1;        // ChunkInfo::codec of a zstd frame
constexpr double kMillion = 1e6;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kTargetValuesPerSecond = 200e6;

using Clock = std::chrono::steady_clock;

double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double WallSeconds() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

int Die(const char* what, const ws::Status& s) {
  std::fprintf(stderr, "scan_bench: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

// Best CPU and wall time of `repeat` runs of fn (which returns false on failure).
struct Timing {
  double cpu = 1e30;
  double wall = 1e30;
};

template <typename Fn>
bool Best(int repeat, Timing* t, Fn fn) {
  for (int i = 0; i < repeat; ++i) {
    const double w0 = WallSeconds();
    const double c0 = ThreadSeconds();
    if (!fn()) return false;
    t->cpu = std::min(t->cpu, ThreadSeconds() - c0);
    t->wall = std::min(t->wall, WallSeconds() - w0);
  }
  return true;
}

void PrintRate(const char* what, uint64_t values, const Timing& t) {
  std::printf("  %-44s %8.1f M values/s per core (%.3f s CPU, %.3f s wall)\n", what,
              static_cast<double>(values) / t.cpu / kMillion, t.cpu, t.wall);
}

// One integer chunk of the projection, for the step-by-step breakdown.
struct Chunk {
  const ws::RandomAccessFile* file = nullptr;
  const ws::store::ChunkInfo* info = nullptr;
  size_t rows = 0;
  std::string stored;
  std::string raw;
};

std::vector<std::string> SplitColumns(const std::string& s) {
  std::vector<std::string> out;
  for (size_t p = 0; p <= s.size();) {
    size_t c = s.find(',', p);
    if (c == std::string::npos) c = s.size();
    if (c > p) out.push_back(s.substr(p, c - p));
    p = c + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they are measured, also in a pipe
  namespace fs = std::filesystem;
  size_t sessions = kDefaultSessions;
  int repeat = kDefaultRepeat;
  std::vector<std::string> columns(std::begin(kDefaultColumns), std::end(kDefaultColumns));
  std::string dir = kDefaultDir;
  bool in_memory = false;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--sessions") {
      sessions = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--repeat") {
      repeat = std::atoi(next().c_str());
    } else if (a == "--columns") {
      columns = SplitColumns(next());
    } else if (a == "--dir") {
      dir = next();
    } else if (a == "--mem") {
      in_memory = true;
    } else if (a == "--keep") {
      keep = true;
    } else {
      std::fprintf(stderr,
                   "usage: scan_bench [--sessions N] [--repeat R] [--columns a,b,...] [--dir DIR] [--mem] "
                   "[--keep]\n");
      return 2;
    }
  }
  if (sessions == 0 || repeat < 1 || columns.empty()) {
    std::fprintf(stderr, "scan_bench: --sessions, --repeat and --columns must be positive / non-empty\n");
    return 2;
  }

  // ---------------------------------------------------------------- setup
  ws::MemEnv mem;
  ws::Env* env = in_memory ? static_cast<ws::Env*>(&mem) : ws::Env::Default();
  const std::string marker = dir + "/.scan-bench-sessions";
  bool reuse = false;
  if (!in_memory) {
    if (FILE* f = std::fopen(marker.c_str(), "r")) {
      unsigned long long n = 0;
      reuse = std::fscanf(f, "%llu", &n) == 1 && n == sessions;
      std::fclose(f);
    }
    if (!reuse) fs::remove_all(dir);
  }
  ws::DataStoreOptions o;
  o.env = env;
  auto ds = ws::DataStore::Open(dir, o);
  if (!ds.ok()) return Die("open", ds.status());
  const ws::DayNumber day = *ws::ParseDate(kDay);
  if (!reuse) {
    const double t0 = WallSeconds();
    ws::Status st = ws::bench::CommitRealisticDay(ds->get(), day, sessions, kSeed, {});
    if (!st.ok()) return Die("build the day", st);
    std::printf("built and compacted %zu sessions in %.1f s\n", sessions, WallSeconds() - t0);
    if (!in_memory) {
      if (FILE* f = std::fopen(marker.c_str(), "w")) {
        std::fprintf(f, "%zu\n", sessions);
        std::fclose(f);
      }
    }
  }
  std::shared_ptr<const ws::store::Snapshot> snap = (*ds)->snapshot();
  auto reader_or = snap->Partition(ws::kSessionsTable, day.v);
  if (!reader_or.ok()) return Die("open the day", reader_or.status());
  const ws::store::PartitionReader& reader = **reader_or;
  uint64_t file_bytes = 0;
  for (const ws::store::FileMeta& f : reader.files()) file_bytes += f.size;
  std::printf("sessions of %s: %llu live rows, %zu file(s) (%.1f MiB, %s), %zu blocks of up to %zu rows\n",
              kDay, static_cast<unsigned long long>(reader.live_rows()), reader.files().size(),
              static_cast<double>(file_bytes) / kMiB,
              in_memory ? "MemEnv"
              : reuse   ? "on disk, reused"
                        : "on disk, just written",
              reader.block_count(), ws::store::kBlockRows);

  // ------------------------------------------------- 1. PartitionReader::Read
  uint64_t values = 0;
  for (size_t b = 0; b < reader.block_count(); ++b) values += reader.block(b).rows * columns.size();
  std::printf("projection:");
  for (const std::string& c : columns) std::printf(" %s", c.c_str());
  std::printf(" (%llu values per scan)\n", static_cast<unsigned long long>(values));

  ws::store::ColumnBatch batch;
  int64_t touch = 0;  // a value of every column read, so that nothing is optimised away
  ws::Status st;
  Timing read_t;
  if (!Best(repeat, &read_t, [&] {
        for (size_t b = 0; b < reader.block_count(); ++b) {
          st = reader.Read(b, columns, &batch);
          if (!st.ok()) return false;
          for (size_t k = 0; k < columns.size(); ++k) touch += batch.ints(k).back();
        }
        return true;
      })) {
    return Die("read", st);
  }
  std::printf("1. PartitionReader::Read, block by block, one thread:\n");
  PrintRate("Read (file read + checksum + zstd + decode)", values, read_t);

  // ------------------------------------------------- 2. step by step
  std::vector<std::unique_ptr<ws::RandomAccessFile>> files;
  std::map<const ws::store::TableFile*, const ws::RandomAccessFile*> file_of;
  std::vector<Chunk> chunks;
  struct ColumnShape {
    std::map<std::string, uint64_t> encodings;  // encoding name -> chunks
    uint64_t raw = 0, stored = 0, rows = 0;
  };
  std::vector<ColumnShape> shapes(columns.size());
  for (size_t b = 0; b < reader.block_count(); ++b) {
    const ws::store::TableFile& tf = reader.file_of(b);
    auto it = file_of.find(&tf);
    if (it == file_of.end()) {
      auto f = env->NewRandomAccessFile(tf.path());
      if (!f.ok()) return Die("open a table file", f.status());
      files.push_back(std::move(f).value());
      it = file_of.emplace(&tf, files.back().get()).first;
    }
    const ws::store::BlockInfo& info = tf.footer().blocks[reader.block(b).block];
    for (size_t k = 0; k < columns.size(); ++k) {
      const int c = tf.footer().Find(columns[k]);
      if (c < 0 || tf.footer().columns[static_cast<size_t>(c)].type != ws::store::ColumnType::kInt64) {
        return Die("project", ws::Status::InvalidArgument("no integer column " + columns[k]));
      }
      Chunk ch;
      ch.file = it->second;
      ch.info = &info.chunks[static_cast<size_t>(c)];
      ch.rows = static_cast<size_t>(info.rows);
      ++shapes[k].encodings[ws::store::EncodingName(ch.info->encoding)];
      shapes[k].raw += ch.info->raw_length;
      shapes[k].stored += ch.info->stored_length;
      shapes[k].rows += ch.rows;
      chunks.push_back(std::move(ch));
    }
  }
  Timing pread_t, sum_t, zstd_t, decode_t;
  uint64_t stored_bytes = 0;
  bool ok = Best(repeat, &pread_t, [&] {
    stored_bytes = 0;
    for (Chunk& c : chunks) {
      st = c.file->Read(c.info->offset, static_cast<size_t>(c.info->stored_length), &c.stored);
      if (!st.ok()) return false;
      stored_bytes += c.stored.size();
    }
    return true;
  });
  ok = ok && Best(repeat, &sum_t, [&] {
         for (const Chunk& c : chunks) {
           if (ws::Checksum64(c.stored) != c.info->checksum) {
             st = ws::Status::Corruption("checksum mismatch");
             return false;
           }
         }
         return true;
       });
  ok = ok && Best(repeat, &zstd_t, [&] {
         for (Chunk& c : chunks) {
           if (c.info->codec == kCodecZstd) {
             st = ws::store::ZstdDecompress(c.stored, static_cast<size_t>(c.info->raw_length), &c.raw);
             if (!st.ok()) return false;
           } else {
             c.raw = c.stored;
           }
         }
         return true;
       });
  ws::store::IntColumn out;
  ok = ok && Best(repeat, &decode_t, [&] {
         for (const Chunk& c : chunks) {
           st = ws::store::DecodeIntChunk(c.info->encoding, c.raw, c.rows, nullptr, &out);
           if (!st.ok()) return false;
           touch += out.back();
         }
         return true;
       });
  if (!ok) return Die("step-by-step read", st);
  std::printf("2. the same %zu chunks, each step over all of them (%.1f MiB stored):\n", chunks.size(),
              static_cast<double>(stored_bytes) / kMiB);
  PrintRate(in_memory ? "file read (MemEnv copy)" : "file read (pread, page cache)", values, pread_t);
  PrintRate("checksum (XXH3-64)", values, sum_t);
  PrintRate("zstd decompression", values, zstd_t);
  PrintRate("DecodeIntChunk alone", values, decode_t);
  const double steps = pread_t.cpu + sum_t.cpu + zstd_t.cpu + decode_t.cpu;
  std::printf(
      "  sum of the steps: %.3f s CPU (Read: %.3f s); shares: file read %.0f%%, checksum %.0f%%, zstd "
      "%.0f%%, decode %.0f%%\n",
      steps, read_t.cpu, 100 * pread_t.cpu / steps, 100 * sum_t.cpu / steps, 100 * zstd_t.cpu / steps,
      100 * decode_t.cpu / steps);
  for (size_t k = 0; k < columns.size(); ++k) {
    const ColumnShape& s = shapes[k];
    std::printf("  %-12s %.2f bytes/value encoded, %.2f stored; chunks:", columns[k].c_str(),
                static_cast<double>(s.raw) / static_cast<double>(s.rows),
                static_cast<double>(s.stored) / static_cast<double>(s.rows));
    for (const auto& [name, n] : s.encodings)
      std::printf(" %s x%llu", name.c_str(), static_cast<unsigned long long>(n));
    std::printf("\n");
  }
  const bool met = static_cast<double>(values) / read_t.cpu >= kTargetValuesPerSecond;
  std::printf("  target >= %.0f M values/s per core through Read: %s\n", kTargetValuesPerSecond / kMillion,
              met ? "met" : "missed");

  // ------------------------------------------------- 3. block skipping
  const int64_t lo = int64_t{day.v} * ws::kMillisPerDay + kRangeStartHour * ws::kMillisPerHour;
  const int64_t hi = lo + ws::kMillisPerHour;
  const std::vector<std::string> range_columns = {"start", "watch"};
  struct Answer {
    uint64_t sessions = 0;
    int64_t watch = 0;
    uint64_t blocks_read = 0;
    uint64_t rows_scanned = 0;
  };
  auto query = [&](bool skip, Answer* a) -> ws::Status {
    *a = Answer{};
    for (size_t b = 0; b < reader.block_count(); ++b) {
      if (skip) {
        const ws::store::ChunkStats* s = reader.stats(b, "start");
        if (s != nullptr && s->has_int && (s->max < lo || s->min >= hi)) continue;
      }
      WS_RETURN_IF_ERROR(reader.Read(b, range_columns, &batch));
      ++a->blocks_read;
      a->rows_scanned += batch.live_rows();
      const ws::store::IntColumn& start = batch.ints(0);
      const ws::store::IntColumn& watch = batch.ints(1);
      auto row = [&](size_t r) {
        if (start[r] >= lo && start[r] < hi) {
          ++a->sessions;
          a->watch += watch[r];
        }
      };
      if (batch.selection() == nullptr) {
        for (size_t r = 0; r < batch.rows(); ++r) row(r);
      } else {
        for (uint32_t r : *batch.selection()) row(r);
      }
    }
    return ws::Status::Ok();
  };
  Answer skipped, full;
  Timing skip_t, full_t;
  ok = Best(repeat, &skip_t, [&] { return (st = query(true, &skipped)).ok(); }) &&
       Best(repeat, &full_t, [&] { return (st = query(false, &full)).ok(); });
  if (!ok) return Die("range query", st);
  const bool same = skipped.sessions == full.sessions && skipped.watch == full.watch;
  std::printf("3. range query: sessions started %02lld:00-%02lld:00 UTC on %s (count, total watch):\n",
              static_cast<long long>(kRangeStartHour), static_cast<long long>(kRangeStartHour + 1), kDay);
  std::printf(
      "  with stats(block, \"start\"): %llu of %zu blocks read, %llu rows scanned, %.2f ms CPU -> %llu "
      "sessions, %lld ms watched\n",
      static_cast<unsigned long long>(skipped.blocks_read), reader.block_count(),
      static_cast<unsigned long long>(skipped.rows_scanned), skip_t.cpu * 1e3,
      static_cast<unsigned long long>(skipped.sessions), static_cast<long long>(skipped.watch));
  std::printf(
      "  full scan:                   %llu of %zu blocks read, %llu rows scanned, %.2f ms CPU -> %llu "
      "sessions, %lld ms watched\n",
      static_cast<unsigned long long>(full.blocks_read), reader.block_count(),
      static_cast<unsigned long long>(full.rows_scanned), full_t.cpu * 1e3,
      static_cast<unsigned long long>(full.sessions), static_cast<long long>(full.watch));
  std::printf("  answers %s\n", same ? "agree" : "DIFFER");
  std::printf("(checksum of touched values: %lld)\n", static_cast<long long>(touch));

  if (!in_memory && !keep) fs::remove_all(dir);  // open files stay readable until closed
  return same ? 0 : 1;
}
