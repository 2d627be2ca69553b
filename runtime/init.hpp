// The container init (process I): everything that happens between clone3 and execve, as one
// flat, ordered list of steps (architecture §2, I1..I20). Each step is one call into the module
// that owns the concern; the order and the reason for it live in init.cpp.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/cgroup_detect.hpp"
#include "runtime/cgroup_join.hpp"
#include "runtime/sync_channel.hpp"

namespace plugrt {

struct SeccompProgram;

// Everything the init needs, prepared by the parent before clone (R1..R3) so that the child
// computes as little as possible. clone3 without CLONE_VM copies it into the child.
struct InitConfig {
    std::string container_id;
    const oci::Spec* spec = nullptr;
    std::string bundle_dir;
    std::string rootfs;  // absolute, resolved root.path
    bool no_pivot = false;
    int preserve_fds = 0;                     // fds 3 .. 3+N-1 are handed to the process
    int listen_fds = 0;                       // the first n of them are LISTEN_FDS (activation)
    int exec_fifo_fd = -1;                    // O_PATH fd of <state>/exec.fifo; -1 for `run`
    int console_socket_fd = -1;               // connected --console-socket, or -1
    bool runtime_hooks = false;               // prestart/createRuntime exist: ask R to run them
    const SeccompProgram* seccomp = nullptr;  // compiled by R (crun seccomp.c:851)
    std::vector<int> close_in_child;  // R's fds the init must not keep (lock, sync parent end)
    // v1 `tasks` files the init writes "0" to as its first step (cgroup_join.hpp), or nullptr;
    // empty when they come later, with CgroupsReady.
    std::vector<CgroupTasksFile>* cgroup_tasks = nullptr;
    // R makes the v1 cgroups after the clone and sends their tasks files (CgroupsReady); the
    // init enters them right before its first cgroup mount (container_create.cpp says why).
    bool v1_cgroups_after_clone = false;
    // The host's cgroup hierarchies as R detected them (for a "cgroup" mount).
    const CgroupLayout* host_cgroup_layout = nullptr;
};

// Runs in the freshly cloned child and never returns: either execve succeeds or the init sends
// an Error frame on `channel` and _exit(1)s. This is the init's error boundary.
[[noreturn]] void run_init(const InitConfig& config, SyncChannel& channel) noexcept;

}  // namespace plugrt
