// `watchstats serve`: opens a data directory, starts the service and the
// HTTP server, and runs until SIGTERM or SIGINT; then it stops accepting,
// answers the requests in flight, commits everything acknowledged, and
// returns (issue 9, item 1).
#pragma once

#include <functional>
#include <string>

#include "server/server_config.h"
#include "util/status.h"

namespace ws::server {

struct ServeOptions {
  std::string data_dir;
  std::string config_file;  // SPEC 9 keys and the [server] table; may be empty
  ServerConfigSources sources;
  // Called once the server listens, with the URL it serves (the chosen port
  // when listen's port was 0).
  std::function<void(const std::string& url)> on_ready;
};

// Requires: called from the main thread before any other thread exists
// (it blocks SIGTERM and SIGINT in every thread and waits for them).
// Failure: the configuration, the store, the catalog or the address
// (nothing is left running).
Status Serve(const ServeOptions& options);

}  // namespace ws::server
