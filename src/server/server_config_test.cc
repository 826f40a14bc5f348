// Server configuration: file < environment < flags; every bad value is an
// error naming its source; --no-auth only on loopback.
#include "server/server_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ws::server {
namespace {

std::string WriteConfig(const std::string& text) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("ws-server-config-" + std::to_string(::getpid()) + ".toml"))
          .string();
  std::ofstream(path) << text;
  return path;
}

TEST(ServerConfigTest, FlagsWinOverTheEnvironmentWhichWinsOverTheFile) {
  ServerConfigSources src;
  src.config_file = WriteConfig(
      "session_timeout = \"30min\"\n[server]\nlisten = \"127.0.0.1:9000\"\nworkers = 4\nrate_limit = 5\n"
      "cors_origins = [\"https://a.example\", \"https://b.example\"]\n");
  std::map<std::string, std::string> env = {{"WATCHSTATS_WORKERS", "6"}, {"WATCHSTATS_IO_THREADS", "3"}};
  src.env = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  src.flags = {{"workers", "8"}, {"commit_interval", "250ms"}};
  auto c = LoadServerConfig(src);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http.host, "127.0.0.1");
  EXPECT_EQ(c->http.port, 9000);
  EXPECT_EQ(c->workers, 8);          // flag
  EXPECT_EQ(c->http.io_threads, 3);  // environment
  EXPECT_EQ(c->rate_limit, 5);       // file
  EXPECT_EQ(c->rate_burst, 5);       // defaults to one second of rate_limit
  ServerConfigSources slow;
  slow.flags = {{"rate_limit", "0.5"}};
  auto s = LoadServerConfig(slow);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rate_burst, 1);  // one request at least, or a rate below 1/s would refuse all
  EXPECT_EQ(c->commit_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(c->cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST(ServerConfigTest, BadValuesNameTheirSource) {
  struct Case {
    std::map<std::string, std::string> flags;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{{"workers", "0"}}, "--set workers: workers must be an integer from 1 to 1024"},
      {{{"listen", "localhost:80"}}, "listen must be HOST:PORT with an IP address"},
      {{{"listen", "127.0.0.1:99999"}}, "the port of listen must be an integer from 0 to 65535"},
      {{{"commit_interval", "soon"}}, "commit_interval must be a duration"},
      {{{"no_auth", "yes"}}, "no_auth must be true or false"},
      {{{"colour", "red"}}, "--set colour: unknown server key"},
      {{{"listen", "0.0.0.0:8080"}, {"no_auth", "true"}}, "--no-auth is allowed only on a loopback address"},
  };
  for (const Case& c : cases) {
    ServerConfigSources src;
    src.flags = c.flags;
    auto r = LoadServerConfig(src);
    ASSERT_FALSE(r.ok()) << c.expect;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
  ServerConfigSources file;
  file.config_file = WriteConfig("[server]\nqueue = 5\n");
  auto r = LoadServerConfig(file);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 2: unknown key 'server.queue'"), std::string::npos)
      << r.status().message();
}

TEST(ServerConfigTest, NoAuthOnLoopbackIsAllowed) {
  for (const char* host : {"127.0.0.1:0", "[::1]:8080"}) {
    ServerConfigSources src;
    src.flags = {{"listen", host}, {"no_auth", "true"}};
    auto r = LoadServerConfig(src);
    EXPECT_TRUE(r.ok()) << host << ": " << r.status().ToString();
  }
}

}  // namespace
}  // namespace ws::server
