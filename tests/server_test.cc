// `watchstats serve` end to end, over loopback, against the real binary
// (issue 9, "Must show"): the collector's input forms and per-line errors,
// the limits (413), the route x role table (401/403), a report over HTTP
// equal to the same report from the CLI, kill -9 during a stream of posts,
// and a graceful shutdown.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <atomic>
#include <set>

#include "server_test_util.h"
#include "util/time.h"

namespace ws::testing {
namespace {

// An event line of session `sid` at `ts` ms, position in seconds.
std::string EventLine(const std::string& sid, const std::string& eid, const char* type, int64_t ts_ms,
                      double position, const std::string& user = "u1", const std::string& content = "c1") {
  return fmt::format(
      R"({{"event_id":"{}","session_id":"{}","user_id":"{}","content_id":"{}","type":"{}","ts":{},"position":{}}})",
      eid, sid, user, content, type, ts_ms, position);
}

// A whole session: start, 8 heartbeats 10 s apart, stop: 90 s watched.
std::string SessionLines(const std::string& sid, int64_t t0) {
  std::string out = EventLine(sid, sid + "-0", "start", t0, 0) + "\n";
  for (int i = 1; i <= 8; ++i)
    out += EventLine(sid, sid + "-" + std::to_string(i), "heartbeat", t0 + i * 10'000, i * 10) + "\n";
  out += EventLine(sid, sid + "-9", "stop", t0 + 90'000, 90) + "\n";
  return out;
}

int64_t AnHourAgo() { return SystemNow().v - 3'600'000; }

simdjson::dom::element Parse(simdjson::dom::parser& p, const std::string& body) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(body).get(e), simdjson::SUCCESS) << body;
  return e;
}

int64_t Int(simdjson::dom::element e, const char* key) {
  int64_t v = -1;
  EXPECT_EQ(e[key].get(v), simdjson::SUCCESS) << key << " in " << simdjson::to_string(e);
  return v;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_ / "data";
    admin_ = CreateKey(data_, "admin");
    ingest_ = CreateKey(data_, "ingest");
    analyst_ = CreateKey(data_, "analyst");
    ASSERT_EQ(admin_.rfind("wsk_", 0), 0u) << admin_;
  }
  std::unique_ptr<ServerProcess> Start(const std::vector<std::string>& args = {"--set",
                                                                               "commit_interval=100ms"}) {
    auto s = std::make_unique<ServerProcess>(data_, args);
    EXPECT_TRUE(s->started()) << s->output();
    return s;
  }
  HttpResult Post(uint16_t port, const std::string& body,
                  const std::map<std::string, std::string>& extra = {}) {
    auto h = Bearer(ingest_);
    for (const auto& [k, v] : extra) h[k] = v;
    return Http(port, "POST", "/v1/events", body, h);
  }
  // The session's measures as the server reports them (nullopt: 404).
  std::optional<std::string> SessionJson(uint16_t port, const std::string& sid) {
    HttpResult r = Http(port, "GET", "/v1/sessions/" + sid, "", Bearer(analyst_));
    if (r.status != 200) return std::nullopt;
    return r.body;
  }

