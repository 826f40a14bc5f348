// The browser tests (issue 9, "Must show"), run by ctest against the real
// binary: headless Chromium (Debian's, driven by playwright-core from npm;
// scripts/bootstrap installs both) plays a clip made here with ffmpeg
// through the player tracker, and opens the dashboard over generated data.
// The assertions live in tests/browser/*.test.mjs; a script that finds a
// mismatch prints "FAIL: ..." and exits non-zero.
#include <gtest/gtest.h>

#include "server_test_util.h"

namespace ws::testing {
namespace {

std::string Node(const std::string& script, const std::string& args) {
  return "cd " + SourceDir() + "/tests/browser && node " + script + " " + args;
}

TEST(Browser, TheTrackerOnARealVideoGivesTheScriptedSession) {
  TempDir dir;
  const std::string clip = dir / "clip.webm";
  ASSERT_EQ(
      RunCommand("ffmpeg -loglevel error -f lavfi -i testsrc=duration=16:size=320x240:rate=25 -c:v libvpx "
                 "-b:v 200k " +
                 clip)
          .exit_code,
      0);
  const std::string data = dir / "data";
  const std::string ingest = CreateKey(data, "ingest");
  const std::string analyst = CreateKey(data, "analyst");
  // Sessions close a second after their last event, so the test sees the
  // final status without waiting stop_linger's default five minutes.
  WriteFile(dir / "watchstats.toml",
            "stop_linger = \"1s\"\n[server]\ncors_origins = [\"*\"]\ncommit_interval = \"200ms\"\n");
  ServerProcess server(data, {}, {"--config", dir / "watchstats.toml"});
  ASSERT_TRUE(server.started()) << server.output();
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  CommandResult r = RunCommand(Node("tracker.test.mjs", url + " " + ingest + " " + analyst + " " + clip));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok: status completed"), std::string::npos) << r.out;
}

TEST(Browser, TheDashboardRendersFiltersAndCompares) {
  TempDir dir;
  const std::string input = dir / "input";
  const std::string data = dir / "data";
  ASSERT_EQ(GenerateAndIngest(input, data, "--users 300 --titles 40 --days 40 --seed 5"), "");
  const std::string analyst = CreateKey(data, "analyst");
  ServerProcess server(data);
  ASSERT_TRUE(server.started()) << server.output();
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const std::string shot = std::string(WS_BINARY_DIR) + "/browser-dashboard.png";
  CommandResult r = RunCommand(Node("dashboard.test.mjs", url + " " + analyst + " " + shot));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(shot)) << r.out;
}

}  // namespace
}  // namespace ws::testing
