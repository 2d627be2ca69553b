// /etc/passwd lookups by uid, parsed directly as runc does (moby/sys/user), never through NSS:
// the container's file is the only truth inside a container, and plugrt is linked statically,
// where glibc's NSS would have to dlopen modules of the host's libc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plugrt {

struct PasswdEntry {
    std::string name;
    uint32_t uid = 0;
    std::string home;
};

// The first entry of `text` (name:password:uid:gid:gecos:home:shell lines) with this uid.
// Malformed lines (fewer than 6 fields, a uid that is not a number) are skipped.
std::optional<PasswdEntry> find_passwd_entry(std::string_view text, uint32_t uid);

}  // namespace plugrt
