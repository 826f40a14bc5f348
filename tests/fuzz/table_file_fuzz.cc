// libFuzzer target: table files of format v2, the column chunk decoders
// under them and the domain decoders above them must take any bytes without
// crashing, reading out of bounds or overflowing. The first input byte
// selects the mode (store/fuzz_inputs.h):
//
//   kImage: the rest is a table file image. Its checksums are recomputed
//     (RepairChecksumsForTesting) so that mutated bytes reach the footer
//     parser and the chunk decoders; then TableFile::FromImage opens it and
//     every chunk of every block is read with ReadInt / ReadString.
//   kChunk: a row count (kChunkRowsBytes, little-endian, modulo
//     kMaxChunkRows + 1), then the raw bytes of a chunk (as after
//     decompression), given to DecodeIntChunk for every integer encoding and
//     to DecodeStringChunk for every string encoding, at several row counts,
//     with a reference column (and, for the encodings that need one,
//     without it and with one of the wrong length).
//   kStore: the rest is a table file image (checksums repaired) of table
//     events, quarantine, sessions or keys, listed alone in the manifest of
//     a read-only store on a MemEnv and read by that table's decoder:
//     ReadEvents (whole, then filtered by session), ReadRejections,
//     ForEachSession (after the liveness pass of keyed tables), or the key
//     registry load of Store::Open.
//   kRows: a table (events, quarantine, sessions, keys), a row count and
//     every column's values (store/fuzz_inputs.h, RowValues); TableWriter
//     makes a valid file of them, which is read as in kStore. This reaches
//     the domain decoders' range checks with any values, where kStore
//     (same-size mutations of an image) rarely gets a chunk to decode to
//     something new.
//
// Invariants (a broken one prints what broke and traps, so that libFuzzer
// saves the input as a crash):
//   * a failure is kCorruption (in kStore and kRows also kInvalidArgument,
//     which PartitionReader::Read returns for a column the file lacks);
//   * a decoded chunk has exactly the rows asked for, and every string is
//     readable (ASan checks the views);
//   * kChunk: what decodes re-encodes, with kAuto and with every hint that
//     suits its type, and decodes back to the same values, with statistics
//     that are its true minimum and maximum;
//   * a reference encoding never decodes without its reference column or
//     with one of the wrong length.
//
// Build (not part of the default build; needs clang), seed and run (or
// `make fuzz`, which does this for every target):
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DWS_BUILD_FUZZ=ON
//   cmake --build build-fuzz -j2 --target table_file_fuzz make_fuzz_corpus
//   build-fuzz/make_fuzz_corpus build-fuzz/corpus
//   build-fuzz/table_file_fuzz build-fuzz/corpus/table_file_fuzz -max_total_time=120 -print_final_stats=1

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "event/event_table.h"
#include "session/session_table.h"
#include "store/codec.h"
#include "store/fuzz_inputs.h"
#include "store/manifest.h"
#include "store/store.h"
#include "store/table_file.h"
#include "util/checksum.h"
#include "util/mem_env.h"

namespace {

using ws::Status;
using ws::StatusCode;
using ws::store::ColumnType;
using ws::store::Encoding;
using ws::store::EncodingHint;
using ws::store::IntColumn;
using ws::store::StringColumn;

constexpr std::string_view kFileName = "fuzz.wst";
constexpr std::string_view kStoreDir = "/store";
constexpr uint64_t kFileNumber = 1;
constexpr uint64_t kSeq = 1;
// The reference column of kChunk: a steady clock with a little noise taken
// from the input, like the ts column that the position columns refer to.
constexpr int64_t kRefStep = 1000;

constexpr Encoding kIntEncodings[] = {
    Encoding::kPlain,         Encoding::kConst,  Encoding::kBitpack,     Encoding::kDeltaBitpack,
    Encoding::kRle,           Encoding::kVarint, Encoding::kVarintDelta, Encoding::kVarintRefDelta,
    Encoding::kVarintRefDiff,
};
constexpr Encoding kStringEncodings[] = {Encoding::kStrPlain, Encoding::kStrUuid, Encoding::kStrDict};
constexpr EncodingHint kIntHints[] = {
    EncodingHint::kAuto,        EncodingHint::kPlain,          EncodingHint::kVarint,
    EncodingHint::kVarintDelta, EncodingHint::kVarintRefDelta, EncodingHint::kVarintRefDiff,
    EncodingHint::kRle,
};
constexpr EncodingHint kStringHints[] = {EncodingHint::kAuto, EncodingHint::kPlain, EncodingHint::kUuid,
                                         EncodingHint::kDictUuid};

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "table_file_fuzz: invariant broken: %s\n", what);
  __builtin_trap();
}

