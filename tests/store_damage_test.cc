// Failure suite of the embedded store (SPEC 6): damaged, truncated, missing
// and leftover files. A damaged file must be reported as kCorruption naming
// the file and must never be read as data; leftovers of an interrupted
// commit must be ignored and cleaned up without touching committed data.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "store/v1/manifest.h"
#include "store/v1/segment.h"
#include "store/v1/store.h"
#include "store/v1/store_test_util.h"
#include "util/checksum.h"
#include "util/fs.h"

namespace ws {
namespace {

using store::testing::MakeRealisticEvents;
using store::testing::TempDir;

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
// else both ends (header, footer) plus a stride through the column blocks.
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

class StoreDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(tmp_.path(), {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    CommitBatch b;
    events_ = MakeRealisticEvents(2, 9, &arena_, EpochMillis{int64_t{kDay.v} * kMillisPerDay});
    b.events[kDay] = events_;
    b.sessions[kDay] = {Session("s1"), Session("s2")};
    b.rejections = {Reject(1), Reject(2)};
    b.new_state.events_accepted = events_.size();
    ASSERT_TRUE((*s)->Commit(b).ok());
  }

  std::string FindFile(const std::string& sub, const std::string& ext) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_.Sub(sub))) {
      if (e.is_regular_file() && e.path().extension() == ext) return e.path().string();
    }
    ADD_FAILURE() << "no " << ext << " file under " << sub;
    return "";
  }

  std::string ManifestPath() {
    for (const auto& e : std::filesystem::directory_iterator(tmp_.path())) {
      if (e.path().filename().string().rfind("MANIFEST-", 0) == 0) return e.path().string();
    }
    return "";
  }

  // Reads everything; returns the first error.
  static Status ReadAll(const Store& s) {
    for (DayNumber d : s.EventDays()) {
      WS_RETURN_IF_ERROR(s.ReadEvents(d, [](const EventBlock&) { return Status::Ok(); }));
    }
    for (DayNumber d : s.SessionDays()) {
      std::vector<SessionRecord> recs;
      WS_RETURN_IF_ERROR(s.ReadSessions(d, &recs));
    }
    return s.ReadRejections([](const Rejection&) { return Status::Ok(); });
  }

  // Opens (read-only: no cleanup, so the damage stays) and reads everything.
  static Status OpenAndReadAll(const std::string& dir) {
    Store::Options ro;
    ro.read_only = true;
    WS_ASSIGN_OR_RETURN(std::unique_ptr<Store> s, Store::Open(dir, ro));
    return ReadAll(*s);
  }

  void ExpectCorruptionNaming(const Status& st, const std::string& path, const std::string& what) {
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << what << ": " << st.ToString();
    EXPECT_NE(st.message().find(path), std::string::npos) << what << ": " << st.ToString();
  }

  // Flips bytes of `path` one position at a time and expects every open+read
  // to fail with kCorruption naming the file.
  void DamageEveryPosition(const std::string& path) {
    Result<std::string> original = ReadFile(path);
    ASSERT_TRUE(original.ok());
    ASSERT_TRUE(OpenAndReadAll(tmp_.path()).ok());
    for (size_t pos : DamagePositions(original->size())) {
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

TEST_F(StoreDamageTest, FlippedByteInEventSegmentIsCorruption) {
  DamageEveryPosition(FindFile("events", ".wse"));
}

TEST_F(StoreDamageTest, FlippedByteInSessionSegmentIsCorruption) {
  DamageEveryPosition(FindFile("sessions", ".wss"));
}

TEST_F(StoreDamageTest, FlippedByteInQuarantineIsCorruption) {
  DamageEveryPosition(FindFile("quarantine", ".wsq"));
}

TEST_F(StoreDamageTest, FlippedByteInManifestIsCorruption) { DamageEveryPosition(ManifestPath()); }

TEST_F(StoreDamageTest, FlippedByteInCurrentIsCorruption) { DamageEveryPosition(tmp_.Sub("CURRENT")); }

// Defense in depth: even when the manifest's whole-file checksum is made to
// agree with a damaged segment, the segment's own checksums catch it.
TEST_F(StoreDamageTest, InFileChecksumsCatchDamageTheManifestMisses) {
  std::string seg = FindFile("events", ".wse");
  std::string manifest_path = ManifestPath();
  Result<std::string> original = ReadFile(seg);
  Result<std::string> manifest_bytes = ReadFile(manifest_path);
  ASSERT_TRUE(original.ok() && manifest_bytes.ok());
  Result<store::v1::Manifest> manifest = store::v1::DecodeManifest(*manifest_bytes);
  ASSERT_TRUE(manifest.ok());
  for (size_t pos : DamagePositions(original->size())) {
    std::string bad = *original;
    bad[pos] ^= 0x01;
    WriteRaw(seg, bad);
    store::v1::Manifest m = *manifest;
    for (store::v1::LiveFile& f : m.files) {
      if (f.kind == store::v1::FileKind::kEvents) f.checksum = Checksum64(bad);
    }
    WriteRaw(manifest_path, store::v1::EncodeManifest(m));
    ExpectCorruptionNaming(OpenAndReadAll(tmp_.path()), seg, "byte " + std::to_string(pos));
  }
}

TEST_F(StoreDamageTest, TruncatedReferencedFilesAreReportedByName) {
  for (const std::string& path : {FindFile("events", ".wse"), FindFile("sessions", ".wss"),
                                  FindFile("quarantine", ".wsq"), ManifestPath(), tmp_.Sub("CURRENT")}) {
    Result<std::string> original = ReadFile(path);
    ASSERT_TRUE(original.ok());
    for (size_t len : {size_t{0}, size_t{1}, original->size() / 2, original->size() - 1}) {
      WriteRaw(path, original->substr(0, len));
      ExpectCorruptionNaming(OpenAndReadAll(tmp_.path()), path, "truncated to " + std::to_string(len));
      auto rw = Store::Open(tmp_.path(), {});
      ASSERT_FALSE(rw.ok());
      ExpectCorruptionNaming(rw.status(), path, "read-write open, truncated to " + std::to_string(len));
    }
    WriteRaw(path, *original);
  }
  EXPECT_TRUE(OpenAndReadAll(tmp_.path()).ok());
}

TEST_F(StoreDamageTest, MissingFilesAreReportedByName) {
  std::string seg = FindFile("sessions", ".wss");
  std::string saved = *ReadFile(seg);
  ASSERT_TRUE(RemoveFile(seg).ok());
  auto s = Store::Open(tmp_.path(), {});
  ASSERT_FALSE(s.ok());
  ExpectCorruptionNaming(s.status(), seg, "missing session segment");
  ASSERT_TRUE(WriteFileAtomic(seg, saved).ok());

  std::string manifest = ManifestPath();
  saved = *ReadFile(manifest);
  ASSERT_TRUE(RemoveFile(manifest).ok());
  s = Store::Open(tmp_.path(), {});
  ASSERT_FALSE(s.ok());
  ExpectCorruptionNaming(s.status(), manifest, "missing manifest");
  ASSERT_TRUE(WriteFileAtomic(manifest, saved).ok());

  // Without CURRENT the store refuses to guess (and deletes nothing).
  std::string current = tmp_.Sub("CURRENT");
  saved = *ReadFile(current);
  ASSERT_TRUE(RemoveFile(current).ok());
  s = Store::Open(tmp_.path(), {});
  ASSERT_FALSE(s.ok());
  ExpectCorruptionNaming(s.status(), current, "missing CURRENT");
  EXPECT_TRUE(PathExists(seg));
  ASSERT_TRUE(WriteFileAtomic(current, saved).ok());
  EXPECT_TRUE(OpenAndReadAll(tmp_.path()).ok());
}

// A crash before the manifest switch leaves temporary files and complete or
// half-written segments that no manifest names. Open ignores and deletes
// them, and the committed data is intact.
TEST_F(StoreDamageTest, LeftoversOfAnInterruptedCommitAreDeletedOnOpen) {
  std::string seg = FindFile("events", ".wse");
  std::string seg_bytes = *ReadFile(seg);
  std::string day_dir = DirName(seg);
  const std::vector<std::string> leftovers = {
      day_dir + "/000090.wse.tmp-a1b2c3",
      day_dir + "/000091.wse",  // complete but unreferenced
      tmp_.Sub("events/2031-01-01/000092.wse"),
      DirName(FindFile("sessions", ".wss")) + "/000093.wss",
      tmp_.Sub("quarantine/000094.wsq"),
      tmp_.Sub("quarantine/000095.wsq.tmp-zzzzzz"),
      tmp_.Sub("MANIFEST-000096"),
      tmp_.Sub("MANIFEST-000097.tmp-q1w2e3"),
      tmp_.Sub("CURRENT.tmp-abcdef"),
  };
  for (size_t i = 0; i < leftovers.size(); ++i) {
    ASSERT_TRUE(MakeDirs(DirName(leftovers[i])).ok());
    std::string content = i == 1 ? seg_bytes : seg_bytes.substr(0, seg_bytes.size() / (i + 2));
    WriteRaw(leftovers[i], content);
  }
  std::string unknown = tmp_.Sub("README.txt");  // not ours: left alone
  ASSERT_TRUE(WriteFileAtomic(unknown, "hello").ok());
  {
    auto s = Store::Open(tmp_.path(), {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (const std::string& p : leftovers) EXPECT_FALSE(PathExists(p)) << p;
    EXPECT_FALSE(PathExists(tmp_.Sub("events/2031-01-01")));
    EXPECT_TRUE(PathExists(unknown));
    EXPECT_TRUE(PathExists(seg));
    EXPECT_EQ((*s)->EventDays(), std::vector<DayNumber>{kDay});
    std::vector<Event> got;
    ASSERT_TRUE((*s)->ReadEvents(kDay,
                                 [&](const EventBlock& b) {
                                   got.insert(got.end(), b.events.begin(), b.events.end());
                                   return Status::Ok();
                                 })
                    .ok());
    EXPECT_EQ(got.size(), events_.size());
    EXPECT_TRUE(ReadAll(**s).ok());
  }
}

// Simulates a crash after a second commit wrote all its data files and its
// manifest but before CURRENT was switched: a copy of the directory taken
// after commit 1 plus every file commit 2 created. The store opens at
// commit 1 and commit 2's files are removed.
TEST_F(StoreDamageTest, CrashBeforeCurrentSwitchRollsBackWholeCommit) {
  namespace fs = std::filesystem;
  TempDir crashed;
  fs::copy(tmp_.path(), crashed.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::remove(crashed.Sub("LOCK"));
  {
    auto s = Store::Open(tmp_.path(), {});
    ASSERT_TRUE(s.ok());
    CommitBatch b;
    b.events[DayNumber{kDay.v + 1}] = events_;
    b.events[kDay] = events_;
    b.sessions[kDay] = {Session("replaced")};
    b.rejections = {Reject(9)};
    b.new_state.events_accepted = 999;
    ASSERT_TRUE((*s)->Commit(b).ok());
  }
  std::vector<std::string> added;
  for (const auto& e : fs::recursive_directory_iterator(tmp_.path())) {
    std::string rel = fs::relative(e.path(), tmp_.path()).string();
    if (!e.is_regular_file() || rel == "CURRENT" || rel == "LOCK" || PathExists(crashed.Sub(rel))) continue;
    fs::create_directories(fs::path(crashed.Sub(rel)).parent_path());
    fs::copy_file(e.path(), crashed.Sub(rel));
    added.push_back(crashed.Sub(rel));
  }
  ASSERT_GE(added.size(), 5u);  // 2 event segments, sessions, quarantine, manifest
  auto s = Store::Open(crashed.path(), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (const std::string& p : added) EXPECT_FALSE(PathExists(p)) << p;
  EXPECT_EQ((*s)->state().events_accepted, events_.size());
  EXPECT_EQ((*s)->EventDays(), std::vector<DayNumber>{kDay});
  std::vector<SessionRecord> recs;
  ASSERT_TRUE((*s)->ReadSessions(kDay, &recs).ok());
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].session_id, "s1");
  int rejections = 0;
  ASSERT_TRUE((*s)->ReadRejections([&](const Rejection&) {
                    ++rejections;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(rejections, 2);
}

}  // namespace
}  // namespace ws
