#include "server/server_config.h"

#define TOML_EXCEPTIONS 0
#include <fmt/format.h>
#include <toml++/toml.h>

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "session/config.h"

namespace ws::server {
namespace {

constexpr int kMaxThreads = 1024;
constexpr uint64_t kMaxBodyBytes = uint64_t{1} << 30;
constexpr uint64_t kMaxQueue = 10'000'000;
constexpr int64_t kMaxIntervalMs = 3'600'000;

struct KeySpec {
  const char* name;
  const char* help;
};

constexpr KeySpec kKeys[] = {
    {"listen", "HOST:PORT to listen on (default 127.0.0.1:8080)"},
    {"io_threads", "threads running the event loop (default 2)"},
    {"workers", "threads running reports, exports and lookups (default 16)"},
    {"queue_limit", "requests waiting for a worker before 503 (default 10000)"},
    {"max_body_bytes", "largest request body before 413 (default 16777216)"},
    {"max_decoded_bytes", "largest gzip body once inflated before 413 (default 67108864)"},
    {"max_events_per_request", "events in one POST before 413 (default 100000)"},
    {"rate_limit", "requests per second per API key before 429; 0: none (default 0)"},
    {"rate_burst", "requests a key may send at once (default: one second of rate_limit)"},
    {"cors_origins", "origins allowed to post events from a browser; \"*\": any (default none)"},
    {"commit_interval", "how often live sessions are committed (default 1s)"},
    {"idle_timeout", "a silent keep-alive connection is closed after (default 75s)"},
    {"drain_timeout", "shutdown waits this long for requests in flight (default 30s)"},
    {"log_requests", "an access log line per request (default false)"},
    {"no_auth", "no API keys; only on a loopback address (default false)"},
};

const KeySpec* FindKey(std::string_view name) {
  for (const KeySpec& k : kKeys)
    if (name == k.name) return &k;
  return nullptr;
}

std::string EnvName(std::string_view key) {
  std::string out = "WATCHSTATS_";
  for (char c : key) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

// A value and where it came from (for errors).
struct Raw {
  std::string value;
  std::string origin;
};

Status Bad(const Raw& r, std::string_view key, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}: {} must be {}, got '{}'", r.origin, key, what, r.value));
}

Result<int64_t> Int(const Raw& r, std::string_view key, int64_t lo, int64_t hi) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(r.value.data(), r.value.data() + r.value.size(), v);
  if (ec != std::errc() || p != r.value.data() + r.value.size() || v < lo || v > hi)
    return Bad(r, key, fmt::format("an integer from {} to {}", lo, hi));
  return v;
}

Result<double> Number(const Raw& r, std::string_view key) {
  double v = 0;
  auto [p, ec] = std::from_chars(r.value.data(), r.value.data() + r.value.size(), v);
  if (ec != std::errc() || p != r.value.data() + r.value.size() || !std::isfinite(v) || v < 0)
    return Bad(r, key, "a number 0 or more");
  return v;
}

Result<bool> Bool(const Raw& r, std::string_view key) {
  if (r.value == "true" || r.value == "1") return true;
  if (r.value == "false" || r.value == "0") return false;
  return Bad(r, key, "true or false");
}

Result<int64_t> Duration(const Raw& r, std::string_view key, int64_t max_ms) {
  auto ms = ParseDuration(r.value);
  if (!ms || *ms <= 0 || *ms > max_ms) return Bad(r, key, "a duration such as \"1s\" or \"500ms\" up to 1 h");
  return *ms;
}

// TOML scalars as text; arrays of strings joined with ','.
Result<std::string> TomlText(const toml::node& node, const std::string& origin, std::string_view key) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_boolean()) return std::string(*node.value<bool>() ? "true" : "false");
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  if (node.is_floating_point()) return fmt::format("{}", *node.value<double>());
  if (const toml::array* a = node.as_array()) {
    std::string out;
    for (const toml::node& e : *a) {
      if (!e.is_string())
        return Status::InvalidArgument(fmt::format("{}: {} must be a list of strings", origin, key));
      if (!out.empty()) out += ',';
      out += *e.value<std::string>();
    }
    return out;
  }
  return Status::InvalidArgument(fmt::format("{}: {} has a value of the wrong type", origin, key));
}

bool IsLoopback(const std::string& host) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(host, ec);
  return !ec && a.is_loopback();
}

}  // namespace

std::vector<std::string> ServerConfigKeys() {
  std::vector<std::string> out;
  for (const KeySpec& k : kKeys) out.push_back(fmt::format("{}: {}", k.name, k.help));
  return out;
}

