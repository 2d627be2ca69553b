// cgroup v2 device rules (runtime/device_filter.hpp) enforced by the real kernel. No container
// of plugrt's runs under them on this v1 host, so tests/device_filter_check attaches the
// program plugrt would build to a cgroup2 directory of the hybrid mount and opens devices
// from a task inside it.
#include <doctest/doctest.h>

#include <cerrno>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

nlohmann::json check(const std::string& devices_json, const std::vector<std::string>& opens) {
    std::vector<std::string> argv = {PLUGRT_DEVICE_FILTER_CHECK, devices_json};
    argv.insert(argv.end(), opens.begin(), opens.end());
    auto r = run_program(argv);
    REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
    return r.json();
}

}  // namespace

TEST_SUITE("integration/device_filter") {
    TEST_CASE("v2 device filter: runc's defaults pass, other devices are refused") {
        require_root();
        auto got = check("[]", {"/dev/null:r", "/dev/null:w", "/dev/zero:r", "/dev/kmsg:r",
                                "/dev/fuse:r", "/dev/loop-control:r"});
        CHECK(got["/dev/null:r"] == 0);
        CHECK(got["/dev/null:w"] == 0);
        CHECK(got["/dev/zero:r"] == 0);
        CHECK(got["/dev/kmsg:r"] == EPERM);
        CHECK(got["/dev/fuse:r"] == EPERM);
        CHECK(got["/dev/loop-control:r"] == EPERM);
    }

    TEST_CASE("v2 device filter: a spec rule opens a device for the access it lists only") {
        require_root();
        // What Docker gives a plugin with /dev/fuse, plus a read-only /dev/kmsg and /dev/zero
        // taken away again by a later rule.
        auto got = check(R"([{"allow":true,"type":"c","major":10,"minor":229,"access":"rwm"},
                             {"allow":true,"type":"c","major":1,"minor":11,"access":"r"}])",
                         {"/dev/fuse:r", "/dev/fuse:w", "/dev/kmsg:r", "/dev/kmsg:w"});
        CHECK(got["/dev/fuse:r"] == 0);
        CHECK(got["/dev/fuse:w"] == 0);
        CHECK(got["/dev/kmsg:r"] == 0);
        CHECK(got["/dev/kmsg:w"] == EPERM);
    }
}
