// The container's cgroups on this cgroup-v1/hybrid host: directories in every hierarchy holding
// the init, resources written to the controllers, and removal on delete.
#include <filesystem>

#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;

namespace {

std::string cgroup_dir(const std::string& controller, const std::string& path) {
    return "/sys/fs/cgroup/" + controller + path;
}

bool procs_contain(const std::string& dir, int pid) {
    std::istringstream in(read_text_file(dir + "/cgroup.procs"));
    for (int p; in >> p;) {
        if (p == pid) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_SUITE("integration/cgroups") {
    TEST_CASE("the init is in the container's cgroup in every hierarchy; delete removes them") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        const std::string path = b.spec().linux->cgroups_path;
        const std::string id = rt.new_id();
        auto created = rt.run({"create", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        const int pid = rt.state(id)["pid"].get<int>();
        for (const char* controller : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer",
                                       "blkio", "pids", "systemd", "unified"}) {
            CAPTURE(controller);
            CHECK(procs_contain(cgroup_dir(controller, path), pid));
        }
        CHECK(rt.run({"kill", id, "KILL"}).exit_code == 0);
        wait_until([&] { return rt.state(id)["status"] == "stopped"; });
        auto deleted = rt.run({"delete", id});
        CHECK_MESSAGE(deleted.exit_code == 0, deleted.describe());
        for (const char* controller : {"memory", "devices", "pids", "unified"}) {
            CAPTURE(controller);
            CHECK_FALSE(path_exists(cgroup_dir(controller, path)));
        }
    }

    TEST_CASE("resources reach the v1 controllers") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        auto& res = *b.spec().linux->resources;
        res.memory_limit = 64 * 1024 * 1024;
        res.pids_limit = 42;
        res.cpu_shares = 512;
        res.cpu_period = 100000;
        res.cpu_quota = 50000;
        b.write_config();
        const std::string path = b.spec().linux->cgroups_path;
        const std::string id = rt.new_id();
        REQUIRE(rt.run({"create", "--bundle", b.dir(), id}).exit_code == 0);
        CHECK(read_text_file(cgroup_dir("memory", path) + "/memory.limit_in_bytes") ==
              "67108864\n");
        CHECK(read_text_file(cgroup_dir("pids", path) + "/pids.max") == "42\n");
        CHECK(read_text_file(cgroup_dir("cpu", path) + "/cpu.shares") == "512\n");
        CHECK(read_text_file(cgroup_dir("cpu", path) + "/cpu.cfs_quota_us") == "50000\n");
        // deny-all plus runc's default allow list: exactly these entries, nothing like "a".
        const std::string devices = read_text_file(cgroup_dir("devices", path) + "/devices.list");
        CHECK(devices.find("a *:* rwm") == std::string::npos);
        CHECK(devices.find("c 1:3 rwm") != std::string::npos);
        CHECK(devices.find("c 136:* rwm") != std::string::npos);
        CHECK(devices.find("c 10:229") == std::string::npos);
        rt.run({"delete", "--force", id});
        CHECK_FALSE(path_exists(cgroup_dir("memory", path)));
    }

    TEST_CASE("without cgroupsPath the container goes below plugrt's own cgroup, named by id") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        b.spec().linux->cgroups_path.clear();
        b.write_config();
        const std::string id = rt.new_id();
        REQUIRE(rt.run({"create", "--bundle", b.dir(), id}).exit_code == 0);
        const int pid = rt.state(id)["pid"].get<int>();
        // This test runner's pids cgroup is the root, so plugrt's is too.
        CHECK(procs_contain("/sys/fs/cgroup/pids/" + id, pid));
        rt.run({"delete", "--force", id});
        CHECK_FALSE(path_exists("/sys/fs/cgroup/pids/" + id));
    }

    TEST_CASE("kill --all and ps see every process of the container") {
        require_root();
        Runtime rt;
        Bundle b;
        b.add_busybox({"sh", "sleep"});
        b.spec().process->args = {"/bin/sh", "-c", "sleep 600 & sleep 600 & sleep 600"};
        b.write_config();
        const std::string id = rt.new_id();
        REQUIRE(rt.run({"create", "--bundle", b.dir(), id}).exit_code == 0);
        rt.run({"start", id});
        CHECK(wait_until([&] {
            auto ps = rt.run({"ps", "--format", "json", id});
            return ps.exit_code == 0 && ps.json().size() >= 3;
        }));
        CHECK(rt.run({"kill", "--all", id, "KILL"}).exit_code == 0);
        CHECK(wait_until([&] { return rt.state(id)["status"] == "stopped"; }));
        CHECK(rt.run({"delete", id}).exit_code == 0);
    }
}
