#include "runtime/mount_plan.hpp"

#include <sys/mount.h>

#include <array>

#include "runtime/error.hpp"
#include "runtime/lexical_path.hpp"

namespace plugrt {
namespace {

// Paths under /proc that runc lets a spec over-mount (lxcfs and friends; runc
// rootfs_linux.go checkProcMount). Everything else below /proc is refused.
constexpr std::array<const char*, 10> kProcOvermountAllowList = {
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/crypto/fips_enabled",
};

Error invalid(const std::string& destination, const std::string& message) {
    return Error(Error::Kind::Invalid, "mount " + destination + ": " + message);
}

void check_proc_destination(const PlannedMount& m) {
    if (m.destination == "/proc") {
        if (m.kind == MountKind::Filesystem && m.fs_type == "proc") {
            return;
        }
        if (m.kind == MountKind::Bind) {
            return;  // allowed only from a real procfs, checked with statfs when mounting
        }
        throw invalid(m.destination, "only a proc filesystem may be mounted on /proc, not " +
                                         (m.fs_type.empty() ? "this" : m.fs_type));
    }
    if (m.destination.rfind("/proc/", 0) == 0) {
        for (const char* allowed : kProcOvermountAllowList) {
            if (m.destination == allowed) {
                return;
            }
        }
        throw invalid(m.destination,
                      "mounts inside /proc are not allowed (they could hide or redirect kernel "
                      "interfaces; CVE-2019-16884)");
    }
}

}  // namespace

bool PlannedMount::needs_ordinary_directory() const {
    return kind == MountKind::Filesystem && (fs_type == "proc" || fs_type == "sysfs");
}

bool PlannedMount::defers_read_only() const {
    return (options.flags & MS_RDONLY) != 0 && kind == MountKind::Filesystem &&
           (fs_type == "tmpfs" || destination == "/dev");
}

unsigned long PlannedMount::initial_flags() const {
    unsigned long flags = options.flags & ~static_cast<unsigned long>(MS_REMOUNT);
    if (kind == MountKind::Bind) {
        return MS_BIND | (options.is_recursive_bind ? MS_REC : 0);
    }
    flags &= ~static_cast<unsigned long>(MS_BIND | MS_REC);
    if (defers_read_only()) {
        flags &= ~static_cast<unsigned long>(MS_RDONLY);
    }
    return flags;
}

bool PlannedMount::bind_needs_remount() const {
    const unsigned long extra = options.flags & ~static_cast<unsigned long>(MS_BIND | MS_REC);
    return kind == MountKind::Bind && (extra != 0 || options.clear_flags != 0);
}

std::string clean_absolute_path(const std::string& path) {
    if (path.find('\0') != std::string::npos) {
        throw Error(Error::Kind::Invalid, "path contains a NUL byte");
    }
    return clean_path_lexically("/" + path);
}

PlannedMount plan_mount(const oci::Mount& mount, const std::string& bundle_dir) {
    PlannedMount m;
    // runc still accepts relative destinations (with a deprecation warning) and reads them
    // relative to the root; a clean absolute path is the same thing.
    m.destination = clean_absolute_path(mount.destination);
    if (m.destination == "/") {
        throw invalid(mount.destination, "the destination is the container root itself");
    }
    m.fs_type = mount.type;
    m.options = oci::parse_mount_options(mount.options);
    if (m.options.idmap) {
        throw invalid(m.destination, "idmapped mounts (idmap/ridmap) are not supported");
    }
    if (m.options.tmpcopyup) {
        throw invalid(m.destination, "tmpcopyup is not supported");
    }
    if (m.options.is_bind) {
        m.kind = MountKind::Bind;
        if (!m.options.data.empty()) {
            throw invalid(m.destination, "bind mounts cannot have filesystem-specific options (" +
                                             m.options.data + ")");
        }
        if (mount.source.find('\0') != std::string::npos) {
            throw invalid(m.destination, "the source contains a NUL byte");
        }
        m.source = !mount.source.empty() && mount.source[0] == '/'
                       ? mount.source
                       : clean_absolute_path(bundle_dir + "/" + mount.source);
    } else if (mount.type == "cgroup") {
        m.kind = MountKind::Cgroup;
        m.source = mount.source;
    } else {
        if (mount.type.empty()) {
            throw invalid(m.destination, "no filesystem type and no bind option");
        }
        m.kind = MountKind::Filesystem;
        m.source = mount.source.empty() ? mount.type : mount.source;
    }
    check_proc_destination(m);
    return m;
}

std::vector<PlannedMount> plan_mounts(const oci::Spec& spec, const std::string& bundle_dir) {
    std::vector<PlannedMount> plan;
    for (size_t i = 0; i < spec.mounts.size(); ++i) {
        try {
            plan.push_back(plan_mount(spec.mounts[i], bundle_dir));
        } catch (Error& e) {
            e.with_context("mounts[" + std::to_string(i) + "]");
            throw;
        }
    }
    return plan;
}

bool binds_dev(const std::vector<PlannedMount>& plan) {
    for (const auto& m : plan) {
        if (m.kind == MountKind::Bind && m.destination == "/dev") {
            return true;
        }
    }
    return false;
}

}  // namespace plugrt