Result<ServerConfig> LoadServerConfig(const ServerConfigSources& sources) {
  std::map<std::string, Raw> raw;
  if (!sources.config_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(sources.config_file, ec))
      return Status::InvalidArgument(fmt::format("--config '{}': no such file", sources.config_file));
    toml::parse_result parsed = toml::parse_file(sources.config_file);
    if (!parsed) {
      return Status::InvalidArgument(fmt::format("config file '{}' line {}: {}", sources.config_file,
                                                 parsed.error().source().begin.line,
                                                 std::string(parsed.error().description())));
    }
    if (const toml::table* t = parsed.table()["server"].as_table()) {
      for (auto&& [key, node] : *t) {
        const std::string origin =
            fmt::format("config file '{}' line {}", sources.config_file, node.source().begin.line);
        if (FindKey(key.str()) == nullptr)
          return Status::InvalidArgument(fmt::format("{}: unknown key 'server.{}'", origin, key.str()));
        WS_ASSIGN_OR_RETURN(std::string text, TomlText(node, origin, key.str()));
        raw[std::string(key.str())] = Raw{text, origin};
      }
    }
  }
  if (sources.env) {
    for (const KeySpec& k : kKeys) {
      const std::string name = EnvName(k.name);
      if (const char* v = sources.env(name.c_str()); v != nullptr)
        raw[k.name] = Raw{v, fmt::format("environment variable {}", name)};
    }
  }
  for (const auto& [key, value] : sources.flags) {
    if (FindKey(key) == nullptr)
      return Status::InvalidArgument(
          fmt::format("--set {}: unknown server key (see watchstats serve --help)", key));
    raw[key] = Raw{value, fmt::format("--set {}", key)};
  }

  ServerConfig c;
  for (const auto& [key, r] : raw) {
    if (key == "listen") {
      const size_t colon = r.value.rfind(':');
      if (colon == std::string::npos || colon == 0) return Bad(r, key, "HOST:PORT such as 127.0.0.1:8080");
      std::string host = r.value.substr(0, colon);
      if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
      boost::system::error_code ec;
      boost::asio::ip::make_address(host, ec);
      if (ec)
        return Bad(r, key, "HOST:PORT with an IP address as HOST, such as 127.0.0.1:8080 or 0.0.0.0:8080");
      WS_ASSIGN_OR_RETURN(int64_t port,
                          Int(Raw{r.value.substr(colon + 1), r.origin}, "the port of listen", 0, 65535));
      c.http.host = host;
      c.http.port = static_cast<uint16_t>(port);
    } else if (key == "io_threads") {
      WS_ASSIGN_OR_RETURN(int64_t v, Int(r, key, 1, kMaxThreads));
      c.http.io_threads = static_cast<int>(v);
    } else if (key == "workers") {
      WS_ASSIGN_OR_RETURN(int64_t v, Int(r, key, 1, kMaxThreads));
      c.workers = static_cast<int>(v);
    } else if (key == "queue_limit") {
      WS_ASSIGN_OR_RETURN(int64_t v, Int(r, key, 1, kMaxQueue));
      c.queue_limit = static_cast<size_t>(v);
    } else if (key == "max_body_bytes") {
      WS_ASSIGN_OR_RETURN(int64_t v, Int(r, key, 1, kMaxBodyBytes));
      c.http.max_body_bytes = static_cast<uint64_t>(v);
    } else if (key == "max_decoded_bytes") {
      WS_ASSIGN_OR_RETURN(int64_t v, Int(r, key, 1, kMaxBodyBytes));
      c.max_decoded_bytes = static_cast<uint64_t>(v);
    } else if (key == "max_events_per_request") {
      WS_ASSIGN_OR_RETURN(int64_t v, Int(r, key, 1, kMaxQueue));
      c.max_events_per_request = static_cast<size_t>(v);
    } else if (key == "rate_limit") {
      WS_ASSIGN_OR_RETURN(c.rate_limit, Number(r, key));
    } else if (key == "rate_burst") {
      WS_ASSIGN_OR_RETURN(c.rate_burst, Number(r, key));
    } else if (key == "cors_origins") {
      c.cors_origins.clear();
      size_t start = 0;
      while (start <= r.value.size()) {
        size_t end = r.value.find(',', start);
        if (end == std::string::npos) end = r.value.size();
        std::string o = r.value.substr(start, end - start);
        while (!o.empty() && o.front() == ' ') o.erase(o.begin());
        while (!o.empty() && o.back() == ' ') o.pop_back();
        if (!o.empty()) c.cors_origins.push_back(o);
        start = end + 1;
      }
    } else if (key == "commit_interval") {
      WS_ASSIGN_OR_RETURN(int64_t v, Duration(r, key, kMaxIntervalMs));
      c.commit_interval = std::chrono::milliseconds(v);
    } else if (key == "idle_timeout") {
      WS_ASSIGN_OR_RETURN(int64_t v, Duration(r, key, kMaxIntervalMs));
      c.http.idle_timeout = std::chrono::seconds(std::max<int64_t>(1, v / kMillisPerSecond));
    } else if (key == "drain_timeout") {
      WS_ASSIGN_OR_RETURN(int64_t v, Duration(r, key, kMaxIntervalMs));
      c.http.drain_timeout = std::chrono::seconds(std::max<int64_t>(1, v / kMillisPerSecond));
    } else if (key == "log_requests") {
      WS_ASSIGN_OR_RETURN(c.log_requests, Bool(r, key));
    } else if (key == "no_auth") {
      WS_ASSIGN_OR_RETURN(c.no_auth, Bool(r, key));
    }
  }
  // A bucket must hold one request at least, or a rate below 1/s refuses all.
  if (c.rate_burst == 0) c.rate_burst = std::max(1.0, c.rate_limit);
  if (c.rate_limit > 0 && c.rate_burst < 1) {
    return Status::InvalidArgument(fmt::format("rate_burst must be 1 or more, got {}", c.rate_burst));
  }
  if (c.no_auth && !IsLoopback(c.http.host)) {
    return Status::InvalidArgument(fmt::format(
        "--no-auth is allowed only on a loopback address (127.0.0.1 or ::1), not on {}; create keys with "
        "watchstats keys create --role ROLE",
        c.http.host));
  }
  return c;
}

}  // namespace ws::server
