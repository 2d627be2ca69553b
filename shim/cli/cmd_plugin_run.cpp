// `plugrt plugin run DIR|NAME` (foreground) and `plugrt plugin start DIR|NAME` (detached):
// prepare the plugin as dockerd's enable does (plugin_launch.hpp), then hand over to the
// supervisor, plugrt-shim.
//
// run:   exec's the supervisor in this process: plugin output on stderr in dockerd's format,
//        supervisor events on stderr, ^C (or SIGTERM) stops the plugin in order.
// start: spawns the supervisor in its own session with its stderr in the state dir, waits for
//        its one-line start report ("enabled in N ms" or why not) and exits 0 or 1; the plugin
//        goes on running under the supervisor.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"
#include "shim/cli/plugin_options.hpp"
#include "shim/common/duration.hpp"
#include "shim/plugin/plugin_store.hpp"
#include "shim/plugin/supervisor.hpp"

namespace plugrt::cli {
namespace {

struct RunArgs {
    PluginPathOptions paths;
    std::string target;
    std::string id;
    std::vector<std::string> sets;
    std::string profile = "docker-20.10";
    std::string log;
    std::string log_format = "text";
    std::string stop_timeout = "10s";
    std::string ready_timeout = "30s";
    unsigned restart_max = 5;
    std::string restart_delay = "500ms";
    std::string restart_max_delay = "30s";
};

shim::LaunchRequest to_request(const RunArgs& args, bool detached) {
    shim::LaunchRequest request;
    request.target = args.target;
    request.id = args.id;
    request.sets = args.sets;
    request.profile = *oci::docker_profile_from_name(args.profile);
    if (!args.log.empty()) request.log_destination = args.log;
    request.log_format = shim::parse_log_format(args.log_format);
    request.detached = detached;
    request.stop_timeout = shim::parse_duration(args.stop_timeout, "--stop-timeout");
    request.ready_timeout = shim::parse_duration(args.ready_timeout, "--ready-timeout");
    request.restart.max_restarts = args.restart_max;
    request.restart.initial_delay = shim::parse_duration(args.restart_delay, "--restart-delay");
    request.restart.max_delay = shim::parse_duration(args.restart_max_delay, "--restart-max-delay");
    return request;
}

shim::PreparedLaunch prepare(const RunArgs& args, const GlobalOptions& globals, bool detached) {
    const auto launch =
        shim::prepare_launch(to_request(args, detached), launch_paths(args.paths, globals));
    for (const auto& warning : launch.warnings) std::cerr << "plugrt: warning: " << warning << "\n";
    return launch;
}

void run_foreground(const RunArgs& args, const GlobalOptions& globals) {
    const std::string supervisor = supervisor_executable();
    const auto launch = prepare(args, globals, false);
    std::cerr << "plugrt: running " << launch.config.plugin_name << " ("
              << launch.config.plugin_id.substr(0, 12) << ") in the foreground; ^C stops it\n";
    std::string state_dir = launch.config.state_dir;
    char* argv[] = {const_cast<char*>(supervisor.c_str()), state_dir.data(), nullptr};
    ::execv(supervisor.c_str(), argv);
    const int err = errno;
    shim::abandon_launch(launch);
    throw_errno(err, "exec " + supervisor);
}

// Spawns the supervisor in a new session: stdin /dev/null, stdout+stderr appended to
// supervisor.log, the report pipe as fd 3.
pid_t spawn_detached(const std::string& supervisor, const shim::SupervisorConfig& config,
                     int report_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    const std::string log = config.file(shim::kSupervisorLogFile);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_adddup2(&actions, report_fd, 3);
    posix_spawn_file_actions_addclosefrom_np(&actions, 4);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    std::string state_dir = config.state_dir;
    char fd_text[] = "3";
    char ready_flag[] = "--ready-fd";
    char* argv[] = {const_cast<char*>(supervisor.c_str()), state_dir.data(), ready_flag, fd_text,
                    nullptr};
    pid_t pid = 0;
    const int err = posix_spawn(&pid, supervisor.c_str(), &actions, &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (err != 0) throw_errno(err, "start the supervisor " + supervisor);
    return pid;
}

// Reads the supervisor's one-line report; an empty string when it closed the pipe without one
// or did not answer in time.
std::string read_report(int fd, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string line;
    char buffer[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return "";
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return "";
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return line;
        line.append(buffer, static_cast<std::size_t>(n));
        if (line.back() == '\n') return line;
    }
}

void start_detached(const RunArgs& args, const GlobalOptions& globals) {
    const std::string supervisor = supervisor_executable();
    const auto started = std::chrono::steady_clock::now();
    const auto launch = prepare(args, globals, true);
    const auto& config = launch.config;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        shim::abandon_launch(launch);
        throw_errno("pipe for the supervisor's report");
    }
    UniqueFd report_read(fds[0]), report_write(fds[1]);
    pid_t pid = 0;
    try {
        pid = spawn_detached(supervisor, config, report_write.get());
    } catch (...) {
        shim::abandon_launch(launch);
        throw;
    }
    report_write.reset();
    // The supervisor bounds readiness by ready_timeout; the margin covers create/start.
    const std::string line = read_report(
        report_read.get(), config.ready_timeout + config.stop_timeout + std::chrono::seconds(30));
    const auto report = shim::parse_start_report(line);
    const auto total = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const std::string label = config.plugin_name + " (" + config.plugin_id.substr(0, 12) + ")";
    if (report.enabled) {
        if (launch.from_store) {
            shim::PluginStore(args.paths.store).set_enabled(config.plugin_id, true);
        }
        std::cout << label << " enabled in " << total.count() << " ms";
        if (!report.detail.empty()) std::cout << " (implements " << report.detail << ")";
        std::cout << "\n  supervisor pid " << pid << ", plugin log "
                  << (config.log_destination.rfind("file:", 0) == 0
                          ? config.log_destination.substr(5)
                          : config.log_destination)
                  << ", supervisor log " << config.file(shim::kSupervisorLogFile) << "\n";
        return;
    }
    // The supervisor cleans up after a failed start; wait for it so that nothing is left
    // running or mounted when we report.
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::cerr << "plugrt: " << label << " failed to start: "
              << (line.empty() ? "the supervisor ended without a report; see " +
                                     config.file(shim::kSupervisorLogFile)
                               : report.detail)
              << "\n";
    throw ExitStatus{1};
}

void add_run_options(CLI::App* cmd, RunArgs& args, bool detached) {
    add_plugin_path_options(*cmd, args.paths);
    cmd->add_option("plugin", args.target,
                    "A directory holding config.json and rootfs/, or a stored plugin's name or id")
        ->required();
    cmd->add_option("--id", args.id, "Plugin id for a directory (64 hex digits)");
    cmd->add_option("--set", args.sets,
                    "NAME[.FIELD]=VALUE like `docker plugin set`, for this run only (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--profile", args.profile, "docker-20.10 or docker-newest")
        ->check(CLI::IsMember({"docker-20.10", "docker-newest"}))
        ->capture_default_str();
    cmd->add_option("--log", args.log,
                    std::string("Plugin log destination: stderr, syslog[:SOCKET], file:PATH or "
                                "/PATH (default: ") +
                        (detached ? "plugin.log in the state dir)" : "stderr)"));
    cmd->add_option("--log-format", args.log_format, "text (dockerd's lines) or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_option("--stop-timeout", args.stop_timeout, "SIGTERM to SIGKILL delay at stop")
        ->capture_default_str();
    cmd->add_option("--ready-timeout", args.ready_timeout,
                    "How long the socket and Plugin.Activate may take")
        ->capture_default_str();
    cmd->add_option("--restart-max", args.restart_max,
                    "Consecutive crashes to restart after (0: never)")
        ->capture_default_str();
    cmd->add_option("--restart-delay", args.restart_delay, "First restart delay, doubled each time")
        ->capture_default_str();
    cmd->add_option("--restart-max-delay", args.restart_max_delay, "Longest restart delay")
        ->capture_default_str();
}

void register_plugin_run(CLI::App& app, GlobalOptions& globals) {
    auto run_args = std::make_shared<RunArgs>();
    auto* run = plugin_group(app).add_subcommand(
        "run", "Run a plugin in the foreground (^C stops it); output goes to stderr");
    add_run_options(run, *run_args, false);
    run->callback([run_args, &globals] { run_foreground(*run_args, globals); });

    auto start_args = std::make_shared<RunArgs>();
    auto* start = plugin_group(app).add_subcommand(
        "start", "Start a plugin under a detached supervisor and wait until it is enabled");
    add_run_options(start, *start_args, true);
    start->callback([start_args, &globals] { start_detached(*start_args, globals); });
}

}  // namespace

PLUGRT_COMMAND("plugin", register_plugin_run);

}  // namespace plugrt::cli
