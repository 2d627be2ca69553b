// OCI lifecycle hooks (runtime-spec config.md "POSIX-platform Hooks").
//
// Who runs which kind is fixed by where the runtime-spec says its path resolves:
//   prestart, createRuntime   R (`plugrt create`) on the init's HooksPlease, runtime namespaces
//   createContainer           the init, in the container's mount namespace before pivot_root
//   startContainer            the init after `start` released it, before execve
//   poststart                 `plugrt start` after the release
//   poststop                  `plugrt delete` after the container is gone
// Each hook gets the container state JSON on stdin. A hook exceeding `timeout` is SIGKILLed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt {

enum class HookKind {
    Prestart,
    CreateRuntime,
    CreateContainer,
    StartContainer,
    Poststart,
    Poststop
};

// "prestart", "createRuntime", ... as runc names them in messages.
const char* hook_kind_name(HookKind kind) noexcept;

// Runs `hooks` in order, each with `state_json` on stdin. The first failure throws Error with
// runc's wording: "error running <kind> hook #<i>: <reason>, stdout: <out>, stderr: <err>",
// where reason is "exit status N", "signal: killed", or "hook ran past specified timeout of
// N.Ns".
void run_hooks(HookKind kind, const std::vector<oci::Hook>& hooks, const std::string& state_json);

// Whether the spec has poststart hooks: only then must start/run wait for the init's execve.
bool has_poststart_hooks(const oci::Spec& spec);

// poststart hooks after the init was released: a failure is logged as a warning and the
// container keeps running (runtime-spec <= 1.2, runtime-tools' poststart_fail).
void run_poststart_hooks(const oci::Spec& spec, const std::string& id, pid_t pid,
                         const std::string& bundle);

// The OCI state document hooks read on stdin: ociVersion, id, status, pid (omitted when 0),
// bundle, annotations (omitted when empty).
std::string hook_state_json(const oci::Spec& spec, const std::string& id, const std::string& status,
                            pid_t pid, const std::string& bundle);

}  // namespace plugrt
