// make_fuzz_corpus DIR: writes the seed corpus of every store fuzz target
// into DIR/<target>/ (table_file_fuzz, manifest_fuzz, wal_fuzz,
// ingest_state_fuzz), each seed a small valid input in the layout its
// target reads (store/fuzz_inputs.h), made by the library's own encoders:
//
//   table_file_fuzz   table file images of events (EncodeEvents), sessions
//                     (EncodeSessions, with a tombstone), quarantine
//                     (EncodeRejections), keys and a table using every
//                     encoding hint, each in kImage and kStore mode;
//                     kChunk inputs, encoded chunks of every hint; and kRows
//                     inputs, plain rows of each domain table;
//   manifest_fuzz     manifests (EncodeManifest), one carrying an ingest state;
//   wal_fuzz          a log of compressed and stored records (WalWriter on a
//                     MemEnv), under each flag combination;
//   ingest_state_fuzz ingest states (EncodeIngestState).
//
// Each seed is checked to decode before it is written, so the corpus keeps
// up with the formats (ctest runs this program). Existing files of the same
// names are replaced; others (what the fuzzers added) are left alone.
// Exit status: 0, or 1 with a message when a seed does not decode or a file
// cannot be written.

#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "event/event_table.h"
#include "event/synthetic_events.h"
#include "session/ingest_state.h"
#include "session/session_table.h"
#include "store/codec.h"
#include "store/fuzz_inputs.h"
#include "store/manifest.h"
#include "store/store.h"
#include "store/table_file.h"
#include "store/wal.h"
#include "util/mem_env.h"

namespace {

using ws::Status;
using ws::store::ColumnType;
using ws::store::EncodingHint;

constexpr uint64_t kEventsSeed = 7;
constexpr size_t kEventSessions = 1;
constexpr size_t kChunkRows = 100;
constexpr size_t kTableRows = 64;
constexpr int kSessionRecords = 3;
constexpr int kWalRecords = 6;
constexpr size_t kWalCompressibleBytes = 400;
constexpr int64_t kTsStart = 1790000000000;  // 2026-09-21T14:13:20Z
constexpr int64_t kTsStep = 15000;

class Corpus {
 public:
  explicit Corpus(std::filesystem::path root) : root_(std::move(root)) {}

  // Writes `bytes` as DIR/target/name.
  void Add(const std::string& target, const std::string& name, std::string_view bytes) {
    std::error_code ec;
    std::filesystem::create_directories(root_ / target, ec);
    std::ofstream out(root_ / target / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) Fail("cannot write " + (root_ / target / name).string());
    ++count_;
  }
  void Fail(const std::string& what) {
    std::fprintf(stderr, "make_fuzz_corpus: %s\n", what.c_str());
    ok_ = false;
  }
  void Expect(const Status& st, const std::string& what) {
    if (!st.ok()) Fail(what + ": " + st.ToString());
  }
  bool ok() const { return ok_; }
  size_t count() const { return count_; }

