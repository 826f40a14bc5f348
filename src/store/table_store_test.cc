// The format-v2 store on its own (no events, no sessions): commits, keyed
// versions and tombstones, snapshots pinned while writers commit and
// compact, compaction, the key registry, and failures injected through the
// file-system seam.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "store/compaction.h"
#include "store/store.h"
#include "store/table_file.h"
#include "util/mem_env.h"

namespace ws::store {
namespace {

constexpr char kDir[] = "/db";
constexpr int32_t kDay = 20727;

// sess: keyed by id, day-partitioned, rows kept by (start, id).
TableDef SessDef() {
  TableDef d;
  d.schema.name = "sess";
  d.schema.columns = {
      {"id", ColumnType::kString, EncodingHint::kUuid, ""},
      {"start", ColumnType::kInt64, EncodingHint::kAuto, ""},
      {"v", ColumnType::kInt64, EncodingHint::kAuto, ""},
  };
  d.mode = TableMode::kKeyed;
  d.partitions = PartitionKind::kDay;
  d.key_column = "id";
  d.sort_key = {"start", "id"};
  return d;
}

// ev: append-only, day-partitioned, rows kept by (sid, ts).
TableDef EvDef() {
  TableDef d;
  d.schema.name = "ev";
  d.schema.columns = {
      {"sid", ColumnType::kString, EncodingHint::kAuto, "", /*string_stats=*/true},
      {"ts", ColumnType::kInt64, EncodingHint::kVarintDelta, ""},
  };
  d.mode = TableMode::kAppend;
  d.partitions = PartitionKind::kDay;
  d.sort_key = {"sid", "ts"};
  return d;
}

StoreOptions Options(Env* env, bool read_only = false) {
  StoreOptions o;
  o.env = env;
  o.read_only = read_only;
  o.tables = {SessDef(), EvDef()};
  return o;
}

struct Row {
  std::string id;
  int64_t start;
  int64_t v;
};

NewFile SessFile(Store* store, const std::vector<Row>& rows, const std::vector<std::string>& deletes = {},
                 int32_t day = kDay) {
  TableWriter w(store->table("sess"));
  for (const Row& r : rows) {
    w.strings(0).push_back(r.id);
    w.ints(1).push_back(r.start);
    w.ints(2).push_back(r.v);
  }
  for (const std::string& d : deletes) w.AddTombstone(d);
  Result<NewFile> f = w.Finish(day);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return std::move(f).value();
}

NewFile EvFile(Store* store, const std::vector<std::pair<std::string, int64_t>>& rows, int32_t day = kDay) {
  TableWriter w(store->table("ev"));
  for (const auto& [sid, ts] : rows) {
    w.strings(0).push_back(sid);
    w.ints(1).push_back(ts);
  }
  Result<NewFile> f = w.Finish(day);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return std::move(f).value();
}

Status CommitFiles(Store* store, std::vector<NewFile> files) {
  CommitRequest req;
  req.files = std::move(files);
  return store->Commit(std::move(req));
}

// Live rows of sess/kDay as id -> (start, v), in scan order.
std::vector<std::tuple<std::string, int64_t, int64_t>> ReadSess(const Snapshot& snap, int32_t day = kDay) {
  std::vector<std::tuple<std::string, int64_t, int64_t>> out;
  auto reader = snap.Partition("sess", day);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  ColumnBatch batch;
  for (size_t b = 0; b < (*reader)->block_count(); ++b) {
    Status st = (*reader)->Read(b, {"id", "start", "v"}, &batch);
    EXPECT_TRUE(st.ok()) << st.ToString();
    auto emit = [&](size_t r) {
      out.emplace_back(std::string(batch.strings(0).at(r)), batch.ints(1)[r], batch.ints(2)[r]);
    };
    if (batch.selection() == nullptr) {
      for (size_t r = 0; r < batch.rows(); ++r) emit(r);
    } else {
      for (uint32_t r : *batch.selection()) emit(r);
    }
  }
  return out;
}

std::map<std::string, std::pair<int64_t, int64_t>> AsMap(
    const std::vector<std::tuple<std::string, int64_t, int64_t>>& v) {
  std::map<std::string, std::pair<int64_t, int64_t>> m;
  for (const auto& [id, s, x] : v) m[id] = {s, x};
  return m;
}

std::vector<std::pair<std::string, int64_t>> ReadEv(const Snapshot& snap, int32_t day = kDay) {
  std::vector<std::pair<std::string, int64_t>> out;
  auto reader = snap.Partition("ev", day);
  EXPECT_TRUE(reader.ok());
  ColumnBatch batch;
  for (size_t b = 0; b < (*reader)->block_count(); ++b) {
    EXPECT_TRUE((*reader)->Read(b, {"sid", "ts"}, &batch).ok());
    for (size_t r = 0; r < batch.rows(); ++r)
      out.emplace_back(std::string(batch.strings(0).at(r)), batch.ints(1)[r]);
  }
  return out;
}

size_t FilesOnDisk(MemEnv* env, const std::string& table) {
  auto entries = env->ListDir(JoinPath(kDir, table));
  if (!entries.ok()) return 0;
  size_t n = 0;
  for (const DirEntry& e : *entries) n += ParseTableFileName(e.name).has_value();
  return n;
}

TEST(TableStoreTest, DefinitionsAreValid) {
  TableDef s = SessDef();
  EXPECT_TRUE(s.Finalize().ok());
  TableDef e = EvDef();
  EXPECT_TRUE(e.Finalize().ok());
  TableDef bad = SessDef();
  bad.key_column = "start";
  EXPECT_FALSE(bad.Finalize().ok());
  EXPECT_EQ(KeysTableDef().schema.Find("value"), 2);
}

// FlushSorted a block at a time builds the very file that one Finish of
// all the rows builds; pieces out of order, and keyed tables, are refused.
TEST(TableStoreTest, FlushSortedBuildsTheSameFileAsOneFinish) {
  TableDef ev = EvDef();
  ASSERT_TRUE(ev.Finalize().ok());
  const size_t n = 2 * kBlockRows + 1234;
  std::vector<std::string> sids;
  for (size_t r = 0; r < n; ++r) sids.push_back(fmt::format("s{:06}", r / 7));
  auto fill = [&](TableWriter* w, size_t from, size_t to) {
    for (size_t r = from; r < to; ++r) {
      w->strings(0).push_back(sids[r]);
      w->ints(1).push_back(static_cast<int64_t>(r % 7) * 1000);
    }
  };
  TableWriter whole(&ev);
  fill(&whole, 0, n);
  Result<NewFile> one = whole.Finish(kDay);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  TableWriter pieces(&ev);
  for (size_t base = 0; base < n; base += kBlockRows) {
    fill(&pieces, base, std::min(n, base + kBlockRows));
    ASSERT_TRUE(pieces.FlushSorted().ok());
  }
  Result<NewFile> streamed = pieces.Finish(kDay);
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  EXPECT_EQ(streamed->rows, n);
  EXPECT_EQ(streamed->image, one->image);

  TableWriter backwards(&ev);
  fill(&backwards, 100, 200);
  ASSERT_TRUE(backwards.FlushSorted().ok());
  fill(&backwards, 0, 100);
  EXPECT_EQ(backwards.FlushSorted().code(), StatusCode::kInvalidArgument);

  TableDef sess = SessDef();
  ASSERT_TRUE(sess.Finalize().ok());
  TableWriter keyed(&sess);
  keyed.strings(0).push_back("00000000-0000-4000-8000-000000000001");
  keyed.ints(1).push_back(1);
  keyed.ints(2).push_back(1);
  EXPECT_EQ(keyed.FlushSorted().code(), StatusCode::kInvalidArgument);
}

TEST(TableStoreTest, NewStoreIsCreatedAtomicallyAndReadersCreateNothing) {
  MemEnv env;
  EXPECT_EQ(Store::Open(kDir, Options(&env, true)).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(env.PathExists(kDir));
  {
    auto store = Store::Open(kDir, Options(&env));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ((*store)->snapshot()->manifest_number(), 1u);
  }
  EXPECT_TRUE(env.PathExists(std::string(kDir) + "/MANIFEST-000001"));
  auto reader = Store::Open(kDir, Options(&env, true));
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->snapshot()->Partitions("sess").empty());
}

TEST(TableStoreTest, AppendCommitsAreReadBackAndSurviveReopen) {
  MemEnv env;
  {
    auto store = Store::Open(kDir, Options(&env));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(CommitFiles(store->get(), {EvFile(store->get(), {{"b", 2}, {"a", 1}})}).ok());
    ASSERT_TRUE(CommitFiles(store->get(), {EvFile(store->get(), {{"c", 3}})}).ok());
    auto rows = ReadEv(*(*store)->snapshot());
    // Each file is sorted by (sid, ts); files are read oldest first.
    EXPECT_EQ(rows, (std::vector<std::pair<std::string, int64_t>>{{"a", 1}, {"b", 2}, {"c", 3}}));
  }
  env.SimulateCrash();  // everything committed is durable
  auto store = Store::Open(kDir, Options(&env));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(ReadEv(*(*store)->snapshot()).size(), 3u);
}

TEST(TableStoreTest, NewestVersionWinsAndTombstonesDelete) {
  MemEnv env;
  auto store = Store::Open(kDir, Options(&env));
  ASSERT_TRUE(store.ok());
  Store* s = store->get();
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"a", 10, 1}, {"b", 20, 2}, {"c", 30, 3}})}).ok());
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"b", 5, 200}}, {"c"})}).ok());
  auto rows = AsMap(ReadSess(*s->snapshot()));
  EXPECT_EQ(rows, (std::map<std::string, std::pair<int64_t, int64_t>>{{"a", {10, 1}}, {"b", {5, 200}}}));
  auto reader = s->snapshot()->Partition("sess", kDay);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->live_rows(), 2u);
  // A key named twice in one file is refused.
  TableWriter w(s->table("sess"));
  for (int i = 0; i < 2; ++i) {
    w.strings(0).push_back("dup");
    w.ints(1).push_back(i);
    w.ints(2).push_back(i);
  }
  EXPECT_EQ(w.Finish(kDay).status().code(), StatusCode::kInvalidArgument);
  // So are two files for one keyed partition in one commit.
  EXPECT_EQ(CommitFiles(s, {SessFile(s, {{"x", 1, 1}}), SessFile(s, {{"y", 1, 1}})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(TableStoreTest, CompactionKeepsTheLiveRowsInSortOrder) {
  MemEnv env;
  StoreOptions o = Options(&env);
  o.compaction.max_deltas = 2;
  o.compaction.base_ratio = 100;  // only the delta-count rule, first
  auto store = Store::Open(kDir, o);
  ASSERT_TRUE(store.ok());
  Store* s = store->get();
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"a", 10, 1}, {"b", 20, 2}, {"c", 30, 3}})}).ok());
  ASSERT_TRUE(s->CompactAll().ok());  // no base yet: two files are needed
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"b", 25, 22}})}).ok());
  ASSERT_TRUE(s->CompactAll().ok());  // base from the two files
  EXPECT_EQ(s->snapshot()->Files("sess", kDay).size(), 1u);
  EXPECT_TRUE(s->snapshot()->Files("sess", kDay)[0].base);
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"a", 11, 11}})}).ok());
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {}, {"c"})}).ok());
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"d", 1, 4}})}).ok());
  auto before = AsMap(ReadSess(*s->snapshot()));
  ASSERT_TRUE(s->CompactAll().ok());  // three deltas > 2: merged into one delta (tombstone kept)
  auto files = s->snapshot()->Files("sess", kDay);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(files[0].base);
  EXPECT_FALSE(files[1].base);
  EXPECT_EQ(AsMap(ReadSess(*s->snapshot())), before);
  EXPECT_EQ(before, (std::map<std::string, std::pair<int64_t, int64_t>>{
                        {"a", {11, 11}}, {"b", {25, 22}}, {"d", {1, 4}}}));
  // Now the base rule: everything into one base, in (start, id) order.
  store->reset();
  o.compaction.base_ratio = 0;
  store = Store::Open(kDir, o);
  ASSERT_TRUE(store.ok());
  s = store->get();
  ASSERT_TRUE(s->CompactAll().ok());
  files = s->snapshot()->Files("sess", kDay);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].rows, 3u);
  auto rows = ReadSess(*s->snapshot());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(std::get<0>(rows[0]), "d");
  EXPECT_EQ(std::get<0>(rows[1]), "a");
  EXPECT_EQ(std::get<0>(rows[2]), "b");
  EXPECT_EQ(FilesOnDisk(&env, "sess"), 1u);
}

