#include "shim/plugin/supervisor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/error.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/syscalls.hpp"
#include "runtime/text_file.hpp"
#include "shim/common/duration.hpp"
#include "shim/plugin/plugin_host.hpp"
#include "shim/plugin/resident_text.hpp"

namespace plugrt::shim {
namespace {

constexpr std::size_t kRecentLines = 10;
constexpr std::size_t kRecentLineBytes = 300;
constexpr const char* kPidFile = "plugin.pid";

std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

void write_all(int fd, std::string_view text) noexcept {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        throw_errno("fcntl O_NONBLOCK");
    }
}

std::pair<UniqueFd, UniqueFd> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe for the plugin's output");
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

std::string format_start_report(const StartReport& report) {
    std::string detail = report.detail;
    for (char& c : detail) {
        if (c == '\n' || c == '\t') c = ' ';
    }
    if (report.enabled) return "enabled\t" + std::to_string(report.ready_ms) + "\t" + detail + "\n";
    return "failed\t" + detail + "\n";
}

StartReport parse_start_report(const std::string& line) {
    StartReport report;
    std::string text = line;
    if (!text.empty() && text.back() == '\n') text.pop_back();
    const auto tab = text.find('\t');
    const std::string kind = text.substr(0, tab);
    const std::string rest = tab == std::string::npos ? "" : text.substr(tab + 1);
    if (kind == "enabled") {
        const auto tab2 = rest.find('\t');
        report.enabled = true;
        report.ready_ms = std::atoll(rest.substr(0, tab2).c_str());
        report.detail = tab2 == std::string::npos ? "" : rest.substr(tab2 + 1);
    } else {
        report.detail = kind == "failed" ? rest : "the supervisor ended without a report";
    }
    return report;
}

Supervisor::Supervisor(SupervisorConfig config, int ready_fd)
    : config_(std::move(config)),
      ready_fd_(ready_fd),
      runtime_(config_.runtime, config_.runtime_root, config_.file(kRuntimeLogFile)),
      restarts_(config_.restart) {
    if (ready_fd_ && ::fcntl(ready_fd_.get(), F_SETFD, FD_CLOEXEC) != 0) {
        throw_errno("fcntl FD_CLOEXEC on the ready fd");
    }
    sink_ = open_log_sink(parse_log_destination(config_.log_destination, config_.log_format));
    status_.supervisor_pid = ::getpid();
}

Supervisor::~Supervisor() = default;

std::string Supervisor::plugin_label() const {
    return config_.plugin_name + " (" + config_.plugin_id.substr(0, 12) + ")";
}

void Supervisor::event(const std::string& message) {
    write_all(2, rfc3339_now() + " plugrt-shim[" + std::to_string(::getpid()) +
                     "]: " + plugin_label() + ": " + message + "\n");
}

void Supervisor::publish(const std::string& state, const std::string& message) {
    status_.state = state;
    status_.message = message;
    status_.plugin_pid = plugin_pid_;
    status_.restarts = restarts_.total();
    status_.updated.clear();
    try {
        write_supervisor_status(config_.file(kSupervisorStatusFile), status_);
    } catch (const std::exception& e) {
        event(std::string("cannot write the status file: ") + e.what());
    }
}

void Supervisor::report_start(const StartReport& report) {
    if (!ready_fd_) return;
    write_all(ready_fd_.get(), format_start_report(report));
    ready_fd_.reset();
}

void Supervisor::watch(int fd, bool add) {
    if (add) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl add");
    } else {
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    }
}

