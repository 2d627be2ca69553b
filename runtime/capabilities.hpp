// Capability sets of the container process (capabilities(7)): which bits each set gets, and the
// libcap/prctl calls that install them. Ordering across the uid switch is credentials.cpp's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt {

struct CapabilitySets {
    uint64_t bounding = 0;
    uint64_t effective = 0;
    uint64_t permitted = 0;
    uint64_t inheritable = 0;
    uint64_t ambient = 0;
    // Names that are valid but beyond the running kernel's cap_last_cap, skipped with a warning
    // like runc ("ignoring unknown or unavailable capabilities").
    std::vector<std::string> unavailable;
};

// Bit masks for process.capabilities. An absent `capabilities` object and an absent set both
// mean an empty set, as in runc (a nil Go slice): the container gets exactly what is listed,
// never something inherited from plugrt (CVE-2022-29162: a non-empty inheritable set lets file
// capabilities raise privileges). Unknown names ("CAP_FOO", "sys_admin", "21") are
// Error(Invalid) naming the field, e.g. "process.capabilities.bounding[3]" (runtime-spec: a
// value that cannot be mapped MUST error; crun >= 1.29 does the same).
CapabilitySets capability_sets_for(const std::optional<oci::Capabilities>& capabilities,
                                   int last_cap);

// The highest capability number the running kernel knows (never a compiled-in constant: the
// kernel may be older or newer than plugrt). The value of /proc/sys/kernel/cap_last_cap, taken
// from libcap, which probes it with PR_CAPBSET_READ when it is loaded; reading the sysctl
// again in every init cost a /proc lookup and a sysctl handler for a number already known.
int kernel_last_cap();

// PR_CAPBSET_DROP for every capability 0..last_cap not in `keep`. Needs CAP_SETPCAP, so it runs
// before the uid switch.
void drop_bounding_set(uint64_t keep, int last_cap);

// capset(2) of effective, permitted and inheritable through libcap.
void set_capability_sets(const CapabilitySets& sets, int last_cap);

// PR_CAP_AMBIENT_CLEAR_ALL, then PR_CAP_AMBIENT_RAISE per capability. A raise fails unless the
// capability is permitted and inheritable; that is a warning on stderr, as in runc.
void set_ambient_set(uint64_t ambient, int last_cap);

}  // namespace plugrt
