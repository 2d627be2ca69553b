#include "runtime/cgroups.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "runtime/cgroups_v1.hpp"
#include "runtime/cgroups_v2.hpp"
#include "runtime/error.hpp"
#include "runtime/text_file.hpp"

using namespace plugrt;

namespace {

constexpr const char* kHybridMountinfo =
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";

constexpr const char* kProcSelfCgroup =
    "4:devices:/\n3:memory:/shim/abc\n2:cpu,cpuacct:/shim\n0::/shim.scope\n";

}  // namespace

TEST_SUITE("runtime/cgroups") {
    TEST_CASE("an empty cgroupsPath puts the container below plugrt's own cgroup, like runc") {
        auto layout = detect_cgroup_layout(parse_mountinfo(kHybridMountinfo));
        auto dirs = plan_cgroup_dirs(layout, kProcSelfCgroup, "", "plugin1");
        REQUIRE(dirs.size() == 4);
        CHECK(dirs[0].key == "cpu,cpuacct");
        CHECK(dirs[0].path == "/sys/fs/cgroup/cpu,cpuacct/shim/plugin1");
        CHECK(dirs[1].path == "/sys/fs/cgroup/memory/shim/abc/plugin1");
        CHECK(dirs[2].path == "/sys/fs/cgroup/devices/plugin1");
        CHECK(dirs[3].key.empty());
        CHECK(dirs[3].path == "/sys/fs/cgroup/unified/shim.scope/plugin1");
    }

    TEST_CASE("an absolute cgroupsPath is below each hierarchy's root") {
        auto layout = detect_cgroup_layout(parse_mountinfo(kHybridMountinfo));
        auto dirs = plan_cgroup_dirs(layout, kProcSelfCgroup, "/plugrt/../x/./c1", "id");
        CHECK(dirs[1].path == "/sys/fs/cgroup/memory/x/c1");
        CHECK(dirs[3].path == "/sys/fs/cgroup/unified/x/c1");
    }

    TEST_CASE("a relative cgroupsPath cannot climb out of plugrt's cgroup") {
        auto layout = detect_cgroup_layout(parse_mountinfo(kHybridMountinfo));
        auto dirs = plan_cgroup_dirs(layout, kProcSelfCgroup, "../../../../etc", "id");
        CHECK(dirs[1].path == "/sys/fs/cgroup/memory/shim/abc/etc");
        CHECK_THROWS_AS(plan_cgroup_dirs(layout, kProcSelfCgroup, "/..", "id"), Error);
    }

    TEST_CASE("on a unified host the container sits next to plugrt's cgroup") {
        auto layout = detect_cgroup_layout(
            parse_mountinfo("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"));
        auto dirs = plan_cgroup_dirs(layout, "0::/system.slice/containerd.service\n", "", "p");
        REQUIRE(dirs.size() == 1);
        CHECK(dirs[0].path == "/sys/fs/cgroup/system.slice/p");
    }

    TEST_CASE("device rules: deny all, the spec's rules in order, then runc's defaults") {
        oci::Linux linux;
        linux.resources = oci::Resources{};
        linux.resources->devices = {device_rule(false, "", std::nullopt, std::nullopt, "rwm"),
                                    device_rule(false, "c", 10, 229, "rwm"),
                                    device_rule(true, "c", 10, 229, "rwm")};
        auto program = container_device_rules(linux);
        REQUIRE(program.size() == 1 + 3 + 11);
        CHECK(format_v1_device_rule(program[0]) == "a");
        CHECK_FALSE(program[0].allow);
        CHECK(format_v1_device_rule(program[2]) == "c 10:229 rwm");
        CHECK_FALSE(program[2].allow);
        CHECK(program[3].allow);
        CHECK(format_v1_device_rule(program[4]) == "c *:* m");
        CHECK(format_v1_device_rule(program[12]) == "c 136:* rwm");
        CHECK(container_device_rules(oci::Linux{}).size() == 12);  // no resources: still restricted
    }

    TEST_CASE("v2 cpu.max: a new period keeps the current quota, a quota alone the period") {
        // A directory of plain files stands in for the cgroup (writes without truncation, as
        // to a cgroup file: the tests read the first line's start).
        char tmpl[] = "/tmp/plugrt-cpumax-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        const std::string dir = tmpl;
        auto cpu_max = [&] { return read_text_file(dir + "/cpu.max"); };
        auto set = [&](const std::string& text) {
            std::ofstream(dir + "/cpu.max", std::ios::trunc) << text;
        };
        oci::Resources period_only;
        period_only.cpu_period = 250000;
        set("50000 100000\n");
        apply_v2_limits(dir, period_only);
        CHECK(cpu_max().rfind("50000 250000", 0) == 0);
        set("max 100000\n");
        apply_v2_limits(dir, period_only);
        CHECK(cpu_max().rfind("max 250000", 0) == 0);
        oci::Resources quota_only;
        quota_only.cpu_quota = 20000;
        set("");
        apply_v2_limits(dir, quota_only);
        CHECK(cpu_max() == "20000");
        std::filesystem::remove_all(dir);
    }

    TEST_CASE("cpu shares convert to cgroup v2 weights") {
        CHECK(cpu_shares_to_weight(2) == 1);
        CHECK(cpu_shares_to_weight(1024) == 39);
        CHECK(cpu_shares_to_weight(262144) == 10000);
        CHECK(cpu_shares_to_weight(0) == 0);
    }

    TEST_CASE("the state round-trips so later commands find the directories") {
        auto layout = detect_cgroup_layout(parse_mountinfo(kHybridMountinfo));
        auto state = nlohmann::json{
            {"mode", "hybrid"},
            {"dirs",
             {{{"key", "memory"}, {"path", "/sys/fs/cgroup/memory/x"}, {"created_top", ""}}}}};
        Cgroup cgroup = Cgroup::from_state(state);
        CHECK(cgroup.mode() == CgroupMode::Hybrid);
        REQUIRE(cgroup.dirs().size() == 1);
        CHECK(cgroup.to_state()["dirs"][0]["path"] == "/sys/fs/cgroup/memory/x");
        CHECK(Cgroup::from_state(cgroup.to_state()).dirs()[0].key == "memory");
        CHECK_THROWS_AS(Cgroup::from_state(nlohmann::json{{"mode", "weird"}}), Error);
        CHECK_THROWS_AS(Cgroup::from_state(nlohmann::json::object()), Error);
    }

    TEST_CASE("a systemd driver request without systemd fails clearly") {
        CHECK_THROWS_WITH_AS(Cgroup::create("x", oci::Spec{}, true), doctest::Contains("systemd"),
                             Error);
    }
}
