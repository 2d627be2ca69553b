#include "oci/default_bundle_spec.hpp"

#include <algorithm>

namespace plugrt::oci {
namespace {

Mount make_mount(const char* destination, const char* type, const char* source,
                 std::vector<std::string> options) {
    Mount mount;
    mount.destination = destination;
    mount.type = type;
    mount.source = source;
    mount.options = std::move(options);
    return mount;
}

Process default_process() {
    Process process;
    process.terminal = true;
    process.args = {"sh"};
    process.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "TERM=xterm"};
    process.cwd = "/";
    process.no_new_privileges = true;
    // No inheritable or ambient set: since runc 1.1.2 (CVE-2022-29162) the example keeps
    // inheritable empty so that exec'd programs cannot regain capabilities.
    const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    auto& sets = process.capabilities.emplace();
    sets.bounding = caps;
    sets.effective = caps;
    sets.permitted = caps;
    process.rlimits.push_back({.type = "RLIMIT_NOFILE", .hard = 1024, .soft = 1024});
    return process;
}

std::vector<Mount> default_mounts() {
    return {
        make_mount("/proc", "proc", "proc", {}),
        make_mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        make_mount("/dev/pts", "devpts", "devpts",
                   {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        make_mount("/dev/shm", "tmpfs", "shm",
                   {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        make_mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        make_mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        make_mount("/sys/fs/cgroup", "cgroup", "cgroup",
                   {"nosuid", "noexec", "nodev", "relatime", "ro"}),
    };
}

Linux default_linux(bool cgroup_namespace) {
    Linux linux;
    linux.masked_paths = {"/proc/acpi",        "/proc/asound",        "/proc/kcore",
                          "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                          "/proc/timer_stats", "/proc/sched_debug",   "/sys/firmware",
                          "/proc/scsi"};
    linux.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                            "/proc/sysrq-trigger"};
    auto& deny_all = linux.resources.emplace().devices.emplace_back();
    deny_all.allow = false;
    deny_all.access = "rwm";
    for (const char* type : {"pid", "network", "ipc", "uts", "mount"}) {
        linux.namespaces.emplace_back().type = type;
    }
    if (cgroup_namespace) {
        linux.namespaces.emplace_back().type = "cgroup";
    }
    return linux;
}

bool is_id_option(const std::string& option) {
    return option.rfind("uid=", 0) == 0 || option.rfind("gid=", 0) == 0;
}

void make_rootless(Spec& spec, uint32_t host_uid, uint32_t host_gid) {
    auto& namespaces = spec.linux->namespaces;
    std::erase_if(namespaces, [](const Namespace& ns) {
        return ns.type == "network" || ns.type == "user" || ns.type == "cgroup";
    });
    namespaces.emplace_back().type = "user";
    spec.linux->uid_mappings = {{.container_id = 0, .host_id = host_uid, .size = 1}};
    spec.linux->gid_mappings = {{.container_id = 0, .host_id = host_gid, .size = 1}};
    for (auto& mount : spec.mounts) {
        if (mount.destination == "/sys") {
            mount =
                make_mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
            continue;
        }
        // The ids would name users that do not exist in a one-user mapping.
        std::erase_if(mount.options, is_id_option);
    }
    // An unprivileged user cannot write cgroup files.
    spec.linux->resources.reset();
}

}  // namespace

Spec default_bundle_spec(const DefaultBundleOptions& options) {
    Spec spec;
    spec.oci_version = kRuntimeSpecVersion;
    spec.process = default_process();
    auto& root = spec.root.emplace();
    root.path = "rootfs";
    root.readonly = true;
    spec.hostname = "plugrt";  // runc writes "runc"; the name of the runtime, as there
    spec.mounts = default_mounts();
    spec.linux = default_linux(options.cgroup_namespace);
    if (options.rootless) {
        make_rootless(spec, options.host_uid, options.host_gid);
    }
    return spec;
}

}  // namespace plugrt::oci
