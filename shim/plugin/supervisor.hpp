// The plugin supervisor: one process per running plugin, single-threaded, built around one
// epoll loop. It is to plugrt what containerd-shim-runc-v2 is to dockerd's plugins, minus the
// gRPC server, the Go runtime and its threads:
//
//   - it creates and starts the container by running the `plugrt` runtime (runtime_invoker),
//     with pipes as the container's stdout/stderr, and becomes the container init's parent
//     (PR_SET_CHILD_SUBREAPER) so that it can reap it and learn its exit status;
//   - every line on those pipes goes to the chosen log sink in dockerd's format with
//     plugin=<id> (LineSplitter → LogSink), and the last few are kept for error reports;
//   - readiness (socket + Plugin.Activate) runs in a probe child (readiness_probe.hpp);
//   - SIGTERM/SIGINT stop the plugin: SIGTERM to the container init, SIGKILL after
//     stop_timeout, reap, `plugrt delete --force`, unmount the propagated mount, remove the
//     socket dir. A SIGTERM sent with sigqueue(3) carries a timeout in seconds in its value
//     (`plugrt plugin stop --timeout N`);
//   - a plugin that dies on its own is restarted after an exponential backoff
//     (restart_policy.hpp), up to the configured limit;
//   - SIGHUP reopens the log file (for logrotate's `postrotate`).
//
// Its events go to its own stderr as "<time> plugrt-shim: <message>" lines (a file under the
// state dir when detached), and its state to status.json. The first start's outcome is also
// written as one line to `ready_fd`, which `plugrt plugin start` waits on.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "runtime/unique_fd.hpp"
#include "shim/plugin/line_splitter.hpp"
#include "shim/plugin/log_sink.hpp"
#include "shim/plugin/readiness_probe.hpp"
#include "shim/plugin/restart_policy.hpp"
#include "shim/plugin/runtime_invoker.hpp"
#include "shim/plugin/supervisor_config.hpp"
#include "shim/plugin/supervisor_status.hpp"

namespace plugrt::shim {

// What the first start reports on the ready fd: "enabled\t<ms>\t<implements>\n" or
// "failed\t<message>\n".
struct StartReport {
    bool enabled = false;
    long long ready_ms = 0;
    std::string detail;
};
std::string format_start_report(const StartReport& report);
StartReport parse_start_report(const std::string& line);

class Supervisor {
public:
    Supervisor(SupervisorConfig config, int ready_fd);
    ~Supervisor();
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    // Runs until the plugin is stopped (0) or has failed for good (1).
    int run();

private:
    enum class State { Starting, Enabled, Restarting, Stopping, Done };
    using Clock = std::chrono::steady_clock;

    void setup_event_sources();
    void start_container();
    void on_signal();
    void on_output(int fd, PluginStream stream);
    void on_probe_done();
    void on_timer();
    void on_plugin_exit(int wait_status);
    void become_enabled(const std::string& implements);
    // After a crash of an enabled plugin: start it again after the backoff, or give up.
    void restart_later(const std::string& why, std::chrono::milliseconds uptime,
                       const std::string& output);
    void request_stop(std::chrono::milliseconds timeout);
    void give_up(const std::string& reason);
    void finish(int exit_code, const std::string& final_state, const std::string& message);

    void forward_line(PluginStream stream, std::string_view line);
    void drain_output();
    void arm_timer(std::chrono::milliseconds delay);
    void watch(int fd, bool add);
    void report_start(const StartReport& report);
    void publish(const std::string& state, const std::string& message);
    void event(const std::string& message);
    std::string last_lines() const;
    std::string plugin_label() const;

    SupervisorConfig config_;
    UniqueFd ready_fd_;
    RuntimeInvoker runtime_;
    std::unique_ptr<LogSink> sink_;
    RestartTracker restarts_;

    UniqueFd epoll_, signals_, timer_;
    UniqueFd out_read_, out_write_, err_read_, err_write_;
    LineSplitter out_lines_, err_lines_;
    std::deque<std::string> recent_;  // last lines of plugin output, for failure reports

    State state_ = State::Starting;
    bool ever_enabled_ = false;
    pid_t plugin_pid_ = 0;
    UniqueFd plugin_pidfd_;
    Clock::time_point started_at_{};
    ReadinessProbe probe_;
    int exit_code_ = 0;
    std::string stop_reason_;  // set when the supervisor itself decided to stop (failure)
    SupervisorStatus status_;
};

}  // namespace plugrt::shim
