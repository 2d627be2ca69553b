// The supervisor's public face: <state dir>/status.json, rewritten atomically on every state
// change, read by `plugrt plugin ls|inspect|stop`. The file is a report, never an input to the
// supervisor itself, so a reader can never confuse it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace plugrt::shim {

struct SupervisorStatus {
    // starting | enabled | restarting | stopping | stopped | failed
    std::string state = "starting";
    pid_t supervisor_pid = 0;
    pid_t plugin_pid = 0;     // the container's init, 0 while none runs
    unsigned restarts = 0;    // crashes the supervisor restarted the plugin after
    long long ready_ms = -1;  // start → enabled of the current run, -1 until enabled
    std::string message;      // the latest event, one line
    std::string updated;      // RFC 3339
};

void write_supervisor_status(const std::string& path, const SupervisorStatus& status);
// nullopt when the file does not exist; throws Error(Invalid) naming the file when it is not
// a status document.
std::optional<SupervisorStatus> read_supervisor_status(const std::string& path);

// The status in `state_dir` when it names a supervisor process that is still alive (and is a
// plugrt supervisor: its /proc/<pid>/cmdline mentions the state dir), so a stale file whose
// pid was reused by another process never counts as running. nullopt otherwise; throws like
// read_supervisor_status for a damaged file.
std::optional<SupervisorStatus> running_supervisor(const std::string& state_dir);

}  // namespace plugrt::shim
