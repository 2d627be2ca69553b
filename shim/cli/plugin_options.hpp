// Options shared by the `plugrt plugin ...` commands: where the store, the supervisors' state
// and the socket dirs live. Each has an environment variable, so a test or a second plugrt
// installation can move all of them at once without repeating flags on every command.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "shim/cli/command.hpp"
#include "shim/plugin/plugin_launch.hpp"

namespace plugrt::cli {

struct PluginPathOptions {
    std::string store = "/var/lib/plugrt/plugins";
    std::string state = "/run/plugrt-plugins";
    std::string plugins_run_dir = "/run/docker/plugins";
};

// --store (PLUGRT_PLUGIN_STORE), --state (PLUGRT_PLUGIN_STATE),
// --plugins-run-dir (PLUGRT_PLUGINS_RUN_DIR).
void add_plugin_path_options(CLI::App& command, PluginPathOptions& options);

// The launch paths for these options, with the runtime root from the global --root and the
// runtime binary being this very executable.
shim::LaunchPaths launch_paths(const PluginPathOptions& options, const GlobalOptions& globals);

// /proc/self/exe, resolved; the supervisor binary plugrt-shim is installed next to it.
std::string self_executable();
std::string supervisor_executable();
// plugrt-unpack next to this executable (archives for `plugin create`), checked to exist.
std::string unpack_executable();

}  // namespace plugrt::cli
