// Plugin config + settings -> the OCI spec Docker would hand to runc for the plugin: moby's
// (*Plugin).InitSpec step by step, including its quirks (the /dev/ mount filter that removes
// too much, capabilities in the inheritable set, the host's /etc/hosts and /etc/resolv.conf).
// reference: shared/reference/moby-plugin-spec.md §b.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oci/docker_defaults.hpp"
#include "oci/errors.hpp"
#include "oci/host_lookup.hpp"
#include "oci/plugin_config.hpp"
#include "oci/plugin_settings.hpp"
#include "oci/spec.hpp"

namespace plugrt::oci {

struct PluginSpecOptions {
    DockerProfile profile = DockerProfile::Docker2010;
    std::string plugin_id;                                // 64 lower-case hex digits
    std::string docker_root = "/var/lib/docker";          // rootfs: <root>/plugins/<id>/rootfs
    std::string plugins_run_dir = "/run/docker/plugins";  // socket dir: <dir>/<id>
    std::string daemon_exec_root = "/run/docker";         // metrics.sock for metricscollector
    // When set, the plugin's own directory (config.json, rootfs/, propagated-mount/) instead of
    // <docker_root>/plugins/<id>: lets `plugrt plugin run DIR` use a directory outside any store.
    std::string plugin_dir;
};

struct GeneratedSpec {
    Spec spec;
    std::vector<Issue> warnings;  // what Docker's quirks did to this plugin
};

// Docker's plugin id: 64 lower-case hex digits.
bool is_plugin_id(std::string_view id) noexcept;

// Host directories the spec refers to (the supervisor creates them before starting).
std::string plugin_home_dir(const PluginSpecOptions& options);
std::string plugin_rootfs_dir(const PluginSpecOptions& options);
std::string plugin_propagated_mount_dir(const PluginSpecOptions& options);
std::string plugin_socket_dir(const PluginSpecOptions& options);

// Throws ValidationError for a bad plugin id or a null mount source (Docker: "mount source is
// not specified"), HostLookupError for a device Docker could not add either. Does not validate
// the config: run validate_plugin_config first.
GeneratedSpec generate_plugin_spec(const PluginConfig& config, const PluginSettings& settings,
                                   const PluginSpecOptions& options, HostLookup& host);

}  // namespace plugrt::oci
