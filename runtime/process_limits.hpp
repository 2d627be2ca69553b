// Per-process limits and kernel parameters of the container: sysctls, rlimits, oom_score_adj,
// personality (child side; sysctls may run before or after pivot_root, the rest after it).
#pragma once

#include <string>

#include "oci/spec.hpp"

namespace plugrt {

// Writes every linux.sysctl entry under /proc/sys. Keys are checked first (all of them, before
// any write): well-formed (no "..", empty or "." components, no leading "/"), and namespaced the
// way runc's validator requires (libcontainer/configs/validate sysctl): IPC keys need an ipc
// namespace, net.* a network namespace, kernel.domainname a UTS namespace; kernel.hostname and
// everything else, which would change the *host*, are refused. Files are opened beneath a
// verified procfs /proc/sys fd with symlinks refused, so an over-mount or symlink cannot
// redirect the write (CVE-2025-52881).
void apply_sysctl(const oci::Linux& linux);

// The relative path under /proc/sys for a key ("net.ipv4.ip_forward" -> "net/ipv4/ip_forward";
// keys already using "/" keep their dots: "net/ipv4/conf/eno2.100/rp_filter"). Throws
// Error(Invalid) naming the key when it is malformed or not namespaced for `linux`.
std::string sysctl_path(const std::string& key, const oci::Linux& linux);

// setrlimit for each process.rlimits entry; unknown types, duplicates and soft > hard fail
// (runtime-spec: "duplicate type MUST error").
void apply_rlimits(const oci::Process& process);

// RLIMIT_* name -> resource number; -1 for an unknown name.
int rlimit_resource(const std::string& type);

// Best effort, as in runc: a failure is printed as a warning to stderr, not an error.
void apply_oom_score_adj(const oci::Process& process);

// personality(2) for linux.personality.domain LINUX or LINUX32; must run before any seccomp
// filter that might forbid it (runc personality.bats).
void apply_personality(const oci::Linux& linux);

}  // namespace plugrt
