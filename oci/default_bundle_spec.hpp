// The config.json `plugrt spec` writes: the same starting point `runc spec` (runc 1.1) gives a
// user, so that documentation and habits carry over. Not to be confused with Docker's default
// spec (what plugin specs start from), which has more capabilities and mounts.
#pragma once

#include <cstdint>

#include "oci/spec.hpp"

namespace plugrt::oci {

struct DefaultBundleOptions {
    // runc adds a cgroup namespace only on cgroup v2 hosts; the caller knows which host it is.
    bool cgroup_namespace = true;
    // For an unprivileged user: a user namespace mapping container root to host_uid/host_gid,
    // no network or cgroup namespace, /sys bound from the host (sysfs cannot be mounted without
    // owning the network namespace), no uid=/gid= mount options and no cgroup resources.
    bool rootless = false;
    uint32_t host_uid = 0;
    uint32_t host_gid = 0;
};

Spec default_bundle_spec(const DefaultBundleOptions& options = {});

}  // namespace plugrt::oci