void CheckFailure(const Status& st, bool invalid_argument_allowed) {
  if (st.ok()) return;
  const bool expected = st.code() == StatusCode::kCorruption ||
                        (invalid_argument_allowed && st.code() == StatusCode::kInvalidArgument);
  if (!expected) std::fprintf(stderr, "table_file_fuzz: unexpected failure: %s\n", st.ToString().c_str());
  Check(expected, "decoders fail with kCorruption only");
}

// Reads every byte of `s`, so that ASan catches a view into freed or
// foreign memory; the sum keeps the reads from being optimised away.
size_t Touch(std::string_view s) {
  size_t sum = s.size();
  for (char c : s) sum += static_cast<unsigned char>(c);
  return sum;
}

volatile size_t g_sink = 0;

bool IsRefEncoding(Encoding e) { return e == Encoding::kVarintRefDelta || e == Encoding::kVarintRefDiff; }

IntColumn MakeRef(size_t rows, std::string_view noise) {
  IntColumn ref(rows);
  for (size_t i = 0; i < rows; ++i) {
    const int64_t jitter = noise.empty() ? 0 : static_cast<signed char>(noise[i % noise.size()]);
    ref[i] = static_cast<int64_t>(i) * kRefStep + jitter;
  }
  return ref;
}

// ------------------------------------------------------------ kChunk

// Decoded integers re-encode with every integer hint and decode back.
void CheckIntRoundTrip(const IntColumn& values, const IntColumn& ref) {
  ws::store::EncodedChunk chunk;
  for (EncodingHint hint : kIntHints) {
    ws::store::EncodeIntChunk(values, hint, ref, &chunk);
    IntColumn back;
    Status st = ws::store::DecodeIntChunk(chunk.encoding, chunk.bytes, values.size(), &ref, &back);
    Check(st.ok(), "re-encoded integers decode");
    Check(back == values, "re-encoded integers decode to the same values");
    if (values.empty()) continue;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    Check(chunk.stats.has_int && chunk.stats.min == *lo && chunk.stats.max == *hi,
          "integer statistics are the true minimum and maximum");
  }
}

// Decoded strings re-encode with every string hint and decode back.
void CheckStringRoundTrip(const StringColumn& column) {
  std::vector<std::string_view> values(column.size());
  for (size_t r = 0; r < values.size(); ++r) values[r] = column.at(r);
  ws::store::EncodedChunk chunk;
  for (EncodingHint hint : kStringHints) {
    ws::store::EncodeStringChunk(values, hint, /*stats=*/true, &chunk);
    StringColumn back;
    Status st = ws::store::DecodeStringChunk(chunk.encoding, chunk.bytes, values.size(), &back);
    Check(st.ok(), "re-encoded strings decode");
    Check(back.size() == values.size(), "re-encoded strings keep their row count");
    for (size_t r = 0; r < values.size(); ++r) {
      Check(back.at(r) == values[r], "re-encoded strings decode to the same values");
    }
    if (values.empty()) continue;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const bool short_enough =
        lo->size() <= ws::store::kMaxStatBytes && hi->size() <= ws::store::kMaxStatBytes;
    Check(chunk.stats.has_string == short_enough, "string statistics are kept exactly for short values");
    if (short_enough) {
      Check(chunk.stats.smin == *lo && chunk.stats.smax == *hi,
            "string statistics are the true minimum and maximum");
    }
  }
}

