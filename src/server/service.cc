#include "server/service.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>

#include "app/catalog_show.h"
#include "app/lookup.h"
#include "app/workspace.h"
#include "event/event_table.h"
#include "event/parser.h"
#include "query/export.h"
#include "server/assets.h"
#include "server/openapi.h"
#include "session/session_table.h"
#include "util/json_writer.h"

namespace ws::server {
namespace {

constexpr const char* kJson = "application/json";
constexpr size_t kInflateChunk = 64 * 1024;
constexpr const char* kCorsMaxAgeSeconds = "86400";
constexpr const char* kAssetCache = "public, max-age=300";
const std::string kUnmatched = "unmatched";
constexpr int kRetryAfterSeconds = 1;  // in 503 answers

// The slot of a status code in RouteStats::by_code (the last: any other).
size_t CodeSlot(unsigned code) {
  for (size_t i = 0; i + 1 < kCodes.size(); ++i)
    if (kCodes[i] == code) return i;
  return kCodes.size() - 1;
}

Response Answer(http::status status, std::string body, std::string_view type) {
  Response res{status, 11};
  res.set(http::field::content_type, type);
  res.set(http::field::server, "watchstats");
  res.body() = std::move(body);
  return res;
}

http::status StatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return http::status::bad_request;
    case StatusCode::kNotFound:
      return http::status::not_found;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return http::status::conflict;
    default:
      return http::status::internal_server_error;
  }
}

// "%41b+c" -> "Ab c".
std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Inflates a gzip (or zlib) body; kInvalidArgument when it is not one,
// kFailedPrecondition past `limit` bytes (answered 413).
Result<std::string> Inflate(std::string_view in, uint64_t limit) {
  z_stream z{};
  constexpr int kGzipOrZlib = 15 + 32;  // window bits: detect the header
  if (inflateInit2(&z, kGzipOrZlib) != Z_OK) return Status::Internal("zlib failed to start");
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const size_t at = out.size();
    out.resize(at + kInflateChunk);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    z.avail_out = kInflateChunk;
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(at + kInflateChunk - z.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return Status::InvalidArgument("the body says Content-Encoding: gzip but is not valid gzip data");
    }
    if (out.size() > limit) {
      inflateEnd(&z);
      return Status::FailedPrecondition(
          fmt::format("the body inflates to more than {} bytes (server.max_decoded_bytes)", limit));
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return Status::InvalidArgument("the gzip body is cut short");
    }
    // Concatenated gzip members (cat a.gz b.gz) are one body.
    if (rc == Z_STREAM_END && z.avail_in > 0) {
      if (inflateReset(&z) != Z_OK) {
        inflateEnd(&z);
        return Status::Internal("zlib failed to restart");
      }
      rc = Z_OK;
    }
  }
  inflateEnd(&z);
  return out;
}

// Collects what the parser makes of one request body.
class CollectSink : public EventSink {
 public:
  void OnEvent(const Event& e, std::string_view, int64_t line) override {
    events.push_back(e);
    lines.push_back(line);
  }
  void OnReject(Rejection r) override { rejections.push_back(std::move(r)); }
  void OnWarning(WarningReason reason, int64_t) override { ++warnings[reason]; }

  std::vector<Event> events;
  std::vector<int64_t> lines;
  std::vector<Rejection> rejections;
  std::map<WarningReason, uint64_t> warnings;
};

bool RoleMay(app::Role role, Access access) {
  switch (access) {
    case Access::kPublic:
      return true;
    case Access::kIngest:
      return role == app::Role::kIngest || role == app::Role::kAdmin;
    case Access::kRead:
      return role == app::Role::kAnalyst || role == app::Role::kAdmin;
    case Access::kAdmin:
      return role == app::Role::kAdmin;
  }
  return false;
}

// Matches "/v1/reports/{name}" against a path; fills the {} parts.
bool Match(std::string_view pattern, std::string_view path, std::vector<std::string>* parts) {
  parts->clear();
  size_t p = 0, q = 0;
  while (p < pattern.size()) {
    if (pattern[p] == '{') {
      const size_t close = pattern.find('}', p);
      const size_t end = path.find('/', q);
      std::string part(path.substr(q, end == std::string_view::npos ? std::string_view::npos : end - q));
      if (part.empty()) return false;
      parts->push_back(UrlDecode(part));
      p = close + 1;
      q = end == std::string_view::npos ? path.size() : end;
      continue;
    }
    if (q >= path.size() || pattern[p] != path[q]) return false;
    ++p;
    ++q;
  }
  return q == path.size();
}

}  // namespace

std::string_view AccessText(Access a) {
  switch (a) {
    case Access::kPublic:
      return "anyone";
    case Access::kIngest:
      return "an ingest or admin key";
    case Access::kRead:
      return "an analyst or admin key";
    case Access::kAdmin:
      return "an admin key";
  }
  return "?";
}

// One request being answered.
struct Service::Call {
  // Without a key (--no-auth), rate limits count per client address, not
  // per connection (the port).
  Call(std::shared_ptr<Request> r, std::string p)
      : request(std::move(r)), req(*request), peer(std::move(p)), who(peer.substr(0, peer.rfind(':'))) {}
  std::shared_ptr<Request> request;
  Request& req;
  std::string peer;
  std::chrono::steady_clock::time_point started;
  std::string path;
  std::map<std::string, std::string> query;
  std::optional<app::Role> role;  // of the key presented (nullopt: none or invalid)
  std::string who;                // the key's hash or the peer, for rate limits
  bool key_in_query = false;
  const RouteInfo* route = nullptr;  // nullptr: no route matched
  size_t index = 0;                  // the route's index in Routes() (Routes().size(): none)
  bool path_known = false;           // some route has this path (under another method)
  std::vector<std::string> parts;    // the route's {} parts
};

