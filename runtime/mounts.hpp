// Executes planned mounts inside the container's rootfs (child side, in its own mount
// namespace, before pivot_root). Every target is resolved inside the rootfs to an O_PATH fd
// (path_in_root.hpp) and the mount goes onto /proc/self/fd/<fd>, so a symlink or a racing
// rename cannot redirect it (CVE-2021-30465). After each mount the target is reopened, so that
// remounts and propagation changes act on the new mount, not the one underneath.
#pragma once

#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/cgroup_detect.hpp"
#include "runtime/mount_plan.hpp"
#include "runtime/path_in_root.hpp"

namespace plugrt {

// Performs one planned mount. `spec` and `host_cgroups` supply what the cgroup mount needs
// (namespaces, the host's hierarchies).
void perform_mount(const PlannedMount& mount, int root_fd, const oci::Spec& spec,
                   const CgroupLayout& host_cgroups);

// Bind-remounts the mount at `target` read-only (MS_REMOUNT|MS_BIND|MS_RDONLY), keeping the
// nosuid/nodev/noexec/atime flags it already has: in a user namespace those are locked and a
// remount that drops them fails with EPERM (mount(2), "EPERM").
void remount_read_only(const InRootPath& target);

// MS_REMOUNT|MS_BIND with `flags` plus the target's current flags not in `clear_flags`.
void remount_bind_flags(const InRootPath& target, unsigned long flags, unsigned long clear_flags);

// mount(NULL, target, NULL, <propagation>) for each entry, in order.
void apply_propagation(const InRootPath& target, const std::vector<unsigned long>& propagation);

// The MS_* flags of the mount `fd` is on, from fstatvfs (ST_RDONLY, ST_NOSUID, ...).
unsigned long current_mount_flags(int fd);

}  // namespace plugrt
