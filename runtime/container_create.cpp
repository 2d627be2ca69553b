// `create`, the parent half (R1..R7 of architecture §2). The init's half is init.cpp; the
// dialogue between them is drawn in sync_channel.hpp.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>

#include "runtime/bundle.hpp"
#include "runtime/cgroup_join.hpp"
#include "runtime/cgroups.hpp"
#include "runtime/console.hpp"
#include "runtime/container.hpp"
#include "runtime/error.hpp"
#include "runtime/exec_fifo.hpp"
#include "runtime/hooks.hpp"
#include "runtime/init_isolation.hpp"
#include "runtime/proc_stat.hpp"
#include "runtime/rollback.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/spawn.hpp"
#include "runtime/syscalls.hpp"

namespace fs = std::filesystem;

namespace plugrt {

namespace {

// runc's createPidFile: ".<name>" next to the target, O_EXCL, then rename — readers (go-runc's
// strict integer parse) never see a partial file. No trailing newline.
// Unlike runc, no O_SYNC: it made each write wait for the disk when the pid file is not on tmpfs
// while buying nothing (the rename is not synced, and a pid is meaningless after a crash).
void write_pid_file(const std::string& path, pid_t pid) {
    fs::path target = fs::absolute(path);
    std::string tmp = (target.parent_path() / ("." + target.filename().string())).string();
    ::unlink(tmp.c_str());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) {
        throw_errno("create pid file " + tmp);
    }
    std::string text = std::to_string(pid);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw_errno(err, "write pid file " + tmp);
    }
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw_errno(err, "rename pid file to " + target.string());
    }
}

bool has_runtime_hooks(const oci::Spec& spec) {
    return spec.hooks && (!spec.hooks->prestart.empty() || !spec.hooks->create_runtime.empty());
}

void require_systemd_if_asked(bool systemd_cgroup) {
    struct stat st {};
    if (systemd_cgroup && ::stat("/run/systemd/system", &st) != 0) {
        throw Error(Error::Kind::Invalid,
                    "--systemd-cgroup: systemd is not running on this host "
                    "(no /run/systemd/system); drop the flag to use the cgroupfs driver");
    }
}

// Whether the v1 cgroup directories may be made after the clone, while the init builds its
// rootfs on the other CPU. Making them costs about 1 ms (a mkdir per hierarchy, each under the
// kernel's global cgroup_mutex); the init's steps up to its first cgroup mount take about as
// long, so `run` gets that much faster.
//
// The price: those early steps (setns, hostname, the mounts before /sys/fs/cgroup) run in
// plugrt's own cgroups, where runc and crun enter the container's first. They make a few
// kernel objects and no user data. The init enters its cgroups before the first "cgroup"
// mount (which shows them), before /dev is populated (mknod is checked by the devices
// cgroup), before any hook, and long before its program runs.
//
// Not with a cgroup namespace: that must be made or joined after the cgroups are entered and
// before the mounts, so then everything is made before the clone, as it always was.
bool v1_cgroups_after_clone(const oci::Linux& linux, const Cgroup& cgroup) {
    if (!cgroup.has_v1_dirs()) {
        return false;
    }
    return std::none_of(linux.namespaces.begin(), linux.namespaces.end(),
                        [](const oci::Namespace& ns) { return ns.type == "cgroup"; });
}

// The deferred half of the cgroup setup: directories, limits, then the tasks files to the init
// (CgroupsReady), which enters them itself. If the init died meanwhile, its own error frame,
// already queued on the channel, says why better than our failed send.
void make_v1_cgroups_for(SpawnedInit& init, Cgroup& cgroup, const oci::Linux& linux) {
    cgroup.create_dirs(Cgroup::Part::V1);
    cgroup.apply_resources(linux);
    const std::vector<CgroupTasksFile> files = open_v1_tasks_files(cgroup);
    std::vector<int> fds;
    std::string paths;
    for (const auto& file : files) {
        fds.push_back(file.fd.get());
        paths += file.path;
        paths += '\n';
    }
    try {
        init.channel.send_with_fds(SyncMessage::CgroupsReady, fds, paths);
    } catch (const Error&) {
        init.channel.receive();  // throws the init's error, or PeerGone
        throw;
    }
}