void FuzzChunk(std::string_view in) {
  if (in.size() < ws::fuzz::kChunkRowsBytes) return;
  const size_t stored = static_cast<uint8_t>(in[0]) | (static_cast<size_t>(static_cast<uint8_t>(in[1])) << 8);
  const size_t declared = stored % (ws::fuzz::kMaxChunkRows + 1);
  const std::string_view payload = in.substr(ws::fuzz::kChunkRowsBytes);
  const size_t row_counts[] = {declared, declared + 1, declared > 0 ? declared - 1 : 2, 0, 1};
  for (size_t rows : row_counts) {
    const IntColumn ref = MakeRef(rows, payload);
    for (Encoding e : kIntEncodings) {
      IntColumn out;
      Status st = ws::store::DecodeIntChunk(e, payload, rows, &ref, &out);
      CheckFailure(st, false);
      if (!st.ok()) continue;
      Check(out.size() == rows, "a decoded integer chunk has the rows asked for");
      if (IsRefEncoding(e)) {
        Check(!ws::store::DecodeIntChunk(e, payload, rows, nullptr, &out).ok(),
              "a reference encoding does not decode without its reference");
        const IntColumn longer = MakeRef(rows + 1, payload);
        Check(!ws::store::DecodeIntChunk(e, payload, rows, &longer, &out).ok(),
              "a reference encoding does not decode with a reference of another length");
        Check(ws::store::DecodeIntChunk(e, payload, rows, &ref, &out).ok(), "decoding is repeatable");
      }
      CheckIntRoundTrip(out, ref);
    }
    for (Encoding e : kStringEncodings) {
      StringColumn out;
      Status st = ws::store::DecodeStringChunk(e, std::string(payload), rows, &out);
      CheckFailure(st, false);
      if (!st.ok()) continue;
      Check(out.size() == rows, "a decoded string chunk has the rows asked for");
      size_t sum = 0;
      for (size_t r = 0; r < rows; ++r) sum += Touch(out.at(r));
      g_sink = g_sink + sum;
      CheckStringRoundTrip(out);
    }
  }
}

// ------------------------------------------------------------ kImage

void FuzzImage(std::string image) {
  ws::store::RepairChecksumsForTesting(&image);
  auto opened = ws::store::TableFile::FromImage(std::move(image), std::string(kFileName));
  if (!opened.ok()) {
    CheckFailure(opened.status(), false);
    return;
  }
  const ws::store::TableFile& f = **opened;
  const ws::store::TableFooter& footer = f.footer();
  uint64_t rows = 0;
  for (const ws::store::BlockInfo& b : footer.blocks) {
    Check(b.chunks.size() == footer.columns.size(), "a block has one chunk per column");
    rows += b.rows;
  }
  Check(rows == f.rows(), "the blocks' rows add up to the file's");
  size_t sum = 0;
  for (size_t b = 0; b < f.block_count(); ++b) {
    const size_t block_rows = static_cast<size_t>(footer.blocks[b].rows);
    for (size_t c = 0; c < footer.columns.size(); ++c) {
      if (footer.columns[c].type == ColumnType::kInt64) {
        IntColumn out;
        Status st = f.ReadInt(b, c, &out);
        CheckFailure(st, false);
        if (st.ok()) Check(out.size() == block_rows, "a read integer chunk has the block's rows");
      } else {
        StringColumn out;
        Status st = f.ReadString(b, c, &out);
        CheckFailure(st, false);
        if (!st.ok()) continue;
        Check(out.size() == block_rows, "a read string chunk has the block's rows");
        for (size_t r = 0; r < block_rows; ++r) sum += Touch(out.at(r));
      }
    }
  }
  g_sink = g_sink + sum;
}

