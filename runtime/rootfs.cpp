#include "runtime/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "runtime/devices.hpp"
#include "runtime/error.hpp"
#include "runtime/mount_api.hpp"
#include "runtime/mount_plan.hpp"
#include "runtime/mountinfo.hpp"
#include "runtime/mounts.hpp"
#include "runtime/path_in_root.hpp"
#include "runtime/protected_paths.hpp"
#include "runtime/syscalls.hpp"

namespace plugrt {
namespace {

std::string resolve_rootfs(const oci::Spec& spec, const std::string& bundle_dir) {
    if (!spec.root || spec.root->path.empty()) {
        throw Error(Error::Kind::Invalid, "root.path: not set");
    }
    std::string path =
        spec.root->path[0] == '/' ? spec.root->path : bundle_dir + "/" + spec.root->path;
    // The rootfs itself is chosen by whoever wrote the bundle; resolving host symlinks in it is
    // what runc does too (validator "rootfs"), and pivot_root needs the real path.
    char real[PATH_MAX];
    if (::realpath(path.c_str(), real) == nullptr) {
        throw_errno("resolve root.path " + path);
    }
    return real;
}

UniqueFd open_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throw_errno("open directory " + path);
    }
    return fd;
}

void mount_or_throw(const char* source, const char* target, const char* type, unsigned long flags,
                    const std::string& what) {
    if (::mount(source, target, type, flags, nullptr) < 0) {
        throw_errno(what);
    }
}

bool is_shared_propagation(const std::string& propagation) {
    return propagation == "shared" || propagation == "rshared";
}

// Step 2: the rootfs bind must not join a host peer group (and pivot_root refuses a shared
// parent). A slave rootfsPropagation keeps receiving host mounts, hence MS_SLAVE then.
// After a recursive slave/private/unbindable step 1 (the default rslave among them) no mount
// can be shared any more, and reading mountinfo to find out is skipped.
void make_rootfs_parent_unshared(const std::string& rootfs, const std::string& propagation,
                                 unsigned long root_flags) {
    if ((root_flags & MS_REC) != 0 && (root_flags & MS_SHARED) == 0) {
        return;
    }
    auto parent = find_mount_containing(read_mountinfo(), rootfs);
    if (!parent || !parent->is_shared()) {
        return;
    }
    const bool slave = propagation == "slave" || propagation == "rslave";
    mount_or_throw(nullptr, parent->mount_point.c_str(), nullptr, slave ? MS_SLAVE : MS_PRIVATE,
                   "make the mount holding the rootfs (" + parent->mount_point + ") " +
                       (slave ? "slave" : "private"));
}

// runc pivotRoot: pivot_root(".", ".") stacks the old root on top of the new one; it is made
// rslave first so that detaching it does not unmount anything on the host through shared
// propagation, then detached.
void pivot_into(const std::string& rootfs) {
    UniqueFd old_root = open_dir("/");
    UniqueFd new_root = open_dir(rootfs);
    if (::fchdir(new_root.get()) < 0) {
        throw_errno("chdir into rootfs " + rootfs);
    }
    pivot_root(".", ".");
    if (::fchdir(old_root.get()) < 0) {
        throw_errno("chdir into the old root after pivot_root");
    }
    mount_or_throw(nullptr, ".", nullptr, MS_SLAVE | MS_REC, "make the old root rslave");
    if (::umount2(".", MNT_DETACH) < 0) {
        throw_errno("detach the old root after pivot_root");
    }
    if (::chdir("/") < 0) {
        throw_errno("chdir / after pivot_root");
    }
}

// runc msMoveRoot for --no-pivot: full proc/sysfs mounts of the host must not stay reachable,
// or a container with a nested user namespace could mount an unmasked procfs (runc no_pivot
// advisory, 2020). They are detached (our namespace is rslave, the host keeps them).
void move_into(const std::string& rootfs) {
    for (const auto& m : read_mountinfo()) {
        if ((m.fs_type == "proc" || m.fs_type == "sysfs") &&
            m.mount_point.rfind(rootfs + "/", 0) != 0) {
            if (::umount2(m.mount_point.c_str(), MNT_DETACH) < 0 && errno != EINVAL &&
                errno != ENOENT) {
                throw_errno("detach host " + m.fs_type + " at " + m.mount_point + " (no-pivot)");
            }
        }
    }
    if (::chdir(rootfs.c_str()) < 0) {
        throw_errno("chdir into rootfs " + rootfs);
    }
    mount_or_throw(rootfs.c_str(), "/", nullptr, MS_MOVE, "move rootfs " + rootfs + " to /");
    if (::chroot(".") < 0) {
        throw_errno("chroot into rootfs " + rootfs);
    }
    if (::chdir("/") < 0) {
        throw_errno("chdir / after chroot");
    }
}

