#include "session/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace ws {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ws-config-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<SessionConfig> Load(const std::string& text) {
    const std::string path = dir_ + "/watchstats.toml";
    std::ofstream(path) << text;
    return LoadSessionConfig(path);
  }
  // The load fails with a message naming `key` and its range.
  void ExpectRejected(const std::string& text, const std::string& key, const std::string& range) {
    auto c = Load(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(key), std::string::npos) << c.status().message();
    EXPECT_NE(c.status().message().find(range), std::string::npos) << c.status().message();
  }
  std::string dir_;
};

TEST_F(ConfigTest, DurationsReadSecondsAndUnits) {
  auto c = Load(
      "session_timeout = \"45min\"\nheartbeat_gap_cap = 90\nstop_linger = 1.5\nbinge_min_episodes = 4\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->session_timeout_ms, 45 * kMillisPerMinute);
  EXPECT_EQ(c->heartbeat_gap_cap_ms, 90 * kMillisPerSecond);
  EXPECT_EQ(c->stop_linger_ms, 1500);
  EXPECT_EQ(c->binge_min_episodes, 4);
}

TEST_F(ConfigTest, TheServerKeysOfSpecNineAndTheServerTableAreRead) {
  auto c = Load("max_clock_skew = \"2min\"\nmax_line_bytes = 4096\n[server]\nworkers = 3\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->max_clock_skew_ms, 2 * kMillisPerMinute);
  EXPECT_EQ(c->max_line_bytes, 4096);
  ExpectRejected("max_line_bytes = 10\n", "max_line_bytes", "from 64 to 1073741824");
  ExpectRejected("max_line_bytes = \"1MiB\"\n", "max_line_bytes", "from 64 to 1073741824");
}

TEST_F(ConfigTest, OutOfRangeOrMistypedValuesAreErrorsNamingTheKeyAndRange) {
  // Each of these was accepted wrongly before (issue 7, item 4).
  ExpectRejected("session_timeout = 18446744073709552\n", "session_timeout", "from 0 to 30 days");
  ExpectRejected("session_timeout = true\n", "session_timeout", "from 0 to 30 days");
  ExpectRejected("binge_min_episodes = 4294967296\n", "binge_min_episodes", "from 1 to 1000");
  ExpectRejected("binge_min_episodes = 2.5\n", "binge_min_episodes", "from 1 to 1000");
  ExpectRejected("heartbeat_gap_cap = \"100d\"\n", "heartbeat_gap_cap", "from 0 to 1 day");
  ExpectRejected("allowed_lateness = \"1e300d\"\n", "allowed_lateness", "3660 days");
  ExpectRejected("dependent_share = true\n", "dependent_share", "(0, 1]");
}

TEST_F(ConfigTest, ADirectoryOrAMissingFileIsNotAnEmptyConfig) {
  auto dir = LoadSessionConfig(dir_);
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos) << dir.status().message();
  auto missing = LoadSessionConfig(dir_ + "/nope.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such file"), std::string::npos) << missing.status().message();
}

}  // namespace
}  // namespace ws
