// Linux namespaces of the container: which ones a clone creates, which existing ones are joined
// (setns), the user-namespace id maps and the UTS names. Parent and child halves are named for
// where they run.
#pragma once

#include <sys/types.h>

#include <map>
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
// timeOffsets without a new time namespace to apply them to (none listed, or one with a path:
// a joined namespace's offsets were fixed when its first task entered it).
int clone_flags_for(const oci::Linux& linux);

// "monotonic 86400 0\nboottime 5 500\n": linux.timeOffsets as /proc/<pid>/timens_offsets
// wants them (time_namespaces(7)); one write.
std::string format_time_offsets(const std::map<std::string, oci::TimeOffset>& offsets);

// Parent, right before clone: linux.timeOffsets can only be written before the first task
// enters a time namespace, and clone3(CLONE_NEWTIME) puts the init into it at once. So, like
// runc's nsexec, the namespace is made with unshare(CLONE_NEWTIME) — which only changes
// *this* process's time namespace for children — and the offsets are written to
// /proc/self/timens_offsets; the init, cloned without CLONE_NEWTIME, is then born into it.
// restore() (or the destructor) puts this process's children back into its own time namespace,
// so hooks the runtime runs later are not affected. active() is false (nothing done) without
// offsets; spawn then uses CLONE_NEWTIME as for every other namespace.
class TimeNamespaceForChildren {
public:
    explicit TimeNamespaceForChildren(const oci::Linux& linux);
    ~TimeNamespaceForChildren();
    TimeNamespaceForChildren(const TimeNamespaceForChildren&) = delete;
    TimeNamespaceForChildren& operator=(const TimeNamespaceForChildren&) = delete;

    bool active() const noexcept { return saved_ >= 0; }
    void restore();

private:
    int saved_ = -1;  // O_RDONLY fd of our own /proc/self/ns/time
};

// Parent, before clone: setns() for pid and time namespace paths. Both only affect children
// created afterwards (setns(2): "pid_for_children", "time_for_children").
void join_namespaces_before_clone(const oci::Linux& linux);

// Child: setns() for every other namespace path. All paths are opened first (joining the mount
// namespace would change what later paths resolve to), then the user namespace is joined first
// so that the remaining setns calls are checked against its capabilities (runc nsexec.c
// join_namespaces), and the mount namespace last.
void join_namespaces_in_child(const oci::Linux& linux);

// Child, in a user namespace (created, once R has written the maps, or joined): become root of
// that namespace with setresgid/setresuid(0, 0, 0). The clone leaves the init with the host's
// ids, which are unmapped there, and the kernel refuses to create files for an unmapped fsuid
// (EOVERFLOW, e.g. mkdir in the container's /dev tmpfs). runc nsexec does the same. No-op
// without a user namespace.
void become_root_in_user_namespace(const oci::Linux& linux);

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
