// OCI / runc mount option strings ("rbind", "ro", "rshared", "nosuid", "mode=755", ...) turned
// into what the mount syscalls need. Pure translation: the runtime's mount plan decides which
// syscall (mount, remount, MS_BIND, mount_setattr) each part goes to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plugrt::oci {

struct MountOptions {
    unsigned long flags = 0;        // MS_* to set (MS_RDONLY, MS_NOSUID, MS_BIND|MS_REC, ...)
    unsigned long clear_flags = 0;  // MS_* the options explicitly turn off (rw, suid, dev, ...);
                                    // matters for remounts, which must not drop locked flags
    std::vector<unsigned long> propagation;  // in option order, e.g. MS_SHARED|MS_REC
    uint64_t attr_set = 0;                   // MOUNT_ATTR_* to set recursively (rro, rnosuid, ...)
    uint64_t attr_clear = 0;                 // MOUNT_ATTR_* to clear recursively (rrw, rsuid, ...)
    std::string data;                // everything else, comma-joined ("mode=755,size=65536k")
    bool is_bind = false;            // bind or rbind
    bool is_recursive_bind = false;  // rbind
    bool tmpcopyup = false;          // copy the image's content up into a new tmpfs
    bool idmap = false;              // idmapped mount (idmap or ridmap)
    bool recursive_idmap = false;    // ridmap
};

// Later options override earlier ones ("ro,rw" is read-write), as with mount(8).
MountOptions parse_mount_options(const std::vector<std::string>& options);

// Every option name with a meaning above (not the data options), sorted; for `plugrt features`.
std::vector<std::string> known_mount_options();

}  // namespace plugrt::oci
