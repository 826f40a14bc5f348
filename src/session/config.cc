#include "session/config.h"

#define TOML_EXCEPTIONS 0
#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>

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

// "90" (seconds), "90s", "30min", "7d", "1500ms".
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
  return static_cast<int64_t>(value * static_cast<double>(scale));
}

}  // namespace

Result<SessionConfig> LoadSessionConfig(const std::string& path) {
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
  };
  const DurationKey durations[] = {
      {"heartbeat_gap_cap", &SessionConfig::heartbeat_gap_cap_ms},
      {"session_timeout", &SessionConfig::session_timeout_ms},
      {"stop_linger", &SessionConfig::stop_linger_ms},
      {"allowed_lateness", &SessionConfig::allowed_lateness_ms},
      {"bounce_seconds", &SessionConfig::bounce_ms},
      {"binge_gap", &SessionConfig::binge_gap_ms},
  };
  for (auto&& [key, node] : parsed.table()) {
    std::string_view k = key.str();
    int line = static_cast<int>(node.source().begin.line);
    bool known = false;
    for (const DurationKey& d : durations) {
      if (k != d.name) continue;
      known = true;
      std::optional<int64_t> ms;
      if (auto i = node.value<int64_t>())
        ms = *i * kMillisPerSecond;
      else if (auto f = node.value<double>())
        ms = static_cast<int64_t>(*f * kMillisPerSecond);
      else if (auto s = node.value<std::string>())
        ms = ParseDuration(*s);
      if (!ms || *ms < 0) {
        return Status::InvalidArgument(fmt::format(
            "config file '{}' line {}: {} must be a duration such as 120, \"120s\", \"30min\" or \"7d\"",
            path, line, k));
      }
      c.*(d.field) = *ms;
    }
    if (k == "credits_default_fraction" || k == "dependent_share") {
      known = true;
      auto f = node.value<double>();
      if (!f || *f <= 0 || *f > 1) {
        return Status::InvalidArgument(
            fmt::format("config file '{}' line {}: {} must be a number in (0, 1]", path, line, k));
      }
      (k == "dependent_share" ? c.dependent_share : c.credits_default_fraction) = *f;
    } else if (k == "binge_min_episodes") {
      known = true;
      auto i = node.value<int64_t>();
      if (!i || *i < 1) {
        return Status::InvalidArgument(fmt::format(
            "config file '{}' line {}: binge_min_episodes must be a positive integer", path, line));
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
