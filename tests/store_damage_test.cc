// Failure suite of the embedded store (SPEC 6): damaged, truncated, missing
// and leftover files. A damaged file must be reported as kCorruption naming
// the file and must never be read as data; leftovers of an interrupted
// commit must be ignored and cleaned up without touching committed data.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "event/event_table.h"
#include "session/data_store.h"
#include "session/session_table.h"
#include "store_test_util.h"

namespace ws {
namespace {

using store::testing::MakeRealisticEvents;
using store::testing::TempDir;
namespace fs = std::filesystem;

constexpr DayNumber kDay{20727};
// Files up to this size get every byte flipped; larger ones a stride.
constexpr size_t kEveryByteLimit = 8192;
constexpr size_t kStridePositions = 2048;
constexpr size_t kEdgeBytes = 256;

SessionRecord Session(const std::string& id) {
  SessionRecord r;
  r.session_id = id;
  r.user_id = "u";
  r.content_id = "c";
  r.date_key = kDay;
  r.local_date = kDay;
  return r;
}

Rejection Reject(int line) {
  Rejection r;
  r.reason = RejectReason::kNotJson;
  r.message = "The line is not valid JSON.";
  r.raw = "{broken " + std::to_string(line);
  r.source = "x.ndjson";
  r.line = line;
  return r;
}

// Positions to damage in a file of `size` bytes: all of them when small,
// else both ends (header, footer) plus a stride through the chunks.
std::vector<size_t> DamagePositions(size_t size) {
  std::vector<size_t> out;
  if (size <= kEveryByteLimit) {
    for (size_t i = 0; i < size; ++i) out.push_back(i);
    return out;
  }
  for (size_t i = 0; i < kEdgeBytes; ++i) {
    out.push_back(i);
    out.push_back(size - 1 - i);
  }
  size_t stride = size / kStridePositions + 1;
  for (size_t i = kEdgeBytes; i < size - kEdgeBytes; i += stride) out.push_back(i);
  return out;
}

// Overwrites a file in place, without fsync (damage is simulated, not durable).
void WriteRaw(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string ReadRaw(const std::string& path) { return *Env::Default()->ReadFile(path); }

// Flips one byte in place (no truncation, no fsync).
void FlipByte(const std::string& path, size_t pos) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekg(static_cast<std::streamoff>(pos));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(pos));
  f.put(static_cast<char>(c ^ 0x5a));
  ASSERT_TRUE(f.good()) << path << " at " << pos;
}

Status CommitDay(DataStore* ds, const std::vector<Event>& events, DayNumber day,
                 std::vector<SessionRecord> sessions, const std::vector<Rejection>& rejections) {
  store::CommitRequest req;
  std::vector<const Event*> refs;
  for (const Event& e : events) refs.push_back(&e);
  if (!refs.empty()) {
    WS_ASSIGN_OR_RETURN(store::NewFile f, EncodeEvents(*ds->store().table(kEventsTable), refs, day));
    req.files.push_back(std::move(f));
  }
  std::vector<const SessionRecord*> srefs;
  for (SessionRecord& r : sessions) {
    AssignKeys(&r, ds->keys());
    srefs.push_back(&r);
  }
  if (!srefs.empty()) {
    WS_ASSIGN_OR_RETURN(store::NewFile f, EncodeSessions(srefs, {}, day));
    req.files.push_back(std::move(f));
  }
  if (!rejections.empty()) {
    WS_ASSIGN_OR_RETURN(store::NewFile f, EncodeRejections(rejections));
    req.files.push_back(std::move(f));
  }
  IngestState st;
  st.events_accepted = events.size();
  req.app_state = EncodeIngestState(st);
  return ds->store().Commit(std::move(req));
}

class StoreDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = DataStore::Open(tmp_.path(), {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    events_ = MakeRealisticEvents(2, 9, &arena_, EpochMillis{int64_t{kDay.v} * kMillisPerDay});
    ASSERT_TRUE(
        CommitDay(s->get(), events_, kDay, {Session("s1"), Session("s2")}, {Reject(1), Reject(2)}).ok());
  }

  std::string FindFile(const std::string& table) {
    for (const auto& e : fs::directory_iterator(tmp_.Sub(table))) {
      if (e.is_regular_file() && e.path().extension() == ".wst") return e.path().string();
    }
    ADD_FAILURE() << "no table file under " << table;
    return "";
  }

  std::string ManifestPath() {
    std::string best;
    for (const auto& e : fs::directory_iterator(tmp_.path())) {
      std::string name = e.path().filename().string();
      if (name.rfind("MANIFEST-", 0) == 0 && name.find(".tmp-") == std::string::npos)
        best = std::max(best, e.path().string());
    }
    return best;
  }

  // Reads everything; returns the first error.
  static Status ReadAll(const DataStore& ds) {
    std::shared_ptr<const store::Snapshot> snap = ds.snapshot();
    for (int32_t d : snap->Partitions(kEventsTable)) {
      WS_RETURN_IF_ERROR(ReadEvents(*snap, DayNumber{d}, [](const EventBlock&) { return Status::Ok(); }));
    }
    for (int32_t d : snap->Partitions(kSessionsTable)) {
      std::vector<SessionRecord> recs;
      WS_RETURN_IF_ERROR(ReadSessions(*snap, ds.keys(), DayNumber{d}, &recs));
    }
    return ReadRejections(*snap, [](const Rejection&) { return Status::Ok(); });
  }

  // Opens (read-only: no cleanup, so the damage stays) and reads everything.
  static Status OpenAndReadAll(const std::string& dir) {
    DataStoreOptions ro;
    ro.read_only = true;
    WS_ASSIGN_OR_RETURN(std::unique_ptr<DataStore> s, DataStore::Open(dir, ro));
    return ReadAll(*s);
  }

  void ExpectCorruptionNaming(const Status& st, const std::string& path, const std::string& what) {
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << what << ": " << st.ToString();
    EXPECT_NE(st.message().find(path), std::string::npos) << what << ": " << st.ToString();
  }

  // Flips bytes of `path` one position at a time and expects every open+read
  // to fail with kCorruption naming the file.
  void DamageEveryPosition(const std::string& path) {
    const std::string original = ReadRaw(path);
    ASSERT_TRUE(OpenAndReadAll(tmp_.path()).ok());
    for (size_t pos : DamagePositions(original.size())) {
      FlipByte(path, pos);
      ExpectCorruptionNaming(OpenAndReadAll(tmp_.path()), path, "byte " + std::to_string(pos));
      FlipByte(path, pos);
    }
    ASSERT_TRUE(OpenAndReadAll(tmp_.path()).ok());
  }

  TempDir tmp_;
  StringArena arena_;
  std::vector<Event> events_;
};

TEST_F(StoreDamageTest, FlippedByteInEventsFileIsCorruption) { DamageEveryPosition(FindFile("events")); }

TEST_F(StoreDamageTest, FlippedByteInSessionsFileIsCorruption) { DamageEveryPosition(FindFile("sessions")); }

TEST_F(StoreDamageTest, FlippedByteInQuarantineIsCorruption) { DamageEveryPosition(FindFile("quarantine")); }

TEST_F(StoreDamageTest, FlippedByteInKeysFileIsCorruption) { DamageEveryPosition(FindFile("keys")); }

TEST_F(StoreDamageTest, FlippedByteInManifestIsCorruption) { DamageEveryPosition(ManifestPath()); }

TEST_F(StoreDamageTest, TruncatedReferencedFilesAreReportedByName) {
  for (const std::string& path :
       {FindFile("events"), FindFile("sessions"), FindFile("quarantine"), FindFile("keys"), ManifestPath()}) {
    const std::string original = ReadRaw(path);
    for (size_t len : {size_t{0}, size_t{1}, original.size() / 2, original.size() - 1}) {
      WriteRaw(path, original.substr(0, len));
      ExpectCorruptionNaming(OpenAndReadAll(tmp_.path()), path, "truncated to " + std::to_string(len));
      auto rw = DataStore::Open(tmp_.path(), {});
      ASSERT_FALSE(rw.ok());
      ExpectCorruptionNaming(rw.status(), path, "read-write open, truncated to " + std::to_string(len));
    }
    WriteRaw(path, original);
  }
  EXPECT_TRUE(OpenAndReadAll(tmp_.path()).ok());
}

TEST_F(StoreDamageTest, MissingFilesAreReportedByName) {
  std::string seg = FindFile("sessions");
  std::string saved = ReadRaw(seg);
  ASSERT_TRUE(Env::Default()->RemoveFile(seg).ok());
  auto s = DataStore::Open(tmp_.path(), {});
  ASSERT_FALSE(s.ok());
  ExpectCorruptionNaming(s.status(), seg, "missing sessions file");
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(seg, saved).ok());