void Supervisor::setup_event_sources() {
    // The container init becomes our child once `plugrt create` exits, so we can reap it and
    // read its exit status; without this it would be re-parented to pid 1.
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) throw_errno("prctl PR_SET_CHILD_SUBREAPER");
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) {
        // An ignored signal is discarded even while blocked, so signalfd would never see it,
        // and dispositions survive exec: a shell starts background jobs with SIGINT ignored.
        ::signal(sig, SIG_DFL);
        sigaddset(&mask, sig);
    }
    if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) throw_errno("sigprocmask");
    signals_.reset(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signals_) throw_errno("signalfd");
    timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!timer_) throw_errno("timerfd_create");
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) throw_errno("epoll_create1");
    // One pipe pair for the supervisor's whole life: every (re)started container writes into
    // the same pipes, and keeping the write ends here means EOF never fires spuriously.
    std::tie(out_read_, out_write_) = make_pipe();
    std::tie(err_read_, err_write_) = make_pipe();
    set_nonblocking(out_read_.get());
    set_nonblocking(err_read_.get());
    for (int fd : {signals_.get(), timer_.get(), out_read_.get(), err_read_.get()}) watch(fd, true);
}

void Supervisor::arm_timer(std::chrono::milliseconds delay) {
    itimerspec spec{};
    const long long ms = std::max<long long>(delay.count(), 0);
    spec.it_value.tv_sec = ms / 1000;
    spec.it_value.tv_nsec = (ms % 1000) * 1000000 + (ms == 0 ? 1 : 0);  // 0 would disarm
    if (::timerfd_settime(timer_.get(), 0, &spec, nullptr) != 0) throw_errno("timerfd_settime");
}

int Supervisor::run() {
    setup_event_sources();
    publish("starting", "starting");
    start_container();
    epoll_event events[8];
    while (state_ != State::Done) {
        const int n = ::epoll_wait(epoll_.get(), events, 8, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("epoll_wait");
        }
        for (int i = 0; i < n && state_ != State::Done; ++i) {
            const int fd = events[i].data.fd;
            if (fd == signals_.get()) {
                on_signal();
            } else if (fd == out_read_.get()) {
                on_output(fd, PluginStream::Stdout);
            } else if (fd == err_read_.get()) {
                on_output(fd, PluginStream::Stderr);
            } else if (fd == timer_.get()) {
                on_timer();
            } else if (probe_.active() && fd == probe_.fd()) {
                on_probe_done();
            }
        }
    }
    return exit_code_;
}

void Supervisor::start_container() {
    state_ = State::Starting;
    started_at_ = Clock::now();
    status_.ready_ms = -1;
    // A socket file left by the previous run would refuse connections until the plugin
    // replaces it; removing it makes "the socket exists" mean "this run created it".
    if (!config_.socket_path.empty()) ::unlink(config_.socket_path.c_str());
    const std::string pid_file = config_.file(kPidFile);
    ::unlink(pid_file.c_str());

    // The first start is never retried: `plugin start` is waiting for its outcome.
    auto failed = [&](const std::string& why) {
        if (ever_enabled_) {
            restart_later(why, since(started_at_), "");
        } else {
            give_up(why);
        }
    };

    const auto created = runtime_.run(
        {"create", "--bundle", config_.bundle_dir, "--pid-file", pid_file, config_.plugin_id},
        out_write_.get(), err_write_.get());
    if (!created.ok()) {
        failed("create failed: " + created.error);
        return;
    }
    pid_t pid = 0;
    try {
        pid = static_cast<pid_t>(std::atol(read_text_file(pid_file).c_str()));
    } catch (const SysError&) {
        pid = 0;
    }
    if (pid <= 0) {
        runtime_.run({"delete", "--force", config_.plugin_id});
        failed("create wrote no pid to " + pid_file);
        return;
    }
    plugin_pid_ = pid;
    plugin_pidfd_.reset(raw_pidfd_open(pid));
    const auto started = runtime_.run({"start", config_.plugin_id});
    if (!started.ok()) {
        plugin_pid_ = 0;  // the delete below kills it; its exit is of no further interest
        plugin_pidfd_.reset();
        runtime_.run({"delete", "--force", config_.plugin_id});
        failed("start failed: " + started.error);
        return;
    }
    publish("starting", "running as pid " + std::to_string(pid) + ", waiting for " +
                            (config_.socket_path.empty() ? "nothing" : config_.socket_path));
    if (config_.socket_path.empty()) {
        become_enabled("");
        return;
    }
    ActivationRequest request;
    request.socket_path = config_.socket_path;
    request.interface_types = config_.interface_types;
    request.timeout = config_.ready_timeout;
    request.exit_fd = plugin_pidfd_.get();
    probe_ = ReadinessProbe::start(request);
    watch(probe_.fd(), true);
}

