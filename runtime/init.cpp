// The container init's staging, I1..I20 of architecture §2, one call per step. What a step does
// lives in the module named for its concern; this file only fixes the order, and says why.
#include "runtime/init.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "runtime/console.hpp"
#include "runtime/error.hpp"
#include "runtime/exec_fifo.hpp"
#include "runtime/exec_path.hpp"
#include "runtime/hooks.hpp"
#include "runtime/init_isolation.hpp"
#include "runtime/syscalls.hpp"
#include "runtime/user.hpp"

namespace plugrt {

namespace {

bool has_new_namespace(const oci::Spec& spec, const char* type) {
    if (!spec.linux) {
        return false;
    }
    for (const auto& ns : spec.linux->namespaces) {
        if (ns.type == type && ns.path.empty()) {
            return true;
        }
    }
    return false;
}

// argv/envp as C arrays, built before the seccomp filter so nothing after it allocates
// (sandbox2 forkedprocess.cc:298-344).
struct ExecImage {
    std::string path;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::vector<char*> argv;
    std::vector<char*> envp;

    void freeze() {
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
    }
};

// runc appends LISTEN_FDS=n and LISTEN_PID=1 (the process is pid 1 of its namespace, or at least
// the one the fds are meant for). Earlier entries of the same names are dropped, so the runtime's
// values are the ones getenv() finds.
void add_listen_env(std::vector<std::string>& env, int listen_fds) {
    std::erase_if(env, [](const std::string& e) {
        return e.rfind("LISTEN_FDS=", 0) == 0 || e.rfind("LISTEN_PID=", 0) == 0;
    });
    env.push_back("LISTEN_FDS=" + std::to_string(listen_fds));
    env.push_back("LISTEN_PID=1");
}

// The v1 tasks files R sends once it has made the directories, one fd per line of paths.
void enter_cgroups_sent_by_runtime(SyncChannel& channel) {
    SyncChannel::WithFds sent = channel.expect_with_fds(SyncMessage::CgroupsReady);
    std::vector<CgroupTasksFile> files;
    size_t start = 0;
    for (auto& fd : sent.fds) {
        const size_t end = sent.text.find('\n', start);
        if (end == std::string::npos) {
            throw Error(Error::Kind::System, "CgroupsReady: fewer paths than tasks files");
        }
        files.push_back({std::move(fd), sent.text.substr(start, end - start)});
        start = end + 1;
    }
    if (start != sent.text.size()) {
        throw Error(Error::Kind::System, "CgroupsReady: more paths than tasks files");
    }
    enter_cgroups_from_inside(files);
}

// After the filter nothing may allocate: report with a fixed-size buffer and raw write(2).
[[noreturn]] void die_after_filter(const char* step, int err) noexcept {
    char buf[256];
    int n = std::snprintf(buf, sizeof buf, "plugrt init: %s: %s (%s)\n", step, strerrordesc_np(err),
                          strerrorname_np(err));
    [[maybe_unused]] ssize_t w = ::write(STDERR_FILENO, buf, static_cast<size_t>(n));
    ::_exit(127);
}

void steps_until_ready(const InitConfig& config, SyncChannel& channel, ExecImage& image,
                       bool& start_now) {
    const oci::Spec& spec = *config.spec;
    const oci::Process& process = *spec.process;
    const oci::Linux empty_linux;
    const oci::Linux& linux = spec.linux ? *spec.linux : empty_linux;

    // I0: the init must not keep the runtime's copies: the container lock (held by the open
    // file description, so a kept copy would block `start` forever) and R's end of the channel
    // (EOF on our end must mean R is gone).
    for (int fd : config.close_in_child) {
        ::close(fd);
    }
    // I1: die with R while R is still creating us. getppid() cannot verify the parent here (it
    // is 0 in a new PID namespace); the sync channel's EOF covers a parent that died before the
    // prctl, because every step below waits on it.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
        throw_errno("prctl(PR_SET_PDEATHSIG)");
    }
    channel.expect(SyncMessage::Go);  // R has written id maps (R5)
    // I1b: into the container's cgroups first, so that their limits cover everything below.
    // We enter them ourselves, which the kernel does without a global lock (cgroup_join.hpp).
    // Unless R is still making the v1 ones: then they are entered in I4 (in_cgroups below).
    if (config.cgroup_tasks != nullptr && !config.v1_cgroups_after_clone) {
        enter_cgroups_from_inside(*config.cgroup_tasks);
    }

