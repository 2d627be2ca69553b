// Linux namespaces of the container: which ones a clone creates, which existing ones are joined
// (setns), the user-namespace id maps and the UTS names. Parent and child halves are named for
// where they run.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt {

// CLONE_NEW* for every namespace listed without a `path` (runtime-spec "linux.namespaces"),
// after checking that the kernel has it (/proc/self/ns/<name>). CLONE_NEWCGROUP is deliberately
// NOT included: the cgroup namespace must be created after the init has been moved into its
// cgroup, or its root would be plugrt's own cgroup (crun linux.c, runc nsexec "unshare cgroupns
// after the parent has set up cgroups"). Use unshare_cgroup_namespace_if_requested() for it.
// Throws Error(Invalid) for unknown types, duplicates, an unsupported kernel namespace, or
// timeOffsets (they can only be written before the first task enters a time namespace, which
// a single clone3 cannot do).
int clone_flags_for(const oci::Linux& linux);

// Parent, before clone: setns() for pid and time namespace paths. Both only affect children
// created afterwards (setns(2): "pid_for_children", "time_for_children").
void join_namespaces_before_clone(const oci::Linux& linux);

// Child: setns() for every other namespace path. All paths are opened first (joining the mount
// namespace would change what later paths resolve to), then the user namespace is joined first
// so that the remaining setns calls are checked against its capabilities (runc nsexec.c
// join_namespaces), and the mount namespace last.
void join_namespaces_in_child(const oci::Linux& linux);

// Child, once it is in its cgroup: unshare(CLONE_NEWCGROUP) when a cgroup namespace without a
// path is requested. No-op otherwise.
void unshare_cgroup_namespace_if_requested(const oci::Linux& linux);

// Parent: writes /proc/<child>/uid_map, then "deny" to /proc/<child>/setgroups when the writer
// lacks CAP_SETGID in the parent namespace (user_namespaces(7): gid_map is refused otherwise),
// then gid_map. No-op without mappings.
void write_id_mappings(pid_t child, const oci::Linux& linux);

// "0 1000 65536\n..." as the kernel wants it in uid_map/gid_map (one write, <= 340 lines).
std::string format_id_map(const std::vector<oci::IdMapping>& mappings);

// Child: sethostname/setdomainname when spec.hostname/domainname are set. Like runc, this needs
// a UTS namespace of the container's own (created or joined); otherwise it would rename the host.
void set_hostname(const oci::Spec& spec);

// "network" -> CLONE_NEWNET etc.; throws Error(Invalid) for an unknown type.
int clone_flag_for_type(const std::string& type);
// "network" -> "net": the name under /proc/<pid>/ns/.
const char* proc_ns_name(const std::string& type);

}  // namespace plugrt