 private:
  std::filesystem::path root_;
  size_t count_ = 0;
  bool ok_ = true;
};

std::string WithByte(uint8_t first, std::string_view rest) {
  std::string s(1, static_cast<char>(first));
  s.append(rest);
  return s;
}

uint8_t Mode(ws::fuzz::TableFuzzMode m) { return static_cast<uint8_t>(m); }

// ------------------------------------------------------------ table files

// Checks that every chunk of `image` reads, then adds it in kImage and
// (when its table has a store decoder) kStore mode.
void AddImage(Corpus* c, const std::string& name, const std::string& image, bool store_mode) {
  auto f = ws::store::TableFile::FromImage(image, name);
  if (!f.ok()) return c->Expect(f.status(), "seed " + name);
  for (size_t b = 0; b < (*f)->block_count(); ++b) {
    for (size_t col = 0; col < (*f)->footer().columns.size(); ++col) {
      ws::store::IntColumn ints;
      ws::store::StringColumn strings;
      const bool is_int = (*f)->footer().columns[col].type == ColumnType::kInt64;
      c->Expect(is_int ? (*f)->ReadInt(b, col, &ints) : (*f)->ReadString(b, col, &strings), "seed " + name);
    }
  }
  c->Add("table_file_fuzz", "image-" + name, WithByte(Mode(ws::fuzz::TableFuzzMode::kImage), image));
  if (store_mode) {
    c->Add("table_file_fuzz", "store-" + name, WithByte(Mode(ws::fuzz::TableFuzzMode::kStore), image));
  }
}

void AddEvents(Corpus* c) {
  ws::StringArena arena;
  std::vector<ws::Event> events = ws::synthetic::MakeRealisticEvents(kEventSessions, kEventsSeed, &arena);
  std::vector<const ws::Event*> ptrs;
  for (const ws::Event& e : events) ptrs.push_back(&e);
  auto file = ws::EncodeEvents(ws::EventsTableDef(), ptrs, ws::DayNumber{ws::fuzz::kStoreDay});
  if (!file.ok()) return c->Expect(file.status(), "EncodeEvents");
  AddImage(c, "events", file->image, true);
}

void AddQuarantine(Corpus* c) {
  std::vector<ws::Rejection> rejections(3);
  rejections[0] = {ws::RejectReason::kNotJson, "not JSON", "{oops", "a.ndjson", 1, ws::EpochMillis{kTsStart}};
  rejections[1] = {
      ws::RejectReason::kTooLate,         "too late", R"({"event_type":"heartbeat"})", "a.ndjson", 2,
      ws::EpochMillis{kTsStart + kTsStep}};
  rejections[2] = {ws::RejectReason::kNotJson, "", "", "-", 3, ws::EpochMillis{kTsStart + 2 * kTsStep}};
  auto file = ws::EncodeRejections(rejections);
  if (!file.ok()) return c->Expect(file.status(), "EncodeRejections");
  AddImage(c, "quarantine", file->image, true);
}

void AddSessions(Corpus* c) {
  std::vector<ws::SessionRecord> records(kSessionRecords);
  for (int i = 0; i < kSessionRecords; ++i) {
    ws::SessionRecord& s = records[static_cast<size_t>(i)];
    s.session_id = "0b8e2c1a-5d4f-4e3b-9a7c-00000000000" + std::to_string(i);
    s.start = ws::EpochMillis{kTsStart + i * kTsStep};
    s.end = ws::EpochMillis{s.start.v + 60 * kTsStep};
    s.date_key = ws::DayNumber{ws::fuzz::kStoreDay};
    s.local_date = s.date_key;
    s.local_start_hour = 14 + i;
    s.watch_ms = 50 * kTsStep;
    s.pause_ms = i * kTsStep;
    s.pauses = i;
    s.event_count = 60 + i;
    s.max_quality = 1080;
    s.playback_position_ms = 40 * kTsStep;
    s.max_position_ms = 41 * kTsStep;
    s.content_length_ms = i == 0 ? ws::kAbsent : 100 * kTsStep;
    s.status = i == 2 ? ws::SessionStatus::kCompleted : ws::SessionStatus::kInProgress;
    s.autoplay = i == 1;
    s.user_key = static_cast<uint32_t>(i + 1);
    s.content_key = 1;
    s.device_key = static_cast<uint32_t>(i + 1);
    s.platform_key = 1;
    s.country_key = 2;
  }
  std::vector<const ws::SessionRecord*> ptrs;
  for (const ws::SessionRecord& s : records) ptrs.push_back(&s);
  const std::vector<std::string_view> deletes = {"0b8e2c1a-5d4f-4e3b-9a7c-0000000000ff"};
  auto file = ws::EncodeSessions(ptrs, deletes, ws::DayNumber{ws::fuzz::kStoreDay});
  if (!file.ok()) return c->Expect(file.status(), "EncodeSessions");
  AddImage(c, "sessions", file->image, true);
}

void AddKeys(Corpus* c) {
  ws::store::TableWriter w(&ws::store::KeysTableDef());
  const struct {
    const char* dict;
    int64_t key;
    const char* value;
  } rows[] = {{"user", 1, "user-0001"},
              {"user", 2, "user-0002"},
              {"content", 1, "s-0001-e0101"},
              {"country", 1, "KR"}};
  for (const auto& r : rows) {
    w.strings(0).push_back(r.dict);
    w.ints(1).push_back(r.key);
    w.strings(2).push_back(r.value);
  }
  auto file = w.Finish(0);
  if (!file.ok()) return c->Expect(file.status(), "keys file");
  AddImage(c, "keys", file->image, true);
}

// A table with a column of every encoding hint.
void AddEveryHint(Corpus* c) {
  ws::store::TableSchema schema;
  schema.name = "every_hint";
  schema.columns = {
      {"id", ColumnType::kString, EncodingHint::kUuid, "", false},
      {"ts", ColumnType::kInt64, EncodingHint::kVarintDelta, "", false},
      {"pos", ColumnType::kInt64, EncodingHint::kVarintRefDelta, "ts", false},
      {"end", ColumnType::kInt64, EncodingHint::kVarintRefDiff, "ts", false},
      {"n", ColumnType::kInt64, EncodingHint::kAuto, "", false},
      {"runs", ColumnType::kInt64, EncodingHint::kRle, "", false},
      {"raw", ColumnType::kInt64, EncodingHint::kPlain, "", false},
      {"v", ColumnType::kInt64, EncodingHint::kVarint, "", false},
      {"name", ColumnType::kString, EncodingHint::kAuto, "", true},
      {"sid", ColumnType::kString, EncodingHint::kDictUuid, "", true},
      {"text", ColumnType::kString, EncodingHint::kPlain, "", false},
  };
  c->Expect(ws::store::ValidateSchema(schema), "the every-hint schema");
  std::vector<std::string> ids, names, sids, texts;
  for (size_t i = 0; i < kTableRows; ++i) {
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "5f0c%04zx-7d1e-4c2b-8a9f-%012zx", i, i * 7919);
    ids.push_back(i % 9 == 0 ? "" : i % 5 == 0 ? "not-a-uuid-" + std::to_string(i) : uuid);
    names.push_back("name-" + std::to_string(i % 6));
    sids.push_back(i % 11 == 0 ? "text-sid" : std::string(uuid).substr(0, 30) + "000000");
    texts.push_back(std::string(i % 4, 'x') + std::to_string(i));
  }
  ws::store::TableFileBuilder b(&schema);
  for (size_t i = 0; i < kTableRows; ++i) {
    const int64_t r = static_cast<int64_t>(i);
    b.strings(0).push_back(ids[i]);
    b.ints(1).push_back(kTsStart + r * kTsStep + r % 3);
    b.ints(2).push_back(r * kTsStep - r % 7);
    b.ints(3).push_back(kTsStart + r * kTsStep + 500);
    b.ints(4).push_back(r % 2 == 0 ? r : -r * 1000);
    b.ints(5).push_back(r / 10);
    b.ints(6).push_back(r * r - 40);
    b.ints(7).push_back(r % 3 == 0 ? INT64_MIN + r : INT64_MAX - r);
    b.strings(8).push_back(names[i]);
    b.strings(9).push_back(sids[i]);
    b.strings(10).push_back(texts[i]);
  }
  auto image = b.Finish();
  if (!image.ok()) return c->Expect(image.status(), "the every-hint table");
  AddImage(c, "every_hint", *image, false);
}

