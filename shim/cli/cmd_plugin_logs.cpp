// `plugrt plugin logs [-f] NAME|ID|DIR`: prints the plugin's log file (the default destination
// of `plugrt plugin start`) and, with -f, follows it until the supervisor exits or ^C.
// Following uses inotify on the file, so new lines appear at once without polling; a renamed
// (rotated) file is followed to the new one at the same path.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"
#include "shim/cli/plugin_options.hpp"
#include "shim/plugin/supervisor_status.hpp"

namespace plugrt::cli {
namespace {

struct LogsArgs {
    PluginPathOptions paths;
    std::string target;
    bool follow = false;
};

// Copies what is new in `fd` to stdout.
void copy_available(int fd) {
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        std::cout.write(buffer, n);
    }
    std::cout.flush();
}

void logs(const LogsArgs& args, const GlobalOptions& globals) {
    const auto config = shim::locate_supervised(args.target, launch_paths(args.paths, globals));
    const auto destination = shim::parse_log_destination(config.log_destination, config.log_format);
    if (destination.kind != shim::LogDestination::Kind::File) {
        throw Error(Error::Kind::Invalid,
                    "plugin " + config.plugin_name + " logs to " + config.log_destination +
                        ", not to a file; started with `plugrt plugin start` (without --log) its "
                        "lines go to " +
                        config.state_dir + "/plugin.log");
    }
    UniqueFd file(::open(destination.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) throw_errno("open the plugin log " + destination.path);
    copy_available(file.get());
    if (!args.follow) return;

    UniqueFd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!inotify) throw_errno("inotify_init1");
    const std::string dir = destination.path.substr(0, destination.path.rfind('/'));
    if (::inotify_add_watch(inotify.get(), dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
        throw_errno("inotify_add_watch " + dir);
    }
    for (;;) {
        pollfd p{inotify.get(), POLLIN, 0};
        // The timeout is only for noticing that the supervisor has gone.
        const int ready = ::poll(&p, 1, 1000);
        if (ready < 0 && errno != EINTR) throw_errno("poll");
        char events[4096];
        while (::read(inotify.get(), events, sizeof events) > 0) {
        }
        copy_available(file.get());
        struct stat by_path {
        }, open_file{};
        if (::stat(destination.path.c_str(), &by_path) == 0 &&
            ::fstat(file.get(), &open_file) == 0 &&
            (by_path.st_ino != open_file.st_ino || by_path.st_dev != open_file.st_dev)) {
            UniqueFd reopened(::open(destination.path.c_str(), O_RDONLY | O_CLOEXEC));
            if (reopened) file = std::move(reopened);
            copy_available(file.get());
        }
        if (ready == 0 && !shim::running_supervisor(config.state_dir)) return;
    }
}

void register_plugin_logs(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<LogsArgs>();
    auto* cmd = plugin_group(app).add_subcommand("logs", "Print a plugin's log");
    add_plugin_path_options(*cmd, args->paths);
    cmd->add_option("plugin", args->target, "Name, id (prefix) or directory of the plugin")
        ->required();
    cmd->add_flag("-f,--follow", args->follow, "Keep printing new lines while the plugin runs");
    cmd->callback([args, &globals] { logs(*args, globals); });
}

}  // namespace

PLUGRT_COMMAND("plugin", register_plugin_logs);

}  // namespace plugrt::cli
