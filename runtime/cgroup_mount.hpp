// The container's /sys/fs/cgroup for a spec mount of type "cgroup" (child side, before
// pivot_root, after the init has been placed in its cgroups).
//
// On a v1/hybrid host this follows runc (rootfs_linux.go mountCgroupV1):
//   - a tmpfs (mode=755) at the destination;
//   - for every v1 hierarchy, a directory named like the host's mount point ("cpu",
//     "cpu,cpuacct", "systemd") holding
//       * without a cgroup namespace: a bind of the container's own cgroup directory in that
//         hierarchy, so the container sees its cgroup as the hierarchy root and nothing above;
//       * with a cgroup namespace: a fresh cgroup v1 mount of that hierarchy, whose root the
//         kernel already limits to the namespace root;
//   - symlinks "cpu" -> "cpu,cpuacct" etc. for co-mounted controllers;
//   - the spec's flags (ro, nosuid, noexec, nodev) on every bind and finally on the tmpfs.
// The hybrid host's controller-less cgroup2 hierarchy is not exposed, as in runc 1.1.
// On a unified host: cgroup2 mounted at the destination (its root is the cgroup namespace root
// when there is one); if the kernel refuses (EPERM/EBUSY without a cgroup namespace), a bind of
// the container's own cgroup directory instead, as runc mountCgroupV2 does.
#pragma once

#include "oci/spec.hpp"
#include "runtime/cgroup_detect.hpp"
#include "runtime/mount_plan.hpp"

namespace plugrt {

// `host_layout` is the host's cgroup layout as the parent detected it just before clone: the
// init's mountinfo is still a copy of the host's at this point, so reading it again would only
// repeat the parent's work.
void mount_cgroup_filesystem(const PlannedMount& mount, int root_fd, const oci::Spec& spec,
                             const CgroupLayout& host_layout);

}  // namespace plugrt
