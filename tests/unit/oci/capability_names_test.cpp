#include "oci/capability_names.hpp"

#include <doctest/doctest.h>
#include <linux/capability.h>

#include <set>

using namespace plugrt::oci;

TEST_SUITE("oci/capability_names") {
    TEST_CASE("names map to the kernel's capability numbers") {
        CHECK(capability_number("CAP_CHOWN") == CAP_CHOWN);
        CHECK(capability_number("CAP_NET_BIND_SERVICE") == CAP_NET_BIND_SERVICE);
        CHECK(capability_number("CAP_SYS_ADMIN") == CAP_SYS_ADMIN);
        CHECK(capability_number("CAP_MKNOD") == CAP_MKNOD);
        CHECK(capability_number("CAP_AUDIT_WRITE") == CAP_AUDIT_WRITE);
        CHECK(capability_number("CAP_SETFCAP") == CAP_SETFCAP);
        CHECK(capability_number("CAP_AUDIT_READ") == CAP_AUDIT_READ);
        CHECK(capability_number("CAP_PERFMON") == 38);
        CHECK(capability_number("CAP_BPF") == 39);
        CHECK(capability_number("CAP_CHECKPOINT_RESTORE") == 40);
    }

    TEST_CASE("only the exact upper-case CAP_ form is accepted") {
        CHECK_FALSE(capability_number("cap_sys_admin").has_value());
        CHECK_FALSE(capability_number("SYS_ADMIN").has_value());
        CHECK_FALSE(capability_number("Cap_Sys_Admin").has_value());
        CHECK_FALSE(capability_number("CAP_SYS_ADMIN ").has_value());
        CHECK_FALSE(capability_number("").has_value());
        CHECK_FALSE(capability_number("CAP_").has_value());
        CHECK_FALSE(capability_number("CAP_NOT_A_CAP").has_value());
    }

    TEST_CASE("numbers map back to names and out-of-range numbers have none") {
        CHECK(capability_name(0) == "CAP_CHOWN");
        CHECK(capability_name(21) == "CAP_SYS_ADMIN");
        CHECK(capability_name(40) == "CAP_CHECKPOINT_RESTORE");
        CHECK_FALSE(capability_name(-1).has_value());
        CHECK_FALSE(capability_name(41).has_value());
    }

    TEST_CASE("the list holds every capability once, in number order") {
        const auto names = all_capability_names();
        REQUIRE(names.size() == 41);
        CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
        for (int i = 0; i < static_cast<int>(names.size()); ++i) {
            CHECK(capability_number(names[i]) == i);
        }
    }
}
