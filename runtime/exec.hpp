// `plugrt exec`: run another process inside a running container (runtime-cli-contract §1.2
// exec). containerd passes a full OCI `process` object in a file (`--process F`) together with
// `--detach --pid-file`; the process must end up in every namespace and the cgroup of the
// container, with the requested user, capabilities and seccomp filter, re-parented to the
// engine's subreaper, its host pid in the pid file.
//
// Processes:  R (`plugrt exec`) ─fork→ J (joiner) ─setns(pidfd, all ns)→ fork → E (the process)
// setns into a PID namespace only affects children (setns(2)), hence J forks E; J reports E's
// pid and exits. E reports an error on the sync channel, or execs, which closes the channel
// (CLOEXEC): EOF means the exec happened (nsjail subproc.cc:539-575).
#pragma once

#include <string>

#include "oci/spec.hpp"
#include "runtime/state_store.hpp"

namespace plugrt {

struct ExecOptions {
    std::string id;
    oci::Process process;  // from --process, or the container's process with CLI overrides
    bool detach = false;
    // runc --ignore-paused: exec into a paused container. Whatever joins its freezer cgroup
    // freezes, so the process starts, and exec returns, once the container is resumed (runc
    // behaves the same). Without it, a paused container is refused.
    bool ignore_paused = false;
    std::string pid_file;
    int preserve_fds = 0;
    // With process.terminal: a connected socket (--console-socket, or the caller's relay) that
    // receives the pty master; the process gets the slave as stdio and controlling terminal.
    // Not owned; -1 without a terminal.
    int console_fd = -1;
};

// Loads the container's process from its stored spec (the default for exec without --process).
oci::Process container_process(const StateStore& store, const std::string& id);

// Starts the process and returns its host pid once it has exec'd. Unless `detach`, we are its
// subreaper and must reap it (wait_exit_status). Setup failures throw (the CLI exits 255 for
// them, like runc).
pid_t start_exec_process(const StateStore& store, const ExecOptions& options);

}  // namespace plugrt
