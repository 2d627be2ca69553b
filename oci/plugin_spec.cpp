#include "oci/plugin_spec.hpp"

#include <algorithm>
#include <set>

namespace plugrt::oci {
namespace {

constexpr const char* kPluginRuntimeDestination = "/run/docker/plugins";

// filepath.Join for the absolute directories of the options: no trailing or doubled slashes.
std::string join(std::string base, std::string_view name) {
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    if (base != "/") base += '/';
    return base + std::string(name);
}

Mount bind_mount(std::string source, std::string destination, std::vector<std::string> options) {
    Mount m;
    m.destination = std::move(destination);
    m.type = "bind";
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

void remove_namespace(Spec& spec, std::string_view type) {
    auto& ns = spec.linux->namespaces;
    auto it =
        std::find_if(ns.begin(), ns.end(), [&](const Namespace& n) { return n.type == type; });
    if (it != ns.end()) ns.erase(it);
}

// moby deletes from s.Mounts while ranging over it. Go's range keeps iterating over the
// original backing array with the original length, so after each deletion the next element is
// never looked at, and the tail holds copies of the last mount (never a /dev/ one: the list
// always ends with the /run/docker/plugins or /etc/resolv.conf bind). Reproduced literally.
std::vector<std::string> apply_dev_filter(std::vector<Mount>& mounts,
                                          const std::set<std::string>& settings_destinations) {
    std::vector<std::string> removed;
    std::vector<Mount> backing = mounts;
    std::size_t length = backing.size();
    for (std::size_t i = 0; i < backing.size(); ++i) {
        const Mount m = backing[i];
        if (m.destination.starts_with("/dev/") && settings_destinations.count(m.destination) &&
            i < length) {
            std::move(backing.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                      backing.begin() + static_cast<std::ptrdiff_t>(length),
                      backing.begin() + static_cast<std::ptrdiff_t>(i));
            --length;
            removed.push_back(m.destination + " (" + m.type + " from " + m.source + ")");
        }
    }
    backing.resize(length);
    mounts = std::move(backing);
    return removed;
}

bool declares_type(const PluginConfig& config, std::string_view type) {
    return std::any_of(config.interface.types.begin(), config.interface.types.end(),
                       [&](const PluginInterfaceType& t) { return t.to_string() == type; });
}

}  // namespace

bool is_plugin_id(std::string_view id) noexcept {
    return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string plugin_home_dir(const PluginSpecOptions& options) {
    if (!options.plugin_dir.empty()) return options.plugin_dir;
    return join(join(options.docker_root, "plugins"), options.plugin_id);
}

std::string plugin_rootfs_dir(const PluginSpecOptions& options) {
    return join(plugin_home_dir(options), "rootfs");
}

std::string plugin_propagated_mount_dir(const PluginSpecOptions& options) {
    return join(plugin_home_dir(options), "propagated-mount");
}

std::string plugin_socket_dir(const PluginSpecOptions& options) {
    return join(options.plugins_run_dir, options.plugin_id);
}

GeneratedSpec generate_plugin_spec(const PluginConfig& config, const PluginSettings& settings,
                                   const PluginSpecOptions& options, HostLookup& host) {
    if (!is_plugin_id(options.plugin_id)) {
        throw ValidationError(
            {{"id", "must be 64 lower-case hex digits, got \"" + options.plugin_id + "\""}});
    }
    GeneratedSpec out;
    // Step 1: the default spec. Newest Docker masks per-CPU thermal_throttle dirs.
    const std::vector<int> cpus = options.profile == DockerProfile::DockerNewest
                                      ? host.cpus_with_thermal_throttle()
                                      : std::vector<int>{};
    Spec& s = out.spec = docker_default_spec(options.profile, cpus);

    // Step 2: the rootfs Docker extracted the plugin into, writable.
    s.root.emplace();
    s.root->path = plugin_rootfs_dir(options);

    // Step 4: the propagated mount comes right after the defaults, before config mounts.
    if (!config.propagated_mount.empty()) {
        s.mounts.push_back(bind_mount(plugin_propagated_mount_dir(options), config.propagated_mount,
                                      {"rbind", "rw", "rshared"}));
        s.linux->rootfs_propagation = "rshared";
    }

    // Step 5: config mounts (with the current sources), then the socket dir.
    std::vector<PluginMount> mounts = config.mounts;
    PluginMount runtime_dir;
    runtime_dir.source = plugin_socket_dir(options);
    runtime_dir.destination = kPluginRuntimeDestination;
    runtime_dir.type = "bind";
    runtime_dir.options = {"rbind", "rshared"};
    mounts.push_back(std::move(runtime_dir));

    // Step 6: any network type keeps the host's hosts/resolv.conf; only "host" drops the netns.
    if (!config.network.type.empty()) {
        if (config.network.type == "host") remove_namespace(s, "network");
        for (const char* file : {"/etc/hosts", "/etc/resolv.conf"}) {
            PluginMount m;
            m.source = file;
            m.destination = file;
            m.type = "bind";
            m.options = {"rbind", "ro"};
            mounts.push_back(std::move(m));
        }
    }
    // Step 7.
    if (config.pid_host) remove_namespace(s, "pid");
    if (config.ipc_host) remove_namespace(s, "ipc");

    // Step 8: name, description and settable are dropped; options are copied verbatim.
    for (std::size_t i = 0; i < mounts.size(); ++i) {
        if (!mounts[i].source) {
            throw ValidationError(
                {{"mounts[" + std::to_string(i) + "].source", "mount source is not specified"}});
        }
        Mount m;
        m.destination = mounts[i].destination;
        m.type = mounts[i].type;
        m.source = *mounts[i].source;
        m.options = mounts[i].options;
        s.mounts.push_back(std::move(m));
    }

    // Step 9: the /dev/ filter, keyed on the Settings' mount destinations.
    std::set<std::string> settings_destinations;
    for (const auto& m : settings.mounts) settings_destinations.insert(m.destination);
    for (const auto& removed : apply_dev_filter(s.mounts, settings_destinations)) {
        out.warnings.push_back({"mounts", "Docker's /dev/ filter removed the mount at " + removed});
    }

    // Step 10: allow every device in the cgroup (no host /dev is bound by this).
    if (config.linux.allow_all_devices) {
        DeviceRule allow_all;
        allow_all.allow = true;
        allow_all.access = "rwm";
        s.linux->resources->devices = {allow_all};
    }
    // Step 11: devices come from the Settings (see PluginSettings::shares_config_pointers).
    for (std::size_t i = 0; i < settings.devices.size(); ++i) {
        if (!settings.devices[i].path) {
            throw ValidationError({{"linux.devices[" + std::to_string(i) + "].path",
                                    "is null (Docker dereferences it and fails)"}});
        }
        for (Device& d : host.devices_from_path(*settings.devices[i].path)) {
            DeviceRule rule;
            rule.allow = true;
            rule.type = d.type;
            rule.major = d.major;
            rule.minor = d.minor;
            rule.access = "rwm";
            s.linux->resources->devices.push_back(std::move(rule));
            s.linux->devices.push_back(std::move(d));
        }
    }

    // Steps 12-13: PATH first (a config PATH comes later and wins in runc).
    Process& p = *s.process;
    p.env = {kDockerDefaultPathEnv};
    p.env.insert(p.env.end(), settings.env.begin(), settings.env.end());
    p.args = config.entrypoint;
    p.args.insert(p.args.end(), settings.args.begin(), settings.args.end());
    p.cwd = config.workdir.empty() ? "/" : config.workdir;
    p.terminal = false;

    // Step 14: appended to all four sets; the default inheritable set is empty, so it ends up
    // being exactly the plugin's list (absent if the plugin asks for none, as Go's nil slice).
    const auto& extra = config.linux.capabilities;
    auto& caps = *p.capabilities;
    for (auto* set : {&caps.bounding, &caps.permitted, &caps.effective}) {
        (*set)->insert((*set)->end(), extra.begin(), extra.end());
    }
    if (!extra.empty()) caps.inheritable = extra;

    // Step 15: the only per-type spec option moby has.
    if (declares_type(config, "docker.metricscollector/1.0")) {
        s.mounts.push_back(bind_mount(join(options.daemon_exec_root, "metrics.sock"),
                                      "/run/docker/metrics.sock", {"bind", "ro"}));
    }
    return out;
}

}  // namespace plugrt::oci
