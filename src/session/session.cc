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

double SessionRecord::completion_percentage() const {
  double pct = 100.0 * static_cast<double>(playback_position_ms) / static_cast<double>(content_length_ms);
  return std::clamp(pct, 0.0, 100.0);
}

double SessionRecord::coverage_percentage() const {
  return 100.0 * static_cast<double>(coverage_ms) / static_cast<double>(content_length_ms);
}

}  // namespace ws
