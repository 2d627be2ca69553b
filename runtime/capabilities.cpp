#include "runtime/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <cstdio>
#include <memory>

#include "oci/capability_names.hpp"
#include "runtime/error.hpp"
#include "runtime/runtime_log.hpp"

namespace plugrt {
namespace {

uint64_t bit(int cap) { return uint64_t{1} << cap; }

uint64_t mask_for(const std::optional<std::vector<std::string>>& names, const char* set_name,
                  int last_cap, std::vector<std::string>& unavailable) {
    uint64_t mask = 0;
    if (!names) {
        return mask;
    }
    for (size_t i = 0; i < names->size(); ++i) {
        const std::string& name = (*names)[i];
        auto number = oci::capability_number(name);
        if (!number) {
            throw Error(Error::Kind::Invalid, std::string("process.capabilities.") + set_name +
                                                  "[" + std::to_string(i) +
                                                  "]: unknown capability '" + name + "'");
        }
        if (*number > last_cap) {
            unavailable.push_back(name);
            continue;
        }
        mask |= bit(*number);
    }
    return mask;
}

struct CapFree {
    void operator()(cap_t caps) const { cap_free(caps); }
};

void set_flag(cap_t caps, cap_flag_t flag, uint64_t mask, int last_cap) {
    for (int cap = 0; cap <= last_cap; ++cap) {
        if ((mask & bit(cap)) == 0) {
            continue;
        }
        cap_value_t value = cap;
        if (cap_set_flag(caps, flag, 1, &value, CAP_SET) < 0) {
            throw_errno("cap_set_flag " + std::to_string(cap));
        }
    }
}

}  // namespace

CapabilitySets capability_sets_for(const std::optional<oci::Capabilities>& capabilities,
                                   int last_cap) {
    CapabilitySets sets;
    if (!capabilities) {
        return sets;
    }
    sets.bounding = mask_for(capabilities->bounding, "bounding", last_cap, sets.unavailable);
    sets.effective = mask_for(capabilities->effective, "effective", last_cap, sets.unavailable);
    sets.permitted = mask_for(capabilities->permitted, "permitted", last_cap, sets.unavailable);
    sets.inheritable =
        mask_for(capabilities->inheritable, "inheritable", last_cap, sets.unavailable);
    sets.ambient = mask_for(capabilities->ambient, "ambient", last_cap, sets.unavailable);
    return sets;
}

int kernel_last_cap() {
    const int last = static_cast<int>(cap_max_bits()) - 1;
    if (last < 0 || last > 63) {
        throw Error(Error::Kind::System,
                    "libcap reports " + std::to_string(last + 1) + " capabilities: unusable");
    }
    return last;
}

void drop_bounding_set(uint64_t keep, int last_cap) {
    for (int cap = 0; cap <= last_cap; ++cap) {
        if ((keep & bit(cap)) != 0) {
            continue;
        }
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            auto name = oci::capability_name(cap);
            throw_errno("prctl PR_CAPBSET_DROP " +
                        (name ? std::string(*name) : std::to_string(cap)));
        }
    }
}

void set_capability_sets(const CapabilitySets& sets, int last_cap) {
    std::unique_ptr<_cap_struct, CapFree> caps(cap_init());
    if (!caps) {
        throw_errno("cap_init");
    }
    set_flag(caps.get(), CAP_EFFECTIVE, sets.effective, last_cap);
    set_flag(caps.get(), CAP_PERMITTED, sets.permitted, last_cap);
    set_flag(caps.get(), CAP_INHERITABLE, sets.inheritable, last_cap);
    if (cap_set_proc(caps.get()) < 0) {
        throw_errno(
            "capset effective/permitted/inheritable (effective must be a subset of "
            "permitted, and nothing outside the bounding set can be added)");
    }
}

void set_ambient_set(uint64_t ambient, int last_cap) {
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
        throw_errno("prctl PR_CAP_AMBIENT_CLEAR_ALL");
    }
    for (int cap = 0; cap <= last_cap; ++cap) {
        if ((ambient & bit(cap)) == 0) {
            continue;
        }
        if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) {
            auto name = oci::capability_name(cap);
            // Through the runtime log, never stderr: here stderr is the container's own
            // (an engine's log stream), as in runc, which warns through its log pipe.
            log_warning("cannot raise ambient capability " +
                        (name ? std::string(*name) : std::to_string(cap)) +
                        " (it must also be permitted and inheritable): " + errno_name(errno));
        }
    }
}

}  // namespace plugrt
