// Resolving, creating and opening paths *inside* a container rootfs, so that no symlink (absolute
// or relative), ".." or racing rename can make plugrt act on a host path.
//
// Every component is looked up with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) relative to
// the rootfs dirfd: symlinks are never followed by the kernel but read and spliced by hand,
// interpreted with the rootfs as "/" (like chroot(2) would). Because the already-resolved prefix
// is symlink-free by construction, a component swapped for a symlink between two steps makes
// the next lookup fail with ELOOP instead of escaping (CVE-2021-30465, CVE-2024-45310,
// CVE-2019-18837). Callers act on the returned O_PATH fd through /proc/self/fd/N, never on a
// re-resolved string (runc's filepath-securejoin MkdirAllInRoot/OpenInRoot, crun's
// chroot_realpath + safe_openat).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "runtime/unique_fd.hpp"

namespace plugrt {

struct InRootPath {
    UniqueFd fd;       // O_PATH|O_CLOEXEC, refers to the resolved object itself
    std::string path;  // its clean absolute path inside the root ("/" for the root itself)
};

// Looks `path` up inside the root, following symlinks (including a trailing one) within it.
// Returns nullopt if some component does not exist; throws for other errors (ELOOP, ENOTDIR).
std::optional<InRootPath> lookup_in_root(int root_fd, std::string_view path);

// Like lookup_in_root but a missing path is an Error(Kind::NotFound).
InRootPath open_in_root(int root_fd, std::string_view path);

// mkdir -p inside the root: missing directories (also those a dangling symlink points at) are
// created with `mode` (subject to umask). Throws ENOTDIR if a component is not a directory.
InRootPath mkdir_all_in_root(int root_fd, std::string_view path, mode_t mode);

// Creates the parent directories, then an empty regular file with `mode` if nothing exists at
// `path` (O_CREAT|O_EXCL|O_NOFOLLOW). An existing object of any type is returned as is.
InRootPath create_file_in_root(int root_fd, std::string_view path, mode_t mode);

// The directory that will hold `path`'s last component, created if missing, plus that component
// (for mknodat/symlinkat/unlinkat, which must not follow a trailing symlink). Throws if `path`
// has no last component ("/", "/..").
struct InRootParent {
    InRootPath dir;
    std::string name;
};
InRootParent open_parent_in_root(int root_fd, std::string_view path, mode_t dir_mode = 0755);

}  // namespace plugrt