    // I2: the cgroup namespace only now, so that its root is the container's cgroup, which we
    // have just entered (crun linux.c:6123).
    join_namespaces_in_child(linux);
    become_root_in_user_namespace(linux);
    unshare_cgroup_namespace_if_requested(linux);
    // I3: a new session (no controlling terminal of the engine), then UTS and network.
    if (::setsid() < 0) {
        throw_errno("setsid");
    }
    set_hostname(spec);
    if (has_new_namespace(spec, "network")) {
        bring_up_loopback();
    }
    // I4..I10: mounts, /dev, pivot_root, masked/readonly paths. Hooks and sysctls run in the
    // callback, inside the new mount namespace but before pivot_root:
    //  - prestart/createRuntime are R's (HooksPlease), createContainer ours (runtime-spec);
    //  - sysctls are written through the host's /proc, which is correct because /proc/sys/net,
    //    kernel.* (ipc/uts) resolve against the *writer's* namespaces; after pivot the
    //    readonly paths would have made /proc/sys read-only.
    const auto in_cgroups = [&] {
        if (config.v1_cgroups_after_clone) {
            enter_cgroups_sent_by_runtime(channel);
        }
    };
    const auto before_pivot = [&] {
        if (config.runtime_hooks) {
            channel.send(SyncMessage::HooksPlease);
            channel.expect(SyncMessage::HooksDone);
        }
        if (spec.hooks && !spec.hooks->create_container.empty()) {
            run_hooks(HookKind::CreateContainer, spec.hooks->create_container,
                      hook_state_json(spec, config.container_id, "creating", ::getpid(),
                                      config.bundle_dir));
        }
        apply_sysctl(linux);
    };
    prepare_rootfs(spec, config.bundle_dir, config.no_pivot, *config.host_cgroup_layout, in_cgroups,
                   before_pivot);
    // The console needs the container's devpts, so it comes after the mounts (runc
    // console_linux.go safeAllocPty); stdio then points at the pty slave.
    if (process.terminal && config.console_socket_fd >= 0) {
        setup_console(config.console_socket_fd, process, DevConsole::Mount);
    }
    // I11: limits, then a first chdir while still root (the target may only be reachable
    // before the uid switch; runc init_linux.go:308-325).
    apply_rlimits(process);
    apply_oom_score_adj(process);
    apply_personality(linux);
    bool chdir_done = ::chdir(process.cwd.empty() ? "/" : process.cwd.c_str()) == 0;
    // I12: the program is looked up now, inside the root, so "not found" fails `create`.
    image.args = process.args;
    image.env = process.env;
    add_home_if_missing(image.env, process.user.uid);
    if (config.listen_fds > 0) {
        add_listen_env(image.env, config.listen_fds);
    }
    if (!chdir_done && ::chdir(process.cwd.c_str()) != 0) {
        // Retried after the uid switch (I16); lookups of relative names need the cwd, though.
        chdir_done = false;
    }
    image.path = find_executable(process.args[0], image.env);
    image.freeze();
    // Preserved fds are the engine's (3 .. 3+N-1); make sure they survive execve.
    for (int fd = 3; fd < 3 + config.preserve_fds; ++fd) {
        ::fcntl(fd, F_SETFD, 0);
    }
    // I13: everything above 3+N is marked CLOEXEC (CVE-2024-21626: a leaked fd of a host
    // directory would let the process escape through /proc/self/fd).
    close_range_or_throw(static_cast<unsigned>(3 + config.preserve_fds), ~0U, true);
    channel.send(SyncMessage::Ready);
    // R has written state.json and the pid file (R6). RunAndStart: `plugrt run`, no fifo wait.
    const SyncMessage run = channel.receive();
    if (run != SyncMessage::Run && run != SyncMessage::RunAndStart) {
        throw Error(Error::Kind::System,
                    std::string("sync channel: expected Run, got ") + sync_message_name(run));
    }
    start_now = run == SyncMessage::RunAndStart;