const std::vector<RouteInfo>& Service::Routes() {
  using V = http::verb;
  static const std::vector<RouteInfo> kRoutes = {
      {V::get, "/", Access::kPublic, "The dashboard (an analyst key is asked for in the page)."},
      {V::get, "/docs", Access::kPublic, "This API's documentation page."},
      {V::get, "/openapi.json", Access::kPublic, "The OpenAPI 3 document of every route."},
      {V::get, "/healthz", Access::kPublic, "Whether the store is writable and the write-ahead log healthy."},
      {V::get, "/sdk/watchstats.js", Access::kPublic, "The player tracker script (docs/tracker.md)."},
      {V::get, "/assets/{file}", Access::kPublic, "The dashboard's bundled scripts and styles."},
      {V::get, "/metrics", Access::kRead, "Prometheus metrics."},
      {V::post, "/v1/events", Access::kIngest,
       "Post events: one JSON object, a JSON array or NDJSON, optionally gzip. An ingest key may be passed "
       "as "
       "?key=."},
      {V::options, "/v1/events", Access::kPublic, "CORS preflight for the configured origins."},
      {V::get, "/v1/reports", Access::kRead,
       "The reports, each with the parameters it takes and whether it compares."},
      {V::get, "/v1/reports/{name}", Access::kRead,
       "Run a report with the parameters of SPEC 4 as query parameters; format=json (default), csv or html."},
      {V::get, "/v1/content/popular", Access::kRead, "The popular report (seed 003's route)."},
      {V::get, "/v1/trends", Access::kRead, "The trends report (seed 003's route)."},
      {V::get, "/v1/peak-hours", Access::kRead, "The peak-hours report (seed 003's route)."},
      {V::get, "/v1/users/{id}/stats", Access::kRead,
       "The user-stats report of one user (seed 003's route)."},
      {V::get, "/v1/sessions/{id}", Access::kRead,
       "One session's measures and events; date=YYYY-MM-DD narrows the search."},
      {V::get, "/v1/active", Access::kRead, "The open sessions (SPEC 2.8)."},
      {V::get, "/v1/rejected", Access::kRead, "Rejected events with their reasons."},
      {V::get, "/v1/export/sessions", Access::kRead, "Sessions as NDJSON or CSV (from, to, format)."},
      {V::get, "/v1/export/events", Access::kRead, "Events as NDJSON or CSV (from, to, format)."},
      {V::get, "/v1/catalog/{id}", Access::kRead,
       "A title, episode, movie or user of the catalog as JSON; history=true adds every version."},
      {V::post, "/v1/catalog", Access::kAdmin,
       "Load a catalog file given as the body: kind=content|users|sessions (default: detected)."},
      {V::get, "/v1/keys", Access::kAdmin, "The API keys (never their secrets)."},
      {V::post, "/v1/keys", Access::kAdmin, "Create a key: role=ingest|analyst|admin, name=...; shown once."},
      {V::delete_, "/v1/keys/{id}", Access::kAdmin, "Revoke a key."},
  };
  return kRoutes;
}

Service::Service(Passkey, std::string data_dir, DataStore* store, Catalog* catalog, app::KeyStore* keys,
                 SessionConfig session, ServerConfig config)
    : data_dir_(std::move(data_dir)),
      store_(store),
      catalog_(catalog),
      keys_(keys),
      session_(std::move(session)),
      config_(std::move(config)),
      pool_(config_.workers, config_.queue_limit),
      route_stats_(Routes().size() + 1) {}

Service::~Service() { (void)Close(); }

Result<std::unique_ptr<Service>> Service::Open(std::string data_dir, DataStore* store, Catalog* catalog,
                                               app::KeyStore* keys, SessionConfig session,
                                               ServerConfig config) {
  auto s = std::make_unique<Service>(Passkey{}, std::move(data_dir), store, catalog, keys, std::move(session),
                                     std::move(config));
  WS_RETURN_IF_ERROR(s->OpenLive());
  return s;
}

Status Service::OpenLive() {
  LiveIngestOptions o;
  o.ingest.config = session_;
  o.commit_interval = config_.commit_interval;
  o.clock_watermark = true;
  o.max_clock_skew_ms = session_.max_clock_skew_ms;
  o.wal.on_sync = [this](double seconds) { fsync_latency_.Observe(seconds); };
  WS_ASSIGN_OR_RETURN(live_, LiveIngest::Open(store_, catalog_, o));
  recovered_events_ += live_->stats().received;
  return Status::Ok();
}

Status Service::Close() {
  pool_.Stop();  // runs what is queued
  std::unique_lock<std::shared_mutex> l(state_mu_);
  if (!live_) return Status::Ok();
  Status s = live_->Close();
  live_.reset();
  return s;
}

Response Service::Error(http::status status, const std::string& message) {
  std::string body = "{\"error\":";
  AppendJsonString(&body, message);
  body += "}\n";
  return Answer(status, std::move(body), kJson);
}

void Service::AddCors(const Call& call, Response* res) const {
  const auto origin = call.req[http::field::origin];
  if (origin.empty()) return;
  for (const std::string& o : config_.cors_origins) {
    if (o == "*" || o == origin) {
      res->set(http::field::access_control_allow_origin, o == "*" ? std::string("*") : std::string(origin));
      res->set(http::field::vary, "Origin");
      return;
    }
  }
}

