#include "runtime/mount_api.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "runtime/error.hpp"

namespace plugrt {

int openat2_raw(int dirfd, const char* path, uint64_t flags, uint64_t mode,
                uint64_t resolve) noexcept {
    struct open_how how {};
    how.flags = flags | O_CLOEXEC;
    how.mode = mode;
    how.resolve = resolve;
    long fd = ::syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    if (fd < 0) {
        return -errno;
    }
    return static_cast<int>(fd);
}

UniqueFd openat2_or_throw(int dirfd, const std::string& path, uint64_t flags, uint64_t resolve,
                          const std::string& what) {
    int fd = openat2_raw(dirfd, path.c_str(), flags, 0, resolve);
    if (fd < 0) {
        throw_errno(-fd, "openat2 " + what);
    }
    return UniqueFd(fd);
}

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

std::string fd_real_path(int fd) {
    char buf[PATH_MAX + 1];
    std::string link = proc_fd_path(fd);
    ssize_t n = ::readlink(link.c_str(), buf, PATH_MAX);
    if (n < 0) {
        throw_errno("readlink " + link);
    }
    return std::string(buf, static_cast<size_t>(n));
}

int set_mount_attributes_recursive(int fd, uint64_t attr_set, uint64_t attr_clr) noexcept {
    struct mount_attr attr {};
    attr.attr_set = attr_set;
    attr.attr_clr = attr_clr;
    if (::mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
        return -errno;
    }
    return 0;
}

}  // namespace plugrt
