// The completion statuses of a session (SPEC 2.7), in one place: the
// sessionizer assigns them, the catalog's dim_completion_status lists them,
// reports and exports name them. The numeric values are stored.
#pragma once

#include <cstdint>
#include <string_view>

namespace ws {

enum class SessionStatus : uint8_t {
  kInProgress = 0,
  kCompleted = 1,
  kBounced = 2,
  kStopped = 3,
  kAbandoned = 4,
};
inline constexpr int kSessionStatusCount = 5;

// "in_progress", "completed", "bounced", "stopped", "abandoned".
std::string_view SessionStatusName(SessionStatus s);

}  // namespace ws
