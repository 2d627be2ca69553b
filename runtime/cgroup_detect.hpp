// Which cgroup layout the host has and where each hierarchy lives, computed from mountinfo and
// /proc/<pid>/cgroup text (pure, so fixtures cover legacy, hybrid and unified hosts).
//
//   legacy:  only v1 hierarchies (tmpfs at /sys/fs/cgroup, one cgroup mount per controller)
//   hybrid:  v1 hierarchies plus a cgroup2 mount without controllers (usually
//            /sys/fs/cgroup/unified); this project's VM is hybrid
//   unified: cgroup2 mounted at /sys/fs/cgroup, no v1 hierarchy
// (youki libcgroups common.rs get_cgroup_setup; runc libcontainer/cgroups/utils.go.)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/mountinfo.hpp"

namespace plugrt {

enum class CgroupMode { Legacy, Hybrid, Unified };

struct CgroupHierarchy {
    std::string mount_point;               // "/sys/fs/cgroup/cpu,cpuacct"
    std::string root;                      // mountinfo root of the mount (usually "/")
    std::vector<std::string> controllers;  // {"cpu", "cpuacct"} or {"name=systemd"}
};

struct CgroupLayout {
    CgroupMode mode = CgroupMode::Legacy;
    std::vector<CgroupHierarchy> v1;  // one per v1 mount point (first mount of each hierarchy)
    std::optional<CgroupHierarchy> unified;
};

// Throws Error(Invalid) when the mountinfo has no cgroup filesystem at all.
CgroupLayout detect_cgroup_layout(const std::vector<MountInfoEntry>& mounts);
CgroupLayout detect_host_cgroup_layout();  // from /proc/self/mountinfo

// /proc/<pid>/cgroup lines "4:memory:/a/b", "0::/x". Key: the controller list as written
// ("memory", "cpu,cpuacct", "name=systemd"), "" for the unified hierarchy.
std::map<std::string, std::string> parse_proc_cgroup(std::string_view text);

// The line of parse_proc_cgroup() output that belongs to `hierarchy` (same controller set).
std::optional<std::string> cgroup_path_for(const std::map<std::string, std::string>& proc_cgroup,
                                           const CgroupHierarchy& hierarchy);

// "/sys/fs/cgroup/memory" + a process's cgroup path, taking a mount root other than "/" into
// account (a hierarchy bind-mounted from a sub-cgroup, e.g. inside another container).
// nullopt when the path is not below the mount's root (not reachable through this mount).
std::optional<std::string> cgroup_dir_on_host(const CgroupHierarchy& hierarchy,
                                              const std::string& cgroup_path);

}  // namespace plugrt
