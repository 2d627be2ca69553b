#include "runtime/capabilities.hpp"

#include <doctest/doctest.h>
#include <linux/capability.h>

#include <fstream>

#include "runtime/error.hpp"

using namespace plugrt;

namespace {
uint64_t bit(int cap) { return uint64_t{1} << cap; }
}  // namespace

TEST_SUITE("runtime/capabilities") {
    TEST_CASE("each set becomes a bit mask of exactly the listed capabilities") {
        oci::Capabilities caps;
        caps.bounding = {"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_KILL"};
        caps.effective = {"CAP_SYS_ADMIN"};
        caps.permitted = {"CAP_SYS_ADMIN", "CAP_KILL"};
        caps.inheritable = std::vector<std::string>{};
        auto sets = capability_sets_for(caps, 40);
        CHECK(sets.bounding == (bit(CAP_CHOWN) | bit(CAP_SYS_ADMIN) | bit(CAP_KILL)));
        CHECK(sets.effective == bit(CAP_SYS_ADMIN));
        CHECK(sets.permitted == (bit(CAP_SYS_ADMIN) | bit(CAP_KILL)));
        CHECK(sets.inheritable == 0);
        CHECK(sets.ambient == 0);  // absent: empty, never inherited from plugrt
    }

    TEST_CASE("no capabilities object at all clears every set, like runc") {
        auto sets = capability_sets_for(std::nullopt, 40);
        CHECK(sets.bounding == 0);
        CHECK(sets.effective == 0);
        CHECK(sets.permitted == 0);
    }

    TEST_CASE("unknown names fail and name the set and index") {
        for (const char* bad : {"CAP_FOO", "cap_sys_admin", "SYS_ADMIN", "21", ""}) {
            CAPTURE(bad);
            oci::Capabilities caps;
            caps.permitted = {"CAP_KILL", bad};
            CHECK_THROWS_WITH_AS(capability_sets_for(caps, 40),
                                 doctest::Contains("process.capabilities.permitted[1]"), Error);
        }
    }

    TEST_CASE("capabilities beyond the kernel's last one are skipped and reported") {
        oci::Capabilities caps;
        caps.bounding = {"CAP_CHECKPOINT_RESTORE", "CAP_CHOWN"};
        auto sets = capability_sets_for(caps, 37);
        CHECK(sets.bounding == bit(CAP_CHOWN));
        CHECK(sets.unavailable == std::vector<std::string>{"CAP_CHECKPOINT_RESTORE"});
    }

    TEST_CASE("the running kernel's cap_last_cap is read, not assumed") {
        int last = kernel_last_cap();
        CHECK(last >= CAP_AUDIT_READ);
        CHECK(last < 64);
        std::ifstream sysctl("/proc/sys/kernel/cap_last_cap");
        int from_proc = -1;
        const bool read = static_cast<bool>(sysctl >> from_proc);
        REQUIRE(read);
        CHECK(last == from_proc);
    }
}