// kChunk seeds: chunks of a few value shapes under every hint.
void AddChunks(Corpus* c) {
  auto rows_prefix = [](size_t rows) {
    std::string s(1, static_cast<char>(Mode(ws::fuzz::TableFuzzMode::kChunk)));
    s.push_back(static_cast<char>(rows & 0xff));
    s.push_back(static_cast<char>(rows >> 8));
    return s;
  };
  struct IntShape {
    const char* name;
    int64_t (*f)(int64_t);
  };
  const IntShape shapes[] = {
      {"const", [](int64_t) -> int64_t { return 42; }},
      {"small", [](int64_t i) -> int64_t { return i % 5; }},
      {"clock", [](int64_t i) -> int64_t { return kTsStart + i * kTsStep + i % 4; }},
      {"runs", [](int64_t i) -> int64_t { return i / 17; }},
      {"wide", [](int64_t i) -> int64_t { return i % 2 == 0 ? INT64_MIN + i : INT64_MAX - i; }},
  };
  const EncodingHint int_hints[] = {
      EncodingHint::kAuto,        EncodingHint::kPlain,          EncodingHint::kVarint,
      EncodingHint::kVarintDelta, EncodingHint::kVarintRefDelta, EncodingHint::kVarintRefDiff,
      EncodingHint::kRle};
  std::vector<int64_t> ref(kChunkRows);
  for (size_t i = 0; i < kChunkRows; ++i) ref[i] = static_cast<int64_t>(i) * 1000;
  ws::store::EncodedChunk chunk;
  for (const IntShape& shape : shapes) {
    std::vector<int64_t> v(kChunkRows);
    for (size_t i = 0; i < kChunkRows; ++i) v[i] = shape.f(static_cast<int64_t>(i));
    for (EncodingHint hint : int_hints) {
      ws::store::EncodeIntChunk(v, hint, ref, &chunk);
      ws::store::IntColumn back;
      c->Expect(ws::store::DecodeIntChunk(chunk.encoding, chunk.bytes, kChunkRows, &ref, &back),
                std::string("int chunk ") + shape.name);
      c->Add("table_file_fuzz",
             std::string("chunk-int-") + shape.name + "-" + ws::store::EncodingName(chunk.encoding) + "-" +
                 std::to_string(static_cast<int>(hint)),
             rows_prefix(kChunkRows) + chunk.bytes);
    }
  }
  std::vector<std::string> uuids, names, mixed;
  for (size_t i = 0; i < kChunkRows; ++i) {
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "9a1b%04zx-2c3d-4e5f-a6b7-%012zx", i, i * 104729);
    uuids.push_back(uuid);
    names.push_back("title-" + std::to_string(i % 7));
    mixed.push_back(i % 3 == 0 ? "" : i % 3 == 1 ? std::string(uuid) : "Text " + std::to_string(i));
  }
  const struct {
    const char* name;
    const std::vector<std::string>* values;
  } string_shapes[] = {{"uuids", &uuids}, {"names", &names}, {"mixed", &mixed}};
  const EncodingHint string_hints[] = {EncodingHint::kAuto, EncodingHint::kPlain, EncodingHint::kUuid,
                                       EncodingHint::kDictUuid};
  for (const auto& shape : string_shapes) {
    std::vector<std::string_view> v(shape.values->begin(), shape.values->end());
    for (EncodingHint hint : string_hints) {
      ws::store::EncodeStringChunk(v, hint, true, &chunk);
      ws::store::StringColumn back;
      c->Expect(ws::store::DecodeStringChunk(chunk.encoding, chunk.bytes, kChunkRows, &back),
                std::string("string chunk ") + shape.name);
      c->Add("table_file_fuzz",
             std::string("chunk-str-") + shape.name + "-" + ws::store::EncodingName(chunk.encoding) + "-" +
                 std::to_string(static_cast<int>(hint)),
             rows_prefix(kChunkRows) + chunk.bytes);
    }
  }
}