// state.json: what later commands need to find and judge the container.
std::string make_record(const CreateOptions& options, const Bundle& bundle, pid_t pid,
                        uint64_t start_time, const Cgroup& cgroup) {
    const nlohmann::json fields = {
        {"id", options.id},
        {"init_pid", pid},
        {"init_start_time", start_time},
        {"bundle", bundle.dir},
        {"config_path", bundle.config_path},
        {"rootfs", bundle.rootfs},
        {"created", rfc3339_now()},
        {"systemd_cgroup", options.systemd_cgroup},
        {"cgroup", cgroup.to_state()},
    };
    // Plus "spec", the spec as it was at create time: later commands must not see edits to
    // config.json (runtime-spec: "changes to config.json after create have no effect"). It is
    // config.json's own text, which load_bundle has parsed and validated: decoding it again
    // gives the same spec, and re-serialising the decoded spec cost more than the rest of the
    // record.
    std::string text = fields.dump();
    text.pop_back();  // the closing brace; `fields` is a non-empty object
    std::string_view spec_text = bundle.config_text;
    if (spec_text.starts_with("\xEF\xBB\xBF")) {
        spec_text.remove_prefix(3);  // a UTF-8 BOM is accepted only at the start of a document
    }
    text += ",\"spec\":";
    text += spec_text;
    text += '}';
    return text;
}