void Service::Dispatch(std::shared_ptr<Request> request, const std::string& peer, Responder respond) {
  auto call = std::make_shared<Call>(std::move(request), peer);
  call->started = std::chrono::steady_clock::now();
  std::string_view target = call->req.target();
  const size_t qmark = target.find('?');
  call->path = std::string(target.substr(0, qmark));
  if (qmark != std::string_view::npos) {
    std::string_view q = target.substr(qmark + 1);
    while (!q.empty()) {
      const size_t amp = q.find('&');
      std::string_view kv = q.substr(0, amp);
      const size_t eq = kv.find('=');
      if (!kv.empty())
        call->query[UrlDecode(kv.substr(0, eq))] =
            eq == std::string_view::npos ? "" : UrlDecode(kv.substr(eq + 1));
      if (amp == std::string_view::npos) break;
      q = q.substr(amp + 1);
    }
  }
  // Find the route once (a path known under another method is 405).
  const std::vector<RouteInfo>& routes = Routes();
  call->index = routes.size();  // unmatched
  for (size_t i = 0; i < routes.size(); ++i) {
    const RouteInfo& r = routes[i];
    if (!Match(r.pattern, call->path, &call->parts)) continue;
    call->path_known = true;
    if (r.method == call->req.method() ||
        (r.method == http::verb::get && call->req.method() == http::verb::head)) {
      call->route = &r;
      call->index = i;
      break;
    }
  }
  if (call->route == nullptr) call->parts.clear();
  if (std::optional<Response> early = Admit(*call)) return Finish(*call, std::move(*early), respond);
  // The collector parses on this I/O thread and answers from the log's
  // thread after the fsync; everything else may block, and runs on the pool.
  if (call->route->pattern == "/v1/events" && call->req.method() == http::verb::post) {
    return PostEvents(call, std::move(respond));
  }
  const bool queued = pool_.TrySubmit([this, call, respond] {
    Response res;
    try {
      res = Serve(*call);
    } catch (const std::exception& e) {  // out of memory on a large export, most likely
      res = Error(http::status::internal_server_error,
                  fmt::format("the server failed to answer: {}", e.what()));
    }
    Finish(*call, std::move(res), respond);
  });
  if (!queued) {
    Response r = Error(http::status::service_unavailable,
                       "the server is overloaded; retry after the time in Retry-After");
    r.set(http::field::retry_after, std::to_string(kRetryAfterSeconds));
    ++overload_;
    Finish(*call, std::move(r), respond);
  }
}

void Service::Finish(const Call& call, Response res, const Responder& respond) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - call.started).count();
  const std::string& pattern = call.route != nullptr ? call.route->pattern : kUnmatched;
  RouteStats& stats = route_stats_[call.index];
  stats.latency.Observe(seconds);
  ++stats.by_code[CodeSlot(res.result_int())];
  if (config_.log_requests || res.result_int() >= 500) {
    std::string line = "{\"ts\":";
    AppendJsonString(&line, FormatRfc3339(SystemNow()));
    line += fmt::format(",\"level\":\"{}\",\"msg\":\"request\",\"method\":",
                        res.result_int() >= 500 ? "error" : "info");
    AppendJsonString(&line, std::string(call.req.method_string()));
    line += ",\"route\":";
    AppendJsonString(&line, pattern);
    line +=
        fmt::format(",\"status\":{},\"ms\":{},\"peer\":", res.result_int(), FormatDecimal(seconds * 1000, 2));
    AppendJsonString(&line, call.peer);
    line += "}\n";
    std::fputs(line.c_str(), stderr);
  }
  respond(std::move(res));
}

std::optional<Response> Service::Admit(Call& call) {
  const Request& req = call.req;
  const RouteInfo* route = call.route;
  if (route == nullptr) {
    if (call.path_known)
      return Error(http::status::method_not_allowed,
                   fmt::format("{} does not accept {}", call.path, std::string(req.method_string())));
    return Error(http::status::not_found, fmt::format("there is no route {} (see /openapi.json)", call.path));
  }

  // Authentication (SPEC 7).
  if (route->access != Access::kPublic && !config_.no_auth) {
    std::string_view auth = req[http::field::authorization];
    std::string key;
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.substr(0, kBearer.size()) == kBearer) {
      key = std::string(auth.substr(kBearer.size()));
    } else if (route->access == Access::kIngest && call.query.count("key")) {
      key = call.query["key"];
      call.key_in_query = true;
    }
    if (key.empty()) {
      return Error(http::status::unauthorized,
                   fmt::format("{} needs {} in the header Authorization: Bearer KEY", call.path,
                               AccessText(route->access)));
    }
    call.role = keys_->Authenticate(key);
    if (!call.role) return Error(http::status::unauthorized, "the API key is not valid (unknown or revoked)");
    if (call.key_in_query && *call.role != app::Role::kIngest) {
      return Error(http::status::unauthorized,
                   "only ingest keys may be passed as ?key=; send analyst and admin keys in the header "
                   "Authorization: Bearer KEY");
    }
    if (!RoleMay(*call.role, route->access)) {
      return Error(
          http::status::forbidden,
          fmt::format("a key with role {} may not call {} {} (it needs {})", app::RoleName(*call.role),
                      std::string(req.method_string()), route->pattern, AccessText(route->access)));
    }
    call.who = app::Sha256Hex(key);
  }
  if (route->access != Access::kPublic) {
    if (auto limited = RateLimit(call.who)) return *limited;
  }
  return std::nullopt;
}

