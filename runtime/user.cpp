#include "runtime/user.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "runtime/error.hpp"
#include "runtime/text_file.hpp"

namespace plugrt {
namespace {

constexpr uint32_t kUnchangedId = 0xffffffffU;

}  // namespace

void fix_stdio_permissions(uint32_t uid) {
    for (int fd = 0; fd <= 2; ++fd) {
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            if (errno == EBADF) {
                continue;
            }
            throw_errno("fstat stdio fd " + std::to_string(fd));
        }
        const bool dev_null = S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
        if (st.st_uid == uid || dev_null) {
            continue;
        }
        if (::fchown(fd, uid, st.st_gid) != 0 && errno != EINVAL && errno != EPERM &&
            errno != EROFS) {
            throw_errno("fchown stdio fd " + std::to_string(fd) + " to uid " + std::to_string(uid));
        }
    }
}

bool setgroups_denied() { return read_first_line_or_empty("/proc/self/setgroups") == "deny"; }

void switch_user(const oci::User& user) {
    if (user.uid == kUnchangedId || user.gid == kUnchangedId) {
        throw Error(Error::Kind::Invalid, "process.user: uid/gid 4294967295 is not a valid id");
    }
    std::vector<gid_t> groups(user.additional_gids.begin(), user.additional_gids.end());
    for (gid_t gid : groups) {
        if (gid == kUnchangedId) {
            throw Error(Error::Kind::Invalid,
                        "process.user.additionalGids: 4294967295 is not a valid id");
        }
    }
    if (!setgroups_denied()) {
        if (::setgroups(groups.size(), groups.data()) < 0) {
            throw_errno("setgroups process.user.additionalGids");
        }
    } else if (!groups.empty()) {
        throw Error(Error::Kind::Invalid,
                    "process.user.additionalGids: setgroups is denied in this user namespace");
    }
    if (::setresgid(user.gid, user.gid, user.gid) < 0) {
        throw_errno("setresgid " + std::to_string(user.gid));
    }
    if (::setresuid(user.uid, user.uid, user.uid) < 0) {
        throw_errno("setresuid " + std::to_string(user.uid));
    }
}

void apply_umask(const oci::User& user) {
    ::umask(static_cast<mode_t>(user.umask.value_or(022) & 0777));
}

}  // namespace plugrt
