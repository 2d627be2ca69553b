// `plugrt update` (runc update, what `docker update` reaches through containerd): new memory,
// cpu and pids limits land in the running container's cgroup files; the device rules and the
// limits not named stay; errors name the field or the state.
#include <doctest/doctest.h>

#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

// The host directory of the container's cgroup in a v1 hierarchy, from the init's
// /proc/<pid>/cgroup (the default spec has no cgroup namespace).
std::string cgroup_dir(int pid, const std::string& controller) {
    std::string text = read_text_file("/proc/" + std::to_string(pid) + "/cgroup");
    size_t pos = text.find(":" + controller + ":");
    REQUIRE_MESSAGE(pos != std::string::npos, "no " << controller << " line in\n" << text);
    size_t start = pos + controller.size() + 2;
    return "/sys/fs/cgroup/" + controller + text.substr(start, text.find('\n', start) - start);
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

}  // namespace

TEST_SUITE("integration/update") {
    TEST_CASE("update sets the named limits on a running container and leaves the rest") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        b.spec().linux->resources->pids_limit = 50;
        b.write_config();
        std::string id = rt.new_id();
        auto started = rt.run({"run", "--detach", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        int pid = rt.state(id)["pid"].get<int>();
        const std::string memory = cgroup_dir(pid, "memory"), pids = cgroup_dir(pid, "pids"),
                          cpu = cgroup_dir(pid, "cpu"), devices = cgroup_dir(pid, "devices");
        const std::string devices_before = read_text_file(devices + "/devices.list");
        REQUIRE(trimmed(read_text_file(pids + "/pids.max")) == "50");

        auto flags = rt.run({"update", "--memory", "64m", "--cpu-share", "512", id});
        REQUIRE_MESSAGE(flags.exit_code == 0, flags.describe());
        CHECK(trimmed(read_text_file(memory + "/memory.limit_in_bytes")) == "67108864");
        CHECK(trimmed(read_text_file(cpu + "/cpu.shares")) == "512");
        CHECK(trimmed(read_text_file(pids + "/pids.max")) == "50");  // not named: unchanged

        // containerd's way: a LinuxResources object on stdin; flags would win over it.
        RunOptions object;
        // Docker sends every limit, those it leaves alone as 0.
        object.stdin_data = R"({"pids":{"limit":7},"cpu":{"quota":20000,"period":100000,
                                "shares":0},"memory":{"limit":0},"blockIO":{"weight":300}})";
        // Without --log (in json mode warnings are left out of the log file for podman).
        auto json = rt.raw({"--root", rt.root(), "update", "--resources", "-", id}, object);
        REQUIRE_MESSAGE(json.exit_code == 0, json.describe());
        CHECK(trimmed(read_text_file(pids + "/pids.max")) == "7");
        CHECK(trimmed(read_text_file(cpu + "/cpu.cfs_quota_us")) == "20000");
        CHECK(trimmed(read_text_file(cpu + "/cpu.shares")) == "512");
        CHECK(trimmed(read_text_file(memory + "/memory.limit_in_bytes")) == "67108864");
        CHECK_MESSAGE(json.err.find("not applied") != std::string::npos, json.describe());
        CHECK_MESSAGE(json.err.find("blockIO") != std::string::npos, json.describe());
        CHECK(read_text_file(devices + "/devices.list") == devices_before);
        CHECK(rt.state(id)["status"] == "running");
    }

    TEST_CASE("update refuses a stopped container, bad JSON and bad fields, naming them") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        REQUIRE(rt.run({"run", "--detach", "--bundle", b.dir(), id}).exit_code == 0);

        RunOptions garbage;
        garbage.stdin_data = "{not json";
        auto bad_json = rt.run({"update", "-r", "-", id}, garbage);
        CHECK(bad_json.exit_code == 1);
        CHECK_MESSAGE(bad_json.err.find("--resources -: not valid JSON") != std::string::npos,
                      bad_json.describe());
        RunOptions wrong_type;
        wrong_type.stdin_data = R"({"memory":{"limit":"lots"}})";
        auto bad_field = rt.run({"update", "-r", "-", id}, wrong_type);
        CHECK(bad_field.exit_code == 1);
        CHECK_MESSAGE(bad_field.err.find("linux.resources.memory.limit") != std::string::npos,
                      bad_field.describe());

        REQUIRE(rt.run({"kill", id, "KILL"}).exit_code == 0);
        REQUIRE(wait_until([&] { return rt.state(id)["status"] == "stopped"; }));
        auto stopped = rt.run({"update", "--memory", "67108864", id});
        CHECK(stopped.exit_code == 1);
        CHECK_MESSAGE(stopped.err.find("container not running") != std::string::npos,
                      stopped.describe());
        auto missing = rt.run({"update", "--memory", "67108864", "no-such-container"});
        CHECK(missing.exit_code == 1);
        CHECK_MESSAGE(missing.err.find("does not exist") != std::string::npos, missing.describe());
    }
}
