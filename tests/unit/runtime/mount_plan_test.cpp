#include "runtime/mount_plan.hpp"

#include <doctest/doctest.h>
#include <sys/mount.h>

#include "runtime/error.hpp"

using namespace plugrt;

namespace {
oci::Mount mount(std::string destination, std::string type, std::string source,
                 std::vector<std::string> options) {
    oci::Mount m;
    m.destination = std::move(destination);
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}
}  // namespace

TEST_SUITE("runtime/mount_plan") {
    TEST_CASE("destinations are cleaned lexically and may not be the root") {
        CHECK(clean_absolute_path("a//b/../c/.") == "/a/c");
        CHECK(clean_absolute_path("/../../x") == "/x");
        CHECK(clean_absolute_path("") == "/");
        for (const char* dest : {"/", "/.", "/..", "/../..", "//"}) {
            CAPTURE(dest);
            CHECK_THROWS_WITH_AS(plan_mount(mount(dest, "tmpfs", "tmpfs", {}), "/b"),
                                 doctest::Contains("container root"), Error);
        }
        CHECK(plan_mount(mount("etc/x", "tmpfs", "tmpfs", {}), "/b").destination == "/etc/x");
    }

    TEST_CASE("bind semantics come from the options, not the type") {
        auto none_bind = plan_mount(mount("/opa", "none", "/policy", {"bind", "ro"}), "/b");
        CHECK(none_bind.kind == MountKind::Bind);
        CHECK(none_bind.initial_flags() == MS_BIND);
        CHECK(none_bind.bind_needs_remount());

        auto type_only = plan_mount(mount("/x", "bind", "/src", {}), "/b");
        CHECK(type_only.kind == MountKind::Filesystem);
        CHECK(type_only.fs_type == "bind");  // mount(2) fails with ENODEV, as with runc

        auto rbind = plan_mount(mount("/mnt", "bind", "/pm", {"rbind", "rw", "rshared"}), "/b");
        CHECK(rbind.initial_flags() == (MS_BIND | MS_REC));
        CHECK(rbind.options.propagation == std::vector<unsigned long>{MS_SHARED | MS_REC});
    }

    TEST_CASE("relative bind sources, even empty ones, are joined to the bundle") {
        CHECK(plan_mount(mount("/k", "bind", "keys", {"rbind"}), "/bundle").source ==
              "/bundle/keys");
        CHECK(plan_mount(mount("/k", "bind", "", {"rbind"}), "/bundle").source == "/bundle");
        CHECK(plan_mount(mount("/k", "bind", "/abs", {"rbind"}), "/bundle").source == "/abs");
    }

    TEST_CASE("bind mounts with data options are refused") {
        CHECK_THROWS_WITH_AS(plan_mount(mount("/x", "bind", "/s", {"bind", "mode=755"}), "/b"),
                             doctest::Contains("filesystem-specific"), Error);
    }

    TEST_CASE("only proc on /proc, and only the lxcfs list inside it") {
        CHECK_NOTHROW(plan_mount(mount("/proc", "proc", "proc", {}), "/b"));
        CHECK_THROWS_AS(plan_mount(mount("/proc", "tmpfs", "tmpfs", {}), "/b"), Error);
        CHECK_NOTHROW(plan_mount(mount("/proc/cpuinfo", "bind", "/lx/cpuinfo", {"bind"}), "/b"));
        for (const char* dest : {"/proc/sys", "/proc/sys/kernel/core_pattern", "/proc/self/attr",
                                 "/proc/../proc/kcore"}) {
            CAPTURE(dest);
            CHECK_THROWS_WITH_AS(plan_mount(mount(dest, "bind", "/x", {"bind"}), "/b"),
                                 doctest::Contains("inside /proc"), Error);
        }
    }

    TEST_CASE("read-only tmpfs is mounted writable first and finished later") {
        auto ro_tmpfs = plan_mount(mount("/dev", "tmpfs", "tmpfs", {"ro", "mode=755"}), "/b");
        CHECK(ro_tmpfs.defers_read_only());
        CHECK((ro_tmpfs.initial_flags() & MS_RDONLY) == 0);
        auto ro_sysfs = plan_mount(mount("/sys", "sysfs", "sysfs", {"ro", "nosuid"}), "/b");
        CHECK_FALSE(ro_sysfs.defers_read_only());
        CHECK(ro_sysfs.initial_flags() == (MS_RDONLY | MS_NOSUID));
        CHECK(ro_sysfs.needs_ordinary_directory());
    }

    TEST_CASE("cgroup mounts are planned separately; errors carry the mount index") {
        oci::Spec spec;
        spec.mounts = {mount("/sys/fs/cgroup", "cgroup", "cgroup", {"ro"}),
                       mount("/x", "", "", {})};
        CHECK_THROWS_WITH_AS(plan_mounts(spec, "/b"), doctest::Contains("mounts[1]"), Error);
        spec.mounts.pop_back();
        CHECK(plan_mounts(spec, "/b")[0].kind == MountKind::Cgroup);
    }

    TEST_CASE("a bind onto /dev means plugrt leaves /dev alone") {
        oci::Spec spec;
        spec.mounts = {mount("/dev", "tmpfs", "tmpfs", {})};
        CHECK_FALSE(binds_dev(plan_mounts(spec, "/b")));
        spec.mounts = {mount("/dev/", "bind", "/hostdev", {"rbind"})};
        CHECK(binds_dev(plan_mounts(spec, "/b")));
    }

    TEST_CASE("unsupported options fail clearly") {
        CHECK_THROWS_WITH_AS(plan_mount(mount("/x", "bind", "/s", {"bind", "idmap"}), "/b"),
                             doctest::Contains("idmap"), Error);
        CHECK_THROWS_AS(plan_mount(mount("/x", "", "", {}), "/b"), Error);
    }
}
