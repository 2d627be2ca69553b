// The container's /dev when plugrt provides it (the spec does not bind something onto /dev):
// runc's default nodes, the spec's linux.devices, the /dev/fd, /dev/std{in,out,err} and
// /dev/core symlinks, and /dev/ptmx -> pts/ptmx (runc rootfs_linux.go createDevices,
// setupDevSymlinks, setupPtmx). Everything is created relative to fds opened inside the rootfs,
// never by path string (CVE-2026-41579 / CVE-2026-47766: /dev as a symlink in the image).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt {

struct DeviceNode {
    std::string path;  // clean, absolute, below /dev/
    char type = 'c';   // c (or u), b, p
    unsigned major = 0;
    unsigned minor = 0;
    mode_t mode = 0666;  // permission bits only
    uid_t uid = 0;
    gid_t gid = 0;
};

// runc's default nodes (null, zero, full, tty, urandom, random), then the spec's devices; a
// spec device replaces a default one with the same path. Throws Error(Invalid) for paths not
// below /dev/ (plugrt is stricter than runc here: a plugin config must not create nodes
// elsewhere), unknown types, and numbers out of range.
std::vector<DeviceNode> planned_device_nodes(const oci::Linux* linux);

// Creates the nodes with mknodat in an in-root parent directory, falls back to bind-mounting
// the host node when mknod is not permitted (user namespace: EPERM), then chowns/chmods through
// an O_PATH fd after checking the type and rdev; then the symlinks and ptmx.
void setup_dev(int root_fd, const oci::Linux* linux);

}  // namespace plugrt
