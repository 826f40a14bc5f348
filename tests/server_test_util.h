// Helpers for the tests that drive a real `watchstats serve` over loopback:
// a server process on a free port with its own data directory, and a small
// blocking HTTP client (Boost.Beast).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace ws::testing {

struct HttpResult {
  int status = 0;  // 0: no answer (connection refused or reset)
  std::string body;
  std::map<std::string, std::string> headers;
};

// One keep-alive connection to 127.0.0.1:port.
class HttpConnection {
 public:
  explicit HttpConnection(uint16_t port) : port_(port), stream_(ioc_) {}

  HttpResult Send(const std::string& method, const std::string& target, const std::string& body = "",
                  const std::map<std::string, std::string>& headers = {}) {
    namespace http = boost::beast::http;
    HttpResult r;
    boost::beast::error_code ec;
    if (!connected_) {
      boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port_);
      stream_.connect(ep, ec);
      if (ec) return r;
      connected_ = true;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req, ec);  // a 413 may close before the whole body is sent: read anyway
    boost::beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(uint64_t{1} << 30);
    if (method == "HEAD") parser.skip(true);  // a HEAD answer has no body, whatever its Content-Length
    http::read(stream_, buf, parser, ec);
    if (ec) {
      connected_ = false;
      stream_.close();
      return r;
    }
    auto res = parser.release();
    r.status = res.result_int();
    r.body = res.body();
    for (const auto& f : res) r.headers[std::string(f.name_string())] = std::string(f.value());
    if (!res.keep_alive()) {
      stream_.close();
      connected_ = false;
    }
    return r;
  }

 private:
  uint16_t port_;
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  bool connected_ = false;
};

inline HttpResult Http(uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = "", const std::map<std::string, std::string>& headers = {}) {
  HttpConnection c(port);
  return c.Send(method, target, body, headers);
}

inline std::map<std::string, std::string> Bearer(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

// Creates a key with `role` in `data_dir` and returns it.
inline std::string CreateKey(const std::string& data_dir, const std::string& role) {
  CommandResult r = RunStdout(Binary() + " --data " + data_dir + " keys create --role " + role);
  std::string key = r.out;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

// Generates data with `generate_args` into `input`, then loads its catalog
// and users and ingests its events (closing every session) into `data`.
// Returns the output of the step that failed, or "" when all succeeded.
inline std::string GenerateAndIngest(const std::string& input, const std::string& data,
                                     const std::string& generate_args) {
  const std::vector<std::string> steps = {
      Binary() + " generate --out " + input + " " + generate_args,
      Binary() + " --data " + data + " catalog load " + input + "/catalog.json " + input + "/users.csv",
      Binary() + " --data " + data + " ingest --quiet --close-all " + input + "/events/*.ndjson",
  };
  for (const std::string& cmd : steps) {
    CommandResult r = RunCommand(cmd);
    if (r.exit_code != 0) return cmd + ": " + r.out;
  }
  return "";
}

// `watchstats serve` on 127.0.0.1 and a port the system picks.
class ServerProcess {
 public:
  // Starts the server; `args` go after `serve`, `global` before it (e.g.
  // --config FILE). started() tells whether it printed its URL; output()
  // holds what it wrote to stderr so far.
  ServerProcess(const std::string& data_dir, const std::vector<std::string>& args = {},
                const std::vector<std::string>& global = {}) {
    int out[2];
    if (pipe(out) != 0) return;
    log_path_ = data_dir + ".server.log";
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      FILE* err = std::fopen(log_path_.c_str(), "a");
      if (err != nullptr) dup2(fileno(err), STDERR_FILENO);
      close(out[0]);
      std::vector<std::string> argv_s = {Binary(), "--data", data_dir};
      argv_s.insert(argv_s.end(), global.begin(), global.end());
      for (const char* a : {"serve", "--listen", "127.0.0.1:0"}) argv_s.emplace_back(a);
      argv_s.insert(argv_s.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    // The first line of stdout names the URL: "watchstats: serving on http://127.0.0.1:PORT ...".
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    close(out[0]);
    const std::string marker = "http://127.0.0.1:";
    const size_t at = line.find(marker);
    if (at != std::string::npos) port_ = static_cast<uint16_t>(std::stoi(line.substr(at + marker.size())));
  }
  ~ServerProcess() {
    if (pid_ > 0 && !exited_) Kill();
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  std::string output() const { return ReadFile(log_path_); }

  // SIGTERM, then the exit code (the server shuts down gracefully).
  int Terminate() { return Signal(SIGTERM); }
  // SIGKILL: a crash at an arbitrary moment.
  void Kill() { (void)Signal(SIGKILL); }

 private:
  int Signal(int sig) {
    if (pid_ <= 0 || exited_) return -1;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  bool exited_ = false;
  std::string log_path_;
};

// Polls `fn` until it returns true or `limit` passes (the tests wait for a
// state, never assert a time).
template <typename Fn>
bool WaitFor(Fn fn, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fn();
}

}  // namespace ws::testing