TEST(TableStoreTest, AppendCompactionMergesSmallFiles) {
  MemEnv env;
  auto store = Store::Open(kDir, Options(&env));
  ASSERT_TRUE(store.ok());
  Store* s = store->get();
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(CommitFiles(s, {EvFile(s, {{"s" + std::to_string(5 - i), i}, {"s9", 100 - i}})}).ok());
  }
  ASSERT_TRUE(s->CompactAll().ok());
  EXPECT_EQ(s->snapshot()->Files("ev", kDay).size(), 1u);
  auto rows = ReadEv(*s->snapshot());
  ASSERT_EQ(rows.size(), 12u);
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  EXPECT_GE(s->compactions(), 1u);
}

TEST(TableStoreTest, SnapshotsStayReadableWhileWritersCommitAndCompact) {
  MemEnv env;
  StoreOptions o = Options(&env);
  o.compaction.base_ratio = 0;
  auto store = Store::Open(kDir, o);
  ASSERT_TRUE(store.ok());
  Store* s = store->get();
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"a", 1, 1}})}).ok());
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"a", 1, 2}})}).ok());
  std::shared_ptr<const Snapshot> old = s->snapshot();
  // Another "process" pins the same state.
  auto reader = Store::Open(kDir, Options(&env, true));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(s->CompactAll().ok());
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"a", 1, 3}})}).ok());
  EXPECT_EQ(AsMap(ReadSess(*old))["a"].second, 2);
  EXPECT_EQ(AsMap(ReadSess(*(*reader)->snapshot()))["a"].second, 2);
  EXPECT_EQ(AsMap(ReadSess(*s->snapshot()))["a"].second, 3);
  EXPECT_GE(FilesOnDisk(&env, "sess"), 3u);  // the pinned inputs are still there
  old.reset();
  reader->reset();
  ASSERT_TRUE(CommitFiles(s, {EvFile(s, {{"x", 1}})}).ok());  // cleanup runs after the next commit
  EXPECT_EQ(FilesOnDisk(&env, "sess"), s->snapshot()->Files("sess", kDay).size());
}

