#include "runtime/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "oci/state.hpp"
#include "runtime/error.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/syscalls.hpp"
#include "runtime/unique_fd.hpp"

extern char** environ;

namespace plugrt {

namespace {

struct HookPipes {
    UniqueFd stdin_read, stdin_write, out_read, out_write, err_read, err_write;
};

void make_pipe(UniqueFd& read_end, UniqueFd& write_end, const char* what) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw_errno(std::string("pipe2 for hook ") + what);
    }
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
}

std::vector<char*> c_strings(const std::vector<std::string>& items) {
    std::vector<char*> out;
    for (const auto& s : items) {
        out.push_back(const_cast<char*>(s.c_str()));
    }
    out.push_back(nullptr);
    return out;
}

// Returns the failure reason ("" on success) and fills the hook's output.
std::string run_one(const oci::Hook& hook, const std::string& state_json, std::string& out,
                    std::string& err) {
    HookPipes p;
    make_pipe(p.stdin_read, p.stdin_write, "stdin");
    make_pipe(p.out_read, p.out_write, "stdout");
    make_pipe(p.err_read, p.err_write, "stderr");
    std::vector<std::string> args =
        hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    auto argv = c_strings(args);
    auto envp = c_strings(hook.env);
    pid_t pid = ::fork();
    if (pid < 0) {
        throw_errno("fork for hook " + hook.path);
    }
    if (pid == 0) {
        ::dup2(p.stdin_read.get(), 0);
        ::dup2(p.out_write.get(), 1);
        ::dup2(p.err_write.get(), 2);
        raw_close_range(3, ~0U, false);
        // No env in the hook means the runtime's own environment (Go's exec default, runc).
        ::execve(hook.path.c_str(), argv.data(), hook.env.empty() ? environ : envp.data());
        std::fprintf(stderr, "exec %s: %s", hook.path.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    p.stdin_read.reset();
    p.out_write.reset();
    p.err_write.reset();
    // The state is small (well under a pipe buffer); a hook that never reads it must not block us.
    ::fcntl(p.stdin_write.get(), F_SETFL, O_NONBLOCK);
    [[maybe_unused]] ssize_t n = ::write(p.stdin_write.get(), state_json.data(), state_json.size());
    p.stdin_write.reset();

    using Clock = std::chrono::steady_clock;
    auto deadline = hook.timeout ? Clock::now() + std::chrono::seconds(*hook.timeout)
                                 : Clock::time_point::max();
    bool timed_out = false;
    while (p.out_read || p.err_read) {
        pollfd pfds[2] = {{p.out_read ? p.out_read.get() : -1, POLLIN, 0},
                          {p.err_read ? p.err_read.get() : -1, POLLIN, 0}};
        int wait_ms = -1;
        if (hook.timeout) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            wait_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
        }
        int ready = ::poll(pfds, 2, wait_ms);
        if (ready == 0) {
            ::kill(pid, SIGKILL);
            timed_out = true;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                char buf[4096];
                ssize_t got = ::read(pfds[i].fd, buf, sizeof buf);
                if (got > 0) {
                    (i == 0 ? out : err).append(buf, static_cast<size_t>(got));
                } else {
                    (i == 0 ? p.out_read : p.err_read).reset();
                }
            }
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        char reason[96];
        std::snprintf(reason, sizeof reason, "hook ran past specified timeout of %.1fs",
                      static_cast<double>(*hook.timeout));
        return reason;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return "";
    }
    if (WIFEXITED(status)) {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    return std::string("signal: ") + strsignal(WTERMSIG(status));
}

}  // namespace

const char* hook_kind_name(HookKind kind) noexcept {
    switch (kind) {
        case HookKind::Prestart:
            return "prestart";
        case HookKind::CreateRuntime:
            return "createRuntime";
        case HookKind::CreateContainer:
            return "createContainer";
        case HookKind::StartContainer:
            return "startContainer";
        case HookKind::Poststart:
            return "poststart";
        case HookKind::Poststop:
            return "poststop";
    }
    return "?";
}

void run_hooks(HookKind kind, const std::vector<oci::Hook>& hooks, const std::string& state_json) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        std::string out, err;
        std::string reason = run_one(hooks[i], state_json, out, err);
        if (!reason.empty()) {
            throw Error(Error::Kind::System, std::string("error running ") + hook_kind_name(kind) +
                                                 " hook #" + std::to_string(i) + ": " + reason +
                                                 ", stdout: " + out + ", stderr: " + err);
        }
    }
}

bool has_poststart_hooks(const oci::Spec& spec) {
    return spec.hooks && !spec.hooks->poststart.empty();
}

void run_poststart_hooks(const oci::Spec& spec, const std::string& id, pid_t pid,
                         const std::string& bundle) {
    if (!has_poststart_hooks(spec)) {
        return;
    }
    try {
        run_hooks(HookKind::Poststart, spec.hooks->poststart,
                  hook_state_json(spec, id, "running", pid, bundle));
    } catch (const Error& e) {
        log_warning(e.what());
    }
}

std::string hook_state_json(const oci::Spec& spec, const std::string& id, const std::string& status,
                            pid_t pid, const std::string& bundle) {
    oci::State state;
    state.oci_version = spec.oci_version;
    state.id = id;
    state.status = status;
    state.pid = pid;
    state.bundle = bundle;
    state.annotations = spec.annotations;
    return oci::state_to_json(state).dump();
}

}  // namespace plugrt
