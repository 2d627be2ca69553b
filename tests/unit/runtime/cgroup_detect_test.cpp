#include "runtime/cgroup_detect.hpp"

#include <doctest/doctest.h>

#include "runtime/error.hpp"

using namespace plugrt;

namespace {

constexpr const char* kHybrid =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
    "rw,xattr,release_agent=/x,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

constexpr const char* kLegacy =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:33 / /mnt/devices-again rw,relatime - cgroup cgroup rw,devices\n";

constexpr const char* kUnified =
    "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

}  // namespace

TEST_SUITE("runtime/cgroup_detect") {
    TEST_CASE("a hybrid host has v1 hierarchies and a controller-less cgroup2") {
        auto layout = detect_cgroup_layout(parse_mountinfo(kHybrid));
        CHECK(layout.mode == CgroupMode::Hybrid);
        REQUIRE(layout.v1.size() == 3);
        CHECK(layout.v1[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
        CHECK(layout.v1[2].controllers == std::vector<std::string>{"name=systemd"});
        REQUIRE(layout.unified.has_value());
        CHECK(layout.unified->mount_point == "/sys/fs/cgroup/unified");
    }

    TEST_CASE("a legacy host keeps one entry per hierarchy") {
        auto layout = detect_cgroup_layout(parse_mountinfo(kLegacy));
        CHECK(layout.mode == CgroupMode::Legacy);
        CHECK(layout.v1.size() == 1);
        CHECK_FALSE(layout.unified.has_value());
    }

    TEST_CASE("a unified host has only cgroup2 at /sys/fs/cgroup") {
        auto layout = detect_cgroup_layout(parse_mountinfo(kUnified));
        CHECK(layout.mode == CgroupMode::Unified);
        CHECK(layout.unified->mount_point == "/sys/fs/cgroup");
    }

    TEST_CASE("no cgroup filesystem at all is an error") {
        CHECK_THROWS_AS(detect_cgroup_layout(parse_mountinfo("1 0 0:1 / / rw - ext4 x rw\n")),
                        Error);
    }

    TEST_CASE("/proc/<pid>/cgroup lines are matched to hierarchies by controller set") {
        auto proc = parse_proc_cgroup(
            "9:name=systemd:/init.scope\n4:cpuacct,cpu:/a\n3:memory:/m/x\n0::/u\n");
        auto layout = detect_cgroup_layout(parse_mountinfo(kHybrid));
        CHECK(cgroup_path_for(proc, layout.v1[0]) == "/a");
        CHECK(cgroup_path_for(proc, layout.v1[1]) == "/m/x");
        CHECK(cgroup_path_for(proc, layout.v1[2]) == "/init.scope");
        CHECK(cgroup_path_for(proc, *layout.unified) == "/u");
        CHECK_THROWS_AS(parse_proc_cgroup("garbage\n"), Error);
    }

    TEST_CASE("host directories honour a mount root other than /") {
        CgroupHierarchy h{"/sys/fs/cgroup/memory", "/docker/abc", {"memory"}};
        CHECK(cgroup_dir_on_host(h, "/docker/abc/sub") == "/sys/fs/cgroup/memory/sub");
        CHECK(cgroup_dir_on_host(h, "/docker/abc") == "/sys/fs/cgroup/memory");
        CHECK_FALSE(cgroup_dir_on_host(h, "/docker/abcd").has_value());
        CgroupHierarchy top{"/sys/fs/cgroup/memory", "/", {"memory"}};
        CHECK(cgroup_dir_on_host(top, "/a/b") == "/sys/fs/cgroup/memory/a/b");
        CHECK(cgroup_dir_on_host(top, "/") == "/sys/fs/cgroup/memory");
    }
}