TEST(TableStoreTest, KeysArePersistedWithTheNextCommitOnly) {
  MemEnv env;
  {
    auto store = Store::Open(kDir, Options(&env));
    ASSERT_TRUE(store.ok());
    KeyDictionary& users = (*store)->keys().Dictionary("user");
    EXPECT_EQ(users.Intern("u-1"), 1u);
    EXPECT_EQ(users.Intern("u-2"), 2u);
    EXPECT_EQ(users.Intern("u-1"), 1u);
    EXPECT_EQ(users.Intern(""), kNoKey);
    ASSERT_TRUE(CommitFiles(store->get(), {EvFile(store->get(), {{"s", 1}})}).ok());
    EXPECT_EQ(users.Intern("u-3"), 3u);  // never committed
  }
  env.SimulateCrash();
  auto store = Store::Open(kDir, Options(&env));
  ASSERT_TRUE(store.ok());
  KeyDictionary& users = (*store)->keys().Dictionary("user");
  EXPECT_EQ(users.size(), 2u);
  EXPECT_EQ(users.Name(2), "u-2");
  EXPECT_EQ(*users.Find("u-1"), 1u);
  EXPECT_EQ(users.Intern("u-9"), 3u);
}

TEST(TableStoreTest, FailedDataWritesLeaveTheStoreUsable) {
  MemEnv env;
  auto store = Store::Open(kDir, Options(&env));
  ASSERT_TRUE(store.ok());
  Store* s = store->get();
  for (MemEnv::Action action :
       {MemEnv::Action::kIOError, MemEnv::Action::kNoSpace, MemEnv::Action::kShortWrite}) {
    env.FailAt(MemEnv::Op::kWrite, 1, action);
    EXPECT_FALSE(CommitFiles(s, {EvFile(s, {{"lost", 1}})}).ok());
  }
  env.FailAt(MemEnv::Op::kSync, 1, MemEnv::Action::kIOError);
  EXPECT_FALSE(CommitFiles(s, {EvFile(s, {{"lost", 1}})}).ok());
  ASSERT_TRUE(CommitFiles(s, {EvFile(s, {{"kept", 1}})}).ok());
  EXPECT_EQ(ReadEv(*s->snapshot()), (std::vector<std::pair<std::string, int64_t>>{{"kept", 1}}));
  // A failed fsync of the directory after the manifest rename poisons the store.
  env.FailAt(MemEnv::Op::kSyncDir, 2, MemEnv::Action::kIOError);
  EXPECT_FALSE(CommitFiles(s, {EvFile(s, {{"maybe", 1}})}).ok());
  EXPECT_FALSE(CommitFiles(s, {EvFile(s, {{"refused", 1}})}).ok());
  store->reset();
  store = Store::Open(kDir, Options(&env));
  ASSERT_TRUE(store.ok());
  auto rows = ReadEv(*(*store)->snapshot());
  EXPECT_TRUE(rows.size() == 1 || rows.size() == 2);
  EXPECT_EQ(FilesOnDisk(&env, "ev"), (*store)->snapshot()->Files("ev", kDay).size());
}