Response Service::Serve(Call& call) {
  const RouteInfo* route = call.route;
  std::vector<std::string>& parts = call.parts;
  const std::string& p = route->pattern;
  if (p == "/v1/events") return Preflight(call);  // POST went to PostEvents
  if (p == "/healthz") return Health();
  if (p == "/metrics") return Metrics();
  if (p == "/openapi.json") return Answer(http::status::ok, OpenApiDocument(Routes()), kJson);
  if (p == "/docs") return Answer(http::status::ok, std::string(DocsPage()), "text/html; charset=utf-8");
  if (p == "/sdk/watchstats.js" || p == "/" || p == "/assets/{file}") {
    const std::string name = p == "/" ? "index.html" : p == "/sdk/watchstats.js" ? "watchstats.js" : parts[0];
    const Asset* a = FindAsset(name);
    if (a == nullptr) return Error(http::status::not_found, fmt::format("there is no asset {}", name));
    Response res = Answer(http::status::ok, std::string(a->bytes), a->content_type);
    res.set(http::field::cache_control, kAssetCache);
    if (p == "/sdk/watchstats.js") res.set(http::field::access_control_allow_origin, "*");
    return res;
  }
  if (p == "/v1/reports") {
    std::string body = "{\"reports\":[";
    bool first = true;
    for (const std::string& n : ReportNames()) {
      if (!first) body += ',';
      first = false;
      const ReportParameterList meta = ReportParameters(n);
      body += "{\"name\":";
      AppendJsonString(&body, n);
      body += ",\"params\":[";
      for (size_t i = 0; i < meta.params.size(); ++i) {
        if (i) body += ',';
        AppendJsonString(&body, meta.params[i]);
      }
      body += fmt::format("],\"comparable\":{}}}", meta.comparable ? "true" : "false");
    }
    body += "]}\n";
    return Answer(http::status::ok, std::move(body), kJson);
  }
  if (p == "/v1/reports/{name}") return Report(call, parts[0]);
  if (p == "/v1/content/popular") return Report(call, "popular");
  if (p == "/v1/trends") return Report(call, "trends");
  if (p == "/v1/peak-hours") return Report(call, "peak-hours");
  if (p == "/v1/active") return Report(call, "active");
  if (p == "/v1/users/{id}/stats") {
    call.query["user"] = parts[0];
    return Report(call, "user-stats");
  }
  if (p == "/v1/sessions/{id}") return GetSession(call, parts[0]);
  if (p == "/v1/rejected") return Rejected(call);
  if (p == "/v1/export/sessions") return Export(call, true);
  if (p == "/v1/export/events") return Export(call, false);
  if (p == "/v1/catalog") return LoadCatalog(call);
  if (p == "/v1/catalog/{id}") {
    const bool history = call.query.count("history") && call.query["history"] == "true";
    std::shared_lock<std::shared_mutex> l(state_mu_);
    auto shown = app::ShowCatalogItem(*catalog_, parts[0], history, app::ShowFormat::kJson);
    if (!shown.ok()) return Error(StatusFor(shown.status()), shown.status().message());
    return Answer(http::status::ok, *shown + "\n", kJson);
  }
  if (p == "/v1/keys" || p == "/v1/keys/{id}") return Keys(call, parts.empty() ? "" : parts[0]);
  return Error(http::status::not_found, "no such route");
}

std::optional<Response> Service::RateLimit(const std::string& who) {
  if (config_.rate_limit <= 0) return std::nullopt;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> l(rate_mu_);
  Bucket& b = buckets_[who];
  if (b.at == std::chrono::steady_clock::time_point{})
    b.tokens = config_.rate_burst;
  else
    b.tokens = std::min(config_.rate_burst,
                        b.tokens + config_.rate_limit * std::chrono::duration<double>(now - b.at).count());
  b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  const double wait = (1 - b.tokens) / config_.rate_limit;
  Response res = Error(http::status::too_many_requests,
                       fmt::format("this API key sent more than {} requests per second (server.rate_limit)",
                                   FormatDecimal(config_.rate_limit, 3)));
  res.set(http::field::retry_after, std::to_string(static_cast<int64_t>(std::ceil(wait))));
  return res;
}

Response Service::Preflight(Call& call) {
  Response res = Answer(http::status::no_content, "", "text/plain");
  AddCors(call, &res);
  if (res.find(http::field::access_control_allow_origin) == res.end()) {
    return Error(http::status::forbidden,
                 fmt::format("the origin '{}' may not post events here (server.cors_origins)",
                             std::string(call.req[http::field::origin])));
  }
  res.set(http::field::access_control_allow_methods, "POST, OPTIONS");
  res.set(http::field::access_control_allow_headers, "Content-Type, Content-Encoding, Authorization");
  res.set(http::field::access_control_max_age, kCorsMaxAgeSeconds);
  return res;
}