CreatedContainer create_steps(const StateStore& store, const CreateOptions& options) {
    // R1: everything that can be checked without touching the system.
    validate_container_id(options.id);
    require_systemd_if_asked(options.systemd_cgroup);
    const HostCgroups host_cgroups = read_host_cgroups();
    Bundle bundle = load_bundle(options.bundle_dir);
    const oci::Spec& spec = bundle.spec;
    const oci::Linux empty_linux;
    const oci::Linux& linux = spec.linux ? *spec.linux : empty_linux;
    const bool relay_terminal =
        spec.process->terminal && options.console_socket.empty() && options.relay_terminal;
    if (spec.process->terminal && options.console_socket.empty() && !relay_terminal) {
        throw Error(Error::Kind::Invalid, "process.terminal is true but no --console-socket given");
    }
    if (!spec.process->terminal && !options.console_socket.empty()) {
        // runc checkTerminal: "cannot use console socket if runc will not ... allocate tty".
        throw Error(Error::Kind::Invalid,
                    "--console-socket given but process.terminal is false: no pty to send");
    }
    if (options.listen_fds < 0 || options.preserve_fds < 0) {
        throw Error(Error::Kind::Invalid, "--preserve-fds and LISTEN_FDS must not be negative");
    }
    // Everything an undo step touches is declared before the Rollback, so that it is still alive
    // when the Rollback's destructor runs the undo steps.
    ContainerLock lock;
    UniqueFd fifo, console;
    ConsoleSocketPair relay;
    std::optional<SeccompProgram> seccomp;
    std::optional<Cgroup> cgroup;
    SpawnedInit init;
    CreatedContainer created;
    Rollback rollback;

    // R2: the state directory is the first thing created and the last thing removed.
    lock = store.create_dir(options.id);
    std::string state_dir = store.dir_of(options.id);
    rollback.add([&] { store.remove(options.id); });
    if (!options.start) {
        // `run` tells the init to go on itself (RunAndStart): no fifo to wait on, none to remove.
        fifo = create_exec_fifo(state_dir);
    }

    // R3: the plan. The seccomp BPF is compiled here so libseccomp never runs in the init.
    seccomp = compile_seccomp(linux);
    if (!options.console_socket.empty()) {
        console = connect_console_socket(options.console_socket);
    } else if (relay_terminal) {
        relay = ConsoleSocketPair::make();
        console = std::move(relay.sender);
    }
    cgroup.emplace(Cgroup::plan(options.id, spec, options.systemd_cgroup, host_cgroups));
    rollback.add([&] { cgroup->destroy(); });
    // The init is born in its unified cgroup (cgroup_join.hpp), which must exist before the
    // clone. The v1 hierarchies are made after it when they may be: see v1_cgroups_after_clone.
    cgroup->create_dirs(Cgroup::Part::Unified);
    const bool defer_v1 = v1_cgroups_after_clone(linux, *cgroup);
    CgroupEntry cgroup_entry;
    if (defer_v1) {
        cgroup_entry = open_unified_entry(*cgroup);
    } else {
        cgroup->create_dirs(Cgroup::Part::V1);
        cgroup->apply_resources(linux);
        cgroup_entry = open_cgroup_entry(*cgroup);
    }

    // R4: nothing of ours above 3+L+N may reach the container (youki main process :77-85):
    // L socket-activation fds first, then the N preserved ones (runc utils_linux.go).
    const int passed_fds = options.listen_fds + options.preserve_fds;
    close_range_or_throw(static_cast<unsigned>(3 + passed_fds), ~0U, true);
    InitConfig config;
    config.container_id = options.id;
    config.spec = &spec;
    config.bundle_dir = bundle.dir;
    config.rootfs = bundle.rootfs;
    config.no_pivot = options.no_pivot;
    config.preserve_fds = passed_fds;
    config.listen_fds = options.listen_fds;
    config.exec_fifo_fd = fifo.get();
    config.console_socket_fd = console.get();
    config.runtime_hooks = has_runtime_hooks(spec);
    config.seccomp = seccomp ? &*seccomp : nullptr;
    config.close_in_child = {lock.fd()};
    config.cgroup_tasks = &cgroup_entry.tasks_files;
    config.v1_cgroups_after_clone = defer_v1;
    config.host_cgroup_layout = &host_cgroups.layout;
    init = spawn_init(config, linux, cgroup_entry);
    // Registered after the cgroup's undo, so it runs first: kill (through the pidfd, immune to
    // pid reuse) and reap the init before its cgroup is removed.
    rollback.add([&] {
        raw_pidfd_send_signal(init.pidfd.get(), SIGKILL);
        reap_and_describe(init.pid);
    });
    fifo.reset();
    console.reset();

    try {
        // R5: id maps before the init does anything (runc process_linux.go:824); the init
        // enters its v1 cgroups itself after Go, was born in the unified one if the kernel
        // could, and is moved there here otherwise.
        if (!init.born_in_unified_cgroup) {
            cgroup->add_process_to_unified(init.pid);
        }
        write_id_mappings(init.pid, linux);
        init.channel.send(SyncMessage::Go);
        if (defer_v1) {
            make_v1_cgroups_for(init, *cgroup, linux);
        }
        // R6's record is put together while the init builds its rootfs, on the other CPU: the
        // init's start time is fixed from the clone on (and its pid cannot be reused, it is our
        // unreaped child), so only the write is left for after Ready. 0.2-0.3 ms off `run`.
        std::optional<std::string> record;
        if (auto stat = read_proc_stat(init.pid)) {
            record = make_record(options, bundle, init.pid, stat->start_time, *cgroup);
        }

        SyncMessage message = init.channel.receive();
        if (message == SyncMessage::HooksPlease) {
            std::string state = hook_state_json(spec, options.id, "creating", init.pid, bundle.dir);
            run_hooks(HookKind::Prestart, spec.hooks->prestart, state);
            run_hooks(HookKind::CreateRuntime, spec.hooks->create_runtime, state);
            init.channel.send(SyncMessage::HooksDone);
            message = init.channel.receive();
        }
        if (message != SyncMessage::Ready) {
            throw Error(Error::Kind::System, std::string("sync channel: expected Ready, got ") +
                                                 sync_message_name(message));
        }
        // R6: record the container before it may proceed, so an interrupted create never
        // leaves an init nobody knows about (runc process_linux.go:995-1011).
        if (!record) {
            throw Error(Error::Kind::Child, "container init vanished before it was recorded");
        }
        store.save_text(options.id, *record);
        if (!options.pid_file.empty()) {
            write_pid_file(options.pid_file, init.pid);
            rollback.add([&] { ::unlink(fs::absolute(options.pid_file).c_str()); });
        }
        init.channel.send(options.start ? SyncMessage::RunAndStart : SyncMessage::Run);
        // R7: an explicit Done; EOF instead means the init died in its last steps.
        init.channel.expect(SyncMessage::Done);
        if (relay_terminal) {
            created.terminal_master = relay.take_master();  // sent before Ready
        }
    } catch (const PeerGone&) {
        throw Error(Error::Kind::Child,
                    "container init exited during setup (" + reap_and_describe(init.pid) + ")");
    }
    rollback.commit();
    if (options.start && has_poststart_hooks(spec)) {
        // runtime-spec: poststart runs after the program was executed. The init's end of the
        // channel closes at its execve (or its death, which poststart cannot tell apart either).
        init.channel.await_close();
        run_poststart_hooks(spec, options.id, init.pid, bundle.dir);
    }
    created.pid = init.pid;
    created.cgroup = std::move(cgroup);
    created.private_pid_namespace =
        std::any_of(linux.namespaces.begin(), linux.namespaces.end(),
                    [](const oci::Namespace& ns) { return ns.type == "pid" && ns.path.empty(); });
    created.poststop_hooks = spec.hooks && !spec.hooks->poststop.empty();
    return created;
}

}  // namespace

CreatedContainer create_container(const StateStore& store, const CreateOptions& options) {
    try {
        return create_steps(store, options);
    } catch (Error& e) {
        e.with_context("container " + options.id + ": create");
        throw;
    }
}

}  // namespace plugrt
