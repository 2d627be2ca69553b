#include "runtime/process_limits.hpp"

#include <doctest/doctest.h>
#include <sys/resource.h>

#include "runtime/error.hpp"

using namespace plugrt;

namespace {
oci::Linux with_namespaces(std::initializer_list<const char*> types) {
    oci::Linux linux;
    for (const char* type : types) {
        oci::Namespace ns;
        ns.type = type;
        linux.namespaces.push_back(ns);
    }
    return linux;
}

oci::Rlimit spec_rlimit(std::string type, uint64_t soft, uint64_t hard) {
    oci::Rlimit r;
    r.type = std::move(type);
    r.soft = soft;
    r.hard = hard;
    return r;
}
}  // namespace

TEST_SUITE("runtime/process_limits") {
    TEST_CASE("namespaced sysctl keys map to /proc/sys paths") {
        auto linux = with_namespaces({"network", "ipc", "uts"});
        CHECK(sysctl_path("net.ipv4.ip_forward", linux) == "net/ipv4/ip_forward");
        CHECK(sysctl_path("net/ipv4/conf/eno2.100/rp_filter", linux) ==
              "net/ipv4/conf/eno2.100/rp_filter");
        CHECK(sysctl_path("kernel.shmmax", linux) == "kernel/shmmax");
        CHECK(sysctl_path("fs.mqueue.msg_max", linux) == "fs/mqueue/msg_max");
        CHECK(sysctl_path("kernel.domainname", linux) == "kernel/domainname");
    }

    TEST_CASE("keys outside the container's namespaces are refused") {
        auto none = with_namespaces({"mount"});
        CHECK_THROWS_WITH_AS(sysctl_path("net.ipv4.ip_forward", none),
                             doctest::Contains("network namespace"), Error);
        CHECK_THROWS_WITH_AS(sysctl_path("kernel.shmmax", none), doctest::Contains("IPC namespace"),
                             Error);
        auto all = with_namespaces({"network", "ipc", "uts"});
        CHECK_THROWS_WITH_AS(sysctl_path("kernel.core_pattern", all),
                             doctest::Contains("would change the host"), Error);
        CHECK_THROWS_WITH_AS(sysctl_path("kernel.hostname", all), doctest::Contains("hostname"),
                             Error);
    }

    TEST_CASE("malformed keys cannot walk out of /proc/sys") {
        auto all = with_namespaces({"network", "ipc", "uts"});
        for (const char* key :
             {"", "/net/x", "net..x", "net/../../etc", "net/./x", ".net", "net.ipv4\n", "net/x/"}) {
            CAPTURE(key);
            CHECK_THROWS_WITH_AS(sysctl_path(key, all), doctest::Contains("malformed"), Error);
        }
    }

    TEST_CASE("apply_sysctl checks every key before writing any") {
        oci::Linux linux = with_namespaces({});
        linux.sysctl["kernel.core_pattern"] = "|/evil";
        CHECK_THROWS_AS(apply_sysctl(linux), Error);
    }

    TEST_CASE("rlimit names map to resources") {
        CHECK(rlimit_resource("RLIMIT_NOFILE") == RLIMIT_NOFILE);
        CHECK(rlimit_resource("RLIMIT_RTTIME") == RLIMIT_RTTIME);
        CHECK(rlimit_resource("RLIMIT_FOO") == -1);
        CHECK(rlimit_resource("nofile") == -1);
    }

    TEST_CASE("bad rlimits are refused before any change") {
        oci::Process unknown;
        unknown.rlimits = {spec_rlimit("RLIMIT_FOO", 1, 1)};
        CHECK_THROWS_WITH_AS(apply_rlimits(unknown), doctest::Contains("unknown"), Error);
        oci::Process inverted;
        inverted.rlimits = {spec_rlimit("RLIMIT_CORE", 2, 1)};
        CHECK_THROWS_WITH_AS(apply_rlimits(inverted), doctest::Contains("soft"), Error);
        oci::Process duplicate;
        duplicate.rlimits = {spec_rlimit("RLIMIT_CORE", 0, 0), spec_rlimit("RLIMIT_CORE", 0, 0)};
        CHECK_THROWS_WITH_AS(apply_rlimits(duplicate), doctest::Contains("twice"), Error);
    }

    TEST_CASE("an rlimit within the current hard limit is applied") {
        struct rlimit before {};
        REQUIRE(getrlimit(RLIMIT_CORE, &before) == 0);
        oci::Process p;
        p.rlimits = {spec_rlimit("RLIMIT_CORE", 0, before.rlim_max)};
        apply_rlimits(p);
        struct rlimit after {};
        REQUIRE(getrlimit(RLIMIT_CORE, &after) == 0);
        CHECK(after.rlim_cur == 0);
        setrlimit(RLIMIT_CORE, &before);
    }

    TEST_CASE("unknown personality domains and flags are refused") {
        oci::Linux linux;
        linux.personality = oci::Personality{};
        linux.personality->domain = "LINUX64";
        CHECK_THROWS_WITH_AS(apply_personality(linux), doctest::Contains("LINUX64"), Error);
    }
}
