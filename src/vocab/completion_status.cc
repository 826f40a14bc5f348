#include "vocab/completion_status.h"

namespace ws {

std::string_view SessionStatusName(SessionStatus s) {
  switch (s) {
    case SessionStatus::kInProgress:
      return "in_progress";
    case SessionStatus::kCompleted:
      return "completed";
    case SessionStatus::kBounced:
      return "bounced";
    case SessionStatus::kStopped:
      return "stopped";
    case SessionStatus::kAbandoned:
      return "abandoned";
  }
  return "unknown";
}

}  // namespace ws
