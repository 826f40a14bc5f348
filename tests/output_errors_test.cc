// Output: what cannot be written is an error (exit 1 with a sentence), not
// a truncated file and exit 0 (issue 7, item 5; /dev/full refuses every
// write); what is written is valid JSON even for input that is not UTF-8
// (item 7).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"
#include "util/json_writer.h"

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

namespace ws::testing {
namespace {

// Issue 7, item 7: rejections of lines that are not UTF-8 are listed as
// valid JSON, with the exact bytes in raw_base64.
TEST(RejectedOutputTest, LinesThatAreNotUtf8AreListedAsValidJsonWithTheirBytesInBase64) {
  TempDir tmp;
  const std::string ws = Binary() + " --data " + (tmp / "data");
  const std::vector<std::string> lines = {
      "{\"event_id\":\"x1\",\"session_id\":\"S\xff\xfe\",\"user_id\":\"u1\",\"content_id\":\"m-1\","
      "\"type\":\"start\",\"ts\":\"2026-10-01T10:00:00Z\"}",
      "{bad \xc3\x28 json", "not json at all"};
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  WriteFile(tmp / "bad.ndjson", text);
  ASSERT_EQ(RunCommand(ws + " ingest --quiet " + (tmp / "bad.ndjson")).exit_code, 0);
  const CommandResult r = RunStdout(ws + " rejected --format ndjson");
  ASSERT_EQ(r.exit_code, 0);
  const std::vector<std::string> out = SplitLines(r.out);
  ASSERT_EQ(out.size(), lines.size());
  for (size_t i = 0; i < out.size(); ++i) {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    ASSERT_EQ(p.parse(out[i]).get(e), simdjson::SUCCESS) << "line " << i << " is not valid JSON: " << out[i];
    const bool utf8 = IsValidUtf8(lines[i]);
    if (utf8) {
      EXPECT_TRUE(e["raw_base64"].is_null()) << out[i];
      EXPECT_EQ(std::string_view(e["raw"]), lines[i]);
    } else {
      EXPECT_EQ(std::string_view(e["raw_base64"]), Base64Encode(lines[i])) << out[i];
    }
  }
}

}  // namespace
}  // namespace ws::testing
