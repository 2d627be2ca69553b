// The host side of enabling a plugin, as dockerd does it (moby-plugin-spec §b "Enable-time host
// side effects"), and its undoing at stop:
//
// - the socket directory /run/docker/plugins/<id> (mode 0700), which the spec binds into the
//   plugin as /run/docker/plugins;
// - the propagated-mount directory, made a mount point (bound onto itself when it is not one)
//   and rshared, so that the mounts a volume plugin makes under it inside its mount namespace
//   appear on the host;
// - Docker's "init layer" on the plugin rootfs: unlink any file or symlink on the way to
//   /dev/pts, /dev/shm, /proc, /sys, /.dockerenv, /etc/resolv.conf, /etc/hosts, /etc/hostname,
//   /dev/console and /etc/mtab, then create what is missing (directories 0755, empty files
//   0755 as Docker does, /etc/mtab -> /proc/mounts), owned by 0:0.
//
// The init layer is applied with *at() calls on directory fds opened O_NOFOLLOW below the
// rootfs: the rootfs is the plugin author's content, and a symlink in it must never make plugrt
// create or delete anything outside it (Docker resolves these paths through symlinks).
#pragma once

#include <string>
#include <vector>

namespace plugrt::shim {

struct PluginHostLayout {
    std::string rootfs;
    std::string socket_dir;
    std::string propagated_mount;  // empty: the plugin declares no propagated mount
};

// Creates what is missing. On failure, undoes what this call did and throws SysError naming
// the path and the syscall.
void prepare_plugin_host(const PluginHostLayout& layout);

// Unmounts the propagated mount (with everything mounted below it) and removes the socket
// directory. Never throws: returns one line per thing it could not undo.
std::vector<std::string> teardown_plugin_host(const PluginHostLayout& layout) noexcept;

// Docker's initlayer.Setup on `rootfs`. Throws SysError naming the path inside the rootfs.
void apply_init_layer(const std::string& rootfs);

// statx's STATX_ATTR_MOUNT_ROOT: whether `path` is the root of a mount.
bool is_mount_point(const std::string& path);

}  // namespace plugrt::shim
