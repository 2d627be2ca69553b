// When to start a crashed plugin again.
//
// dockerd restarts a managed plugin that exits unexpectedly at once and without limit, so a
// plugin that crashes on start spins in a tight loop, each round a full containerd task
// create. plugrt backs off exponentially instead: the n-th consecutive crash waits
// initial_delay * 2^(n-1), capped at max_delay, and after max_restarts consecutive crashes the
// supervisor gives up and reports the plugin failed. A run that lasted healthy_after or longer
// is not "consecutive": the count starts again, so a plugin that crashes once a day is always
// restarted promptly.
#pragma once

#include <chrono>
#include <optional>

namespace plugrt::shim {

struct RestartPolicy {
    unsigned max_restarts = 5;  // 0: never restart
    std::chrono::milliseconds initial_delay{500};
    std::chrono::milliseconds max_delay{30000};
    std::chrono::milliseconds healthy_after{60000};
};

class RestartTracker {
public:
    explicit RestartTracker(RestartPolicy policy) : policy_(policy) {}

    // The plugin exited unexpectedly after running for `uptime`. Returns how long to wait
    // before starting it again, or nullopt when the policy says to give up.
    std::optional<std::chrono::milliseconds> on_crash(std::chrono::milliseconds uptime);

    unsigned consecutive() const noexcept { return consecutive_; }
    unsigned total() const noexcept { return total_; }
    const RestartPolicy& policy() const noexcept { return policy_; }

private:
    RestartPolicy policy_;
    unsigned consecutive_ = 0;
    unsigned total_ = 0;
};

}  // namespace plugrt::shim