void Service::PostEvents(const std::shared_ptr<Call>& shared, Responder respond) {
  Call& call = *shared;
  auto fail = [&](http::status status, const std::string& message) {
    Response res = Error(status, message);
    AddCors(call, &res);
    Finish(call, std::move(res), respond);
  };
  std::string inflated;
  std::string_view body = call.req.body();
  if (boost::beast::iequals(call.req[http::field::content_encoding], "gzip")) {
    auto r = Inflate(body, config_.max_decoded_bytes);
    if (!r.ok()) {
      return fail(r.status().code() == StatusCode::kFailedPrecondition ? http::status::payload_too_large
                                                                       : http::status::bad_request,
                  r.status().message());
    }
    inflated = std::move(*r);
    body = inflated;
  }
  // One JSON object written over several lines is one event, not NDJSON
  // (JSON text has no raw newline inside a string, so joining is safe).
  std::string joined;
  const size_t first = body.find_first_not_of(" \t\r\n");
  const size_t last = body.find_last_not_of(" \t\r\n");
  if (first != std::string_view::npos && body[first] == '{' && body.find('\n', first) < last) {
    thread_local simdjson::dom::parser json;
    simdjson::padded_string padded(body);
    if (!json.parse(padded).error()) {
      joined.assign(body);
      for (char& c : joined)
        if (c == '\n' || c == '\r') c = ' ';
      body = joined;
    }
  }
  // The events' strings go to an arena of this request's own, which travels
  // with the batch to the log thread.
  thread_local std::unique_ptr<EventParser> parser;
  if (!parser) {
    ParserOptions po;
    po.now = SystemNow();
    po.max_line_bytes = static_cast<size_t>(session_.max_line_bytes);
    parser = std::make_unique<EventParser>(po);
  }
  parser->SetNow(SystemNow());
  auto arena = std::make_unique<StringArena>(body.size() + 1);
  parser->SetArena(arena.get());
  struct DetachOnExit {
    EventParser* p;
    ~DetachOnExit() { p->SetArena(nullptr); }
  } detach{parser.get()};
  CollectSink sink;
  Status parsed = parser->Parse(body, "http", 1, &sink);
  if (!parsed.ok()) return fail(http::status::bad_request, parsed.message());
  const size_t total = sink.events.size() + sink.rejections.size();
  if (total > config_.max_events_per_request) {
    return fail(http::status::payload_too_large,
                fmt::format("the request holds {} events; at most {} are accepted per request "
                            "(server.max_events_per_request)",
                            total, config_.max_events_per_request));
  }
  // Copies of one event within the request (SPEC 2.1) are answered as
  // duplicates and logged once; copies across requests are counted once by
  // the sessionizer.
  OwnedBatch owned;
  AcceptedBatch& batch = owned.batch;
  batch.events.reserve(sink.events.size());
  size_t duplicates = 0;
  if (sink.events.size() > 1) {
    std::unordered_map<uint64_t, std::vector<size_t>> seen;
    for (const Event& e : sink.events) {
      auto& same = seen[EventIdentityHash(e)];
      bool dup = false;
      for (size_t i : same) dup = dup || SameEventIdentity(batch.events[i], e);
      if (dup) {
        ++duplicates;
        continue;
      }
      same.push_back(batch.events.size());
      batch.events.push_back(e);
    }
  } else {
    batch.events = sink.events;
  }
  const EpochMillis received = SystemNow();
  for (Rejection& r : sink.rejections) r.received_at = received;
  for (const auto& [reason, n] : sink.warnings) batch.warnings.emplace_back(reason, n);
  // The answer is known now; it is sent once the events are durable.
  std::string answer = fmt::format("{{\"accepted\":{},\"duplicate\":{},\"rejected\":{},\"errors\":[",
                                   batch.events.size(), duplicates, sink.rejections.size());
  for (size_t i = 0; i < sink.rejections.size(); ++i) {
    const Rejection& r = sink.rejections[i];
    if (i) answer += ',';
    answer += fmt::format("{{\"index\":{},\"line\":{},\"reason\":", r.line - 1, r.line);
    AppendJsonString(&answer, RejectReasonCode(r.reason));
    answer += ",\"message\":";
    AppendJsonString(&answer, r.message);
    answer += '}';
  }
  answer += "]}\n";
  std::vector<std::string> rejected_reasons;
  for (const Rejection& r : sink.rejections) rejected_reasons.emplace_back(RejectReasonCode(r.reason));
  batch.rejections = std::move(sink.rejections);
  owned.arena = std::move(arena);
  const size_t accepted = batch.events.size();
  const auto t0 = std::chrono::steady_clock::now();
  auto done = [this, shared, respond, answer = std::move(answer), accepted, duplicates,
               reasons = std::move(rejected_reasons), t0](Result<uint64_t> seq) mutable {
    log_sync_latency_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (!seq.ok()) {
      Response res = Error(http::status::service_unavailable,
                           fmt::format("the events could not be made durable: {}", seq.status().message()));
      res.set(http::field::retry_after, std::to_string(kRetryAfterSeconds));
      AddCors(*shared, &res);
      return Finish(*shared, std::move(res), respond);
    }
    events_.Add(Label("outcome", "accepted"), accepted);
    if (duplicates) events_.Add(Label("outcome", "duplicate"), duplicates);
    for (const std::string& reason : reasons)
      events_.Add(Label("outcome", "rejected") + "," + Label("reason", reason));
    Response res = Answer(http::status::ok, std::move(answer), kJson);
    AddCors(*shared, &res);
    Finish(*shared, std::move(res), respond);
  };
  Status queued;
  {
    // Never wait on the I/O thread: while a catalog load holds the state
    // lock, posts are answered 503 with Retry-After.
    std::shared_lock<std::shared_mutex> l(state_mu_, std::try_to_lock);
    if (!l.owns_lock()) {
      queued = Status::Unavailable("a catalog load is under way");
    } else {
      queued = live_ ? live_->AppendAsync(std::move(owned), std::move(done))
                     : Status::FailedPrecondition("the server is shutting down");
    }
  }
  if (!queued.ok()) {
    ++overload_;
    Response res =
        Error(http::status::service_unavailable,
              queued.code() == StatusCode::kUnavailable
                  ? fmt::format("the server is overloaded ({}); retry after the time in Retry-After",
                                queued.message())
                  : queued.message());
    res.set(http::field::retry_after, std::to_string(kRetryAfterSeconds));
    AddCors(call, &res);
    Finish(call, std::move(res), respond);
  }
}