// ------------------------------------------------------------ kStore

const ws::store::TableDef* DefOf(std::string_view table) {
  if (table == ws::kEventsTable) return &ws::EventsTableDef();
  if (table == ws::kQuarantineTable) return &ws::QuarantineTableDef();
  if (table == ws::kSessionsTable) return &ws::SessionsTableDef();
  if (table == ws::store::KeysTableDef().name()) return &ws::store::KeysTableDef();
  return nullptr;
}

size_t TouchEvent(const ws::Event& e) {
  return Touch(e.session_id) + Touch(e.event_id) + Touch(e.user_id) + Touch(e.content_id) +
         Touch(e.device_id) + Touch(e.platform) + Touch(e.app_version) + Touch(e.tz) + Touch(e.metadata);
}

void ReadEventsTwice(const ws::store::Snapshot& snap) {
  const ws::DayNumber day{ws::fuzz::kStoreDay};
  std::vector<std::string> first_ids;
  size_t sum = 0;
  Status st = ws::ReadEvents(snap, day, [&](const ws::EventBlock& block) {
    for (const ws::Event& e : block.events) {
      sum += TouchEvent(e);
      if (first_ids.empty() || first_ids.back() != e.session_id) first_ids.emplace_back(e.session_id);
    }
    return Status::Ok();
  });
  CheckFailure(st, true);
  if (!st.ok() || first_ids.empty()) return;
  // Filtered by the first session: only its events are delivered.
  const std::string wanted_id = first_ids.front();
  ws::SessionSet wanted({wanted_id});
  st = ws::ReadEvents(
      snap, day,
      [&](const ws::EventBlock& block) {
        for (const ws::Event& e : block.events) {
          Check(e.session_id == wanted_id, "a session filter delivers only the sessions asked for");
          sum += TouchEvent(e);
        }
        return Status::Ok();
      },
      &wanted);
  CheckFailure(st, true);
  g_sink = g_sink + sum;
}

// Lists `image` (of table `def`, `rows` rows) alone in the manifest of a
// read-only store on a MemEnv, opens the store (which loads the key table)
// and reads the file with its table's decoder.
void PlaceAndRead(const ws::store::TableDef* def, const std::string& image, uint64_t rows) {
  ws::MemEnv env;
  const std::string dir(kStoreDir);
  ws::store::FileMeta meta;
  meta.number = kFileNumber;
  meta.partition = def->partitions == ws::store::PartitionKind::kDay ? ws::fuzz::kStoreDay : 0;
  meta.seq = kSeq;
  meta.base = false;  // keyed tables: the liveness pass runs over the file
  meta.rows = rows;
  meta.size = image.size();
  meta.checksum = ws::Checksum64(image);
  ws::store::Manifest m;
  m.number = 1;
  m.next_file_number = kFileNumber + 1;
  m.last_seq = kSeq;
  m.tables.push_back(ws::store::ManifestTable{def->name(), def->mode, def->partitions, {meta}});
  const std::string path = ws::JoinPath(dir, ws::store::TableFilePath(def->name(), def->partitions, meta));
  Check(env.MakeDirs(ws::JoinPath(dir, def->name())).ok(), "MemEnv makes directories");
  Check(env.WriteFileSynced(path, image).ok(), "MemEnv writes the table file");
  Check(env.WriteFileSynced(ws::JoinPath(dir, ws::store::ManifestFileName(m.number)),
                            ws::store::EncodeManifest(m))
            .ok(),
        "MemEnv writes the manifest");

  ws::store::StoreOptions options;
  options.env = &env;
  options.read_only = true;
  options.create_if_missing = false;
  // As DataStore opens it: the store knows the domain's tables (the keys
  // table it knows anyway).
  if (def != &ws::store::KeysTableDef()) options.tables.push_back(*def);
  auto store = ws::store::Store::Open(dir, std::move(options));
  if (!store.ok()) {
    CheckFailure(store.status(), true);  // the key table is read by Open
    return;
  }
  std::shared_ptr<const ws::store::Snapshot> snap = (*store)->snapshot();
  const std::string_view table = def->name();
  if (table == ws::kEventsTable) {
    ReadEventsTwice(*snap);
  } else if (table == ws::kQuarantineTable) {
    size_t sum = 0;
    Status st = ws::ReadRejections(*snap, [&](const ws::Rejection& r) {
      sum += Touch(r.message) + Touch(r.raw) + Touch(r.source);
      return Status::Ok();
    });
    CheckFailure(st, true);
    g_sink = g_sink + sum;
  } else if (table == ws::kSessionsTable) {
    ws::SessionKeys keys((*store)->keys());
    size_t sum = 0;
    Status st =
        ws::ForEachSession(*snap, keys, ws::DayNumber{ws::fuzz::kStoreDay}, [&](const ws::SessionRecord& s) {
          sum += Touch(s.session_id) + Touch(s.user_id) + Touch(s.content_id) + Touch(s.device_id);
          return Status::Ok();
        });
    CheckFailure(st, true);
    g_sink = g_sink + sum;
  }
}