// kRows seeds: two plain rows of each domain table (zero integers, the key
// table's keys counting from 1, UUID-like strings), in the order kRows
// lists the tables.
void AddRows(Corpus* c) {
  const ws::store::TableDef* defs[ws::fuzz::kRowsTables] = {
      &ws::EventsTableDef(), &ws::QuarantineTableDef(), &ws::SessionsTableDef(), &ws::store::KeysTableDef()};
  constexpr size_t kRows = 2;
  for (uint8_t t = 0; t < ws::fuzz::kRowsTables; ++t) {
    const ws::store::TableDef& def = *defs[t];
    ws::fuzz::RowValuesWriter values;
    ws::store::TableWriter check(&def);
    std::deque<std::string> strings;  // the writer keeps views until Finish
    for (size_t r = 0; r < kRows; ++r) {
      for (size_t col = 0; col < def.schema.columns.size(); ++col) {
        const int ci = static_cast<int>(col);
        if (ci == def.key_hash_lo || ci == def.key_hash_hi || ci == def.tombstone) continue;
        const ws::store::ColumnSchema& schema = def.schema.columns[col];
        if (schema.type == ColumnType::kInt64) {
          const int64_t v = schema.name == "key" ? static_cast<int64_t>(r + 1) : 0;
          values.Int(v);
          check.ints(col).push_back(v);
        } else {
          const std::string v =
              schema.name == "dict" ? "user" : "5f0c000" + std::to_string(r) + "-7d1e-4c2b-8a9f-000000000001";
          values.String(v);
          check.strings(col).push_back(strings.emplace_back(v));
        }
      }
    }
    c->Expect(check.Finish(0).status(), "kRows seed of table " + def.name());
    std::string seed(1, static_cast<char>(Mode(ws::fuzz::TableFuzzMode::kRows)));
    seed.push_back(static_cast<char>(t));
    seed.push_back(static_cast<char>(kRows));
    c->Add("table_file_fuzz", "rows-" + def.name(), seed + values.Finish());
  }
}

// ------------------------------------------------------------ manifest, state

ws::IngestState FullState() {
  ws::IngestState st;
  st.watermark = ws::EpochMillis{kTsStart};
  st.events_accepted = 123456;
  st.events_duplicate = 78;
  st.rejected_by_reason = {{"not_json", 3}, {"too_late", 9}};
  st.warnings_by_reason = {{"unknown_field", 2}};
  st.upgraded_from_v1 = true;
  return st;
}

