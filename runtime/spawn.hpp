// Parent side of container creation (R4): one clone3 that creates every requested namespace at
// once and returns a pidfd, so the init is PID 1 of its namespace without an intermediate
// process (nsjail, crun; runc's extra stages exist only because Go cannot fork).
#pragma once

#include <sys/types.h>

#include "oci/spec.hpp"
#include "runtime/cgroup_join.hpp"
#include "runtime/init.hpp"
#include "runtime/sync_channel.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

struct SpawnedInit {
    pid_t pid = -1;  // host pid of the init
    UniqueFd pidfd;  // CLONE_PIDFD: signals and waits that cannot hit a recycled pid
    SyncChannel channel{UniqueFd()};
    bool born_in_unified_cgroup = false;  // CLONE_INTO_CGROUP took effect
};

// Joins pid/time namespace paths (they apply to children only), clones the init, and in the
// child runs run_init(config) (never returns there). The parent gets the init's pid, a pidfd
// and its end of the sync channel; the init is waiting for Go. With `entry.unified_dir` the
// init is cloned into that cgroup where the kernel allows (see cgroup_join.hpp); otherwise
// born_in_unified_cgroup is false and the caller moves it.
SpawnedInit spawn_init(const InitConfig& config, const oci::Linux& linux, const CgroupEntry& entry);

// Reaps the init after a failure and describes how it ended ("exit status 1",
// "killed by signal 9"), blocking until it is gone.
std::string reap_and_describe(pid_t pid);

}  // namespace plugrt
