// Tunables of sessionization (SPEC 9), all in milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "util/status.h"
#include "util/time.h"

namespace ws {

// Coverage tolerates this much clock slack between player and position
// (SPEC 2.4: "5 s of clock slack"). A spec constant, not a configuration key.
constexpr int64_t kCoverageSlackMs = 5 * kMillisPerSecond;
// Coverage tolerates playback at up to this speed (SPEC 2.4: "double speed").
constexpr int64_t kCoverageMaxSpeed = 2;

struct SessionConfig {
  int64_t heartbeat_gap_cap_ms = 120 * kMillisPerSecond;
  int64_t session_timeout_ms = 30 * kMillisPerMinute;
  int64_t stop_linger_ms = 5 * kMillisPerMinute;
  int64_t allowed_lateness_ms = 7 * kMillisPerDay;
  int64_t bounce_ms = 10 * kMillisPerSecond;
  double credits_default_fraction = 0.95;
  int64_t binge_gap_ms = 30 * kMillisPerMinute;
  int32_t binge_min_episodes = 3;
  double dependent_share = 0.8;
  // A server's watermark never runs more than this ahead of its clock
  // (SPEC 2.7).
  int64_t max_clock_skew_ms = 5 * kMillisPerMinute;
  // Longer lines (array elements) are rejected as line_too_long (SPEC 1.1).
  int64_t max_line_bytes = int64_t{1} << 20;
};

// Reads a TOML-like "key = value" config file (SPEC 9 keys; durations accept
// a unit suffix: ms, s, min, h, d; plain numbers are seconds). Unknown keys
// and malformed values are errors naming the line. The `[server]` table
// belongs to the server (server/server_config.h) and is skipped here.
Result<SessionConfig> LoadSessionConfig(const std::string& path);

// A duration as the config file writes it: "90" (seconds), "90s", "30min",
// "7d", "1500ms", in milliseconds; nullopt when malformed or beyond ~31,700
// years.
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace ws
