// A damaged catalog is detected and reported by name, never read as data
// (issue 7, item 2; SPEC 6): deleted, emptied, or a byte changed inside a
// title that SQLite's own checks cannot see.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "test_util.h"

namespace ws::testing {
namespace {

namespace fs = std::filesystem;

class CatalogDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = Binary() + " --data " + data_;
    const std::string in = SourceDir() + "/tests/data/reports/_fixtures/basic";
    ASSERT_EQ(RunCommand(ws_ + " catalog load " + in + "/catalog.json " + in + "/users.csv").exit_code, 0);
    ASSERT_EQ(RunCommand(ws_ + " ingest --quiet --close-all " + in + "/events.ndjson").exit_code, 0);
    ASSERT_EQ(RunCommand(ws_ + " report popular").exit_code, 0);
  }
  // Every reader and the ingest refuse with a sentence naming catalog.db.
  void ExpectRefused(const std::string& says) {
    const std::string in = SourceDir() + "/tests/data/reports/_fixtures/basic/events.ndjson";
    const std::vector<std::string> cmds = {"report popular", "report trends --format json", "catalog stats",
                                           "catalog show m-1", "ingest --quiet " + in};
    for (const std::string& cmd : cmds) {
      const CommandResult r = RunCommand(ws_ + " " + cmd);
      EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.out;
      EXPECT_NE(r.out.find("catalog.db"), std::string::npos) << cmd << ": " << r.out;
      EXPECT_NE(r.out.find(says), std::string::npos) << cmd << ": " << r.out;
    }
  }
  TempDir tmp_;
  std::string data_ = tmp_ / "data";
  std::string ws_;
};

TEST_F(CatalogDamageTest, ADeletedCatalogIsReportedAndNotRecreatedEmpty) {
  fs::remove(data_ + "/catalog.db");
  ExpectRefused("is missing");
  EXPECT_FALSE(fs::exists(data_ + "/catalog.db"));
  // Loading the catalog again is the way back.
  const std::string in = SourceDir() + "/tests/data/reports/_fixtures/basic";
  ASSERT_EQ(RunCommand(ws_ + " catalog load " + in + "/catalog.json " + in + "/users.csv").exit_code, 0);
  const CommandResult r = RunCommand(ws_ + " report popular --format csv --from 2026-10-01 --to 2026-10-02");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("s-1,Harbor,4"), std::string::npos) << r.out;
}

TEST_F(CatalogDamageTest, AnEmptiedCatalogIsReported) {
  { std::ofstream truncate(data_ + "/catalog.db", std::ios::trunc); }
  ExpectRefused("is empty");
}

TEST_F(CatalogDamageTest, AChangedByteInATitleIsReportedNotReadAsData) {
  std::string bytes = ReadFile(data_ + "/catalog.db");
  const size_t at = bytes.find("Night Case");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 6] = 'o';  // "Night Cose": still valid text to SQLite
  WriteFile(data_ + "/catalog.db", bytes);
  ExpectRefused("do not match the checksum");
}

TEST(CatalogReadersTest, ShowAndStatsOnANonexistentDataDirCreateNothing) {
  TempDir tmp;
  const std::string dir = tmp / "nope";
  for (const char* cmd : {"catalog stats", "catalog show m-1"}) {
    const CommandResult r = RunCommand(Binary() + " --data " + dir + " " + cmd);
    EXPECT_NE(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("no data directory"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir)) << cmd << " created " << dir;
  }
}

}  // namespace
}  // namespace ws::testing
