// Spec mounts -> what to do for each, decided before any syscall (pure, unit tested):
// which kind of mount, the host source, the clean in-root destination and the parsed options.
// The checks that runc and crun apply at mount time happen here, so a bad spec fails before
// the first side effect:
//   - destinations are cleaned lexically and may not be the container root itself;
//   - nothing may be mounted *inside* /proc except runc's lxcfs allow-list, and only proc (or a
//     bind of a real procfs, checked later) on /proc itself (CVE-2019-16884, runc
//     checkProcMount);
//   - bind semantics come from the bind/rbind option, not the type (moby#31222: "type: bind"
//     without the option reaches mount(2) as fstype "bind");
//   - bind mounts carry no filesystem data options (runc: "bind mounts cannot have any
//     filesystem-specific options applied");
//   - a relative bind source (including "") is joined to the bundle directory, which is runc's
//     working directory (moby-plugin-spec §b).
#pragma once

#include <string>
#include <vector>

#include "oci/mount_options.hpp"
#include "oci/spec.hpp"

namespace plugrt {

enum class MountKind {
    Bind,        // bind or rbind of a host path
    Filesystem,  // a new filesystem instance: proc, sysfs, tmpfs, devpts, mqueue, ...
    Cgroup,      // "cgroup": plugrt builds /sys/fs/cgroup itself (see cgroup_mount.hpp)
};

struct PlannedMount {
    MountKind kind = MountKind::Filesystem;
    std::string source;       // Bind: absolute host path; otherwise the spec's source
    std::string destination;  // clean, absolute, never "/"
    std::string fs_type;
    oci::MountOptions options;

    // proc and sysfs may only be mounted on an existing ordinary directory or a missing path,
    // never through a symlink (CVE-2019-19921, CVE-2023-27561).
    bool needs_ordinary_directory() const;
    // tmpfs and /dev are mounted read-write first and made read-only after /dev is populated
    // (runc finalizeRootfs).
    bool defers_read_only() const;
    // MS_* for the first mount(2) call.
    unsigned long initial_flags() const;
    // Whether a MS_REMOUNT is needed after a bind to apply ro/nosuid/nodev/... (the kernel
    // ignores those flags on the initial MS_BIND).
    bool bind_needs_remount() const;
};

// Lexically cleaned absolute path ("a//b/../c" -> "/a/c", ".." clamped at "/"); throws
// Error(Invalid) on a NUL byte.
std::string clean_absolute_path(const std::string& path);

// One spec mount; errors name the destination. `bundle_dir` must be absolute.
PlannedMount plan_mount(const oci::Mount& mount, const std::string& bundle_dir);

// Every spec mount in order; errors are prefixed with "mounts[<i>]".
std::vector<PlannedMount> plan_mounts(const oci::Spec& spec, const std::string& bundle_dir);

// True when a spec mount binds something onto /dev: plugrt then leaves /dev alone (no default
// nodes, no symlinks), as runc does (rootfs_linux.go needsSetupDev).
bool binds_dev(const std::vector<PlannedMount>& plan);

}  // namespace plugrt
