#include "shim/cli/plugin_options.hpp"

#include <unistd.h>

#include <climits>

#include "runtime/error.hpp"

namespace plugrt::cli {

void add_plugin_path_options(CLI::App& command, PluginPathOptions& options) {
    command.add_option("--store", options.store, "Plugin store directory")
        ->envname("PLUGRT_PLUGIN_STORE")
        ->capture_default_str();
    command.add_option("--state", options.state, "Directory of the supervisors' state")
        ->envname("PLUGRT_PLUGIN_STATE")
        ->capture_default_str();
    command
        .add_option("--plugins-run-dir", options.plugins_run_dir,
                    "Host directory of the plugins' socket dirs (<dir>/<id>), as Docker's")
        ->envname("PLUGRT_PLUGINS_RUN_DIR")
        ->capture_default_str();
}

std::string self_executable() {
    char buffer[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n < 0) throw_errno("readlink /proc/self/exe");
    return std::string(buffer, static_cast<std::size_t>(n));
}

namespace {

std::string companion_executable(const std::string& name, const std::string& role) {
    std::string self = self_executable();
    const std::string path = self.substr(0, self.rfind('/')) + "/" + name;
    if (::access(path.c_str(), X_OK) != 0) {
        throw_errno(role + " " + path + " (it is installed next to plugrt and built with it)");
    }
    return path;
}

}  // namespace

std::string supervisor_executable() {
    return companion_executable("plugrt-shim", "the plugin supervisor");
}

std::string unpack_executable() {
    return companion_executable("plugrt-unpack", "the archive extractor");
}

shim::LaunchPaths launch_paths(const PluginPathOptions& options, const GlobalOptions& globals) {
    shim::LaunchPaths paths;
    paths.store_root = options.store;
    paths.state_root = options.state;
    paths.plugins_run_dir = options.plugins_run_dir;
    paths.runtime_root = globals.root;
    paths.runtime = self_executable();
    return paths;
}

}  // namespace plugrt::cli