void finalize_read_only(const oci::Spec& spec, const std::vector<PlannedMount>& plan, int root_fd) {
    for (const auto& m : plan) {
        if (m.defers_read_only()) {
            remount_read_only(open_in_root(root_fd, m.destination));
        }
    }
    if (spec.root && spec.root->readonly) {
        remount_read_only(open_in_root(root_fd, "/"));
    }
}

}  // namespace

unsigned long root_propagation_flags(const std::string& propagation) {
    struct Entry {
        const char* name;
        unsigned long flags;
    };
    static constexpr Entry kTable[] = {
        {"", MS_SLAVE | MS_REC},
        {"shared", MS_SHARED},
        {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},
        {"rslave", MS_SLAVE | MS_REC},
        {"private", MS_PRIVATE},
        {"rprivate", MS_PRIVATE | MS_REC},
        {"unbindable", MS_UNBINDABLE},
        {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    for (const auto& e : kTable) {
        if (propagation == e.name) {
            return e.flags;
        }
    }
    throw Error(Error::Kind::Invalid,
                "linux.rootfsPropagation: unknown value '" + propagation + "'");
}

void prepare_rootfs(const oci::Spec& spec, const std::string& bundle_dir, bool no_pivot,
                    const CgroupLayout& host_cgroups, const std::function<void()>& in_cgroups,
                    const std::function<void()>& before_pivot) {
    const std::string propagation = spec.linux ? spec.linux->rootfs_propagation : "";
    const oci::Linux* linux = spec.linux ? &*spec.linux : nullptr;
    // Everything that can be refused is checked before the first mount.
    const unsigned long root_flags = root_propagation_flags(propagation);
    const auto plan = plan_mounts(spec, bundle_dir);
    if (linux != nullptr) {
        planned_device_nodes(linux);
    }
    const std::string rootfs = resolve_rootfs(spec, bundle_dir);

    // Steps 1-3 (see the header).
    mount_or_throw(
        nullptr, "/", nullptr, root_flags,
        "set propagation of / to '" + (propagation.empty() ? "rslave" : propagation) + "'");
    make_rootfs_parent_unshared(rootfs, propagation, root_flags);
    mount_or_throw(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND | MS_REC,
                   "bind the rootfs " + rootfs + " onto itself");

    {
        // Opened after the self-bind so that it refers to the new mount.
        UniqueFd root_fd(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root_fd) {
            throw_errno("open rootfs " + rootfs);
        }
        bool entered_cgroups = false;
        for (size_t i = 0; i < plan.size(); ++i) {
            if (plan[i].kind == MountKind::Cgroup && !entered_cgroups) {
                in_cgroups();
                entered_cgroups = true;
            }
            try {
                perform_mount(plan[i], root_fd.get(), spec, host_cgroups);
            } catch (Error& e) {
                e.with_context("mounts[" + std::to_string(i) + "]");
                throw;
            }
        }
        if (!entered_cgroups) {
            in_cgroups();
        }
        if (!binds_dev(plan)) {
            setup_dev(root_fd.get(), linux);
        }
    }
    before_pivot();

    if (no_pivot) {
        move_into(rootfs);
    } else {
        pivot_into(rootfs);
    }
    if (is_shared_propagation(propagation)) {
        mount_or_throw(nullptr, "/", nullptr, root_flags, "make / " + propagation + " again");
    }

    UniqueFd root_fd(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd) {
        throw_errno("open / after pivot_root");
    }
    finalize_read_only(spec, plan, root_fd.get());
    if (linux != nullptr) {
        apply_readonly_paths(root_fd.get(), linux->readonly_paths);
        apply_masked_paths(root_fd.get(), linux->masked_paths);
    }
}

}  // namespace plugrt