  // Without any manifest the store refuses to guess (and deletes nothing).
  std::string manifest = ManifestPath();
  saved = ReadRaw(manifest);
  ASSERT_TRUE(Env::Default()->RemoveFile(manifest).ok());
  s = DataStore::Open(tmp_.path(), {});
  ASSERT_FALSE(s.ok());
  ExpectCorruptionNaming(s.status(), tmp_.path(), "missing manifest");
  EXPECT_NE(s.status().message().find("MANIFEST"), std::string::npos);
  EXPECT_TRUE(fs::exists(seg));
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(manifest, saved).ok());
  EXPECT_TRUE(OpenAndReadAll(tmp_.path()).ok());
}

// A crash before the manifest rename leaves temporary files and complete or
// half-written table files that no manifest names. Open ignores and deletes
// them, and the committed data is intact.
TEST_F(StoreDamageTest, LeftoversOfAnInterruptedCommitAreDeletedOnOpen) {
  std::string seg = FindFile("events");
  std::string seg_bytes = ReadRaw(seg);
  const std::vector<std::string> leftovers = {
      tmp_.Sub("events/2026-10-01-000090.wst.tmp-a1b2c3"),
      tmp_.Sub("events/2026-10-01-000091.wst"),  // complete but unreferenced
      tmp_.Sub("events/2031-01-01-000092.wst"),
      tmp_.Sub("sessions/2026-10-01-000093.wst"),
      tmp_.Sub("quarantine/000094.wst"),
      tmp_.Sub("quarantine/000095.wst.tmp-zzzzzz"),
      tmp_.Sub("MANIFEST-000097.tmp-q1w2e3"),
  };
  for (size_t i = 0; i < leftovers.size(); ++i) {
    std::string content = i == 1 ? seg_bytes : seg_bytes.substr(0, seg_bytes.size() / (i + 2));
    WriteRaw(leftovers[i], content);
  }
  std::string unknown = tmp_.Sub("README.txt");  // not ours: left alone
  WriteRaw(unknown, "hello");
  {
    auto s = DataStore::Open(tmp_.path(), {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (const std::string& p : leftovers) EXPECT_FALSE(fs::exists(p)) << p;
    EXPECT_TRUE(fs::exists(unknown));
    EXPECT_TRUE(fs::exists(seg));
    std::shared_ptr<const store::Snapshot> snap = (*s)->snapshot();
    EXPECT_EQ(snap->Partitions(kEventsTable), std::vector<int32_t>{kDay.v});
    size_t got = 0;
    ASSERT_TRUE(ReadEvents(*snap, kDay, [&](const EventBlock& b) {
                  got += b.events.size();
                  return Status::Ok();
                }).ok());
    EXPECT_EQ(got, events_.size());
    EXPECT_TRUE(ReadAll(**s).ok());
  }
}

// Simulates a crash after a second commit wrote all its data files but
// before its manifest was renamed into place: a copy of the directory taken
// after commit 1 plus every table file commit 2 created. The store opens at
// commit 1 and commit 2's files are removed.
TEST_F(StoreDamageTest, CrashBeforeTheManifestRenameRollsBackTheWholeCommit) {
  TempDir crashed;
  fs::copy(tmp_.path(), crashed.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::remove(crashed.Sub("LOCK"));
  {
    auto s = DataStore::Open(tmp_.path(), {});
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(CommitDay(s->get(), events_, DayNumber{kDay.v + 1}, {Session("replaced")}, {Reject(9)}).ok());
  }
  std::vector<std::string> added;
  for (const auto& e : fs::recursive_directory_iterator(tmp_.path())) {
    std::string rel = fs::relative(e.path(), tmp_.path()).string();
    if (!e.is_regular_file() || rel == "LOCK" || rel.rfind("MANIFEST-", 0) == 0 ||
        fs::exists(crashed.Sub(rel))) {
      continue;
    }
    fs::create_directories(fs::path(crashed.Sub(rel)).parent_path());
    fs::copy_file(e.path(), crashed.Sub(rel));
    added.push_back(crashed.Sub(rel));
  }
  ASSERT_GE(added.size(), 3u);  // events, sessions, quarantine (and keys)
  auto s = DataStore::Open(crashed.path(), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (const std::string& p : added) EXPECT_FALSE(fs::exists(p)) << p;
  std::shared_ptr<const store::Snapshot> snap = (*s)->snapshot();
  EXPECT_EQ(DataStore::StateOf(*snap)->events_accepted, events_.size());
  EXPECT_EQ(snap->Partitions(kEventsTable), std::vector<int32_t>{kDay.v});
  std::vector<SessionRecord> recs;
  ASSERT_TRUE(ReadSessions(*snap, (*s)->keys(), kDay, &recs).ok());
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].session_id, "s1");
  int rejections = 0;
  ASSERT_TRUE(ReadRejections(*snap, [&](const Rejection&) {
                ++rejections;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(rejections, 2);
}

}  // namespace
}  // namespace ws
