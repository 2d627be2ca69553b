// Why a killed container init has not exited.
//
// The init of a PID namespace finishes exiting only once every other process of the namespace
// has been reaped (the kernel's zap_pid_ns_processes). A process started with `exec` can have
// been re-parented to a subreaper outside the container (containerd's shim, a test harness, a
// debugging shell with PR_SET_CHILD_SUBREAPER); if it died and that parent never waits for it,
// its zombie holds the init, and with it the container's cgroup, indefinitely. `delete` names
// that case instead of a bare "init still running".
#pragma once

#include <sys/types.h>

#include <string>

namespace plugrt {

// A sentence for an error message, or "" when the init is not waiting for its namespace's
// zombies. Names up to a few zombies with their parents: they are what the user must reap.
std::string describe_stuck_init(pid_t init);

}  // namespace plugrt