Response Service::Report(Call& call, const std::string& name) {
  ReportParams params;
  std::string format_name = "json";
  for (const auto& [k, v] : call.query) {
    if (k == "format") {
      format_name = v;
    } else {
      std::string key = k;
      for (char& c : key)
        if (c == '-') c = '_';
      params[key] = v;
    }
  }
  auto format = ParseOutputFormat(format_name);
  if (!format.ok() ||
      (*format != OutputFormat::kJson && *format != OutputFormat::kCsv && *format != OutputFormat::kHtml)) {
    return Error(http::status::bad_request,
                 fmt::format("format must be json, csv or html, got '{}'", format_name));
  }
  std::shared_lock<std::shared_mutex> l(state_mu_);
  cache_.Retain(*store_->snapshot());
  auto table = app::RunReportOn(*store_, catalog_, name, params, session_, &cache_);
  if (!table.ok()) return Error(StatusFor(table.status()), table.status().message());
  const char* type = *format == OutputFormat::kCsv    ? "text/csv; charset=utf-8"
                     : *format == OutputFormat::kHtml ? "text/html; charset=utf-8"
                                                      : kJson;
  return Answer(http::status::ok, Render(*table, *format), type);
}

Response Service::GetSession(Call& call, const std::string& id) {
  std::optional<DayNumber> day;
  if (auto it = call.query.find("date"); it != call.query.end()) {
    day = ParseDate(it->second);
    if (!day)
      return Error(http::status::bad_request, fmt::format("date must be YYYY-MM-DD, got '{}'", it->second));
  }
  std::shared_lock<std::shared_mutex> l(state_mu_);
  auto snap = store_->snapshot();
  auto found = app::FindSession(*snap, store_->keys(), id, day);
  if (!found.ok()) return Error(StatusFor(found.status()), found.status().message());
  if (!*found) return Error(http::status::not_found, fmt::format("there is no session '{}'", id));
  std::string line = RenderObjectLine(SessionColumns(), SessionRow((*found)->session));
  while (!line.empty() && line.back() == '\n') line.pop_back();
  std::string body = "{\"session\":" + line + ",\"events\":[";
  for (size_t i = 0; i < (*found)->events.size(); ++i) {
    if (i) body += ',';
    body += (*found)->events[i];
  }
  body += "]}\n";
  return Answer(http::status::ok, std::move(body), kJson);
}

Response Service::Rejected(Call&) {
  std::shared_lock<std::shared_mutex> l(state_mu_);
  auto snap = store_->snapshot();
  std::string body;
  Status s = ReadRejections(*snap, [&](const Rejection& r) -> Status {
    body += app::RejectionNdjsonLine(r);
    return Status::Ok();
  });
  if (!s.ok()) return Error(StatusFor(s), s.message());
  return Answer(http::status::ok, std::move(body), "application/x-ndjson");
}

