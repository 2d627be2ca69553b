#include "runtime/protected_paths.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <set>

#include "runtime/error.hpp"
#include "runtime/mount_api.hpp"
#include "runtime/path_in_root.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {
namespace {

// The container's /dev/null, refusing anything that is not the null device: a symlink to a
// file or a planted file would otherwise be bound read-write over e.g. core_pattern. A symlink
// that stays inside the root and ends at a real char 1:3 node is harmless (an image whose /dev
// is a symlink), so the check is on what the path resolves to, not on the path.
InRootPath verified_dev_null(int root_fd) {
    auto null = lookup_in_root(root_fd, "/dev/null");
    if (!null) {
        throw Error(Error::Kind::Invalid, "masked paths: /dev/null is missing in the container");
    }
    struct stat st {};
    if (::fstat(null->fd.get(), &st) < 0) {
        throw_errno("fstat /dev/null inside the container");
    }
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
        throw Error(Error::Kind::Invalid,
                    "masked paths: /dev/null inside the container is not the char device 1:3");
    }
    return std::move(*null);
}

void mask_directory(const InRootPath& target) {
    const std::string link = proc_fd_path(target.fd.get());
    // Some kernels count the root inode against nr_inodes (runc retries with 2).
    for (const char* data : {"nr_blocks=1,nr_inodes=1", "nr_blocks=1,nr_inodes=2"}) {
        if (::mount("tmpfs", link.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    data) == 0) {
            return;
        }
        if (errno != EINVAL) {
            break;
        }
    }
    throw_errno("mask directory " + target.path + " with a read-only tmpfs");
}

}  // namespace

void apply_readonly_paths(int root_fd, const std::vector<std::string>& paths) {
    std::set<std::string> done;
    for (const auto& path : paths) {
        auto target = lookup_in_root(root_fd, path);
        if (!target || !done.insert(target->path).second) {
            continue;
        }
        // A detached recursive clone of the path (a bind, like runc's MS_BIND|MS_REC), made
        // read-only as a whole, submounts included (e.g. binfmt_misc under /proc/sys/fs), and
        // only then put over the path: it is never writable there, and there is no remount
        // and no second lookup. mount_setattr changes nothing but the read-only bit, so the
        // other flags (and the locked ones of a user namespace) stay as they were.
        UniqueFd tree(
            ::open_tree(target->fd.get(), "",
                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH));
        if (!tree) {
            throw_errno("open_tree (clone) of " + path + " for readonlyPaths");
        }
        if (int rc = set_mount_attributes_recursive(tree.get(), MOUNT_ATTR_RDONLY, 0); rc < 0) {
            throw_errno(-rc, "make the clone of " + path + " read-only");
        }
        if (::move_mount(tree.get(), "", target->fd.get(), "",
                         MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
            throw_errno("move_mount the read-only clone over " + path);
        }
    }
}

void apply_masked_paths(int root_fd, const std::vector<std::string>& paths) {
    if (paths.empty()) {
        return;
    }
    InRootPath null = verified_dev_null(root_fd);
    std::set<std::string> done;
    for (const auto& path : paths) {
        auto target = lookup_in_root(root_fd, path);
        if (!target || !done.insert(target->path).second) {
            continue;
        }
        struct stat st {};
        if (::fstat(target->fd.get(), &st) < 0) {
            throw_errno("fstat masked path " + path);
        }
        if (S_ISDIR(st.st_mode)) {
            mask_directory(*target);
            continue;
        }
        if (::mount(proc_fd_path(null.fd.get()).c_str(), proc_fd_path(target->fd.get()).c_str(),
                    nullptr, MS_BIND, nullptr) < 0) {
            throw_errno("mask " + path + " with /dev/null");
        }
    }
}

}  // namespace plugrt