void FuzzStore(std::string image) {
  ws::store::RepairChecksumsForTesting(&image);
  auto probe = ws::store::TableFile::FromImage(image, std::string(kFileName));
  if (!probe.ok()) return;  // kImage covers the reader itself
  const ws::store::TableDef* def = DefOf((*probe)->footer().table);
  if (def != nullptr) PlaceAndRead(def, image, (*probe)->rows());
}

void FuzzRows(std::string_view in) {
  if (in.size() < 2) return;
  const ws::store::TableDef* defs[ws::fuzz::kRowsTables] = {
      &ws::EventsTableDef(), &ws::QuarantineTableDef(), &ws::SessionsTableDef(), &ws::store::KeysTableDef()};
  const ws::store::TableDef* def = defs[static_cast<uint8_t>(in[0]) % ws::fuzz::kRowsTables];
  const size_t rows = static_cast<uint8_t>(in[1]) % (ws::fuzz::kMaxRows + 1);
  ws::fuzz::RowValues values(in.substr(2));
  ws::store::TableWriter w(def);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < def->schema.columns.size(); ++c) {
      const int ci = static_cast<int>(c);
      if (ci == def->key_hash_lo || ci == def->key_hash_hi || ci == def->tombstone) continue;  // the writer's
      if (def->schema.columns[c].type == ColumnType::kInt64) {
        w.ints(c).push_back(values.Int());
      } else {
        w.strings(c).push_back(values.String());
      }
    }
  }
  const int32_t partition = def->partitions == ws::store::PartitionKind::kDay ? ws::fuzz::kStoreDay : 0;
  ws::Result<ws::store::NewFile> file = w.Finish(partition);
  if (!file.ok()) {
    Check(file.status().code() == StatusCode::kInvalidArgument, "TableWriter refuses only invalid rows");
    return;  // a keyed file naming one key twice
  }
  PlaceAndRead(def, file->image, file->rows);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string_view rest = in.substr(1);
  switch (static_cast<ws::fuzz::TableFuzzMode>(static_cast<uint8_t>(in[0]) % ws::fuzz::kTableFuzzModes)) {
    case ws::fuzz::TableFuzzMode::kImage:
      FuzzImage(std::string(rest));
      break;
    case ws::fuzz::TableFuzzMode::kChunk:
      FuzzChunk(rest);
      break;
    case ws::fuzz::TableFuzzMode::kStore:
      FuzzStore(std::string(rest));
      break;
    case ws::fuzz::TableFuzzMode::kRows:
      FuzzRows(rest);
      break;
  }
  return 0;
}
