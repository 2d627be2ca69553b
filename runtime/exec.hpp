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
    std::string pid_file;
    int preserve_fds = 0;
};

// Loads the container's process from its stored spec (the default for exec without --process).
oci::Process container_process(const StateStore& store, const std::string& id);

// Runs the process. With `detach` returns 0 once it runs; otherwise waits and returns its exit
// status (128+signal). Setup failures throw (the CLI exits 255 for them, like runc).
int exec_in_container(const StateStore& store, const ExecOptions& options);

}  // namespace plugrt
