#include "session/config.h"

#define TOML_EXCEPTIONS 0
#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <filesystem>

namespace ws {
namespace {

struct UnitScale {
  std::string_view suffix;
  int64_t millis;
};
constexpr UnitScale kUnits[] = {
    {"ms", 1},
    {"s", kMillisPerSecond},
    {"min", kMillisPerMinute},
    {"m", kMillisPerMinute},
    {"h", kMillisPerHour},
    {"d", kMillisPerDay},
};

constexpr double kMaxDurationMs = 1e15;  // ~31,700 years: converts to int64 exactly

// "1 day", "30 days", "3660 days".
std::string FormatDurationLimit(int64_t ms) {
  const int64_t days = ms / kMillisPerDay;
  return fmt::format("{} day{}", days, days == 1 ? "" : "s");
}

constexpr int64_t kMaxBingeEpisodes = 1000;
constexpr int64_t kMinLineBytes = 64;                // room for the smallest valid event
constexpr int64_t kMaxLineBytes = int64_t{1} << 30;  // a line must fit a parse chunk in memory

}  // namespace

std::optional<int64_t> ParseDuration(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (ec != std::errc() || ptr != text.data() + i) return std::nullopt;
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  int64_t scale = kMillisPerSecond;
  if (!unit.empty()) {
    bool found = false;
    for (const UnitScale& u : kUnits) {
      if (unit == u.suffix) {
        scale = u.millis;
        found = true;
      }
    }
    if (!found) return std::nullopt;
  }
  const double ms = value * static_cast<double>(scale);
  if (!std::isfinite(ms) || ms > kMaxDurationMs) return std::nullopt;  // beyond any key's range
  return static_cast<int64_t>(ms);
}

Result<SessionConfig> LoadSessionConfig(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(
        fmt::format("--config '{}' is a directory, not a configuration file", path));
  }
  if (!std::filesystem::exists(path, ec)) {
    return Status::InvalidArgument(fmt::format("--config '{}': no such file", path));
  }
  toml::parse_result parsed = toml::parse_file(path);
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    return Status::InvalidArgument(fmt::format("config file '{}' line {}: {}", path, err.source().begin.line,
                                               std::string(err.description())));
  }
  SessionConfig c;
  struct DurationKey {
    std::string_view name;
    int64_t SessionConfig::*field;
    int64_t max_ms;  // the largest value the engine supports (counters are 32-bit ms where noted)
  };
  const DurationKey durations[] = {
      {"heartbeat_gap_cap", &SessionConfig::heartbeat_gap_cap_ms, kMillisPerDay},
      {"session_timeout", &SessionConfig::session_timeout_ms, 30 * kMillisPerDay},
      {"stop_linger", &SessionConfig::stop_linger_ms, 30 * kMillisPerDay},
      {"allowed_lateness", &SessionConfig::allowed_lateness_ms, 3660 * kMillisPerDay},
      {"bounce_seconds", &SessionConfig::bounce_ms, kMillisPerDay},
      {"binge_gap", &SessionConfig::binge_gap_ms, 30 * kMillisPerDay},
      {"max_clock_skew", &SessionConfig::max_clock_skew_ms, kMillisPerDay},
  };
  for (auto&& [key, node] : parsed.table()) {
    std::string_view k = key.str();
    int line = static_cast<int>(node.source().begin.line);
    bool known = false;
    if (k == "server" && node.is_table()) continue;  // the server's own keys
    for (const DurationKey& d : durations) {
      if (k != d.name) continue;
      known = true;
      // Integers and decimals are seconds; strings carry a unit. Booleans,
      // dates and tables are not durations.
      std::optional<int64_t> ms;
      const double max_seconds = static_cast<double>(d.max_ms) / kMillisPerSecond;
      if (node.is_integer()) {
        const int64_t i = *node.value<int64_t>();
        if (i >= 0 && static_cast<double>(i) <= max_seconds) ms = i * kMillisPerSecond;
      } else if (node.is_floating_point()) {
        const double f = *node.value<double>();
        if (std::isfinite(f) && f >= 0 && f <= max_seconds) ms = static_cast<int64_t>(f * kMillisPerSecond);
      } else if (node.is_string()) {
        ms = ParseDuration(*node.value<std::string>());
        if (ms && *ms > d.max_ms) ms.reset();
      }
      if (!ms || *ms < 0) {
        return Status::InvalidArgument(
            fmt::format("config file '{}' line {}: {} must be a duration from 0 to {} such as 120, \"120s\", "
                        "\"30min\" or "
                        "\"7d\"",
                        path, line, k, FormatDurationLimit(d.max_ms)));
      }
      c.*(d.field) = *ms;
    }
    if (k == "credits_default_fraction" || k == "dependent_share") {
      known = true;
      auto f = node.is_number() ? node.value<double>() : std::nullopt;
      if (!f || *f <= 0 || *f > 1) {
        return Status::InvalidArgument(
            fmt::format("config file '{}' line {}: {} must be a number in (0, 1]", path, line, k));
      }
      (k == "dependent_share" ? c.dependent_share : c.credits_default_fraction) = *f;
    } else if (k == "max_line_bytes") {
      known = true;
      auto i = node.is_integer() ? node.value<int64_t>() : std::nullopt;
      if (!i || *i < kMinLineBytes || *i > kMaxLineBytes) {
        return Status::InvalidArgument(
            fmt::format("config file '{}' line {}: max_line_bytes must be an integer from {} to {} (bytes)",
                        path, line, kMinLineBytes, kMaxLineBytes));
      }
      c.max_line_bytes = *i;
    } else if (k == "binge_min_episodes") {
      known = true;
      auto i = node.is_integer() ? node.value<int64_t>() : std::nullopt;
      if (!i || *i < 1 || *i > kMaxBingeEpisodes) {
        return Status::InvalidArgument(
            fmt::format("config file '{}' line {}: binge_min_episodes must be an integer from 1 to {}", path,
                        line, kMaxBingeEpisodes));
      }
      c.binge_min_episodes = static_cast<int32_t>(*i);
    }
    if (!known) {
      return Status::InvalidArgument(
          fmt::format("config file '{}' line {}: unknown key '{}'", path, line, k));
    }
  }
  return c;
}

}  // namespace ws