void Supervisor::on_probe_done() {
    watch(probe_.fd(), false);
    const ProbeReport report = probe_.finish();
    if (state_ != State::Starting) return;
    if (report.plugin_exited) return;  // the SIGCHLD path reports the exit with its status
    if (report.ready) {
        become_enabled(report.summary);
        return;
    }
    const std::string why = "not ready: " + report.summary + last_lines();
    if (!ever_enabled_) {
        give_up(why);
        return;
    }
    // A restarted instance that never became ready counts as one more crash.
    event(why);
    if (plugin_pidfd_) raw_pidfd_send_signal(plugin_pidfd_.get(), SIGKILL);
}

void Supervisor::on_signal() {
    signalfd_siginfo info{};
    while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
        switch (info.ssi_signo) {
            case SIGCHLD: {
                int status = 0;
                pid_t pid;
                while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
                    if (pid == plugin_pid_) on_plugin_exit(status);
                }
                break;
            }
            case SIGTERM:
            case SIGINT: {
                auto timeout = config_.stop_timeout;
                if (info.ssi_code == SI_QUEUE && info.ssi_int >= 0) {
                    timeout = std::chrono::seconds(info.ssi_int);
                }
                request_stop(timeout);
                break;
            }
            case SIGHUP:
                sink_->reopen();
                break;
            default:
                break;
        }
        if (state_ == State::Done) return;
    }
}

void Supervisor::on_output(int fd, PluginStream stream) {
    char buffer[65536];
    auto& splitter = stream == PluginStream::Stdout ? out_lines_ : err_lines_;
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            splitter.feed(std::string_view(buffer, static_cast<std::size_t>(n)),
                          [&](std::string_view line) { forward_line(stream, line); });
            if (static_cast<std::size_t>(n) < sizeof buffer) return;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return;  // EAGAIN: drained for now
    }
}

void Supervisor::drain_output() {
    on_output(out_read_.get(), PluginStream::Stdout);
    on_output(err_read_.get(), PluginStream::Stderr);
}

void Supervisor::forward_line(PluginStream stream, std::string_view line) {
    const std::string time = rfc3339_seconds_local(std::chrono::system_clock::now());
    sink_->write(PluginLogEntry{time, stream, line, config_.plugin_id});
    recent_.emplace_back(line.substr(0, kRecentLineBytes));
    if (recent_.size() > kRecentLines) recent_.pop_front();
}

std::string Supervisor::last_lines() const {
    if (recent_.empty()) return "; the plugin wrote no output";
    std::string out = "; last output:";
    for (const auto& line : recent_) out += " | " + line;
    return out;
}

void Supervisor::on_timer() {
    std::uint64_t expirations = 0;
    if (::read(timer_.get(), &expirations, sizeof expirations) != sizeof expirations) return;
    if (state_ == State::Stopping && plugin_pidfd_) {
        event("still running " + format_duration(config_.stop_timeout) +
              " after SIGTERM; sending SIGKILL");
        raw_pidfd_send_signal(plugin_pidfd_.get(), SIGKILL);
    } else if (state_ == State::Restarting) {
        event("starting again (restart " + std::to_string(restarts_.consecutive()) + " of " +
              std::to_string(restarts_.policy().max_restarts) + ")");
        start_container();
    }
}

void Supervisor::on_plugin_exit(int wait_status) {
    plugin_pid_ = 0;
    plugin_pidfd_.reset();
    if (probe_.active()) {
        watch(probe_.fd(), false);
        probe_.cancel();
    }
    drain_output();
    const auto uptime = since(started_at_);
    // The init is gone; delete removes the container's cgroups and state like runc's.
    const auto deleted = runtime_.run({"delete", "--force", config_.plugin_id});
    if (!deleted.ok()) event("delete after exit failed: " + deleted.error);
    const std::string how = "plugin exited (" + describe_wait_status(wait_status) + ")";
    if (state_ == State::Stopping) {
        if (stop_reason_.empty()) {
            finish(0, "stopped", "stopped (" + how + ")");
        } else {
            finish(1, "failed", stop_reason_);
        }
        return;
    }
    if (!ever_enabled_) {
        give_up(how + " before it was ready" + last_lines());
        return;
    }
    restart_later(how + " after " + format_duration(uptime), uptime, last_lines());
}