// State of the store as the test sees it: sess rows and ev rows.
std::string Describe(const Snapshot& snap) {
  std::string out;
  for (const auto& [id, v] : AsMap(ReadSess(snap))) out += id + "=" + std::to_string(v.second) + ";";
  out += "|";
  auto ev = ReadEv(snap);
  std::sort(ev.begin(), ev.end());
  for (const auto& [sid, ts] : ev) out += sid + ":" + std::to_string(ts) + ";";
  return out;
}

// Runs `step` on a copy of `base` with a crash after the k-th mutating
// operation, for every k, and checks that the store then opens as `before`
// or `after`. Returns the number of crash points.
template <typename Step>
size_t EnumerateCrashes(const MemEnv& base, const std::string& before, const std::string& after, Step step) {
  const std::vector<MemEnv::Op> ops = {MemEnv::Op::kWrite,   MemEnv::Op::kSync,   MemEnv::Op::kRename,
                                       MemEnv::Op::kSyncDir, MemEnv::Op::kCreate, MemEnv::Op::kRemove};
  size_t points = 0;
  for (uint64_t k = 1;; ++k) {
    MemEnv env;
    EXPECT_TRUE(base.CopyTree(kDir, &env, kDir).ok());
    env.CrashAfter(ops, k);
    {
      auto store = Store::Open(kDir, Options(&env));
      if (store.ok()) step(store->get());
    }
    const bool crashed = env.crashed();
    env.SimulateCrash();
    auto store = Store::Open(kDir, Options(&env));
    EXPECT_TRUE(store.ok()) << "crash point " << k << ": " << store.status().ToString();
    if (!store.ok()) return points;
    std::string state = Describe(*(*store)->snapshot());
    EXPECT_TRUE(state == before || state == after) << "crash point " << k << " left " << state;
    if (!crashed) return points;  // the step ran to the end: every point is covered
    ++points;
  }
}

