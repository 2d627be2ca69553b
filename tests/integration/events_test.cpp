// `plugrt events`: the usage figures of a container's cgroup as runc's stats events. The numbers
// are checked against the cgroup files themselves, so a figure read from the wrong file or in
// the wrong unit fails.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

// The host directory of the container's cgroup in a v1 hierarchy (no cgroup namespace in the
// default spec, so /proc/<pid>/cgroup shows host paths).
std::string cgroup_dir(int pid, const std::string& controller) {
    std::string text = read_text_file("/proc/" + std::to_string(pid) + "/cgroup");
    size_t pos = text.find(":" + controller + ":");
    if (pos == std::string::npos) {
        pos = text.find("," + controller + ":");  // co-mounted, e.g. cpu,cpuacct
    }
    REQUIRE_MESSAGE(pos != std::string::npos, "no " << controller << " line in\n" << text);
    const size_t colon = text.find(':', pos + 1);
    const size_t start = text.rfind(':', colon - 1) + 1;
    const std::string hierarchy = text.substr(start, colon - start);
    return "/sys/fs/cgroup/" + hierarchy +
           text.substr(colon + 1, text.find('\n', colon) - colon - 1);
}

uint64_t number_file(const std::string& path) { return std::stoull(read_text_file(path)); }

}  // namespace

TEST_SUITE("integration/events") {
    TEST_CASE("events --stats reports the cgroup's memory, pids and cpu figures once") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        b.spec().linux->resources->memory_limit = 64 << 20;
        b.spec().linux->resources->pids_limit = 50;
        b.write_config();
        std::string id = rt.new_id();
        auto started = rt.run({"run", "--detach", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        const int pid = rt.state(id)["pid"].get<int>();
        const std::string cpuacct = cgroup_dir(pid, "cpuacct");
        const std::string memory = cgroup_dir(pid, "memory");

        const uint64_t cpu_before = number_file(cpuacct + "/cpuacct.usage");
        auto r = rt.run({"events", "--stats", id});
        const uint64_t cpu_after = number_file(cpuacct + "/cpuacct.usage");
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK(r.out.find('\n') == r.out.size() - 1);  // one event, one line
        const auto event = r.json();
        CHECK(event["type"] == "stats");
        CHECK(event["id"] == id);
        const auto& data = event["data"];
        CHECK(data["memory"]["usage"]["limit"] == 64 << 20);
        CHECK(data["memory"]["usage"]["limit"] == number_file(memory + "/memory.limit_in_bytes"));
        const uint64_t usage = data["memory"]["usage"]["usage"].get<uint64_t>();
        CHECK(usage > 0);
        CHECK(usage <= 64 << 20);
        CHECK(data["memory"]["usage"]["max"].get<uint64_t>() >= usage);
        CHECK(data["memory"]["raw"]["cache"] == data["memory"].value("cache", uint64_t{0}));
        CHECK(data["memory"]["raw"].contains("rss"));
        CHECK(data["pids"]["current"] == number_file(cgroup_dir(pid, "pids") + "/pids.current"));
        CHECK(data["pids"]["limit"] == 50);
        const uint64_t total = data["cpu"]["usage"]["total"].get<uint64_t>();
        CHECK(total >= cpu_before);
        CHECK(total <= cpu_after);
        std::istringstream percpu(read_text_file(cpuacct + "/cpuacct.usage_percpu"));
        size_t cpus = 0;
        for (uint64_t value; percpu >> value;) ++cpus;
        CHECK(data["cpu"]["usage"]["percpu"].size() == cpus);
    }

    TEST_CASE("events streams at --interval and ends by itself when the container stops") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "1"}};
        std::string id = rt.new_id();
        auto started = rt.run({"run", "--detach", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        RunOptions bounded;
        bounded.timeout_ms = 10000;
        auto r = rt.run({"events", "--interval", "200ms", id}, bounded);
        CHECK_FALSE(r.timed_out);
        CHECK_MESSAGE(r.exit_code == 0, r.describe());
        std::istringstream lines(r.out);
        int events = 0;
        for (std::string line; std::getline(lines, line);) {
            const auto event = nlohmann::json::parse(line);
            CHECK(event["type"] == "stats");
            CHECK(event["id"] == id);
            ++events;
        }
        CHECK_MESSAGE(events >= 2, r.describe());
    }

    TEST_CASE("events refuses an unknown or stopped container and a zero interval") {
        require_root();
        Runtime rt;
        auto unknown = rt.run({"events", "--stats", "it-no-such-container"});
        CHECK(unknown.exit_code != 0);
        CHECK_MESSAGE(unknown.err.find("does not exist") != std::string::npos, unknown.describe());

        Bundle b{{"/probe", "exit", "0"}};
        std::string id = rt.new_id();
        REQUIRE(rt.run({"run", "--detach", "--bundle", b.dir(), id}).exit_code == 0);
        REQUIRE(wait_until([&] { return rt.state(id)["status"] == "stopped"; }));
        auto stopped = rt.run({"events", "--stats", id});
        CHECK(stopped.exit_code != 0);
        CHECK_MESSAGE(stopped.err.find("is not running") != std::string::npos, stopped.describe());

        auto zero = rt.run({"events", "--interval", "0s", id});
        CHECK(zero.exit_code != 0);
        CHECK_MESSAGE(zero.err.find("--interval") != std::string::npos, zero.describe());
    }
}
