#include "runtime/spawn.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "runtime/error.hpp"
#include "runtime/init_isolation.hpp"
#include "runtime/syscalls.hpp"

namespace plugrt {

SpawnedInit spawn_init(const InitConfig& config, const oci::Linux& linux,
                       const CgroupEntry& entry) {
    uint64_t flags = static_cast<uint64_t>(clone_flags_for(linux));
    join_namespaces_before_clone(linux);
    auto [parent_end, child_end] = SyncChannel::make_pair();
    InitConfig child_config = config;
    child_config.close_in_child.push_back(parent_end.fd());

    // With linux.timeOffsets the time namespace is made here, offsets written, and the init is
    // born into it (see namespaces.hpp).
    TimeNamespaceForChildren time_ns(linux);
    if (time_ns.active()) {
        flags &= ~static_cast<uint64_t>(CLONE_NEWTIME);
    }
    SpawnedInit init;
    init.pid = clone_into_unified_cgroup(flags, init.pidfd, entry, init.born_in_unified_cgroup);
    if (init.pid == 0) {
        run_init(child_config, child_end);  // [[noreturn]]
    }
    child_end.close();  // EOF on our end must mean the init is gone
    try {
        time_ns.restore();
    } catch (...) {
        raw_pidfd_send_signal(init.pidfd.get(), SIGKILL);
        reap_and_describe(init.pid);
        throw;
    }
    init.channel = std::move(parent_end);
    return init;
}

std::string reap_and_describe(pid_t pid) {
    int status = 0;
    pid_t got;
    do {
        got = ::waitpid(pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    if (got != pid) {
        return "status unknown";
    }
    if (WIFEXITED(status)) {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           sigabbrev_np(WTERMSIG(status)) + ")";
}

}  // namespace plugrt