TEST(TableStoreTest, CrashAtEveryStepOfACommitAndACompaction) {
  MemEnv base;
  StoreOptions o = Options(&base);
  {
    auto store = Store::Open(kDir, o);
    ASSERT_TRUE(store.ok());
    Store* s = store->get();
    ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"a", 1, 1}, {"b", 2, 2}}), EvFile(s, {{"a", 1}})}).ok());
    ASSERT_TRUE(CommitFiles(s, {SessFile(s, {{"b", 2, 20}}, {"a"})}).ok());
    s->keys().Dictionary("user").Intern("u-1");
  }
  base.SimulateCrash();
  std::string before;
  {
    auto store = Store::Open(kDir, Options(&base));
    ASSERT_TRUE(store.ok());
    before = Describe(*(*store)->snapshot());
  }
  EXPECT_EQ(before, "b=20;|a:1;");
  size_t commit_points = EnumerateCrashes(base, before, "b=20;c=3;|a:1;c:3;", [](Store* s) {
    s->keys().Dictionary("user").Intern("u-2");
    (void)CommitFiles(s, {SessFile(s, {{"c", 3, 3}}), EvFile(s, {{"c", 3}})});
  });
  EXPECT_GE(commit_points, 8u);
  size_t compaction_points = EnumerateCrashes(base, before, before, [](Store* s) { (void)s->CompactAll(); });
  EXPECT_GE(compaction_points, 4u);
  std::printf("crash points: commit %zu, compaction %zu\n", commit_points, compaction_points);
}

