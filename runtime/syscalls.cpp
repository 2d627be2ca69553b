#include "runtime/syscalls.hpp"

#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/error.hpp"

namespace plugrt {

pid_t clone3_with_pidfd(uint64_t flags, UniqueFd& pidfd, int cgroup_fd) {
    int fd = -1;
    clone_args args;
    std::memset(&args, 0, sizeof args);
    args.flags = flags | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uintptr_t>(&fd);
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(cgroup_fd);
    }
    // The child returns here with a copy of the parent's memory, like fork(); glibc has no
    // wrapper, so its atfork handlers do not run (plugrt's runtime is single-threaded).
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) {
        throw_errno("clone3");
    }
    if (pid > 0) {
        pidfd.reset(fd);
    }
    return static_cast<pid_t>(pid);
}

int raw_pidfd_open(pid_t pid) noexcept { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

UniqueFd pidfd_open(pid_t pid) {
    int fd = raw_pidfd_open(pid);
    if (fd < 0) {
        throw_errno("pidfd_open " + std::to_string(pid));
    }
    return UniqueFd(fd);
}

int raw_pidfd_send_signal(int pidfd, int sig) noexcept {
    return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

int raw_close_range(unsigned first, unsigned last, bool cloexec) noexcept {
    return static_cast<int>(
        syscall(SYS_close_range, first, last, cloexec ? CLOSE_RANGE_CLOEXEC : 0));
}

void close_range_or_throw(unsigned first, unsigned last, bool cloexec) {
    if (raw_close_range(first, last, cloexec) != 0) {
        throw_errno("close_range " + std::to_string(first) + ".." + std::to_string(last));
    }
}

void pivot_root(const std::string& new_root, const std::string& put_old) {
    if (syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str()) != 0) {
        throw_errno("pivot_root " + new_root);
    }
}

}  // namespace plugrt
