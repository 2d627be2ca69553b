// The lifecycle commands after `create`: state, start, kill, delete, ps.
#include "runtime/container.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "oci/state.hpp"
#include "runtime/error.hpp"
#include "runtime/exec_fifo.hpp"
#include "runtime/hooks.hpp"
#include "runtime/init_isolation.hpp"
#include "runtime/proc_stat.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/stuck_init.hpp"
#include "runtime/syscalls.hpp"

namespace plugrt {

namespace {

// A pidfd that is known to refer to the container's init: opened first, then the start time
// is checked, so the pid cannot be recycled between the check and the signal.
UniqueFd open_init_pidfd(const ContainerView& view) {
    if (view.pid <= 0) {
        return {};
    }
    UniqueFd pidfd(raw_pidfd_open(view.pid));
    if (pidfd && !process_alive(view.pid, view.start_time)) {
        pidfd.reset();
    }
    return pidfd;
}

// How long `delete` waits for a SIGKILLed init to be gone.
constexpr std::chrono::seconds kInitExitTimeout{10};

// Waits until the pidfd reports the process has exited (readable), at most `timeout`.
bool wait_for_exit(int pidfd, std::chrono::milliseconds timeout) {
    pollfd pfd{pidfd, POLLIN, 0};
    int ready;
    do {
        ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    return ready > 0;
}

// Whether the container's spec asked for a PID namespace of its own (not a joined one).
bool has_private_pid_namespace(const nlohmann::json& record) {
    static const nlohmann::json::json_pointer kNamespaces("/spec/linux/namespaces");
    if (!record.contains(kNamespaces) || !record.at(kNamespaces).is_array()) {
        return false;
    }
    for (const auto& ns : record.at(kNamespaces)) {
        if (ns.is_object() && ns.value("type", "") == "pid" && ns.value("path", "").empty()) {
            return true;
        }
    }
    return false;
}

// Whether the recorded spec has hooks at all; decoding the whole spec is skipped otherwise.
bool has_hooks(const nlohmann::json& record) {
    static const nlohmann::json::json_pointer kHooks("/spec/hooks");
    return record.contains(kHooks);
}

// cgroup removal after the init died: a just-killed process can linger in the cgroup for a
// moment (exit is asynchronous), so retry briefly before giving up.
//
// With a PID namespace of its own nothing of the container can outlive the init: the kernel
// kills and reaps every other member before the init's exit completes. Freezing and signalling
// the cgroup is then skipped, as runc's destroy does (it would only cost a freezer round trip
// and could hit processes of someone else sharing the cgroup).
void destroy_cgroup(Cgroup& cgroup, bool may_have_survivors) {
    for (int attempt = 0;; ++attempt) {
        try {
            if (may_have_survivors || attempt > 0) {
                cgroup.signal_all(SIGKILL);
            }
            cgroup.destroy();
            return;
        } catch (const Error&) {
            if (attempt >= 50) {
                throw;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

void destroy(const StateStore& store, const ContainerView& view) {
    if (!view.record["cgroup"].is_null()) {
        Cgroup cgroup = Cgroup::from_state(view.record["cgroup"]);
        destroy_cgroup(cgroup, !has_private_pid_namespace(view.record));
    }
    store.remove(view.id);
    if (!has_hooks(view.record)) {
        return;
    }
    oci::Spec spec = view.spec();
    if (spec.hooks && !spec.hooks->poststop.empty()) {
        // runtime-spec: poststop failures are warnings; the container is gone either way.
        try {
            run_hooks(HookKind::Poststop, spec.hooks->poststop,
                      hook_state_json(spec, view.id, "stopped", 0, view.bundle()));
        } catch (const Error& e) {
            log_warning(e.what());
        }
    }
}

}  // namespace

const char* status_name(Status status) noexcept {
    switch (status) {
        case Status::Created:
            return "created";
        case Status::Running:
            return "running";
        case Status::Paused:
            return "paused";
        case Status::Stopped:
            return "stopped";
    }
    return "unknown";
}

oci::Spec ContainerView::spec() const { return oci::spec_from_json(record.at("spec")); }

std::string ContainerView::bundle() const { return record.value("bundle", ""); }

ContainerView load_container(const StateStore& store, const std::string& id) {
    ContainerView view;
    view.id = id;
    view.record = store.load(id);
    view.pid = view.record.value("init_pid", 0);
    view.start_time = view.record.value("init_start_time", uint64_t{0});
    struct stat st {};
    if (!view.record["cgroup"].is_null() && Cgroup::from_state(view.record["cgroup"]).frozen()) {
        view.status = Status::Paused;  // before the init check, like runc refreshState
    } else if (!process_alive(view.pid, view.start_time)) {
        view.status = Status::Stopped;
    } else if (::stat((store.dir_of(id) + "/" + kExecFifoName).c_str(), &st) == 0) {
        view.status = Status::Created;
    } else {
        view.status = Status::Running;
    }
    return view;
}

nlohmann::ordered_json runc_state_json(const ContainerView& view, const std::string& owner) {
    const auto& r = view.record;
    bool live = view.status != Status::Stopped;
    oci::Spec spec = view.spec();
    oci::State state;
    state.oci_version = spec.oci_version;
    state.id = view.id;
    state.status = status_name(view.status);
    state.pid = live ? view.pid : 0;
    state.bundle = r.value("bundle", "");
    state.annotations = spec.annotations;
    state.rootfs = r.value("rootfs", "");
    state.created = r.value("created", "");
    state.owner = owner;
    return oci::runc_state_to_json(state);
}

void start_container(const StateStore& store, const std::string& id) {
    ContainerLock lock = store.lock(id);
    ContainerView view = load_container(store, id);
    if (view.status == Status::Running) {
        throw Error(Error::Kind::WrongState, "cannot start an already running container");
    }
    if (view.status == Status::Stopped) {
        throw Error(Error::Kind::WrongState, "cannot start a container that has stopped");
    }
    if (view.status == Status::Paused) {
        throw Error(Error::Kind::WrongState, "cannot start a container in the paused state");
    }
    UniqueFd pidfd = open_init_pidfd(view);
    if (!pidfd) {
        throw Error(Error::Kind::WrongState, "cannot start a container that has stopped");
    }
    // runtime-spec: poststart hooks run after the program was executed, so with any, `start`
    // waits for the init's execve (the fifo's EOF) before running them.
    std::optional<oci::Spec> spec;
    if (has_hooks(view.record)) {
        spec = view.spec();
    }
    const bool poststart = spec && has_poststart_hooks(*spec);
    release_init(store.dir_of(id), pidfd.get(), poststart ? AwaitExec::Yes : AwaitExec::No);
    if (poststart) {
        run_poststart_hooks(*spec, id, view.pid, view.bundle());
    }
}

void kill_container(const StateStore& store, const std::string& id, int sig, bool all) {
    ContainerView view = load_container(store, id);
    if (all) {
        if (!view.record["cgroup"].is_null()) {
            // The init is in the cgroup too, so it has had the signal; it may even be gone
            // already because of it, which must not turn into "container not running".
            Cgroup::from_state(view.record["cgroup"]).signal_all(sig);
            return;
        }
        if (view.status == Status::Stopped) {
            return;  // runc 1.1: --all on a stopped container succeeds
        }
    }
    UniqueFd pidfd = open_init_pidfd(view);
    if (!pidfd) {
        throw Error(Error::Kind::WrongState, "container not running");
    }
    if (raw_pidfd_send_signal(pidfd.get(), sig) != 0) {
        if (errno == ESRCH) {
            throw Error(Error::Kind::WrongState, "container not running");
        }
        throw_errno("pidfd_send_signal " + std::to_string(sig) + " to init " +
                    std::to_string(view.pid));
    }
    if (view.status == Status::Paused && sig == SIGKILL) {
        // A task frozen by the v1 freezer does not die before it is thawed.
        Cgroup::from_state(view.record["cgroup"]).thaw();
    }
}

void pause_container(const StateStore& store, const std::string& id) {
    ContainerLock lock = store.lock(id);
    ContainerView view = load_container(store, id);
    if (view.status != Status::Running && view.status != Status::Created) {
        throw Error(Error::Kind::WrongState, "container not running");
    }
    if (view.record["cgroup"].is_null()) {
        throw Error(Error::Kind::Invalid, "pause: the container has no cgroup");
    }
    Cgroup::from_state(view.record["cgroup"]).freeze();
}

void update_container(const StateStore& store, const std::string& id,
                      const oci::Resources& resources) {
    ContainerLock lock = store.lock(id);
    ContainerView view = load_container(store, id);
    if (view.status == Status::Stopped) {
        throw Error(Error::Kind::WrongState, "container not running");
    }
    if (view.record["cgroup"].is_null()) {
        throw Error(Error::Kind::Invalid, "update: the container has no cgroup");
    }
    // Zero means "leave as it is" here, as in runc's update: Docker sends every limit, the
    // ones it does not change as 0 (a cpu period of 0 is even invalid).
    oci::Resources changes = resources;
    auto unless_zero = [](auto& value) {
        if (value && *value == 0) value.reset();
    };
    unless_zero(changes.memory_limit);
    unless_zero(changes.cpu_shares);
    unless_zero(changes.cpu_period);
    unless_zero(changes.cpu_quota);
    unless_zero(changes.pids_limit);
    Cgroup::from_state(view.record["cgroup"]).update_limits(changes);
}

void resume_container(const StateStore& store, const std::string& id) {
    ContainerLock lock = store.lock(id);
    ContainerView view = load_container(store, id);
    if (view.status != Status::Paused) {
        throw Error(Error::Kind::WrongState, "container not paused");
    }
    Cgroup::from_state(view.record["cgroup"]).thaw();
}

int listen_fds_from_env(const char* listen_pid, const char* listen_fds, pid_t own_pid) {
    if (listen_pid == nullptr || listen_fds == nullptr) {
        return 0;
    }
    auto parse = [](const char* text) {
        char* end = nullptr;
        errno = 0;
        long value = std::strtol(text, &end, 10);
        bool ok = *text != '\0' && *end == '\0' && errno == 0 && value >= 0 && value < 65536;
        return ok ? static_cast<int>(value) : -1;
    };
    if (parse(listen_pid) != own_pid) {
        return 0;
    }
    return std::max(parse(listen_fds), 0);
}

void delete_container(const StateStore& store, const std::string& id, bool force) {
    validate_container_id(id);
    if (!store.exists(id)) {
        // A stray directory from an interrupted create is removed either way (runc delete.go).
        store.remove(id);
        if (force) {
            return;
        }
        throw Error(Error::Kind::NotFound, "container " + id + " does not exist");
    }
    ContainerLock lock = store.lock(id);
    ContainerView view = load_container(store, id);
    if ((view.status == Status::Running || view.status == Status::Paused) && !force) {
        throw Error(
            Error::Kind::WrongState,
            "cannot delete container " + id + " that is not stopped: " + status_name(view.status));
    }
    if (view.status != Status::Stopped) {
        // created (runc, crun and youki kill it even without --force; containerd relies on it)
        // or running with --force.
        UniqueFd pidfd = open_init_pidfd(view);
        if (pidfd) {
            raw_pidfd_send_signal(pidfd.get(), SIGKILL);
            if (view.status == Status::Paused) {
                Cgroup::from_state(view.record["cgroup"]).thaw();  // or SIGKILL never lands
            }
            if (!wait_for_exit(pidfd.get(), kInitExitTimeout)) {
                throw Error(Error::Kind::System,
                            "container " + id + ": init (pid " + std::to_string(view.pid) +
                                ") still running " + std::to_string(kInitExitTimeout.count()) +
                                " s after SIGKILL" + describe_stuck_init(view.pid));
            }
        }
    }
    destroy(store, view);
}

void delete_after_run(const StateStore& store, const std::string& id,
                      const CreatedContainer& created) {
    if (created.poststop_hooks) {
        delete_container(store, id, true);
        return;
    }
    if (!store.exists(id)) {
        return;
    }
    ContainerLock lock = store.lock(id);
    if (!store.exists(id)) {
        return;  // a `delete` that held the lock before us removed it
    }
    if (created.cgroup) {
        Cgroup cgroup = *created.cgroup;
        destroy_cgroup(cgroup, !created.private_pid_namespace);
    }
    store.remove(id);
}

CgroupStats container_stats(const StateStore& store, const std::string& id) {
    ContainerView view = load_container(store, id);
    if (view.status == Status::Stopped) {
        throw Error(Error::Kind::WrongState, "container " + id + " is not running");
    }
    if (view.record["cgroup"].is_null()) {
        throw Error(Error::Kind::Invalid, "container " + id + " has no cgroup to report on");
    }
    return Cgroup::from_state(view.record["cgroup"]).stats();
}

std::vector<pid_t> container_pids(const StateStore& store, const std::string& id) {
    ContainerView view = load_container(store, id);
    if (view.record["cgroup"].is_null()) {
        return {};
    }
    return Cgroup::from_state(view.record["cgroup"]).pids();
}

}  // namespace plugrt
