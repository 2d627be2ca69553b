#include "oci/docker_defaults.hpp"

namespace plugrt::oci {
namespace {

Mount mount(std::string destination, std::string type, std::string source,
            std::vector<std::string> options) {
    Mount m;
    m.destination = std::move(destination);
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

DeviceRule char_rule(bool allow, int64_t major, int64_t minor) {
    DeviceRule rule;
    rule.allow = allow;
    rule.type = "c";
    rule.major = major;
    rule.minor = minor;
    rule.access = "rwm";
    return rule;
}

DeviceRule allow_char(int64_t major, int64_t minor) { return char_rule(true, major, minor); }

std::vector<Namespace> default_namespaces(DockerProfile profile) {
    std::vector<std::string> types = {"mount", "network", "uts", "pid", "ipc"};
    if (profile == DockerProfile::DockerNewest) {
        // 29.5.0 added a time namespace right after network; plugins get it unconditionally.
        types.insert(types.begin() + 2, "time");
    }
    std::vector<Namespace> namespaces;
    for (auto& type : types) {
        Namespace ns;
        ns.type = std::move(type);
        namespaces.push_back(std::move(ns));
    }
    return namespaces;
}

}  // namespace

std::string_view docker_profile_name(DockerProfile profile) {
    return profile == DockerProfile::Docker2010 ? "docker-20.10" : "docker-newest";
}

std::optional<DockerProfile> docker_profile_from_name(std::string_view name) {
    if (name == "docker-20.10") return DockerProfile::Docker2010;
    if (name == "docker-newest") return DockerProfile::DockerNewest;
    return std::nullopt;
}

const std::vector<std::string>& docker_default_capabilities() {
    static const std::vector<std::string> caps = {
        "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
        "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
        "CAP_KILL",    "CAP_AUDIT_WRITE"};
    return caps;
}

std::vector<std::string> docker_default_masked_paths(
    DockerProfile profile, const std::vector<int>& thermal_throttle_cpus) {
    if (profile == DockerProfile::Docker2010) {
        // v20.10.24's historical order (powercap only arrived in 20.10.27).
        return {"/proc/asound",        "/proc/acpi",       "/proc/kcore",       "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                "/proc/scsi",          "/sys/firmware"};
    }
    std::vector<std::string> paths = {"/proc/acpi",
                                      "/proc/asound",
                                      "/proc/interrupts",
                                      "/proc/kcore",
                                      "/proc/keys",
                                      "/proc/latency_stats",
                                      "/proc/sched_debug",
                                      "/proc/scsi",
                                      "/proc/timer_list",
                                      "/proc/timer_stats",
                                      "/sys/devices/virtual/powercap",
                                      "/sys/firmware"};
    for (int cpu : thermal_throttle_cpus) {
        paths.push_back("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/thermal_throttle");
    }
    return paths;
}

Spec docker_default_spec(DockerProfile profile, const std::vector<int>& thermal_throttle_cpus) {
    Spec spec;
    spec.oci_version = profile == DockerProfile::Docker2010 ? "1.0.2-dev" : "1.3.0";

    Process process;
    Capabilities caps;
    caps.bounding = docker_default_capabilities();
    caps.permitted = docker_default_capabilities();
    caps.effective = docker_default_capabilities();
    process.capabilities = std::move(caps);
    spec.process = std::move(process);
    spec.root = Root{};

    spec.mounts = {
        mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
        mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mount("/dev/pts", "devpts", "devpts",
              {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mount("/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}),
        mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777"}),
    };

    Linux linux;
    linux.masked_paths = docker_default_masked_paths(profile, thermal_throttle_cpus);
    linux.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                            "/proc/sysrq-trigger"};
    linux.namespaces = default_namespaces(profile);
    Resources resources;
    DeviceRule deny_all;
    deny_all.access = "rwm";
    resources.devices = {
        deny_all,
        allow_char(1, 5),
        allow_char(1, 3),
        allow_char(1, 9),
        allow_char(1, 8),
        allow_char(5, 0),
        allow_char(5, 1),
        // /dev/fuse is denied by default; a plugin's own fuse device is allowed after it.
        char_rule(false, 10, 229),
    };
    linux.resources = std::move(resources);
    spec.linux = std::move(linux);
    return spec;
}

}  // namespace plugrt::oci