void AddIngestStates(Corpus* c) {
  const ws::IngestState states[] = {ws::IngestState{}, FullState()};
  const char* names[] = {"new", "full"};
  for (size_t i = 0; i < 2; ++i) {
    const std::string bytes = ws::EncodeIngestState(states[i]);
    c->Expect(ws::DecodeIngestState(bytes).status(), "ingest state seed");
    c->Add("ingest_state_fuzz", names[i], bytes);
  }
}

void AddManifests(Corpus* c) {
  ws::store::Manifest empty;
  empty.number = 1;
  ws::store::Manifest full;
  full.number = 9;
  full.next_file_number = 40;
  full.last_seq = 12;
  full.log_covered_seq = 11;
  full.app_state = ws::EncodeIngestState(FullState());
  ws::store::ManifestTable events{
      std::string(ws::kEventsTable), ws::store::TableMode::kAppend, ws::store::PartitionKind::kDay, {}};
  events.files.push_back({3, ws::fuzz::kStoreDay, 4, false, 1000, 65536, 0x0123456789abcdefULL});
  events.files.push_back({31, ws::fuzz::kStoreDay + 1, 12, false, 10, 900, 42});
  ws::store::ManifestTable sessions{
      std::string(ws::kSessionsTable), ws::store::TableMode::kKeyed, ws::store::PartitionKind::kDay, {}};
  sessions.files.push_back({30, ws::fuzz::kStoreDay, 11, true, 77, 4096, 7});
  ws::store::ManifestTable keys{"keys", ws::store::TableMode::kAppend, ws::store::PartitionKind::kNone, {}};
  keys.files.push_back({39, 0, 12, false, 5, 300, 99});
  full.tables = {events, sessions, keys};
  const ws::store::Manifest manifests[] = {empty, full};
  const char* names[] = {"empty", "full"};
  for (size_t i = 0; i < 2; ++i) {
    const std::string bytes = ws::store::EncodeManifest(manifests[i]);
    c->Expect(ws::store::DecodeManifest(bytes).status(), "manifest seed");
    c->Add("manifest_fuzz", names[i], bytes);
  }
}

// ------------------------------------------------------------ WAL

void AddWal(Corpus* c) {
  ws::MemEnv env;
  const std::string dir = "/db";
  const std::string log_path = ws::JoinPath(ws::JoinPath(dir, ws::store::kWalDir), "000001.wsl");
  {
    auto report =
        ws::store::RecoverWal(&env, dir, 0, [](uint64_t, std::string_view) { return Status::Ok(); });
    if (!report.ok()) return c->Expect(report.status(), "RecoverWal on an empty directory");
    auto w = ws::store::WalWriter::Open(&env, dir, *report, 1);
    if (!w.ok()) return c->Expect(w.status(), "WalWriter::Open");
    for (int i = 0; i < kWalRecords; ++i) {
      // Even records compress (zstd), odd ones are stored as they are.
      std::string payload = i % 2 == 0 ? std::string(kWalCompressibleBytes, static_cast<char>('a' + i))
                                       : "record " + std::to_string(i);
      c->Expect((*w)->Append(payload).status(), "WalWriter::Append");
    }
  }
  auto bytes = env.ReadFile(log_path);
  if (!bytes.ok()) return c->Expect(bytes.status(), "reading the log back");
  size_t records = 0;
  auto report = ws::store::RecoverWal(&env, dir, 0, [&](uint64_t, std::string_view) {
    ++records;
    return Status::Ok();
  });
  c->Expect(report.status(), "RecoverWal of the seed log");
  if (records != kWalRecords) c->Fail("the seed log does not hold every record");
  const uint8_t flag_sets[] = {0, ws::fuzz::kWalNotNewest, ws::fuzz::kWalSkipFirst,
                               ws::fuzz::kWalNotNewest | ws::fuzz::kWalSkipFirst};
  for (uint8_t flags : flag_sets)
    c->Add("wal_fuzz", "log-flags" + std::to_string(flags), WithByte(flags, *bytes));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_corpus DIR\n");
    return 2;
  }
  Corpus c{std::filesystem::path(argv[1])};
  AddEvents(&c);
  AddQuarantine(&c);
  AddSessions(&c);
  AddKeys(&c);
  AddEveryHint(&c);
  AddChunks(&c);
  AddRows(&c);
  AddManifests(&c);
  AddIngestStates(&c);
  AddWal(&c);
  if (!c.ok()) return 1;
  std::printf("make_fuzz_corpus: %zu seeds in %s\n", c.count(), argv[1]);
  return 0;
}
