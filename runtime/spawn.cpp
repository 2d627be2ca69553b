#include "runtime/spawn.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "runtime/init_isolation.hpp"
#include "runtime/syscalls.hpp"

namespace plugrt {

SpawnedInit spawn_init(const InitConfig& config, const oci::Linux& linux) {
    uint64_t flags = static_cast<uint64_t>(clone_flags_for(linux));
    join_namespaces_before_clone(linux);
    auto [parent_end, child_end] = SyncChannel::make_pair();
    InitConfig child_config = config;
    child_config.close_in_child.push_back(parent_end.fd());

    SpawnedInit init;
    init.pid = clone3_with_pidfd(flags, init.pidfd);
    if (init.pid == 0) {
        run_init(child_config, child_end);  // [[noreturn]]
    }
    child_end.close();  // EOF on our end must mean the init is gone
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