// Issue 7, item 1: a crash while the very first writer creates the store in
// a data directory that already holds other files (catalog.db) must not
// brick it: at every crash point the directory opens again, empty or with
// the first commit.
TEST(TableStoreTest, CrashAtEveryStepOfCreatingAStoreLeavesItOpenable) {
  MemEnv base;
  ASSERT_TRUE(base.CreateDir(kDir).ok());
  ASSERT_TRUE(base.WriteFileAtomic(std::string(kDir) + "/catalog.db", "not a store file").ok());
  const size_t points = EnumerateCrashes(base, "|", "c=3;|c:3;", [](Store* s) {
    (void)CommitFiles(s, {SessFile(s, {{"c", 3, 3}}), EvFile(s, {{"c", 3}})});
  });
  EXPECT_GE(points, 8u);
  std::printf("crash points creating a store and its first commit: %zu\n", points);
}

TEST(TableStoreTest, DamagedManifestIsReportedNotSkipped) {
  MemEnv env;
  {
    auto store = Store::Open(kDir, Options(&env));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(CommitFiles(store->get(), {EvFile(store->get(), {{"a", 1}})}).ok());
  }
  std::string path = std::string(kDir) + "/MANIFEST-000003";
  auto bytes = env.ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  std::string bad = *bytes;
  bad[bad.size() / 2] ^= 1;
  ASSERT_TRUE(env.WriteFileSynced(path, bad).ok());
  auto store = Store::Open(kDir, Options(&env));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
  EXPECT_NE(store.status().message().find("MANIFEST-000003"), std::string::npos);
}

