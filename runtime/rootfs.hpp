// The container's root filesystem, from the host's mount namespace copy to the final "/"
// (child side, in its new mount namespace). The single entry point runs, in order:
//   1. "/" made MS_REC|MS_SLAVE, or the spec's rootfsPropagation, so nothing the container
//      mounts propagates to the host (runc rootfs_linux.go prepareRoot);
//   2. the mount containing the rootfs made private (slave for a slave rootfsPropagation) if
//      it is shared, so the rootfs bind does not join a host peer group and pivot_root's
//      "parent must not be shared" check passes;
//   3. the rootfs bound onto itself MS_BIND|MS_REC (pivot_root needs a mount point);
//   4. the spec mounts in order (mounts.hpp), every destination resolved inside the rootfs;
//      in_cgroups() runs once, right before the first "cgroup" mount (it shows the init's own
//      cgroups) or after the last mount: from there on the init is in its cgroups;
//   5. /dev: default nodes, spec devices, symlinks, ptmx (devices.hpp) unless /dev is a bind;
//   6. before_pivot(): the lifecycle's hooks and sysctls;
//   7. pivot_root(".", ".") + old root rslave + MNT_DETACH, or MS_MOVE + chroot (no_pivot);
//   8. shared rootfsPropagation re-applied to the new "/" (a Docker plugin's propagated mount
//      depends on it; doing it before the pivot would share the host's "/");
//   9. tmpfs mounts and /dev that asked for "ro" remounted read-only (after /dev was filled);
//      the root remounted read-only if root.readonly;
//  10. readonly paths (recursive bind + read-only remount), then masked paths (/dev/null over
//      files, an empty read-only tmpfs over directories), both through in-root fds.
#pragma once

#include <functional>
#include <string>

#include "oci/spec.hpp"
#include "runtime/cgroup_detect.hpp"

namespace plugrt {

// `host_cgroups`: the host's cgroup layout, detected by the parent before clone.
void prepare_rootfs(const oci::Spec& spec, const std::string& bundle_dir, bool no_pivot,
                    const CgroupLayout& host_cgroups, const std::function<void()>& in_cgroups,
                    const std::function<void()>& before_pivot);

// "rshared" -> MS_SHARED|MS_REC, "" -> MS_SLAVE|MS_REC (runc's default); throws for unknown.
unsigned long root_propagation_flags(const std::string& rootfs_propagation);

}  // namespace plugrt