    // I14: without no_new_privs loading a filter needs CAP_SYS_ADMIN, so it must happen before
    // the capabilities are dropped (runc standard_init_linux.go:190-202).
    if (config.seccomp && !process.no_new_privileges) {
        if (int err = load_seccomp(*config.seccomp); err != 0) {
            throw_errno(err, "load seccomp filter");
        }
    }
    // I15: stdio owned by the target uid (runc fixStdioPermissions, while still root), then
    // bounding set, keepcaps, groups, gid, uid, capset, ambient (runc finalizeNamespace).
    fix_stdio_permissions(process.user.uid);
    apply_credentials(process);
    // I16: the cwd again, now as the target user; it must exist inside the container.
    if (!chdir_done && ::chdir(process.cwd.c_str()) != 0) {
        throw_errno("chdir to process.cwd " + process.cwd);
    }
    if (process.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        throw_errno("prctl(PR_SET_NO_NEW_PRIVS)");
    }
    // I17: R is about to exit on purpose; PDEATHSIG would kill us with it.
    if (::prctl(PR_SET_PDEATHSIG, 0) != 0) {
        throw_errno("prctl(PR_SET_PDEATHSIG, 0)");
    }
}

}  // namespace

void run_init(const InitConfig& config, SyncChannel& channel) noexcept {
    ExecImage image;
    bool start_now = false;
    try {
        steps_until_ready(config, channel, image, start_now);
        channel.send(SyncMessage::Done);
    } catch (const Error& e) {
        channel.send_error(e.what(), e.err());
        ::_exit(1);
    } catch (const std::exception& e) {
        channel.send_error(e.what(), 0);
        ::_exit(1);
    }
    // For `run` the channel stays open until execve closes it (CLOEXEC): R waits for that EOF
    // before poststart hooks (sync_channel.hpp). `create`'s R has no use for it.
    if (!start_now) {
        channel.close();
    }
    const oci::Spec& spec = *config.spec;
    // I18: parked until `plugrt start` opens the exec fifo (not for `plugrt run`).
    if (start_now) {
        if (config.exec_fifo_fd >= 0) {
            ::close(config.exec_fifo_fd);
        }
    } else if (int err = wait_for_start(config.exec_fifo_fd); err != 0) {
        die_after_filter("wait for start on exec.fifo", err);
    }
    // I20 (before I19 here): startContainer hooks fork and allocate, which must happen before
    // the no_new_privs filter is loaded; the hooks therefore do not run under that filter.
    if (spec.hooks && !spec.hooks->start_container.empty()) {
        try {
            run_hooks(HookKind::StartContainer, spec.hooks->start_container,
                      hook_state_json(spec, config.container_id, "created", ::getpid(),
                                      config.bundle_dir));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "plugrt init: %s\n", e.what());
            ::_exit(127);
        }
    }
    // I19: with no_new_privs the filter goes on as late as possible, so it need not allow the
    // setup syscalls (runc standard_init_linux.go:236-249). From here: noexcept, no allocation.
    if (config.seccomp && spec.process->no_new_privileges) {
        if (int err = load_seccomp(*config.seccomp); err != 0) {
            die_after_filter("load seccomp filter", err);
        }
    }
    ::execve(image.path.c_str(), image.argv.data(), image.envp.data());
    die_after_filter("execve", errno);
}

}  // namespace plugrt
