// Parser for /proc/<pid>/mountinfo (proc(5), "/proc/pid/mountinfo"). Pure: it is fed strings so
// that the cgroup-layout detection and the rootfs code can be unit tested with fixture text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugrt {

struct MountInfoEntry {
    int mount_id = 0;
    int parent_id = 0;
    unsigned major = 0;
    unsigned minor = 0;
    std::string root;         // path of the mount's root inside its filesystem
    std::string mount_point;  // relative to the reader's root, octal escapes decoded
    std::string mount_options;
    std::vector<std::string> optional_fields;  // "shared:12", "master:3", "unbindable", ...
    std::string fs_type;
    std::string source;
    std::string super_options;

    bool is_shared() const;  // has a "shared:N" optional field
    bool is_slave() const;   // has a "master:N" optional field
    // True when `option` ("ro", "nosuid", "cpu", "name=systemd") is one of the comma-separated
    // per-mount (for has_mount_option) or superblock (for has_super_option) options.
    bool has_mount_option(std::string_view option) const;
    bool has_super_option(std::string_view option) const;
};

// Parses every line; a malformed line throws Error(Kind::Invalid) naming the line number.
std::vector<MountInfoEntry> parse_mountinfo(std::string_view text);

// Reads and parses /proc/self/mountinfo (or another pid's file).
std::vector<MountInfoEntry> read_mountinfo(const std::string& path = "/proc/self/mountinfo");

// The entry whose mount point is the longest path prefix (whole components) of `path`, i.e. the
// mount that contains `path`. The *last* such entry wins, as the kernel shows overmounts later.
std::optional<MountInfoEntry> find_mount_containing(const std::vector<MountInfoEntry>& mounts,
                                                    std::string_view path);

// "a\040b" -> "a b": mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo_field(std::string_view field);

}  // namespace plugrt