  TempDir dir_;
  std::string data_, admin_, ingest_, analyst_;
  simdjson::dom::parser json_;
};

TEST_F(ServerTest, TakesOneEventAnArrayAndNdjson) {
  auto server = Start();
  const int64_t t0 = AnHourAgo();
  // One JSON object, written over several lines.
  HttpResult one = Post(server->port(),
                        "{\n  \"event_id\": \"a0\", \"session_id\": \"a\", \"user_id\": \"u1\",\n"
                        "  \"content_id\": \"c1\", \"type\": \"start\", \"ts\": " +
                            std::to_string(t0) + ", \"position\": 0\n}\n",
                        {{"Content-Type", "application/json"}});
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Int(Parse(json_, one.body), "accepted"), 1);
  // A JSON array.
  std::string array = "[" + EventLine("a", "a1", "heartbeat", t0 + 10'000, 10) + "," +
                      EventLine("a", "a2", "heartbeat", t0 + 20'000, 20) + "]";
  HttpResult arr = Post(server->port(), array, {{"Content-Type", "application/json"}});
  ASSERT_EQ(arr.status, 200) << arr.body;
  EXPECT_EQ(Int(Parse(json_, arr.body), "accepted"), 2);
  // NDJSON, sent as text/plain as navigator.sendBeacon does, gzip-compressed.
  std::string nd = EventLine("a", "a3", "heartbeat", t0 + 30'000, 30) + "\n" +
                   EventLine("a", "a4", "stop", t0 + 31'000, 31) + "\n";
  uLongf zlen = compressBound(nd.size()) + 32;
  std::string gz(zlen, '\0');
  z_stream z{};
  constexpr int kGzip = 15 + 16;
  ASSERT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzip, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(nd.data());
  z.avail_in = static_cast<uInt>(nd.size());
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = static_cast<uInt>(gz.size());
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  gz.resize(z.total_out);
  deflateEnd(&z);
  HttpResult ndr = Post(server->port(), gz, {{"Content-Type", "text/plain"}, {"Content-Encoding", "gzip"}});
  ASSERT_EQ(ndr.status, 200) << ndr.body;
  EXPECT_EQ(Int(Parse(json_, ndr.body), "accepted"), 2);
  // All five are one session, visible live.
  std::optional<std::string> s;
  ASSERT_TRUE(WaitFor([&] {
    s = SessionJson(server->port(), "a");
    return s && s->find("\"event_count\":5") != std::string::npos;
  })) << s.value_or("no session");
  EXPECT_NE(s->find("\"watch_time_seconds\":31"), std::string::npos) << *s;
  EXPECT_NE(s->find("\"number_of_pauses\":0"), std::string::npos) << *s;
}

TEST_F(ServerTest, AnswersPerLineErrorsAndKeepsTheGoodLines) {
  auto server = Start();
  const int64_t t0 = AnHourAgo();
  std::string body = EventLine("b", "b0", "start", t0, 0) + "\n" + "{not json\n" +
                     R"({"session_id":"b","user_id":"u1","content_id":"c1","type":"start"})" + "\n" +
                     EventLine("b", "b1", "warp", t0 + 1000, 1) + "\n" +
                     EventLine("b", "b2", "heartbeat", t0 + 10'000, 10) + "\n" +
                     EventLine("b", "b2", "heartbeat", t0 + 10'000, 10) + "\n";
  HttpResult r = Post(server->port(), body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = Parse(json_, r.body);
  EXPECT_EQ(Int(doc, "accepted"), 2);
  EXPECT_EQ(Int(doc, "duplicate"), 1);
  EXPECT_EQ(Int(doc, "rejected"), 3);
  std::vector<std::pair<int64_t, std::string>> errors;
  for (simdjson::dom::element e : doc["errors"].get_array()) {
    errors.emplace_back(Int(e, "index"), std::string(e["reason"].get_string().value()));
    EXPECT_FALSE(e["message"].get_string().value().empty());
  }
  const std::vector<std::pair<int64_t, std::string>> want = {
      {1, "not_json"}, {2, "missing_field"}, {3, "unknown_type"}};
  EXPECT_EQ(errors, want);
  // The rejected lines are quarantined, not lost.
  HttpResult q;
  ASSERT_TRUE(WaitFor([&] {
    q = Http(server->port(), "GET", "/v1/rejected", "", Bearer(analyst_));
    return q.status == 200 && SplitLines(q.body).size() == 3;
  })) << q.body;
  EXPECT_NE(q.body.find("{not json"), std::string::npos);
  // A body that is no JSON array at all is one 400 with a sentence.
  HttpResult bad = Post(server->port(), "[" + EventLine("b", "b9", "heartbeat", t0, 1));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("\"error\""), std::string::npos);
}

TEST_F(ServerTest, AnswersTooLargeBodiesAndTooManyEventsWith413) {
  auto server = Start({"--set", "max_body_bytes=4096", "--set", "max_events_per_request=5"});
  const int64_t t0 = AnHourAgo();
  std::string big;
  for (int i = 0; big.size() <= 8192; ++i)
    big += EventLine("c", fmt::format("c{}", i), "heartbeat", t0 + i, 1) + "\n";
  HttpResult r = Post(server->port(), big);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_NE(r.body.find("max_body_bytes"), std::string::npos) << r.body;
  std::string six;
  for (int i = 0; i < 6; ++i) six += EventLine("c", fmt::format("d{}", i), "heartbeat", t0 + i, 1) + "\n";
  HttpResult many = Post(server->port(), six);
  EXPECT_EQ(many.status, 413) << many.body;
  EXPECT_NE(many.body.find("max_events_per_request"), std::string::npos) << many.body;
  // Nothing of either reached the store; the server still serves.
  EXPECT_FALSE(SessionJson(server->port(), "c").has_value());
  EXPECT_EQ(Http(server->port(), "GET", "/healthz").status, 200);
}

// Every route under every kind of key: the table below is the contract
// (SPEC 7); a route missing from it fails the test.
TEST_F(ServerTest, EveryRouteAndRoleGetsItsStatus) {
  auto server = Start();
  // Allowed roles per route: "-" public, else the roles that may call it.
  const std::map<std::string, std::string> allowed = {
      {"GET /", "-"},
      {"GET /docs", "-"},
      {"GET /openapi.json", "-"},
      {"GET /healthz", "-"},
      {"GET /sdk/watchstats.js", "-"},
      {"GET /assets/{file}", "-"},
      {"OPTIONS /v1/events", "-"},
      {"GET /metrics", "analyst admin"},
      {"POST /v1/events", "ingest admin"},
      {"GET /v1/reports", "analyst admin"},
      {"GET /v1/reports/{name}", "analyst admin"},
      {"GET /v1/content/popular", "analyst admin"},
      {"GET /v1/trends", "analyst admin"},
      {"GET /v1/peak-hours", "analyst admin"},
      {"GET /v1/users/{id}/stats", "analyst admin"},
      {"GET /v1/sessions/{id}", "analyst admin"},
      {"GET /v1/active", "analyst admin"},
      {"GET /v1/rejected", "analyst admin"},
      {"GET /v1/export/sessions", "analyst admin"},
      {"GET /v1/export/events", "analyst admin"},
      {"POST /v1/catalog", "admin"},
      {"GET /v1/catalog/{id}", "analyst admin"},
      {"GET /v1/keys", "admin"},
      {"POST /v1/keys", "admin"},
      {"DELETE /v1/keys/{id}", "admin"},
  };
  HttpResult doc = Http(server->port(), "GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  auto api = Parse(json_, doc.body);
  std::set<std::string> documented;
  for (auto [path, ops] : api["paths"].get_object()) {
    for (auto [method, op] : ops.get_object()) {
      std::string m(method);
      for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(m + " " + std::string(path));
    }
  }
  std::set<std::string> in_table;
  for (const auto& [route, roles] : allowed) in_table.insert(route);
  EXPECT_EQ(documented, in_table) << "the route table and /openapi.json disagree";

  const std::map<std::string, std::string> keys = {
      {"ingest", ingest_}, {"analyst", analyst_}, {"admin", admin_}};
  auto fill = [](std::string path) {
    for (auto [from, to] :
         {std::pair{"{name}", "devices"}, std::pair{"{id}", "nobody"}, std::pair{"{file}", "x.js"}}) {
      if (auto at = path.find(from); at != std::string::npos) path.replace(at, std::string(from).size(), to);
    }
    return path;
  };
  for (const auto& [route, roles] : allowed) {
    const std::string method = route.substr(0, route.find(' '));
    const std::string path = fill(route.substr(route.find(' ') + 1));
    const std::string body =
        method == "POST" && path == "/v1/events" ? EventLine("r", "r1", "start", AnHourAgo(), 0) : "";
    if (roles == "-") {
      HttpResult r = Http(server->port(), method, path, body, {{"Origin", "http://nowhere.example"}});
      EXPECT_NE(r.status, 401) << route;
      EXPECT_NE(r.status, 0) << route;
      continue;
    }
    EXPECT_EQ(Http(server->port(), method, path, body).status, 401) << route << " without a key";
    EXPECT_EQ(Http(server->port(), method, path, body, Bearer("wsk_00000000_" + std::string(32, '0'))).status,
              401)
        << route << " with an unknown key";
    for (const auto& [role, key] : keys) {
      const bool may = roles.find(role) != std::string::npos;
      HttpResult r = Http(server->port(), method, path, body, Bearer(key));
      if (may) {
        EXPECT_NE(r.status, 401) << route << " as " << role << ": " << r.body;
        EXPECT_NE(r.status, 403) << route << " as " << role << ": " << r.body;
        EXPECT_NE(r.status, 0) << route << " as " << role;
      } else {
        EXPECT_EQ(r.status, 403) << route << " as " << role << ": " << r.body;
      }
    }
  }
  // ?key= is for ingest keys on the collector only.
  const std::string ev = EventLine("q", "q1", "start", AnHourAgo(), 0);
  EXPECT_EQ(Http(server->port(), "POST", "/v1/events?key=" + ingest_, ev).status, 200);
  EXPECT_EQ(Http(server->port(), "POST", "/v1/events?key=" + analyst_, ev).status, 401);
  EXPECT_EQ(Http(server->port(), "POST", "/v1/events?key=" + admin_, ev).status, 401);
  EXPECT_EQ(Http(server->port(), "GET", "/v1/active?key=" + analyst_).status, 401);
  // A revoked key stops working (within the key cache's refresh interval).
  const std::string victim = CreateKey(data_, "analyst");
  HttpResult list = Http(server->port(), "GET", "/v1/keys", "", Bearer(admin_));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(Http(server->port(), "GET", "/v1/active", "", Bearer(victim)).status, 200);
  const std::string id = victim.substr(4, 8);
  ASSERT_EQ(Http(server->port(), "DELETE", "/v1/keys/" + id, "", Bearer(admin_)).status, 200);
  EXPECT_TRUE(
      WaitFor([&] { return Http(server->port(), "GET", "/v1/active", "", Bearer(victim)).status == 401; }));
}

TEST_F(ServerTest, AReportOverHttpEqualsTheSameReportFromTheCli) {
  const std::string input = dir_ / "input";
  ASSERT_EQ(GenerateAndIngest(input, data_, "--users 60 --titles 25 --days 3 --seed 7"), "");
  struct Case {
    std::string route;  // over HTTP
    std::string cli;    // the same through the CLI
  };
  const std::vector<Case> cases = {
      {"/v1/reports/popular?from=2026-01-01&to=2026-12-31&limit=5",
       "report popular --from 2026-01-01 --to 2026-12-31 --limit 5"},
      {"/v1/reports/devices?from=2026-01-01&to=2026-12-31",
       "report devices --from 2026-01-01 --to 2026-12-31"},
      {"/v1/trends?from=2026-01-01&to=2026-12-31", "report trends --from 2026-01-01 --to 2026-12-31"},
      {"/v1/peak-hours?from=2026-01-01&to=2026-12-31&tz=UTC",
       "report peak-hours --from 2026-01-01 --to 2026-12-31 --tz UTC"},
      {"/v1/reports/breakdown?from=2026-01-01&to=2026-12-31&by=genre,country&device-type=tv",
       "report breakdown --from 2026-01-01 --to 2026-12-31 --by genre,country --device-type tv"},
  };
  std::vector<std::string> cli_json, cli_csv;
  for (const Case& c : cases) {
    CommandResult j = RunStdout(Binary() + " --data " + data_ + " " + c.cli + " --format json");
    ASSERT_EQ(j.exit_code, 0) << c.cli << ": " << j.out;
    cli_json.push_back(j.out);
    CommandResult v = RunStdout(Binary() + " --data " + data_ + " " + c.cli + " --format csv");
    ASSERT_EQ(v.exit_code, 0);
    cli_csv.push_back(v.out);
  }
  auto server = Start();
  for (size_t i = 0; i < cases.size(); ++i) {
    HttpResult j = Http(server->port(), "GET", cases[i].route, "", Bearer(analyst_));
    ASSERT_EQ(j.status, 200) << cases[i].route << ": " << j.body;
    EXPECT_EQ(j.body, cli_json[i]) << cases[i].route;
    EXPECT_GT(j.body.size(), 100u) << "the report has rows";
    HttpResult v = Http(server->port(), "GET", cases[i].route + "&format=csv", "", Bearer(analyst_));
    EXPECT_EQ(v.body, cli_csv[i]) << cases[i].route;
  }
  // A bad parameter is a 400 naming it.
  HttpResult bad = Http(server->port(), "GET", "/v1/reports/popular?limit=many", "", Bearer(analyst_));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("limit"), std::string::npos) << bad.body;
  HttpResult unknown = Http(server->port(), "GET", "/v1/reports/popular?colour=red", "", Bearer(analyst_));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("colour"), std::string::npos) << unknown.body;
  EXPECT_EQ(Http(server->port(), "GET", "/v1/reports/nonsense", "", Bearer(analyst_)).status, 400);
}

// Posts stream in while the server is killed; after a restart, every
// acknowledged event is there exactly once, and resending everything
// (acknowledged or not, as a client that never heard back would) counts
// nothing twice.
TEST_F(ServerTest, KillNineDuringAStreamOfPostsLosesAndDoublesNothing) {
  constexpr int kSessions = 400;
  constexpr int kKillAfterAcks = 120;
  const int64_t t0 = AnHourAgo();
  std::vector<std::string> bodies;
  for (int i = 0; i < kSessions; ++i) bodies.push_back(SessionLines(fmt::format("k{}", i), t0 + i * 1000));
  auto server = Start();
  const uint16_t port = server->port();
  std::vector<std::atomic<bool>> acked(kSessions);
  std::atomic<int> acks{0};
  constexpr int kSenders = 4;
  std::vector<std::thread> senders;
  for (int t = 0; t < kSenders; ++t) {
    senders.emplace_back([&, t] {
      HttpConnection c(port);
      for (int i = t; i < kSessions; i += kSenders) {
        HttpResult r = c.Send("POST", "/v1/events", bodies[i], Bearer(ingest_));
        if (r.status == 200) {
          acked[i] = true;
          ++acks;
        }
        if (r.status == 0) return;  // the server is gone
      }
    });
  }
  ASSERT_TRUE(WaitFor([&] { return acks.load() >= kKillAfterAcks; }));
  server->Kill();
  for (auto& th : senders) th.join();
  const int acked_before = acks.load();
  ASSERT_LT(acked_before, kSessions) << "the kill came after every post; nothing was tested";

  auto restarted = Start();
  const uint16_t port2 = restarted->port();
  auto event_count = [&](int i) -> int64_t {
    std::optional<std::string> s = SessionJson(port2, fmt::format("k{}", i));
    if (!s) return 0;
    return Int(Parse(json_, *s)["session"], "event_count");
  };
  for (int i = 0; i < kSessions; ++i) {
    if (acked[i]) {
      EXPECT_EQ(event_count(i), 10) << "acknowledged session k" << i;
    }
  }
  // Resend everything.
  for (int i = 0; i < kSessions; ++i) ASSERT_EQ(Post(port2, bodies[i]).status, 200);
  ASSERT_TRUE(WaitFor([&] { return event_count(kSessions - 1) == 10; }));
  HttpResult exported;
  ASSERT_TRUE(WaitFor([&] {
    exported = Http(port2, "GET", "/v1/export/sessions", "", Bearer(analyst_));
    return exported.status == 200 && SplitLines(exported.body).size() == kSessions;
  })) << SplitLines(exported.body).size();
  int64_t events = 0;
  for (const std::string& line : SplitLines(exported.body)) {
    auto s = Parse(json_, line);
    events += Int(s, "event_count");
    EXPECT_EQ(Int(s, "watch_time_seconds"), 90) << line;
  }
  EXPECT_EQ(events, int64_t{kSessions} * 10);
}

TEST_F(ServerTest, SigtermAnswersInFlightAndCommitsEverythingAcknowledged) {
  auto server = Start({"--set", "commit_interval=1h"});  // nothing is committed before the shutdown
  const int64_t t0 = AnHourAgo();
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(Post(server->port(), SessionLines(fmt::format("g{}", i), t0)).status, 200);
  EXPECT_EQ(server->Terminate(), 0) << server->output();
  EXPECT_NE(server->output().find("\"msg\":\"stopped\""), std::string::npos) << server->output();
  // The CLI reads the store itself: the events are in it, not only in the log.
  CommandResult r = RunStdout(Binary() + " --data " + data_ + " export sessions");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(SplitLines(r.out).size(), 20u);
}

TEST_F(ServerTest, OpenSessionsShowLiveAndTheClockClosesThem) {
  auto server = Start();
  const int64_t now = SystemNow().v;
  ASSERT_EQ(Post(server->port(), EventLine("live", "l0", "start", now - 5000, 0) + "\n" +
                                     EventLine("live", "l1", "heartbeat", now, 5))
                .status,
            200);
  HttpResult active;
  ASSERT_TRUE(WaitFor([&] {
    active = Http(server->port(), "GET", "/v1/active", "", Bearer(analyst_));
    return active.body.find("\"open_sessions\":1") != std::string::npos;
  })) << active.body;
  // A session whose last event was a stop 6 minutes ago (past stop_linger)
  // is closed by the server clock with no further traffic.
  ASSERT_EQ(Post(server->port(), EventLine("old", "o0", "start", now - 400'000, 0) + "\n" +
                                     EventLine("old", "o1", "stop", now - 360'000, 40))
                .status,
            200);
  std::optional<std::string> s;
  ASSERT_TRUE(WaitFor([&] {
    s = SessionJson(server->port(), "old");
    return s && s->find("\"completion_status\":\"stopped\"") != std::string::npos;
  })) << s.value_or("none");
}

TEST_F(ServerTest, AnAdminLoadsTheCatalogOverHttpWhileEventsFlow) {
  const std::string input = dir_ / "input";
  ASSERT_EQ(
      RunCommand(fmt::format("{} generate --out {} --users 20 --titles 6 --days 1 --seed 3", Binary(), input))
          .exit_code,
      0);
  auto server = Start();
  const int64_t t0 = AnHourAgo();
  ASSERT_EQ(Post(server->port(), SessionLines("before", t0)).status, 200);
  EXPECT_EQ(Http(server->port(), "GET", "/v1/catalog/m-0001", "", Bearer(analyst_)).status, 404);
  const std::string catalog = ReadFile(fmt::format("{}/catalog.json", input));
  HttpResult load = Http(server->port(), "POST", "/v1/catalog?kind=content", catalog, Bearer(admin_));
  ASSERT_EQ(load.status, 200) << load.body;
  EXPECT_NE(load.body.find("titles"), std::string::npos) << load.body;
  EXPECT_EQ(Http(server->port(), "POST", "/v1/catalog?kind=content", "{}", Bearer(analyst_)).status, 403);
  HttpResult item = Http(server->port(), "GET", "/v1/catalog/m-0001", "", Bearer(analyst_));
  ASSERT_EQ(item.status, 200) << item.body;
  EXPECT_NE(item.body.find("\"kind\":\"movie\""), std::string::npos) << item.body;
  // The collector goes on after the load, and what was posted before is kept.
  ASSERT_EQ(Post(server->port(), SessionLines("after", t0)).status, 200);
  ASSERT_TRUE(WaitFor([&] { return SessionJson(server->port(), "after").has_value(); }));
  EXPECT_TRUE(SessionJson(server->port(), "before").has_value());
}

// HEAD gets GET's header without a body, so the keep-alive connection
// stays in step; concatenated gzip members are one body.
TEST_F(ServerTest, HeadKeepsTheConnectionInStepAndGzipMembersConcatenate) {
  auto server = Start();
  HttpConnection c(server->port());
  HttpResult head = c.Send("HEAD", "/sdk/watchstats.js");
  ASSERT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_NE(head.headers["Content-Length"], "0");
  HttpResult get = c.Send("GET", "/healthz");
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "{\"status\":\"ok\"}\n");

  auto gzip = [](const std::string& text) {
    std::string out(compressBound(text.size()) + 64, '\0');
    z_stream z{};
    constexpr int kGzip = 15 + 16;
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzip, 8, Z_DEFAULT_STRATEGY);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  };
  const int64_t t0 = AnHourAgo();
  const std::string both = gzip(EventLine("z", "z0", "start", t0, 0) + "\n") +
                           gzip(EventLine("z", "z1", "heartbeat", t0 + 10'000, 10) + "\n");
  HttpResult r = Post(server->port(), both, {{"Content-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Int(Parse(json_, r.body), "accepted"), 2);
}

TEST_F(ServerTest, CorsPreflightAnswersConfiguredOriginsOnly) {
  auto server = Start({"--set", "cors_origins=https://player.example"});
  HttpResult ok = Http(server->port(), "OPTIONS", "/v1/events", "",
                       {{"Origin", "https://player.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(ok.headers["Access-Control-Allow-Origin"], "https://player.example");
  HttpResult no = Http(server->port(), "OPTIONS", "/v1/events", "", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(no.status, 403);
  HttpResult post =
      Http(server->port(), "POST", "/v1/events?key=" + ingest_, EventLine("o", "o1", "start", AnHourAgo(), 0),
           {{"Origin", "https://player.example"}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(post.headers["Access-Control-Allow-Origin"], "https://player.example");
}

TEST(ServeCli, RefusesNoAuthOffLoopbackAndStartsWithoutKeysOnlyWithNoAuth) {
  TempDir dir;
  CommandResult open =
      RunCommand(Binary() + " --data " + (dir / "d") + " serve --listen 0.0.0.0:0 --no-auth");
  EXPECT_EQ(open.exit_code, 2) << open.out;
  EXPECT_NE(open.out.find("loopback"), std::string::npos) << open.out;
  CommandResult nokeys = RunCommand(Binary() + " --data " + (dir / "d") + " serve --listen 127.0.0.1:0");
  EXPECT_EQ(nokeys.exit_code, 1) << nokeys.out;
  EXPECT_NE(nokeys.out.find("keys create"), std::string::npos) << nokeys.out;
  ServerProcess s(dir / "d", {"--no-auth"});
  ASSERT_TRUE(s.started()) << s.output();
  EXPECT_EQ(Http(s.port(), "GET", "/v1/active").status, 200);
  CommandResult bad = RunCommand(Binary() + " --data " + (dir / "e") + " serve --set workers=0");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("workers"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace ws::testing
