// Runs the readiness check (socket + Plugin.Activate, activation.hpp) in a short-lived child
// process so that the supervisor's single-threaded event loop keeps draining the plugin's
// stdout/stderr while it waits: a plugin that logs a lot during start-up must never block on a
// full pipe because its supervisor is busy waiting for it.
//
// The child writes one line on a pipe and exits:
//   ready\t<elapsed ms>\t<what it implements>\n
//   failed\t<elapsed ms>\t<outcome name>\t<ActivationResult::describe()>\n
#pragma once

#include <sys/types.h>

#include <string>

#include "runtime/unique_fd.hpp"
#include "shim/plugin/activation.hpp"

namespace plugrt::shim {

struct ProbeReport {
    bool ready = false;
    bool plugin_exited = false;  // the probe saw the plugin die; its exit status says more
    long long elapsed_ms = 0;
    std::string summary;  // ready: "VolumeDriver"; failed: the reason
};

class ReadinessProbe {
public:
    ReadinessProbe() = default;

    // Forks the child. Throws SysError if it cannot.
    static ReadinessProbe start(const ActivationRequest& request);

    int fd() const noexcept { return pipe_.get(); }
    pid_t pid() const noexcept { return pid_; }
    bool active() const noexcept { return static_cast<bool>(pipe_); }

    // Once fd() is readable: reads the child's line (it writes it in one go) and closes the
    // pipe. The child is reaped by the caller's SIGCHLD handling. A child that died without
    // a line is reported as a failure.
    ProbeReport finish();

    // Stops a probe that is no longer wanted.
    void cancel() noexcept;

private:
    UniqueFd pipe_;
    pid_t pid_ = 0;
};

// The line format above, both ways (exposed for tests).
std::string format_probe_line(const ActivationResult& result);
ProbeReport parse_probe_line(const std::string& line);

}  // namespace plugrt::shim
