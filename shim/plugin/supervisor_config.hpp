// What one plugin supervisor supervises: written by `plugrt plugin run|start` into the
// plugin's state directory (<state root>/<id>/supervisor.json) before the supervisor starts,
// and read by the supervisor and by `plugrt plugin stop|logs|inspect`.
//
// Everything the supervisor needs is in this file, so the supervisor binary never parses a
// plugin config, generates a spec or touches the store: it only runs the bundle it is given.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "shim/plugin/log_sink.hpp"
#include "shim/plugin/restart_policy.hpp"

namespace plugrt::shim {

inline constexpr const char* kDefaultPluginStateRoot = "/run/plugrt-plugins";
inline constexpr const char* kSupervisorConfigFile = "supervisor.json";
inline constexpr const char* kSupervisorStatusFile = "status.json";
inline constexpr const char* kSupervisorLogFile = "supervisor.log";
inline constexpr const char* kRuntimeLogFile = "runtime.log";
inline constexpr const char* kPluginLogFile = "plugin.log";

struct SupervisorConfig {
    std::string plugin_id;     // 64 hex digits; also the container id
    std::string plugin_name;   // for messages ("rclone:latest" or the directory's name)
    std::string runtime;       // the plugrt binary that creates, starts and deletes the container
    std::string runtime_root;  // its --root
    std::string bundle_dir;    // holds config.json (the generated spec)
    std::string state_dir;     // this file's directory
    std::string socket_path;   // host path of the plugin socket; empty when none is declared
    std::string socket_dir;    // /run/docker/plugins/<id>, removed at stop
    std::string propagated_mount;  // host side, unmounted at stop; empty when none
    std::vector<std::string> interface_types;
    std::string log_destination = "stderr";  // as parse_log_destination() takes it
    LogFormat log_format = LogFormat::Text;
    std::chrono::milliseconds stop_timeout{10000};
    std::chrono::milliseconds ready_timeout{30000};
    RestartPolicy restart;

    std::string file(const char* name) const { return state_dir + "/" + name; }
};

std::string supervisor_config_to_json(const SupervisorConfig& config);
// Throws Error(Invalid) naming `file` and the field that is missing or of the wrong type.
SupervisorConfig supervisor_config_from_json(std::string_view text, const std::string& file);

}  // namespace plugrt::shim
