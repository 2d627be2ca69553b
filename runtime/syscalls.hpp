// The one place where plugrt calls syscall() directly: wrappers for system calls glibc 2.36 does
// not wrap (clone3, pidfd_*, pivot_root) or wraps without the flags plugrt needs.
//
// The throwing wrappers name the syscall and the object in the SysError; the `raw_` variants
// return -1/errno and never allocate, for the container init after its seccomp filter.
#pragma once

#include <linux/sched.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "runtime/unique_fd.hpp"

namespace plugrt {

// clone3(2) with CLONE_PIDFD: returns 0 in the child, the child's pid in the parent, and the
// pidfd through `pidfd`. `flags` are CLONE_NEW* (plus anything else clone3 accepts); the exit
// signal is SIGCHLD so the caller can waitpid() as for fork(). `cgroup_fd` >= 0 adds
// CLONE_INTO_CGROUP (cgroup v2 only).
pid_t clone3_with_pidfd(uint64_t flags, UniqueFd& pidfd, int cgroup_fd = -1);

// pidfd_open(2): a stable handle on `pid`; ESRCH if it is gone.
UniqueFd pidfd_open(pid_t pid);
// pidfd_open without throwing: -1 and errno on failure.
int raw_pidfd_open(pid_t pid) noexcept;

// pidfd_send_signal(2): signals exactly the process the pidfd refers to, immune to pid reuse.
int raw_pidfd_send_signal(int pidfd, int sig) noexcept;

// close_range(2). With `cloexec` true only marks the fds CLOSE_RANGE_CLOEXEC, which is what the
// runtime does before clone: fds it still needs survive until exec (youki main process :77-85).
int raw_close_range(unsigned first, unsigned last, bool cloexec) noexcept;
void close_range_or_throw(unsigned first, unsigned last, bool cloexec);

// pivot_root(2); callers use pivot_root(".", ".") as runc does (rootfs_linux.go).
void pivot_root(const std::string& new_root, const std::string& put_old);

}  // namespace plugrt
