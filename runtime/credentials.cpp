#include "runtime/credentials.hpp"

#include <sys/prctl.h>

#include <cstdio>

#include "runtime/capabilities.hpp"
#include "runtime/error.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/user.hpp"

namespace plugrt {

void apply_credentials(const oci::Process& process) {
    const int last_cap = kernel_last_cap();
    // Computed (and validated) before the first change, so a bad name changes nothing.
    const CapabilitySets sets = capability_sets_for(process.capabilities, last_cap);
    for (const auto& name : sets.unavailable) {
        log_warning("capability " + name + " is unknown to this kernel; ignored");
    }
    drop_bounding_set(sets.bounding, last_cap);
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
        throw_errno("prctl PR_SET_KEEPCAPS 1");
    }
    switch_user(process.user);
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
        throw_errno("prctl PR_SET_KEEPCAPS 0");
    }
    set_capability_sets(sets, last_cap);
    set_ambient_set(sets.ambient, last_cap);
    apply_umask(process.user);
}

}  // namespace plugrt