Response Service::Export(Call& call, bool sessions) {
  std::optional<DayNumber> from, to;
  for (auto [name, target] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (auto it = call.query.find(name); it != call.query.end()) {
      *target = ParseDate(it->second);
      if (!*target)
        return Error(http::status::bad_request,
                     fmt::format("{} must be a date YYYY-MM-DD, got '{}'", name, it->second));
    }
  }
  const std::string format_name = call.query.count("format") ? call.query["format"] : "ndjson";
  auto format = ParseOutputFormat(format_name);
  if (!format.ok() || (*format != OutputFormat::kNdjson && *format != OutputFormat::kCsv))
    return Error(http::status::bad_request,
                 fmt::format("format must be ndjson or csv, got '{}'", format_name));
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* mem = open_memstream(&buf, &len);
  if (mem == nullptr) return Error(http::status::internal_server_error, "out of memory for the export");
  Status s;
  {
    std::shared_lock<std::shared_mutex> l(state_mu_);
    auto snap = store_->snapshot();
    s = sessions ? ExportSessions(*snap, store_->keys(), from, to, *format, mem)
                 : ExportEvents(*snap, from, to, *format, mem);
  }
  std::fclose(mem);
  std::string body(buf, len);
  std::free(buf);
  if (!s.ok()) return Error(StatusFor(s), s.message());
  return Answer(http::status::ok, std::move(body),
                *format == OutputFormat::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson");
}

Response Service::LoadCatalog(Call& call) {
  const std::string kind_name = call.query.count("kind") ? call.query["kind"] : "auto";
  auto kind = ParseLoadKind(kind_name);
  if (!kind)
    return Error(http::status::bad_request,
                 fmt::format("kind must be auto, content, users or sessions, got '{}'", kind_name));
  // The body goes to a file in the data directory, named for its kind so
  // that detection works as for `catalog load`.
  const std::string ext = *kind == LoadKind::kUsers || *kind == LoadKind::kSessions ? ".csv" : ".json";
  const std::filesystem::path file = std::filesystem::path(data_dir_) /
                                     fmt::format("catalog-upload-{}-{}{}", SystemNow().v, ++uploads_, ext);
  {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    if (f == nullptr)
      return Error(http::status::internal_server_error, "cannot write the uploaded catalog file");
    const bool ok =
        std::fwrite(call.req.body().data(), 1, call.req.body().size(), f) == call.req.body().size();
    if (std::fclose(f) != 0 || !ok)
      return Error(http::status::internal_server_error, "cannot write the uploaded catalog file");
  }
  std::unique_lock<std::shared_mutex> l(state_mu_);
  Status closed = live_ ? live_->Close() : Status::Ok();
  live_.reset();
  Result<app::CatalogLoadResult> loaded =
      closed.ok() ? app::LoadCatalogFiles(store_, catalog_, {file.string()}, *kind, session_)
                  : Result<app::CatalogLoadResult>(closed);
  std::error_code ec;
  std::filesystem::remove(file, ec);
  catalog_->AttachKeys(store_->store().keys());
  Status reopened = OpenLive();
  if (!loaded.ok()) return Error(StatusFor(loaded.status()), loaded.status().message());
  if (!reopened.ok()) return Error(http::status::internal_server_error, reopened.message());
  std::string body = "{\"summary\":";
  AppendJsonString(&body, loaded->report.Summary());
  body += fmt::format(",\"legacy_sessions\":{},\"errors\":[", loaded->legacy_sessions);
  for (size_t i = 0; i < loaded->report.errors.size(); ++i) {
    const LoadError& e = loaded->report.errors[i];
    if (i) body += ',';
    body += fmt::format("{{\"line\":{},\"reason\":", e.line);
    AppendJsonString(&body, e.reason);
    body += '}';
  }
  body += "]}\n";
  return Answer(http::status::ok, std::move(body), kJson);
}

Response Service::Keys(Call& call, const std::string& id) {
  const http::verb m = call.req.method();
  if (m == http::verb::post) {
    auto role = app::ParseRole(call.query.count("role") ? call.query["role"] : "");
    if (!role) return Error(http::status::bad_request, "role must be ingest, analyst or admin");
    auto k = keys_->Create(*role, call.query.count("name") ? call.query["name"] : "");
    if (!k.ok()) return Error(StatusFor(k.status()), k.status().message());
    std::string body = "{\"id\":";
    AppendJsonString(&body, k->info.id);
    body += ",\"role\":";
    AppendJsonString(&body, app::RoleName(*role));
    body += ",\"key\":";
    AppendJsonString(&body, k->key);
    body += "}\n";
    return Answer(http::status::created, std::move(body), kJson);
  }
  if (m == http::verb::delete_) {
    Status s = keys_->Revoke(id);
    if (!s.ok()) return Error(StatusFor(s), s.message());
    return Answer(http::status::ok, "{\"revoked\":true}\n", kJson);
  }
  auto list = keys_->List();
  if (!list.ok()) return Error(StatusFor(list.status()), list.status().message());
  std::string body = "{\"keys\":[";
  for (size_t i = 0; i < list->size(); ++i) {
    const app::KeyInfo& k = (*list)[i];
    if (i) body += ',';
    body += "{\"id\":";
    AppendJsonString(&body, k.id);
    body += ",\"role\":";
    AppendJsonString(&body, app::RoleName(k.role));
    body += ",\"name\":";
    AppendJsonString(&body, k.name);
    body += ",\"created_at\":";
    AppendJsonString(&body, k.created_at);
    body += ",\"revoked_at\":";
    if (k.revoked_at.empty()) {
      body += "null";
    } else {
      AppendJsonString(&body, k.revoked_at);
    }
    body += '}';
  }
  body += "]}\n";
  return Answer(http::status::ok, std::move(body), kJson);
}

Response Service::Health() {
  std::shared_lock<std::shared_mutex> l(state_mu_);
  std::string problem;
  if (!live_) problem = "the live ingest is closed (shutting down or after a failed catalog load)";
  if (problem.empty()) {
    // The store is writable: a file can be created and synced in its directory.
    const std::filesystem::path probe = std::filesystem::path(data_dir_) / ".healthz-probe";
    std::FILE* f = std::fopen(probe.c_str(), "wb");
    if (f == nullptr || std::fputs("ok", f) < 0 || std::fflush(f) != 0 || fsync(fileno(f)) != 0) {
      problem = fmt::format("the data directory {} is not writable", data_dir_);
    }
    if (f != nullptr) std::fclose(f);
    std::error_code ec;
    std::filesystem::remove(probe, ec);
  }
  if (problem.empty()) {
    Status s = live_->Sync();  // the applier and the log work
    if (!s.ok()) problem = fmt::format("the write-ahead log or the store failed: {}", s.message());
  }
  if (!problem.empty()) {
    std::string body = "{\"status\":\"unhealthy\",\"error\":";
    AppendJsonString(&body, problem);
    body += "}\n";
    return Answer(http::status::service_unavailable, std::move(body), kJson);
  }
  return Answer(http::status::ok, "{\"status\":\"ok\"}\n", kJson);
}

Response Service::Metrics() {
  std::string out;
  events_.Render("watchstats_events_total", "Events posted, by outcome (and reason for rejections).", &out);
  {
    const std::vector<RouteInfo>& routes = Routes();
    auto route_label = [&](size_t i) {
      if (i == routes.size()) return Label("route", kUnmatched);
      return Label("method", std::string(http::to_string(routes[i].method))) + "," +
             Label("route", routes[i].pattern);
    };
    out +=
        "# HELP watchstats_http_requests_total HTTP requests by route and status code.\n"
        "# TYPE watchstats_http_requests_total counter\n";
    for (size_t i = 0; i < route_stats_.size(); ++i) {
      for (size_t c = 0; c < kCodes.size(); ++c) {
        const uint64_t n = route_stats_[i].by_code[c].load(std::memory_order_relaxed);
        if (n == 0) continue;
        const std::string code = kCodes[c] == 0 ? "other" : std::to_string(kCodes[c]);
        out += fmt::format("watchstats_http_requests_total{{{},{}}} {}\n", route_label(i),
                           Label("code", code), n);
      }
    }
    out +=
        "# HELP watchstats_http_request_duration_seconds HTTP request latency by route.\n"
        "# TYPE watchstats_http_request_duration_seconds histogram\n";
    for (size_t i = 0; i < route_stats_.size(); ++i) {
      route_stats_[i].latency.Render("watchstats_http_request_duration_seconds", route_label(i), &out);
    }
  }
  out +=
      "# HELP watchstats_log_sync_duration_seconds Collector: appending a request's events to the "
      "write-ahead log until durable (fsync).\n# TYPE watchstats_log_sync_duration_seconds histogram\n";
  log_sync_latency_.Render("watchstats_log_sync_duration_seconds", "", &out);
  out +=
      "# HELP watchstats_wal_fsync_duration_seconds One group of the write-ahead log: its write and fsync.\n"
      "# TYPE watchstats_wal_fsync_duration_seconds histogram\n";
  fsync_latency_.Render("watchstats_wal_fsync_duration_seconds", "", &out);
  {
    std::shared_lock<std::shared_mutex> l(state_mu_);
    if (live_) {
      const IngestStats st = live_->stats();
      RenderGauge("watchstats_open_sessions", "Sessions open in the sessionizer.",
                  static_cast<double>(st.open_sessions), &out);
      out +=
          "# HELP watchstats_sessions_closed_total Session closings since the server started, by status.\n"
          "# TYPE watchstats_sessions_closed_total counter\n";
      for (const auto& [status, n] : st.closed_by_status)
        out += fmt::format("watchstats_sessions_closed_total{{{}}} {}\n", Label("status", status), n);
      RenderCounter("watchstats_store_commits_total", "Store commits by the live ingest.",
                    static_cast<double>(live_->commits()), &out);
      RenderCounter("watchstats_duplicate_events_total",
                    "Events the sessionizer found already known (SPEC 2.1).",
                    static_cast<double>(st.duplicates), &out);
      if (auto wm = live_->watermark())
        RenderGauge("watchstats_watermark_seconds", "The watermark (SPEC 2.7), Unix seconds.",
                    static_cast<double>(wm->v) / kMillisPerSecond, &out);
    }
    auto snap = store_->snapshot();
    auto state = DataStore::StateOf(*snap);
    if (state.ok()) {
      out +=
          "# HELP watchstats_rejected_events_stored_total Rejected events in the store, by reason.\n# TYPE "
          "watchstats_rejected_events_stored_total counter\n";
      for (const auto& [reason, n] : state->rejected_by_reason)
        out += fmt::format("watchstats_rejected_events_stored_total{{{}}} {}\n", Label("reason", reason), n);
    }
    std::error_code ec;
    uint64_t bytes = 0;
    // Stepped with error codes: a file removed by compaction meanwhile is
    // skipped, never an exception.
    for (std::filesystem::recursive_directory_iterator it(data_dir_, ec), end; !ec && it != end;
         it.increment(ec)) {
      std::error_code fec;
      if (it->is_regular_file(fec)) {
        const uintmax_t size = it->file_size(fec);
        if (!fec) bytes += size;
      }
    }
    RenderGauge("watchstats_store_bytes", "Bytes under the data directory.", static_cast<double>(bytes),
                &out);
    // Files beyond the first of each partition: deltas and small segments
    // that compaction has still to merge.
    uint64_t backlog = 0;
    for (std::string_view table : {kSessionsTable, kEventsTable}) {
      for (int32_t part : snap->Partitions(table)) {
        const size_t files = snap->Files(table, part).size();
        if (files > 1) backlog += files - 1;
      }
    }
    RenderGauge("watchstats_compaction_backlog_files", "Files waiting to be merged by compaction.",
                static_cast<double>(backlog), &out);
  }
  RenderGauge("watchstats_column_cache_bytes", "Decoded columns the report cache holds.",
              static_cast<double>(cache_.bytes()), &out);
  RenderGauge("watchstats_http_queue_depth", "Requests waiting for a worker thread.",
              static_cast<double>(pool_.depth()), &out);
  RenderCounter("watchstats_http_overload_total", "Requests answered 503 because the server was overloaded.",
                static_cast<double>(overload_.load()), &out);
  RenderGauge("watchstats_http_worker_threads", "Threads running blocking requests.", pool_.threads(), &out);
  if (const HttpServer* server = server_.load()) {
    const HttpServer::Figures f = server->figures();
    RenderGauge("watchstats_http_connections_open", "Open client connections.",
                static_cast<double>(f.connections_open), &out);
    RenderCounter("watchstats_http_connections_accepted_total", "Connections accepted.",
                  static_cast<double>(f.connections_accepted), &out);

    RenderCounter("watchstats_http_too_large_total", "Requests answered 413 for a body over the limit.",
                  static_cast<double>(f.rejected_too_large), &out);

    RenderGauge("watchstats_http_io_threads", "Threads running the event loop.", f.io_threads, &out);
  }
  return Answer(http::status::ok, std::move(out), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace ws::server
