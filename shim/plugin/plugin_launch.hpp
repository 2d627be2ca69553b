// Everything `plugrt plugin run|start` does before the supervisor takes over, in the order
// dockerd's enable does it (moby-plugin-spec §c "Enable"):
//
//   1. resolve the plugin: a directory holding config.json + rootfs/ (run it in place), or a
//      name/id in plugrt's store;
//   2. validate the config and replay the settings (stored ones, then the --set ones);
//   3. generate Docker's spec (InitSpec, Docker 20.10 profile by default) into
//      <state root>/<id>/bundle/config.json;
//   4. prepare the host side (plugin_host.hpp): socket dir, rshared propagated mount, init layer;
//   5. write <state root>/<id>/supervisor.json for the supervisor.
//
// Any failure undoes steps 3-5 (the state dir is removed, mounts made here are unmounted), so a
// refused plugin leaves nothing behind.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oci/docker_defaults.hpp"
#include "shim/plugin/supervisor_config.hpp"

namespace plugrt::shim {

struct LaunchPaths {
    std::string store_root;  // plugrt's plugin store
    std::string state_root = kDefaultPluginStateRoot;
    std::string plugins_run_dir = "/run/docker/plugins";
    std::string runtime_root = "/run/plugrt";
    std::string runtime;  // absolute path of the plugrt binary
};

struct LaunchRequest {
    std::string target;  // DIR (contains '/' or is an existing directory) or NAME/ID
    std::string id;      // DIR only: the plugin id; default derived from the directory
    std::vector<std::string> sets;
    oci::DockerProfile profile = oci::DockerProfile::Docker2010;
    std::optional<std::string> log_destination;  // default: stderr (run), state file (start)
    LogFormat log_format = LogFormat::Text;
    bool detached = false;
    std::chrono::milliseconds stop_timeout{10000};
    std::chrono::milliseconds ready_timeout{30000};
    RestartPolicy restart;
};

struct PreparedLaunch {
    SupervisorConfig config;
    std::vector<std::string> warnings;  // config and spec findings Docker would accept
    bool from_store = false;
};

// Steps 1-5. Throws Error (Invalid, NotFound, Exists for an already running plugin) or
// SysError with the failing path; nothing is left behind then.
PreparedLaunch prepare_launch(const LaunchRequest& request, const LaunchPaths& paths);

// Undoes a prepared launch whose supervisor never started.
void abandon_launch(const PreparedLaunch& launch) noexcept;

// The id `plugrt plugin run DIR` uses when none is given: DIR's name if it is a 64-hex id (as in
// /var/lib/docker/plugins/<id>), otherwise one derived from DIR's absolute path, so a
// directory keeps its state dir, socket dir and container name from run to run.
std::string plugin_id_for_directory(const std::string& absolute_dir);

// Where a plugin's supervisor keeps its files.
std::string plugin_state_dir(const LaunchPaths& paths, const std::string& id);

// Finds the supervisor state of `target`: a store name/id, a directory, or an id (prefix) or
// plugin name among the state dirs. Throws Error(NotFound).
SupervisorConfig locate_supervised(const std::string& target, const LaunchPaths& paths);

}  // namespace plugrt::shim
