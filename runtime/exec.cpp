#include "runtime/exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "runtime/cgroup_join.hpp"
#include "runtime/console.hpp"
#include "runtime/container.hpp"
#include "runtime/error.hpp"
#include "runtime/exec_path.hpp"
#include "runtime/exit_status.hpp"
#include "runtime/init_isolation.hpp"
#include "runtime/proc_stat.hpp"
#include "runtime/sync_channel.hpp"
#include "runtime/syscalls.hpp"
#include "runtime/user.hpp"

namespace plugrt {

namespace {

// The namespaces of the init that differ from ours: joining an identical one is a no-op, but
// setns(CLONE_NEWUSER) into our own user namespace fails with EINVAL.
int namespaces_to_join(pid_t init_pid) {
    static const std::pair<const char*, int> kTypes[] = {
        {"user", CLONE_NEWUSER},     {"mnt", CLONE_NEWNS},    {"pid", CLONE_NEWPID},
        {"net", CLONE_NEWNET},       {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},
        {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
    };
    int flags = 0;
    for (auto [name, flag] : kTypes) {
        struct stat ours {
        }, theirs{};
        std::string mine = std::string("/proc/self/ns/") + name;
        std::string init = "/proc/" + std::to_string(init_pid) + "/ns/" + name;
        if (::stat(mine.c_str(), &ours) == 0 && ::stat(init.c_str(), &theirs) == 0 &&
            (ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev)) {
            flags |= flag;
        }
    }
    return flags;
}

void write_pid_file_atomically(const std::string& path, pid_t pid) {
    std::filesystem::path target = std::filesystem::absolute(path);
    std::string tmp = (target.parent_path() / ("." + target.filename().string())).string();
    FILE* f = std::fopen(tmp.c_str(), "we");
    if (!f) {
        throw_errno("create pid file " + tmp);
    }
    std::fprintf(f, "%d", pid);
    std::fclose(f);
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        throw_errno("rename pid file to " + target.string());
    }
}

// E: inside every namespace; finish like the init's last steps and exec.
[[noreturn]] void become_process(const oci::Process& process, const oci::Spec& spec,
                                 const SeccompProgram* seccomp, int preserve_fds, int console_fd,
                                 SyncChannel& channel) noexcept {
    try {
        // A session of its own, like every process runc starts (nsexec stage 2): no job control
        // signals from the caller's terminal, and the precondition for TIOCSCTTY below.
        if (::setsid() < 0) {
            throw_errno("setsid");
        }
        if (console_fd >= 0) {
            setup_console(console_fd, process, DevConsole::Leave);
        }
        if (::chdir(process.cwd.empty() ? "/" : process.cwd.c_str()) != 0) {
            throw_errno("chdir to process.cwd " + process.cwd);
        }
        std::vector<std::string> env = process.env;
        add_home_if_missing(env, process.user.uid);
        std::string path = find_executable(process.args.at(0), env);
        apply_rlimits(process);
        if (seccomp && !process.no_new_privileges) {
            if (int err = load_seccomp(*seccomp); err != 0) throw_errno(err, "load seccomp");
        }
        fix_stdio_permissions(process.user.uid);
        apply_credentials(process);
        if (process.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            throw_errno("prctl(PR_SET_NO_NEW_PRIVS)");
        }
        std::vector<std::string> args = process.args;
        std::vector<char*> argv, envp;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        for (int fd = 3; fd < 3 + preserve_fds; ++fd) ::fcntl(fd, F_SETFD, 0);
        close_range_or_throw(static_cast<unsigned>(3 + preserve_fds), ~0U, true);
        if (seccomp && process.no_new_privileges) {
            if (int err = load_seccomp(*seccomp); err != 0) throw_errno(err, "load seccomp");
        }
        (void)spec;
        ::execve(path.c_str(), argv.data(), envp.data());
        throw_errno("execve " + path);
    } catch (const Error& e) {
        channel.send_error(e.what(), e.err());
    } catch (const std::exception& e) {
        channel.send_error(e.what(), 0);
    }
    ::_exit(255);
}

}  // namespace

oci::Process container_process(const StateStore& store, const std::string& id) {
    oci::Spec spec = load_container(store, id).spec();
    if (!spec.process) {
        throw Error(Error::Kind::Invalid, "container " + id + " has no process in its config");
    }
    return *spec.process;
}

pid_t start_exec_process(const StateStore& store, const ExecOptions& options) {
    ContainerView view = load_container(store, options.id);
    if (view.status == Status::Paused && !options.ignore_paused) {
        // The joiner would freeze in the cgroup before it could report (runc refuses too).
        throw Error(Error::Kind::WrongState,
                    "cannot exec in a paused container (resume it, or use --ignore-paused)");
    }
    if (view.status == Status::Stopped) {
        throw Error(Error::Kind::WrongState, "cannot exec in a stopped container");
    }
    if (options.process.args.empty()) {
        throw Error(Error::Kind::Invalid, "process.args must not be empty");
    }
    if (options.process.terminal != (options.console_fd >= 0)) {
        throw Error(Error::Kind::Invalid,
                    options.process.terminal
                        ? "process.terminal is true but there is no console socket to send the "
                          "pty master to"
                        : "a console socket was given but process.terminal is false");
    }
    oci::Spec spec = view.spec();
    std::optional<SeccompProgram> seccomp =
        spec.linux ? compile_seccomp(*spec.linux) : std::nullopt;
    UniqueFd init_pidfd = pidfd_open(view.pid);
    if (!process_alive(view.pid, view.start_time)) {
        throw Error(Error::Kind::WrongState, "container not running");
    }
    int ns_flags = namespaces_to_join(view.pid);
    // Foreground: E must become our child when J exits, so that we can wait for it.
    if (!options.detach && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        throw_errno("prctl(PR_SET_CHILD_SUBREAPER)");
    }
    auto [parent_end, child_end] = SyncChannel::make_pair();
    int pid_pipe[2];
    if (::pipe2(pid_pipe, O_CLOEXEC) != 0) throw_errno("pipe2");
    UniqueFd pid_read(pid_pipe[0]), pid_write(pid_pipe[1]);

    // J enters the container's cgroups the way the init did (cgroup_join.hpp): born in the
    // unified one, then writing "0" to the v1 tasks files itself, without the global lock a
    // write of its pid by R would wait on (an RCU grace period, 6-8 ms here).
    std::optional<Cgroup> cgroup;
    CgroupEntry cgroup_entry;
    if (!view.record["cgroup"].is_null()) {
        cgroup = Cgroup::from_state(view.record["cgroup"]);
        cgroup_entry = open_cgroup_entry(*cgroup);
    }
    UniqueFd joiner_pidfd;
    bool born_in_unified = false;
    pid_t joiner = clone_into_unified_cgroup(0, joiner_pidfd, cgroup_entry, born_in_unified);
    if (joiner == 0) {
        parent_end.close();
        pid_read.reset();
        pid_t process = -1;
        try {
            // In every cgroup of the container before Go, so E, forked below, is in them
            // before it runs a single instruction of its own (runc joins its setns init to
            // the cgroups before it is released, process_linux.go setnsProcess.start).
            enter_cgroups_from_inside(cgroup_entry.tasks_files);
            child_end.expect(SyncMessage::Go);
            // One setns with a pidfd enters all namespaces at once, user namespace first
            // (setns(2), Linux 5.8).
            if (ns_flags != 0 && ::setns(init_pidfd.get(), ns_flags) != 0) {
                throw_errno("setns into the namespaces of init " + std::to_string(view.pid));
            }
            process = ::fork();
            if (process < 0) throw_errno("fork exec process");
            if (process == 0) {
                become_process(options.process, spec, seccomp ? &*seccomp : nullptr,
                               options.preserve_fds, options.console_fd, child_end);
            }
        } catch (const Error& e) {
            child_end.send_error(e.what(), e.err());
        }
        [[maybe_unused]] ssize_t n = ::write(pid_write.get(), &process, sizeof process);
        ::_exit(process > 0 ? 0 : 1);
    }
    child_end.close();
    pid_write.reset();
    try {
        // A kernel that refused CLONE_INTO_CGROUP: J is moved into the unified cgroup here,
        // while it still waits for Go.
        if (cgroup && !born_in_unified) {
            cgroup->add_process_to_unified(joiner);
        }
        parent_end.send(SyncMessage::Go);
    } catch (...) {
        ::kill(joiner, SIGKILL);
        wait_exit_status(joiner);
        throw;
    }
    pid_t process = -1;
    ssize_t got = ::read(pid_read.get(), &process, sizeof process);
    wait_exit_status(joiner);
    if (got != sizeof process) {
        process = -1;
    }
    try {
        parent_end.receive();  // only an Error frame or EOF can arrive
        throw Error(Error::Kind::System, "exec: unexpected message from the exec process");
    } catch (const PeerGone&) {
        // EOF: the process exec'd (its CLOEXEC end closed).
    } catch (const ChildError&) {
        if (process > 0) {
            // E reported and is exiting; reap it when it is ours (foreground: we are its
            // subreaper). Detached, the engine's subreaper does.
            ::waitpid(process, nullptr, 0);
        }
        throw;
    }
    if (process <= 0) {
        throw Error(Error::Kind::System, "exec: joiner failed to start the process");
    }
    if (!options.pid_file.empty()) {
        write_pid_file_atomically(options.pid_file, process);
    }
    return process;
}

}  // namespace plugrt