void Supervisor::become_enabled(const std::string& implements) {
    state_ = State::Enabled;
    ever_enabled_ = true;
    status_.ready_ms = since(started_at_).count();
    std::string what = "enabled in " + std::to_string(status_.ready_ms) + " ms";
    if (!implements.empty()) {
        what += " (implements " + implements + ")";
    } else if (config_.socket_path.empty()) {
        what += " (no socket declared)";
    }
    publish("enabled", what);
    event(what);
    report_start({true, status_.ready_ms, implements});
    // Start-up code is done with until the next restart; keep only what the loop runs.
    drop_resident_text();
}

void Supervisor::restart_later(const std::string& why, std::chrono::milliseconds uptime,
                               const std::string& output) {
    const auto delay = restarts_.on_crash(uptime);
    if (!delay) {
        give_up(why + "; giving up after " + std::to_string(restarts_.total()) + " restarts" +
                output);
        return;
    }
    state_ = State::Restarting;
    const std::string what = why + "; restarting in " + format_duration(*delay) + " (restart " +
                             std::to_string(restarts_.consecutive()) + " of " +
                             std::to_string(restarts_.policy().max_restarts) + ")";
    publish("restarting", what);
    event(what);
    arm_timer(*delay);
}

void Supervisor::request_stop(std::chrono::milliseconds timeout) {
    if (state_ == State::Done) return;
    if (probe_.active()) {
        watch(probe_.fd(), false);
        probe_.cancel();
    }
    if (state_ == State::Stopping) {
        // A second ^C: do not make the user wait for the timeout.
        if (plugin_pidfd_) raw_pidfd_send_signal(plugin_pidfd_.get(), SIGKILL);
        return;
    }
    if (!plugin_pidfd_) {
        finish(stop_reason_.empty() ? 0 : 1, stop_reason_.empty() ? "stopped" : "failed",
               stop_reason_.empty() ? "stopped" : stop_reason_);
        return;
    }
    state_ = State::Stopping;
    publish("stopping", "stopping (SIGTERM, SIGKILL after " + format_duration(timeout) + ")");
    if (stop_reason_.empty()) event("stopping: SIGTERM, SIGKILL after " + format_duration(timeout));
    raw_pidfd_send_signal(plugin_pidfd_.get(), SIGTERM);
    arm_timer(timeout);
}

void Supervisor::give_up(const std::string& reason) {
    event("failed: " + reason);
    report_start({false, 0, reason});
    stop_reason_ = reason;
    if (plugin_pidfd_) {
        request_stop(config_.stop_timeout);
    } else {
        finish(1, "failed", reason);
    }
}

void Supervisor::finish(int exit_code, const std::string& final_state, const std::string& message) {
    drain_output();
    const auto flush = [&](std::string_view line) { forward_line(PluginStream::Stdout, line); };
    out_lines_.finish(flush);
    err_lines_.finish([&](std::string_view line) { forward_line(PluginStream::Stderr, line); });
    PluginHostLayout layout;
    layout.socket_dir = config_.socket_dir;
    layout.propagated_mount = config_.propagated_mount;
    for (const auto& problem : teardown_plugin_host(layout)) event("cleanup: " + problem);
    ::unlink(config_.file(kPidFile).c_str());
    publish(final_state, message);
    if (exit_code == 0) event(message);
    report_start({false, 0, message});
    if (sink_->dropped() > 0) {
        event(std::to_string(sink_->dropped()) +
              " log records could not be delivered: " + sink_->last_error());
    }
    exit_code_ = exit_code;
    state_ = State::Done;
}

}  // namespace plugrt::shim
