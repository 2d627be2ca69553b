// How the container's init enters its cgroups without waiting for an RCU grace period.
//
// The classic way (runc; crun on v1; plugrt before) is for the parent to write the init's pid
// to cgroup.procs of every hierarchy. Each such write takes the kernel's global
// cgroup_threadgroup_rwsem for writing, and the first writer after a quiet period waits for a
// whole RCU grace period (rcu_sync_enter): 6-8 ms measured on this 2-CPU VM, more than a third
// of `plugrt run`. Two ways in avoid that lock:
//  - v1 hierarchies: a single-threaded task that writes "0" to a hierarchy's `tasks` file moves
//    only itself, and the kernel then skips the rwsem (it only guards thread-group changes;
//    measured 20-30 us instead of 6-8 ms). The parent opens the files, so the write is
//    checked against the parent's credentials (cgroup v1 uses the opener's, the same rule that
//    stops an inherited fd from being abused). The init writes to them as its first step,
//    or, when the parent makes the v1 directories after the clone and passes the opened
//    files over the sync channel, right before its first cgroup mount (container_create.cpp
//    v1_cgroups_after_clone); either way before /dev, any hook, or its program.
//  - the unified hierarchy (v2 host, or the membership-only cgroup2 of a hybrid host):
//    clone3(CLONE_INTO_CGROUP) creates the init directly in its cgroup, as crun does on v2.
// On kernels without these paths nothing breaks: the v1 write just waits like cgroup.procs
// would, and a kernel that refuses CLONE_INTO_CGROUP (before 5.7) gets the parent's write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/cgroups.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

struct CgroupTasksFile {
    UniqueFd fd;       // <dir>/tasks, O_WRONLY
    std::string path;  // for error messages
};

struct CgroupEntry {
    std::vector<CgroupTasksFile> tasks_files;  // v1: the init writes "0" to each
    UniqueFd unified_dir;                      // for CLONE_INTO_CGROUP; empty without one
    std::string unified_path;
};

// Opens what a new process needs to enter `cgroup` (parent side, before the clone): the
// container's init, or `exec`'s joiner.
CgroupEntry open_cgroup_entry(const Cgroup& cgroup);
// Its two halves: the unified directory alone (`tasks_files` left empty), for an init cloned
// before its v1 directories exist, and the v1 tasks files, opened once they do.
CgroupEntry open_unified_entry(const Cgroup& cgroup);
std::vector<CgroupTasksFile> open_v1_tasks_files(const Cgroup& cgroup);

// In the new process itself (the init, or `exec`'s joiner): writes "0" to each tasks file,
// then closes them. Throws naming the file.
void enter_cgroups_from_inside(std::vector<CgroupTasksFile>& files);

// clone3(flags | CLONE_PIDFD) into entry.unified_dir where the kernel allows; returns 0 in the
// child. Kernels before 5.7 refuse CLONE_INTO_CGROUP (EINVAL for the flag, E2BIG for the
// larger clone_args): the child is then cloned where we are and `born_in_unified` is false,
// for the caller to move it. Other failures (EBUSY: a v2 cgroup with controllers enabled for
// its children) are thrown naming the cgroup.
pid_t clone_into_unified_cgroup(uint64_t flags, UniqueFd& pidfd, const CgroupEntry& entry,
                                bool& born_in_unified);

}  // namespace plugrt
