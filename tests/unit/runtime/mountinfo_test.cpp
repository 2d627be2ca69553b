#include "runtime/mountinfo.hpp"

#include <doctest/doctest.h>

#include "runtime/error.hpp"

using namespace plugrt;

namespace {
// Captured from this project's Debian 12 VM (cgroup v1 + cgroup2 at /sys/fs/cgroup/unified),
// with a shared mount and an escaped space added.
constexpr const char* kFixture =
    "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n"
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "50 27 0:40 /sub /mnt/with\\040space ro,nosuid master:7 propagate_from:2 - tmpfs none rw\n";
}  // namespace

TEST_SUITE("runtime/mountinfo") {
    TEST_CASE("every field of a line is parsed, optional fields included") {
        auto mounts = parse_mountinfo(kFixture);
        REQUIRE(mounts.size() == 7);
        const auto& root = mounts[0];
        CHECK(root.mount_id == 27);
        CHECK(root.parent_id == 1);
        CHECK(root.major == 254);
        CHECK(root.minor == 0);
        CHECK(root.root == "/");
        CHECK(root.mount_point == "/");
        CHECK(root.fs_type == "ext4");
        CHECK(root.source == "/dev/vda");
        CHECK(root.is_shared());
        CHECK_FALSE(root.is_slave());
        const auto& odd = mounts[6];
        CHECK(odd.mount_point == "/mnt/with space");
        CHECK(odd.root == "/sub");
        CHECK(odd.optional_fields.size() == 2);
        CHECK(odd.is_slave());
        CHECK_FALSE(odd.is_shared());
        CHECK(odd.has_mount_option("ro"));
        CHECK(odd.has_mount_option("nosuid"));
        CHECK_FALSE(odd.has_mount_option("nosu"));
    }

    TEST_CASE("super options identify cgroup controllers") {
        auto mounts = parse_mountinfo(kFixture);
        CHECK(mounts[3].has_super_option("cpu"));
        CHECK(mounts[4].has_super_option("name=systemd"));
        CHECK_FALSE(mounts[4].has_super_option("systemd"));
    }

    TEST_CASE("malformed lines are rejected with the line number") {
        CHECK_THROWS_WITH_AS(parse_mountinfo("1 2 0:1 / / rw shared:1 ext4 x rw\n"),
                             doctest::Contains("line 1"), Error);
        CHECK_THROWS_AS(parse_mountinfo("x 2 0:1 / / rw - ext4 x rw\n"), Error);
        CHECK_THROWS_AS(parse_mountinfo("1 2 01 / / rw - ext4 x rw\n"), Error);
    }

    TEST_CASE("the containing mount is the longest whole-component prefix") {
        auto mounts = parse_mountinfo(kFixture);
        CHECK(find_mount_containing(mounts, "/sys/fs/cgroup/cpu/x")->mount_id == 32);
        CHECK(find_mount_containing(mounts, "/sys/fs/cgroup/cpuset")->mount_id == 31);
        CHECK(find_mount_containing(mounts, "/var/lib")->mount_id == 27);
        CHECK(find_mount_containing(mounts, "/proc")->mount_id == 22);
        CHECK_FALSE(find_mount_containing({}, "/x").has_value());
    }

    TEST_CASE("octal escapes decode, other backslashes stay") {
        CHECK(unescape_mountinfo_field("a\\040b\\011c\\134d") == "a b\tc\\d");
        CHECK(unescape_mountinfo_field("a\\04") == "a\\04");
        CHECK(unescape_mountinfo_field("a\\x") == "a\\x");
    }

    TEST_CASE("the live mountinfo of this process parses and contains /") {
        auto mounts = read_mountinfo();
        CHECK(find_mount_containing(mounts, "/").has_value());
    }
}
