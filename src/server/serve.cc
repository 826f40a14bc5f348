#include "server/serve.h"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>

#include "app/keys.h"
#include "app/workspace.h"
#include "server/http_server.h"
#include "server/service.h"
#include "util/json_writer.h"

namespace ws::server {
namespace {

// A structured log line on stderr: {"ts":..., "level":..., "msg":..., k: v...}.
void Log(std::string_view level, std::string_view msg,
         const std::vector<std::pair<std::string, std::string>>& fields = {}) {
  std::string line = "{\"ts\":";
  AppendJsonString(&line, FormatRfc3339(SystemNow()));
  line += ",\"level\":";
  AppendJsonString(&line, level);
  line += ",\"msg\":";
  AppendJsonString(&line, msg);
  for (const auto& [k, v] : fields) {
    line += ',';
    AppendJsonString(&line, k);
    line += ':';
    AppendJsonString(&line, v);
  }
  line += "}\n";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace

Status Serve(const ServeOptions& options) {
  // Every thread started from here on inherits the blocked mask, so the
  // signals reach sigwait below and nothing else.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  WS_ASSIGN_OR_RETURN(SessionConfig session, app::ResolveConfig(options.config_file));
  ServerConfigSources sources = options.sources;
  sources.config_file = options.config_file;
  WS_ASSIGN_OR_RETURN(ServerConfig config, LoadServerConfig(sources));

  std::string notice;
  WS_ASSIGN_OR_RETURN(std::unique_ptr<DataStore> store, app::OpenStore(options.data_dir, false, &notice));
  if (!notice.empty()) Log("info", notice);
  WS_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog,
                      app::OpenCatalog(options.data_dir, store->store().keys()));
  catalog->AttachKeys(store->store().keys());
  WS_ASSIGN_OR_RETURN(std::unique_ptr<app::KeyStore> keys, app::KeyStore::Open(options.data_dir, true));
  if (!config.no_auth) {
    WS_ASSIGN_OR_RETURN(bool any, keys->HasValidKeys());
    if (!any) {
      return Status::FailedPrecondition(fmt::format(
          "{} has no API keys: create one with `watchstats --data {} keys create --role admin`, or serve "
          "--no-auth on a loopback address",
          options.data_dir, options.data_dir));
    }
  }
  WS_ASSIGN_OR_RETURN(
      std::unique_ptr<Service> service,
      Service::Open(options.data_dir, store.get(), catalog.get(), keys.get(), session, config));
  if (service->recovered_events() > 0)
    Log("info", "replayed the write-ahead log", {{"events", std::to_string(service->recovered_events())}});
  Service* svc = service.get();
  auto started = HttpServer::Start(
      config.http,
      [svc](std::shared_ptr<Request> req, const std::string& peer, Responder respond) {
        svc->Dispatch(std::move(req), peer, std::move(respond));
      },
      [](http::status s, const std::string& m) { return Service::Error(s, m); });
  if (!started.ok()) {
    (void)service->Close();
    return started.status();
  }
  std::unique_ptr<HttpServer> http = std::move(started).value();
  service->SetServer(http.get());
  const std::string host =
      config.http.host.find(':') != std::string::npos ? "[" + config.http.host + "]" : config.http.host;
  const std::string url = fmt::format("http://{}:{}", host, http->port());
  Log("info", "listening",
      {{"url", url},
       {"data", options.data_dir},
       {"workers", std::to_string(config.workers)},
       {"auth", config.no_auth ? "off (loopback only)" : "api keys"}});
  if (options.on_ready) options.on_ready(url);

  int sig = 0;
  sigwait(&signals, &sig);
  Log("info", "shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  http->Stop();  // answers what is in flight
  service->SetServer(nullptr);
  Status closed = service->Close();  // commits everything acknowledged
  if (!closed.ok()) {
    Log("error", "the final commit failed; the write-ahead log keeps the events for the next start",
        {{"error", closed.message()}});
    return closed;
  }
  Log("info", "stopped");
  return Status::Ok();
}

}  // namespace ws::server
