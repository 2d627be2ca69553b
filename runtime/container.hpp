// The runc-compatible container lifecycle: create, start, state, kill, delete, ps.
//
// Every command is a separate process; what a command knows about a container comes from the
// state store and from the live system. The status in particular is never trusted from the
// file: it is derived like runc's refreshState (runtime-cli-contract §2.1):
//   the container's cgroup frozen by `pause`                   → paused
//   init gone, zombie, or its start time differs (pid reused)  → stopped
//   exec.fifo still present                                    → created
//   otherwise                                                  → running
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/cgroup_stats.hpp"
#include "runtime/cgroups.hpp"
#include "runtime/state_store.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

struct CreateOptions {
    std::string id;
    std::string bundle_dir;      // default: the current directory
    std::string pid_file;        // empty: none
    std::string console_socket;  // empty: none
    bool no_pivot = false;
    bool no_new_keyring = false;
    bool systemd_cgroup = false;
    int preserve_fds = 0;
    // systemd socket activation (runc utils_linux.go): the caller's LISTEN_FDS fds 3..3+n-1,
    // handed over before the --preserve-fds ones, with LISTEN_FDS=n LISTEN_PID=1 added to the
    // process env. Set by the CLI from its environment (listen_fds_from_env).
    int listen_fds = 0;
    // `plugrt run`: start as part of create. There is no exec.fifo to wait on; create
    // returns with it running (poststart hooks done), saving `start`'s reload and round trip.
    bool start = false;
    // Foreground `run` without --console-socket: when process.terminal is set, the pty master
    // comes back in CreatedContainer for the caller to relay (runc does the same, tty.go)
    // instead of the "needs --console-socket" refusal. Unused without a terminal.
    bool relay_terminal = false;
};

struct CreatedContainer {
    pid_t pid = -1;            // the init's host pid
    UniqueFd terminal_master;  // with relay_terminal and process.terminal; empty otherwise
    // What delete_after_run needs, known at create: the cgroups, whether the init has a PID
    // namespace of its own (nothing can outlive it then), whether there are poststop hooks.
    std::optional<Cgroup> cgroup;
    bool private_pid_namespace = false;
    bool poststop_hooks = false;
};

// go-systemd activation.Files as runc uses it: LISTEN_FDS when LISTEN_PID is `own_pid`, else 0.
// A malformed or negative value counts as 0.
int listen_fds_from_env(const char* listen_pid, const char* listen_fds, pid_t own_pid);

enum class Status { Created, Running, Paused, Stopped };
const char* status_name(Status status) noexcept;

// A container's stored record plus its live status.
struct ContainerView {
    std::string id;
    nlohmann::json record;  // state.json
    pid_t pid = 0;
    uint64_t start_time = 0;
    Status status = Status::Stopped;

    oci::Spec spec() const;
    std::string bundle() const;
};

// R1..R7: returns once the init is parked before user code (with `start`: on its way to it),
// with state.json and the pid file written; on failure nothing is left (process, cgroup, state
// dir, pid file).
CreatedContainer create_container(const StateStore& store, const CreateOptions& options);

// Error(NotFound) "container X does not exist".
ContainerView load_container(const StateStore& store, const std::string& id);

// runc's `state` object: ociVersion, id, pid (0 unless created/running), status, bundle,
// rootfs, created, annotations (omitted when empty), owner.
nlohmann::ordered_json runc_state_json(const ContainerView& view, const std::string& owner = "");

// Releases a created container's init; runs poststart hooks. Errors: "cannot start an already
// running container", "cannot start a container that has stopped".
void start_container(const StateStore& store, const std::string& id);

// Signals the init (pidfd, start-time checked) or, with `all`, every process in its cgroup.
// Error(WrongState) "container not running" when it is stopped (success with `all`, as runc 1.1
// when the cgroup is gone). A paused container stays frozen (the signal is delivered on
// resume), except for SIGKILL, which thaws it so that it dies (runc libcontainer Signal).
void kill_container(const StateStore& store, const std::string& id, int sig, bool all);

// created or stopped ⇒ destroy; running/paused ⇒ error unless `force` (then SIGKILL, thaw a
// paused cgroup, wait, destroy); unknown ⇒ success with `force`, else "container X does not
// exist".
void delete_container(const StateStore& store, const std::string& id, bool force);

// `plugrt run`'s delete, once the init it waited for has exited: what `delete --force` does,
// from what create already knew, without reading state.json back or working out a status it
// knows. With poststop hooks it is `delete --force` itself (the hooks get the recorded spec).
// A container deleted meanwhile by someone else is no error.
void delete_after_run(const StateStore& store, const std::string& id,
                      const CreatedContainer& created);

// Freezes a created or running container (Error(WrongState) "container not running"
// otherwise); resumes a paused one (Error(WrongState) "container not paused" otherwise).
void pause_container(const StateStore& store, const std::string& id);
void resume_container(const StateStore& store, const std::string& id);

// `update`: sets the memory, cpu and pids limits `resources` names on a created, running or
// paused container's cgroup; the device rules and the limits it does not name, or names as 0,
// stay (runc update). Error(WrongState) "container not running" for a stopped one.
void update_container(const StateStore& store, const std::string& id,
                      const oci::Resources& resources);

// `events --stats`: the cgroup's usage figures now. Error(WrongState) "container not running"
// for a stopped container (its cgroup is gone or empty), Error(Invalid) without a cgroup.
CgroupStats container_stats(const StateStore& store, const std::string& id);

// Host pids of every process in the container's cgroup.
std::vector<pid_t> container_pids(const StateStore& store, const std::string& id);

}  // namespace plugrt
