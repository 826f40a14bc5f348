// Output that cannot be written is an error (exit 1 with a sentence), not a
// truncated file and exit 0 (issue 7, item 5): /dev/full refuses every write.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace ws::testing {
namespace {

TEST(OutputErrorsTest, ReportsListingsAndShowFailWhenStdoutIsFull) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this machine";
  TempDir tmp;
  const std::string ws = Binary() + " --data " + (tmp / "data");
  const std::string events = SourceDir() + "/tests/data/reports/_fixtures/basic";
  ASSERT_EQ(RunCommand(ws + " catalog load " + events + "/catalog.json " + events + "/users.csv").exit_code,
            0);
  ASSERT_EQ(RunCommand(ws + " ingest --quiet --close-all " + events + "/events.ndjson").exit_code, 0);
  for (const std::string cmd :
       {"report trends --format csv", "report popular", "report peak-hours --format html", "rejected",
        "catalog show m-1", "catalog stats"}) {
    // Stdout goes to /dev/full; stderr is captured.
    const CommandResult r = RunCommand("{ " + ws + " " + cmd + " >/dev/full; }");
    EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.out;
    EXPECT_NE(r.out.find("cannot write the output"), std::string::npos) << cmd << ": " << r.out;
    // The same command to a file that can be written succeeds.
    EXPECT_EQ(RunCommand(ws + " " + cmd + " >/dev/null").exit_code, 0) << cmd;
  }
}

}  // namespace
}  // namespace ws::testing