TEST(TableStoreTest, TableFilesWithoutManifestAreNotGuessed) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs(std::string(kDir) + "/ev").ok());
  ASSERT_TRUE(env.WriteFileSynced(std::string(kDir) + "/ev/2026-10-01-000002.wst", "x").ok());
  EXPECT_EQ(Store::Open(kDir, Options(&env)).status().code(), StatusCode::kCorruption);
  // Temporary files alone are the leftovers of an interrupted creation.
  MemEnv env2;
  ASSERT_TRUE(env2.MakeDirs(kDir).ok());
  ASSERT_TRUE(env2.WriteFileSynced(std::string(kDir) + "/MANIFEST-000001.tmp-abc", "x").ok());
  auto store = Store::Open(kDir, Options(&env2));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_FALSE(env2.PathExists(std::string(kDir) + "/MANIFEST-000001.tmp-abc"));
}

// A file image of table `def` whose column `column` has the other type
// (one row, values zero / "x").
NewFile FileWithRetypedColumn(const TableDef& def, const std::string& column, int32_t partition) {
  TableSchema schema = def.schema;
  const int c = schema.Find(column);
  EXPECT_GE(c, 0);
  ColumnSchema& col = schema.columns[static_cast<size_t>(c)];
  col.type = col.type == ColumnType::kInt64 ? ColumnType::kString : ColumnType::kInt64;
  col.hint = EncodingHint::kAuto;
  TableFileBuilder b(&schema);
  for (size_t k = 0; k < schema.columns.size(); ++k) {
    if (schema.columns[k].type == ColumnType::kInt64) {
      b.ints(k).push_back(0);
    } else {
      b.strings(k).push_back("x");
    }
  }
  Result<std::string> image = b.Finish();
  EXPECT_TRUE(image.ok()) << image.status().ToString();
  return NewFile{def.name(), partition, std::move(image).value(), 1};
}

// Readers index a column by the type its table defines; a file that
// disagrees used to be read anyway (ColumnBatch::ints of a string column is
// empty: out-of-bounds reads in every domain decoder and in the key loader).
TEST(TableStoreTest, AFileWhoseColumnHasAnotherTypeThanItsTableIsCorruption) {
  MemEnv env;
  auto store = Store::Open(kDir, Options(&env));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE(CommitFiles(store->get(), {FileWithRetypedColumn(*(*store)->table("ev"), "ts", kDay)}).ok());
  auto reader = (*store)->snapshot()->Partition("ev", kDay);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kCorruption);
  EXPECT_NE(reader.status().message().find("column 'ts' is a string column"), std::string::npos)
      << reader.status().ToString();

  // The key table is read when the store opens.
  ASSERT_TRUE(CommitFiles(store->get(), {FileWithRetypedColumn(KeysTableDef(), "key", 0)}).ok());
  store->reset();
  auto reopened = Store::Open(kDir, Options(&env));
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(reopened.status().message().find("column 'key'"), std::string::npos)
      << reopened.status().ToString();
}

TEST(TableStoreTest, BlockStatisticsAllowSkipping) {
  MemEnv env;
  auto store = Store::Open(kDir, Options(&env));
  ASSERT_TRUE(store.ok());
  Store* s = store->get();
  std::vector<Row> rows;
  const size_t n = 3 * kBlockRows;
  for (size_t i = 0; i < n; ++i) rows.push_back({"id" + std::to_string(i), static_cast<int64_t>(i), 0});
  ASSERT_TRUE(CommitFiles(s, {SessFile(s, rows)}).ok());
  ASSERT_TRUE(s->CompactAll().ok());
  auto reader = s->snapshot()->Partition("sess", kDay);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->block_count(), 3u);
  size_t wanted = 0;
  const int64_t lo = static_cast<int64_t>(kBlockRows) + 10, hi = lo + 100;
  for (size_t b = 0; b < 3; ++b) {
    const ChunkStats* st = (*reader)->stats(b, "start");
    ASSERT_NE(st, nullptr);
    if (st->max < lo || st->min > hi) continue;
    ++wanted;
  }
  EXPECT_EQ(wanted, 1u);
}

}  // namespace
}  // namespace ws::store
