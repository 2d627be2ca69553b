// Thin wrappers for the fd-based path and mount syscalls the filesystem code needs and that
// glibc 2.36 does not wrap (openat2), plus helpers around glibc's open_tree/mount_setattr.
// Raw syscall() for these lives here because they belong to the filesystem concern; the
// lifecycle's runtime/syscalls.* holds the process-related ones.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "runtime/unique_fd.hpp"

namespace plugrt {

// openat2(2) with struct open_how. Returns the fd, or -errno (never throws, never sets errno as
// the only result) so callers can branch on ENOENT/ELOOP without exceptions.
int openat2_raw(int dirfd, const char* path, uint64_t flags, uint64_t mode,
                uint64_t resolve) noexcept;

// Throwing form; `what` names the object for the error message.
UniqueFd openat2_or_throw(int dirfd, const std::string& path, uint64_t flags, uint64_t resolve,
                          const std::string& what);

// "/proc/self/fd/<fd>": the magic link through which mount(2) and friends act on the exact
// object an fd refers to, without re-resolving a path string (CVE-2021-30465).
std::string proc_fd_path(int fd);

// readlink("/proc/self/fd/<fd>"): the kernel's idea of where the fd points (for messages and
// for checking the result of a resolution).
std::string fd_real_path(int fd);

// mount_setattr(2) with AT_RECURSIVE on the mount at `fd` (AT_EMPTY_PATH): sets/clears
// MOUNT_ATTR_* bits on the whole subtree. Returns 0 or -errno.
int set_mount_attributes_recursive(int fd, uint64_t attr_set, uint64_t attr_clr) noexcept;

}  // namespace plugrt
