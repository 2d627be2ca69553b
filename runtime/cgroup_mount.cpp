#include "runtime/cgroup_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "runtime/cgroup_detect.hpp"
#include "runtime/error.hpp"
#include "runtime/mount_api.hpp"
#include "runtime/mounts.hpp"
#include "runtime/path_in_root.hpp"
#include "runtime/text_file.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {
namespace {

constexpr unsigned long kSecurityFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

bool has_cgroup_namespace(const oci::Spec& spec) {
    if (!spec.linux) {
        return false;
    }
    for (const auto& ns : spec.linux->namespaces) {
        if (ns.type == "cgroup") {
            return true;
        }
    }
    return false;
}

std::string basename_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : sep) + item;
    }
    return out;
}

void bind_own_cgroup(const std::string& host_dir, const InRootPath& target,
                     const std::string& shown_as) {
    if (::mount(host_dir.c_str(), proc_fd_path(target.fd.get()).c_str(), nullptr, MS_BIND | MS_REC,
                nullptr) < 0) {
        throw_errno("bind mount cgroup " + host_dir + " onto " + shown_as);
    }
}

uint64_t mount_attrs_of(unsigned long ms_flags) {
    uint64_t attrs = 0;
    if ((ms_flags & MS_RDONLY) != 0) attrs |= MOUNT_ATTR_RDONLY;
    if ((ms_flags & MS_NOSUID) != 0) attrs |= MOUNT_ATTR_NOSUID;
    if ((ms_flags & MS_NODEV) != 0) attrs |= MOUNT_ATTR_NODEV;
    if ((ms_flags & MS_NOEXEC) != 0) attrs |= MOUNT_ATTR_NOEXEC;
    return attrs;
}

// The container's own cgroup directory of one hierarchy, attached on the directory <top>/<name>
// with the spec's flags already set: a detached recursive clone (open_tree) gets them from
// mount_setattr before move_mount puts it in place, so there is no bind-then-remount and no
// second lookup of the path (5 syscalls instead of 14 per hierarchy). <top> is the tmpfs
// mounted just before, which holds nothing but what we make here, so `name` is attached
// relative to its fd.
void attach_own_cgroup(const std::string& host_dir, const InRootPath& top, const std::string& name,
                       uint64_t attrs, const std::string& shown) {
    UniqueFd tree(::open_tree(AT_FDCWD, host_dir.c_str(),
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    if (!tree) {
        throw_errno("open_tree (clone) of cgroup " + host_dir + " for " + shown);
    }
    if (int rc = set_mount_attributes_recursive(tree.get(), attrs, 0); rc < 0) {
        throw_errno(-rc, "mount_setattr on the clone of cgroup " + host_dir);
    }
    if (::move_mount(tree.get(), "", top.fd.get(), name.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0) {
        throw_errno("move_mount cgroup " + host_dir + " onto " + shown);
    }
}

void mount_v1(const PlannedMount& m, int root_fd, const CgroupLayout& layout, bool cgroupns) {
    const unsigned long flags = m.options.flags & kSecurityFlags;
    const bool read_only = (m.options.flags & MS_RDONLY) != 0;
    InRootPath dest = mkdir_all_in_root(root_fd, m.destination, 0755);
    if (::mount("tmpfs", proc_fd_path(dest.fd.get()).c_str(), "tmpfs", flags, "mode=755") < 0) {
        throw_errno("mount tmpfs for cgroups onto " + m.destination);
    }
    InRootPath top = open_in_root(root_fd, m.destination);
    auto own = parse_proc_cgroup(read_text_file("/proc/self/cgroup"));
    for (const auto& h : layout.v1) {
        const std::string name = basename_of(h.mount_point);
        const std::string shown = m.destination + "/" + name;
        if (cgroupns) {
            InRootPath sub = mkdir_all_in_root(root_fd, shown, 0755);
            // "none,name=systemd" for named hierarchies, the controller list otherwise.
            std::string data = join(h.controllers, ",");
            if (data.rfind("name=", 0) == 0) {
                data = "none," + data;
            }
            if (::mount("cgroup", proc_fd_path(sub.fd.get()).c_str(), "cgroup",
                        flags | (read_only ? MS_RDONLY : 0), data.c_str()) < 0) {
                throw_errno("mount cgroup (" + data + ") onto " + shown);
            }
            continue;
        }
        // The directory exists even for a hierarchy not reachable through this host mount,
        // which runc skips too.
        if (::mkdirat(top.fd.get(), name.c_str(), 0755) < 0 && errno != EEXIST) {
            throw_errno("mkdir " + shown);
        }
        auto path = cgroup_path_for(own, h);
        auto host_dir = path ? cgroup_dir_on_host(h, *path) : std::nullopt;
        if (!host_dir) {
            continue;
        }
        attach_own_cgroup(*host_dir, top, name, mount_attrs_of(flags | (read_only ? MS_RDONLY : 0)),
                          shown);
    }
    // Co-mounted controllers are reachable under each of their names.
    for (const auto& h : layout.v1) {
        const std::string name = basename_of(h.mount_point);
        if (name.find(',') == std::string::npos) {
            continue;
        }
        for (const auto& controller : h.controllers) {
            if (controller != name &&
                ::symlinkat(name.c_str(), top.fd.get(), controller.c_str()) < 0 &&
                errno != EEXIST) {
                throw_errno("symlink " + m.destination + "/" + controller + " -> " + name);
            }
        }
    }
    if (read_only) {
        remount_read_only(top);
    }
}

void mount_v2(const PlannedMount& m, int root_fd, const CgroupLayout& layout, bool cgroupns) {
    const unsigned long flags = m.options.flags & (kSecurityFlags | MS_RDONLY);
    InRootPath dest = mkdir_all_in_root(root_fd, m.destination, 0755);
    if (::mount("cgroup2", proc_fd_path(dest.fd.get()).c_str(), "cgroup2", flags, nullptr) == 0) {
        return;
    }
    const int err = errno;
    if (cgroupns || (err != EPERM && err != EBUSY)) {
        throw_errno(err, "mount cgroup2 onto " + m.destination);
    }
    auto own = parse_proc_cgroup(read_text_file("/proc/self/cgroup"));
    auto path = cgroup_path_for(own, *layout.unified);
    auto host_dir = path ? cgroup_dir_on_host(*layout.unified, *path) : std::nullopt;
    if (!host_dir) {
        throw_errno(err, "mount cgroup2 onto " + m.destination);
    }
    bind_own_cgroup(*host_dir, dest, m.destination);
    remount_bind_flags(open_in_root(root_fd, m.destination), flags, 0);
}

}  // namespace

void mount_cgroup_filesystem(const PlannedMount& mount, int root_fd, const oci::Spec& spec,
                             const CgroupLayout& layout) {
    const bool cgroupns = has_cgroup_namespace(spec);
    if (layout.mode == CgroupMode::Unified) {
        mount_v2(mount, root_fd, layout, cgroupns);
    } else {
        mount_v1(mount, root_fd, layout, cgroupns);
    }
}

}  // namespace plugrt
