// The HTTP service (SPEC 5.2, 7): the route table, authentication by role,
// the collector, the query API and operations routes, over one data
// directory. src/server/http_server.h carries the bytes; this file decides
// what each request means, and src/app does the work.
//
// Thread safety: Dispatch is called from the I/O threads at once; its work
// runs there, on the worker pool and on the live ingest's log thread.
// `state_mu_` is shared by every request that reads the store, the catalog
// or the live ingest, and held exclusively by a catalog load (which closes
// and reopens the live ingest around it, so that no reader sees the
// catalog change under it). The rate limiter has its own mutex.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/keys.h"
#include "catalog/catalog.h"
#include "query/column_cache.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/server_config.h"
#include "server/worker_pool.h"
#include "session/config.h"
#include "session/data_store.h"
#include "session/live_ingest.h"

namespace ws::server {

// The status codes /metrics counts one by one; 0 stands for any other.
inline constexpr std::array<unsigned, 15> kCodes = {200, 201, 204, 400, 401, 403, 404, 405,
                                                    409, 413, 429, 431, 500, 503, 0};

// Who may call a route.
enum class Access : uint8_t {
  kPublic,  // anyone (health, the tracker script, the dashboard page, the API document)
  kIngest,  // ingest or admin keys
  kRead,    // analyst or admin keys
  kAdmin,   // admin keys
};

// Who may call a route, as errors and the API document say it
// ("an analyst or admin key").
std::string_view AccessText(Access a);

// A route as the API document and the tests list it.
struct RouteInfo {
  http::verb method;
  std::string pattern;  // "/v1/reports/{name}"
  Access access;
  std::string summary;
};

class Service {
 public:
  // Opens the live ingest on `store` (replaying its log). Requires: `store`
  // opened for writing, `catalog` attached to its keys; both, and `keys`,
  // outlive the Service.
  static Result<std::unique_ptr<Service>> Open(std::string data_dir, DataStore* store, Catalog* catalog,
                                               app::KeyStore* keys, SessionConfig session,
                                               ServerConfig config);
  ~Service();

  // Takes one request on an I/O thread (HttpServer's Handler): answers
  // what needs no work at once, parses posted events here and answers them
  // from the log's thread once durable, and runs everything else on the
  // worker pool. Every failure is an answer with a status and a sentence.
  void Dispatch(std::shared_ptr<Request> request, const std::string& peer, Responder respond);
  // The JSON error answer every route uses: {"error": message}.
  static Response Error(http::status status, const std::string& message);

  // Gives /metrics the HTTP server's figures (may be null).
  void SetServer(const HttpServer* server) { server_.store(server); }
  // Commits everything acknowledged and closes the live ingest (shutdown).
  Status Close();
  // Events the live ingest replayed from the log when it opened.
  uint64_t recovered_events() const { return recovered_events_; }

  // Every route, for the API document and the route x role tests.
  static const std::vector<RouteInfo>& Routes();

  struct Passkey {
    explicit Passkey() = default;
  };
  Service(Passkey, std::string data_dir, DataStore* store, Catalog* catalog, app::KeyStore* keys,
          SessionConfig session, ServerConfig config);

 private:
  struct Call;  // one request being answered
  // 404/405, authentication, role and rate limit: an answer, or nullopt to go on.
  std::optional<Response> Admit(Call& call);
  // The route's work (may block: runs on the pool).
  Response Serve(Call& call);
  // Counts and logs the answer, then sends it.
  void Finish(const Call& call, Response res, const Responder& respond);
  void PostEvents(const std::shared_ptr<Call>& call, Responder respond);
  Response Preflight(Call& call);
  Response Report(Call& call, const std::string& name);
  Response GetSession(Call& call, const std::string& id);
  Response Rejected(Call& call);
  Response Export(Call& call, bool sessions);
  Response LoadCatalog(Call& call);
  Response Keys(Call& call, const std::string& id);
  Response Health();
  Response Metrics();
  // 429 when `who` is over server.rate_limit; nullopt otherwise.
  std::optional<Response> RateLimit(const std::string& who);
  Status OpenLive();  // requires state_mu_ held exclusively (or construction)
  void AddCors(const Call& call, Response* res) const;

  const std::string data_dir_;
  DataStore* store_;
  Catalog* catalog_;
  app::KeyStore* keys_;
  const SessionConfig session_;
  const ServerConfig config_;
  std::atomic<const HttpServer*> server_{nullptr};
  uint64_t recovered_events_ = 0;
  query::ColumnCache cache_;
  WorkerPool pool_;                    // blocking routes (stopped by Close)
  std::atomic<uint64_t> overload_{0};  // 503 answers for a full queue or log
  std::atomic<uint64_t> uploads_{0};   // catalog uploads, for unique file names

  std::shared_mutex state_mu_;        // see the file comment
  std::unique_ptr<LiveIngest> live_;  // guarded by state_mu_ (replaced by catalog loads)

  std::mutex rate_mu_;  // guards buckets_
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<std::string, Bucket> buckets_;

  // Metrics (atomic or internally locked). Per route (by its index in
  // Routes(); the last slot counts requests no route matched): latency and
  // answers by status code, all atomics, so that counting takes no lock.
  struct RouteStats {
    Histogram latency;
    std::array<std::atomic<uint64_t>, kCodes.size()> by_code{};
  };
  std::vector<RouteStats> route_stats_;
  CounterFamily events_;        // accepted / duplicate / rejected by reason
  Histogram log_sync_latency_;  // collector: a post's wait from queueing to durable
  Histogram fsync_latency_;     // the write-ahead log: each group's write + fsync
};

}  // namespace ws::server
