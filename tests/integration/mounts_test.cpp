// Spec mounts as the container sees them: types, flags, data options, bind sources (absolute and
// bundle-relative, files and directories), read-only binds and the cgroup filesystem.
#include <fstream>

#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

TEST_SUITE("integration/mounts") {
    TEST_CASE("the default mounts carry the requested types and flags") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "mounts"}};
        auto mounts = run_probe(rt, b);
        auto root = find_mount(mounts, "/");
        CHECK_MESSAGE(has_option(root, "ro"), root.dump());  // root.readonly
        CHECK(find_mount(mounts, "/proc")["fstype"] == "proc");
        auto sys = find_mount(mounts, "/sys");
        CHECK(sys["fstype"] == "sysfs");
        CHECK(has_option(sys, "ro"));
        CHECK(has_option(sys, "nosuid"));
        auto dev = find_mount(mounts, "/dev");
        CHECK(dev["fstype"] == "tmpfs");
        CHECK(has_option(dev, "nosuid"));
        CHECK(dev["super_options"].get<std::string>().find("size=65536k") != std::string::npos);
        auto shm = find_mount(mounts, "/dev/shm");
        CHECK(has_option(shm, "nodev"));
        CHECK(has_option(shm, "noexec"));
        // tmpfs lists mode= only when it differs from its default 1777 (shmem_show_options), so
        // the spec's mode=1777 must leave no other mode behind.
        CHECK(shm["super_options"].get<std::string>().find("mode=") == std::string::npos);
        CHECK(find_mount(mounts, "/dev/pts")["fstype"] == "devpts");
        CHECK(find_mount(mounts, "/dev/mqueue")["fstype"] == "mqueue");
        for (const auto& m : mounts["mounts"]) {
            // No trace of the host's root: the old root was detached after pivot_root.
            CHECK_MESSAGE(m["mountpoint"] != "/mnt/sandboxing/model_tools_env/v1/python", m.dump());
        }
    }

    TEST_CASE("a read-only bind is read-only and keeps nosuid; writes fail with EROFS") {
        require_root();
        Runtime rt;
        HostDir host;
        Bundle b{{"/probe", "write", "/data/file"}};
        b.spec().mounts.push_back(
            spec_mount("/data", "bind", host.path(), {"rbind", "ro", "nosuid"}));
        b.write_config();
        auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        CHECK(r.exit_code != 0);
        CHECK_MESSAGE(r.out.find("Read-only file system") != std::string::npos, r.describe());
        CHECK(host.listing().empty());

        Bundle m{{"/probe", "mounts"}};
        m.spec().mounts.push_back(
            spec_mount("/data", "bind", host.path(), {"rbind", "ro", "nosuid"}));
        auto data = find_mount(run_probe(rt, m), "/data");
        CHECK(has_option(data, "ro"));
        CHECK(has_option(data, "nosuid"));
    }

    TEST_CASE("a writable bind lets the container write to the host directory") {
        require_root();
        Runtime rt;
        HostDir host;
        Bundle b{{"/probe", "write", "/data/file"}};
        b.spec().mounts.push_back(spec_mount("/data", "bind", host.path(), {"rbind", "rw"}));
        run_probe(rt, b);
        CHECK(read_text_file(host.path() + "/file") == "probe\n");
    }

    TEST_CASE("a relative bind source is resolved against the bundle directory, like runc") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "read", "/etc/conf/x"}};
        std::filesystem::create_directories(b.dir() + "/conf");
        std::ofstream(b.dir() + "/conf/x") << "from-bundle";
        b.spec().mounts.push_back(spec_mount("/etc/conf", "bind", "conf", {"rbind", "ro"}));
        CHECK(run_probe(rt, b)["content"] == "from-bundle");
    }

    TEST_CASE("a file source gets a file mountpoint") {
        require_root();
        Runtime rt;
        HostDir host;
        std::ofstream(host.path() + "/hosts") << "127.0.0.1 x\n";
        Bundle b{{"/probe", "read", "/etc/hosts"}};
        b.spec().mounts.push_back(
            spec_mount("/etc/hosts", "bind", host.path() + "/hosts", {"rbind", "ro"}));
        CHECK(run_probe(rt, b)["content"] == "127.0.0.1 x\n");
    }

    TEST_CASE("tmpfs data options reach the filesystem") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "mounts"}};
        b.spec().mounts.push_back(
            spec_mount("/scratch", "tmpfs", "tmpfs", {"nodev", "mode=700", "size=1m"}));
        auto scratch = find_mount(run_probe(rt, b), "/scratch");
        CHECK(scratch["fstype"] == "tmpfs");
        CHECK(has_option(scratch, "nodev"));
        auto super = scratch["super_options"].get<std::string>();
        CHECK_MESSAGE(super.find("size=1024k") != std::string::npos, super);
        CHECK_MESSAGE(super.find("mode=700") != std::string::npos, super);
    }

    TEST_CASE("type bind without a bind option fails like runc (no such device)") {
        require_root();
        Runtime rt;
        HostDir host;
        Bundle b{{"/probe", "exit", "0"}};
        b.spec().mounts.push_back(spec_mount("/data", "bind", host.path(), {"rw"}));
        auto r = run_expecting_failure(rt, b);
        CHECK_MESSAGE(r.err.find("ENODEV") != std::string::npos, r.describe());
    }

    TEST_CASE("the cgroup mount shows the container's own cgroup, read-only") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "mounts"}};
        b.spec().mounts.push_back(
            spec_mount("/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}));
        const std::string cgroup_path = b.spec().linux->cgroups_path;
        auto mounts = run_probe(rt, b);
        auto tmpfs = find_mount(mounts, "/sys/fs/cgroup");
        CHECK(tmpfs["fstype"] == "tmpfs");
        CHECK(has_option(tmpfs, "ro"));
        for (const char* controller : {"memory", "devices", "pids", "freezer"}) {
            CAPTURE(controller);
            auto m = find_mount(mounts, std::string("/sys/fs/cgroup/") + controller);
            REQUIRE_MESSAGE(!m.is_null(), mounts.dump());
            CHECK(m["fstype"] == "cgroup");
            CHECK(has_option(m, "ro"));
            CHECK(has_option(m, "nosuid"));
            // The bind's root is the container's cgroup, not the hierarchy root.
            CHECK_MESSAGE(m["root"].get<std::string>().find(cgroup_path) != std::string::npos,
                          m.dump());
        }
    }

    TEST_CASE("nothing may be mounted inside /proc") {
        require_root();
        Runtime rt;
        HostDir host;
        Bundle b{{"/probe", "exit", "0"}};
        b.spec().mounts.push_back(spec_mount("/proc/sys", "bind", host.path(), {"rbind"}));
        auto r = run_expecting_failure(rt, b);
        CHECK_MESSAGE(r.err.find("inside /proc") != std::string::npos, r.describe());
    }
}
