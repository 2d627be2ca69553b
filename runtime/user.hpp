// The container process's user and groups (runc setupUser, crun set_uid_gid).
#pragma once

#include "oci/spec.hpp"

namespace plugrt {

// setgroups(additionalGids) -- always, so that the caller's supplementary groups (docker,
// disk, ...) do not leak into the container, except when setgroups is denied in a user
// namespace (user_namespaces(7)); then setresgid and setresuid to the spec's ids. uid/gid
// 4294967295 is refused: (uid_t)-1 means "unchanged" to setresuid, so the process would
// silently stay root (CVE-2026-30892 class).
void switch_user(const oci::User& user);

// runc fixStdioPermissions: before the uid switch, fchown each of fds 0-2 to `uid` (keeping its
// gid) unless it already belongs to `uid` or is /dev/null (char 1:3), so that a non-root process
// can reopen its stdio through /proc/self/fd/N (/dev/stdout). EINVAL (gid not mapped), EPERM
// (owner not mapped in our user namespace) and EROFS are ignored, as runc does; a closed fd is
// skipped.
void fix_stdio_permissions(uint32_t uid);

// True when /proc/self/setgroups says "deny".
bool setgroups_denied();

// umask(user.umask), or 0022 when unset (runc finalizeRootfs).
void apply_umask(const oci::User& user);

}  // namespace plugrt
