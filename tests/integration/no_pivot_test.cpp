// --no-pivot (runc msMoveRoot, for ramdisk roots where pivot_root fails): the rootfs becomes /
// by MS_MOVE + chroot, and the container must look and be isolated exactly as with pivot_root:
// its root is the bundle's rootfs, it sees only its own mounts, and the readonly root, masked
// and read-only paths (applied after the move) still hold.
//
// What these tests cannot see: the old root that MS_MOVE leaves *below* the moved rootfs. The
// kernel hides it from every view available to a test (/proc/<pid>/mountinfo, mountinfo after
// setns, and listmount(2) all follow the mounts stacked on the namespace root), so "pivot_root
// was not used" is only observable as "the container works with --no-pivot".
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "integration/harness.hpp"

using namespace plugrt::test;

TEST_SUITE("integration/no_pivot") {
    TEST_CASE("--no-pivot: the container runs with its rootfs as / and sees only its mounts") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "mounts"}};
        auto r = rt.run({"run", "--no-pivot", "--bundle", b.dir(), rt.new_id()});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        const auto document = r.json();
        std::vector<std::string> points;
        for (const auto& m : document["mounts"]) points.push_back(m["mountpoint"]);
        REQUIRE_FALSE(points.empty());
        CHECK(points.front() == "/");
        CHECK(document["mounts"][0]["root"] == b.rootfs());  // the bundle's rootfs is /
        for (const char* expected : {"/proc", "/dev", "/dev/pts", "/sys"}) {
            CHECK_MESSAGE(std::find(points.begin(), points.end(), expected) != points.end(),
                          expected);
        }
        for (const auto& p : points) {
            CHECK_MESSAGE(p.find("plugrt-it-bundle-") == std::string::npos, p);
            CHECK_MESSAGE(p.rfind("/work", 0) != 0, p);
        }
    }

    TEST_CASE("--no-pivot: readonly root, masked and read-only paths still apply after the move") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "write", "/new-file"}};
        auto ro = rt.run({"run", "--no-pivot", "--bundle", b.dir(), rt.new_id()});
        CHECK(ro.exit_code == 2);
        CHECK_MESSAGE(ro.out.find("Read-only file system") != std::string::npos, ro.describe());

        b.spec().process->args = {"/probe", "stat", "/proc/timer_list"};
        b.write_config();
        auto masked = rt.run({"run", "--no-pivot", "--bundle", b.dir(), rt.new_id()});
        REQUIRE_MESSAGE(masked.exit_code == 0, masked.describe());
        CHECK(masked.json()["type"] == "char");  // /dev/null bound over it
        CHECK(masked.json()["major"] == 1);
        CHECK(masked.json()["minor"] == 3);

        b.spec().process->args = {"/probe", "write", "/proc/sys/kernel/hostname"};
        b.write_config();
        auto readonly = rt.run({"run", "--no-pivot", "--bundle", b.dir(), rt.new_id()});
        CHECK(readonly.exit_code == 2);
        CHECK_MESSAGE(readonly.out.find("Read-only file system") != std::string::npos,
                      readonly.describe());
    }
}
