#include "shim/plugin/restart_policy.hpp"

#include <algorithm>

namespace plugrt::shim {

std::optional<std::chrono::milliseconds> RestartTracker::on_crash(
    std::chrono::milliseconds uptime) {
    if (uptime >= policy_.healthy_after) consecutive_ = 0;
    if (consecutive_ >= policy_.max_restarts) return std::nullopt;
    ++consecutive_;
    ++total_;
    // Doubling stops at the cap long before the shift could overflow.
    std::chrono::milliseconds delay = policy_.initial_delay;
    for (unsigned i = 1; i < consecutive_ && delay < policy_.max_delay; ++i) delay *= 2;
    return std::min(delay, policy_.max_delay);
}

}  // namespace plugrt::shim
