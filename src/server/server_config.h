// The server's configuration (docs/operations.md lists every key): the
// `[server]` table of the --config file, then environment variables
// WATCHSTATS_<KEY> (upper case), then flags (`--listen`, `--no-auth`,
// `--set key=value`); a later source wins.
//
// Thread safety: values.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "server/http_server.h"
#include "util/status.h"

namespace ws::server {

struct ServerConfig {
  HttpServerOptions http;                 // listen (host, port), I/O threads, body limit, timeouts
  int workers = 16;                       // threads that run blocking requests (reports, exports)
  size_t queue_limit = 10000;             // requests waiting for a worker; beyond: 503
  std::vector<std::string> cors_origins;  // origins allowed to post events; "*": any
  size_t max_events_per_request = 100'000;
  uint64_t max_decoded_bytes = uint64_t{64} << 20;  // a gzip body inflated
  double rate_limit = 0;                            // requests per second per API key; 0: no limit
  double rate_burst = 0;                            // bucket size; 0: one second of rate_limit
  std::chrono::milliseconds commit_interval{1000};  // store commits of live sessions
  bool log_requests = false;                        // an access log line per request
  bool no_auth = false;                             // only on loopback
};

// Where values come from, lowest precedence first. `env` looks up an
// environment variable (nullptr when unset); a seam for tests.
struct ServerConfigSources {
  std::string config_file;  // may be empty
  std::function<const char*(const char*)> env;
  std::map<std::string, std::string> flags;  // key -> value, as --set gives them
};

// Every key, for --help and the error for an unknown one.
std::vector<std::string> ServerConfigKeys();

// Reads and validates the configuration. Failure: kInvalidArgument naming
// the source (file line, variable or flag), the key and what it must be;
// also --no-auth on an address that is not loopback.
Result<ServerConfig> LoadServerConfig(const ServerConfigSources& sources);

}  // namespace ws::server
