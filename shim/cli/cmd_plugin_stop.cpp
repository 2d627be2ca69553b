// `plugrt plugin stop NAME|ID|DIR [--timeout D]`: asks the plugin's supervisor to stop it
// (SIGTERM to the plugin, SIGKILL after the timeout, delete, unmount, remove the socket dir)
// and waits until the supervisor has finished, so that when this returns nothing of the plugin
// is left running or mounted.
//
// The request is SIGTERM to the supervisor, sent with sigqueue(3) so that its value carries the
// timeout in seconds; a plain `kill <supervisor>` works too and uses the configured timeout.
#include <poll.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <memory>

#include "runtime/error.hpp"
#include "runtime/syscalls.hpp"
#include "runtime/unique_fd.hpp"
#include "shim/cli/plugin_options.hpp"
#include "shim/common/duration.hpp"
#include "shim/plugin/plugin_store.hpp"
#include "shim/plugin/supervisor_status.hpp"

namespace plugrt::cli {
namespace {

struct StopArgs {
    PluginPathOptions paths;
    std::string target;
    std::string timeout;
};

void stop(const StopArgs& args, const GlobalOptions& globals) {
    const auto paths = launch_paths(args.paths, globals);
    const auto config = shim::locate_supervised(args.target, paths);
    const std::string label = config.plugin_name + " (" + config.plugin_id.substr(0, 12) + ")";
    const auto status = shim::running_supervisor(config.state_dir);
    if (!status) {
        throw Error(Error::Kind::WrongState, "plugin " + label + " is not running");
    }
    const auto timeout = args.timeout.empty() ? config.stop_timeout
                                              : shim::parse_duration(args.timeout, "--timeout");
    // The pidfd is taken before signalling, so the wait below cannot mistake a recycled pid.
    UniqueFd pidfd(raw_pidfd_open(status->supervisor_pid));
    if (!pidfd) throw Error(Error::Kind::WrongState, "plugin " + label + " is not running");
    const auto started = std::chrono::steady_clock::now();
    sigval value{};
    value.sival_int = static_cast<int>(
        std::chrono::duration_cast<std::chrono::seconds>(timeout + std::chrono::milliseconds(999))
            .count());
    if (::sigqueue(status->supervisor_pid, SIGTERM, value) != 0) {
        throw_errno("signal the supervisor (pid " + std::to_string(status->supervisor_pid) + ")");
    }
    // The supervisor's own SIGKILL bounds the plugin; the margin covers delete and cleanup.
    const auto limit = timeout + std::chrono::seconds(30);
    pollfd p{pidfd.get(), POLLIN, 0};
    int ready;
    do {
        ready = ::poll(&p, 1, static_cast<int>(limit.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
        throw Error(Error::Kind::System, "plugin " + label + ": the supervisor (pid " +
                                             std::to_string(status->supervisor_pid) +
                                             ") did not finish within " +
                                             shim::format_duration(limit) + "; see " +
                                             config.file(shim::kSupervisorLogFile));
    }
    try {
        shim::PluginStore(args.paths.store).set_enabled(config.plugin_id, false);
    } catch (const Error&) {
        // A plugin run from a directory is not in the store.
    }
    const auto final_status =
        shim::read_supervisor_status(config.file(shim::kSupervisorStatusFile));
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::cout << label << " stopped in " << took.count() << " ms";
    if (final_status) std::cout << ": " << final_status->message;
    std::cout << "\n";
}

void register_plugin_stop(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<StopArgs>();
    auto* cmd = plugin_group(app).add_subcommand(
        "stop", "Stop a running plugin (SIGTERM, then SIGKILL after the timeout) and clean up");
    add_plugin_path_options(*cmd, args->paths);
    cmd->add_option("plugin", args->target, "Name, id (prefix) or directory of the plugin")
        ->required();
    cmd->add_option("-t,--timeout", args->timeout,
                    "SIGTERM to SIGKILL delay (default: the one it was started with, 10s)");
    cmd->callback([args, &globals] { stop(*args, globals); });
}

}  // namespace

PLUGRT_COMMAND("plugin", register_plugin_stop);

}  // namespace plugrt::cli
