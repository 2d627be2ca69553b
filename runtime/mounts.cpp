#include "runtime/mounts.hpp"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "runtime/cgroup_mount.hpp"
#include "runtime/error.hpp"
#include "runtime/mount_api.hpp"

namespace plugrt {
namespace {

constexpr unsigned long kAtimeFlags = MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;

// What the target of a bind must be: a directory for a directory source, otherwise a file
// (runc createIfNotExists; a device node or socket source also needs a file target).
InRootPath make_bind_target(const PlannedMount& m, int root_fd) {
    struct stat st {};
    if (::stat(m.source.c_str(), &st) < 0) {
        throw_errno("stat bind source " + m.source + " for " + m.destination);
    }
    if (S_ISDIR(st.st_mode)) {
        return mkdir_all_in_root(root_fd, m.destination, 0755);
    }
    return create_file_in_root(root_fd, m.destination, 0644);
}

InRootPath make_filesystem_target(const PlannedMount& m, int root_fd) {
    if (!m.needs_ordinary_directory()) {
        return mkdir_all_in_root(root_fd, m.destination, 0755);
    }
    // proc/sysfs: the destination must not be reached through any symlink; the resolved path
    // has to be the lexical one (runc: "must be mounted on ordinary directory").
    auto found = lookup_in_root(root_fd, m.destination);
    if (!found) {
        return mkdir_all_in_root(root_fd, m.destination, 0755);
    }
    struct stat st {};
    if (::fstat(found->fd.get(), &st) < 0) {
        throw_errno("fstat " + m.destination + " inside the container root");
    }
    if (found->path != m.destination || !S_ISDIR(st.st_mode)) {
        throw Error(Error::Kind::Invalid, "mount " + m.fs_type + " on " + m.destination +
                                              ": must be mounted on an ordinary directory (it "
                                              "resolves to " +
                                              found->path + ")");
    }
    return std::move(*found);
}

void refuse_root_target(const PlannedMount& m, const InRootPath& target) {
    if (target.path == "/") {
        throw Error(Error::Kind::Invalid,
                    "mount " + m.destination + ": resolves to the container root itself");
    }
}

// A bind onto /proc must come from a real procfs (runc checkProcMount).
void check_proc_bind_source(const PlannedMount& m) {
    if (m.destination != "/proc") {
        return;
    }
    struct statfs sfs {};
    if (::statfs(m.source.c_str(), &sfs) < 0) {
        throw_errno("statfs bind source " + m.source);
    }
    if (sfs.f_type != PROC_SUPER_MAGIC) {
        throw Error(Error::Kind::Invalid,
                    "mount /proc: bind source " + m.source + " is not a procfs");
    }
}

void finish_mount(const PlannedMount& m, int root_fd) {
    const bool has_attributes = m.options.attr_set != 0 || m.options.attr_clear != 0;
    if (!m.bind_needs_remount() && !has_attributes && m.options.propagation.empty()) {
        return;  // the mount call itself did everything
    }
    // Reopen: the old fd still names the directory underneath the new mount.
    InRootPath top = open_in_root(root_fd, m.destination);
    if (m.bind_needs_remount()) {
        remount_bind_flags(top, m.options.flags & ~static_cast<unsigned long>(MS_BIND | MS_REC),
                           m.options.clear_flags);
    }
    if (has_attributes) {
        int rc =
            set_mount_attributes_recursive(top.fd.get(), m.options.attr_set, m.options.attr_clear);
        if (rc < 0) {
            throw_errno(-rc, "mount_setattr (recursive options) on " + m.destination);
        }
    }
    apply_propagation(top, m.options.propagation);
}

}  // namespace

unsigned long current_mount_flags(int fd) {
    struct statvfs sv {};
    if (::fstatvfs(fd, &sv) < 0) {
        throw_errno("fstatvfs " + fd_real_path(fd));
    }
    unsigned long flags = 0;
    const std::pair<unsigned long, unsigned long> kMap[] = {
        {ST_RDONLY, MS_RDONLY},     {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},
        {ST_NOEXEC, MS_NOEXEC},     {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME},
        {ST_RELATIME, MS_RELATIME},
    };
    for (auto [st, ms] : kMap) {
        if ((sv.f_flag & st) != 0) {
            flags |= ms;
        }
    }
    return flags;
}

void remount_bind_flags(const InRootPath& target, unsigned long flags, unsigned long clear_flags) {
    unsigned long keep = current_mount_flags(target.fd.get()) & ~clear_flags;
    if ((flags & kAtimeFlags) != 0) {
        keep &= ~kAtimeFlags;  // the spec chose an atime mode; do not mix two
    }
    unsigned long all = MS_REMOUNT | MS_BIND | flags | keep;
    if (::mount(nullptr, proc_fd_path(target.fd.get()).c_str(), nullptr, all, nullptr) < 0) {
        throw_errno("remount " + target.path + " with new flags");
    }
}

void remount_read_only(const InRootPath& target) { remount_bind_flags(target, MS_RDONLY, 0); }

void apply_propagation(const InRootPath& target, const std::vector<unsigned long>& propagation) {
    for (unsigned long flag : propagation) {
        if (::mount(nullptr, proc_fd_path(target.fd.get()).c_str(), nullptr, flag, nullptr) < 0) {
            throw_errno("set propagation on " + target.path);
        }
    }
}

void perform_mount(const PlannedMount& m, int root_fd, const oci::Spec& spec,
                   const CgroupLayout& host_cgroups) {
    if (m.kind == MountKind::Cgroup) {
        mount_cgroup_filesystem(m, root_fd, spec, host_cgroups);
        return;
    }
    InRootPath target = m.kind == MountKind::Bind ? make_bind_target(m, root_fd)
                                                  : make_filesystem_target(m, root_fd);
    refuse_root_target(m, target);
    const std::string target_link = proc_fd_path(target.fd.get());
    if (m.kind == MountKind::Bind) {
        check_proc_bind_source(m);
        if (::mount(m.source.c_str(), target_link.c_str(), nullptr, m.initial_flags(), nullptr) <
            0) {
            throw_errno("bind mount " + m.source + " onto " + m.destination);
        }
    } else {
        const char* data = m.options.data.empty() ? nullptr : m.options.data.c_str();
        if (::mount(m.source.c_str(), target_link.c_str(), m.fs_type.c_str(), m.initial_flags(),
                    data) < 0) {
            throw_errno("mount " + m.fs_type + " (" + m.source + ") onto " + m.destination +
                        (data ? " with " + m.options.data : std::string()));
        }
    }
    finish_mount(m, root_fd);
}

}  // namespace plugrt
