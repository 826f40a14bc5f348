#include "session/session.h"

#include <algorithm>

namespace ws {

std::string_view PlayerStateName(PlayerState s) {
  switch (s) {
    case PlayerState::kPlaying:
      return "playing";
    case PlayerState::kPaused:
      return "paused";
    case PlayerState::kBuffering:
      return "buffering";
    case PlayerState::kEnded:
      return "ended";
  }
  return "unknown";
}

double CompletionPercentage(int64_t position_ms, int64_t length_ms) {
  double pct = 100.0 * static_cast<double>(position_ms) / static_cast<double>(length_ms);
  return std::clamp(pct, 0.0, 100.0);
}

double SessionRecord::completion_percentage() const {
  return CompletionPercentage(playback_position_ms, content_length_ms);
}

double SessionRecord::coverage_percentage() const {
  return 100.0 * static_cast<double>(coverage_ms) / static_cast<double>(content_length_ms);
}

}  // namespace ws
