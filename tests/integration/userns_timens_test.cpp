// A user-namespace container (the spec's uid/gid maps, seen from inside and from the host) and a
// time-namespace container with linux.timeOffsets (written before the init enters it).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "integration/isolation_helpers.hpp"

using namespace plugrt::test;
namespace oci = plugrt::oci;

namespace {

// "         0     100000      65536\n" → "0 100000 65536".
std::string words(const std::string& text) {
    std::istringstream in(text);
    std::string out, w;
    while (in >> w) out += (out.empty() ? "" : " ") + w;
    return out;
}

// "Uid:\t100000\t100000\t100000\t100000" → the real id.
std::string status_id(int pid, const std::string& key) {
    std::istringstream lines(read_text_file("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(key + ":", 0) == 0) {
            std::istringstream f(line.substr(key.size() + 1));
            std::string id;
            f >> id;
            return id;
        }
    }
    return "";
}

long long now_seconds(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<long long>(ts.tv_sec);
}

}  // namespace

TEST_SUITE("integration/userns") {
    TEST_CASE("the probe sees uid/gid 0 and the spec's maps in /proc/self/uid_map and gid_map") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "ids"}};
        make_userns_bundle(b);
        auto ids = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        REQUIRE_MESSAGE(ids.exit_code == 0, ids.describe());
        CHECK(ids.json()["uid"] == 0);
        CHECK(ids.json()["gid"] == 0);

        for (const char* file : {"uid_map", "gid_map"}) {
            CAPTURE(file);
            b.spec().process->args = {"/probe", "read", std::string("/proc/self/") + file};
            b.write_config();
            auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
            REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
            CHECK(words(r.json()["content"]) == "0 100000 65536");
        }
    }

    TEST_CASE("from the host, the container's user 1000 is 101000 and its root is 100000") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        b.spec().process->user.uid = 1000;
        b.spec().process->user.gid = 1000;
        make_userns_bundle(b);
        std::string id = rt.new_id();
        auto created = rt.run({"create", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        int pid = rt.state(id)["pid"].get<int>();
        // The parked init has already switched to the process user (I15).
        CHECK(status_id(pid, "Uid") == "101000");
        CHECK(status_id(pid, "Gid") == "101000");
        CHECK(words(read_text_file("/proc/" + std::to_string(pid) + "/uid_map")) ==
              "0 100000 65536");
        auto exec = rt.run({"start", id});
        CHECK_MESSAGE(exec.exit_code == 0, exec.describe());
        // exec joins the user namespace too.
        auto ids = rt.run({"exec", id, "/probe", "ids"});
        REQUIRE_MESSAGE(ids.exit_code == 0, ids.describe());
        CHECK(ids.json()["uid"] == 1000);
    }
}

TEST_SUITE("integration/timens") {
    TEST_CASE("linux.timeOffsets shift CLOCK_MONOTONIC and CLOCK_BOOTTIME in the container") {
        require_root();
        REQUIRE_MESSAGE(path_exists("/proc/self/ns/time"), "this kernel has no time namespaces");
        Runtime rt;
        Bundle b{{"/probe", "clocks"}};
        constexpr long long kMonotonic = 10 * 86400, kBoottime = 20 * 86400;
        auto& linux = *b.spec().linux;
        linux.namespaces.push_back({"time", "", oci::Json::object()});
        linux.time_offsets["monotonic"] = oci::TimeOffset{kMonotonic, 0, oci::Json::object()};
        linux.time_offsets["boottime"] = oci::TimeOffset{kBoottime, 500, oci::Json::object()};
        b.write_config();

        long long host_mono = now_seconds(CLOCK_MONOTONIC);
        long long host_boot = now_seconds(CLOCK_BOOTTIME);
        auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        long long mono = r.json()["monotonic"].get<long long>();
        long long boot = r.json()["boottime"].get<long long>();
        CHECK_MESSAGE((mono >= host_mono + kMonotonic && mono <= host_mono + kMonotonic + 30),
                      r.out);
        CHECK_MESSAGE((boot >= host_boot + kBoottime && boot <= host_boot + kBoottime + 30), r.out);

        b.spec().process->args = {"/probe", "read", "/proc/self/timens_offsets"};
        b.write_config();
        auto offsets = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        REQUIRE_MESSAGE(offsets.exit_code == 0, offsets.describe());
        std::string text = words(offsets.json()["content"]);
        CHECK_MESSAGE(text.find("monotonic 864000 0") != std::string::npos, text);
        CHECK_MESSAGE(text.find("boottime 1728000 500") != std::string::npos, text);
    }

    TEST_CASE("exec joins the container's time namespace, offsets included") {
        require_root();
        REQUIRE_MESSAGE(path_exists("/proc/self/ns/time"), "this kernel has no time namespaces");
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        auto& linux = *b.spec().linux;
        linux.namespaces.push_back({"time", "", oci::Json::object()});
        linux.time_offsets["monotonic"] = oci::TimeOffset{86400, 0, oci::Json::object()};
        b.write_config();
        std::string id = rt.new_id();
        auto started = rt.run({"run", "--detach", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        long long host_mono = now_seconds(CLOCK_MONOTONIC);
        auto r = rt.run({"exec", id, "/probe", "clocks"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK(r.json()["monotonic"].get<long long>() >= host_mono + 86400);
    }

    TEST_CASE("timeOffsets without a new time namespace are refused and leave nothing") {
        require_root();
        Runtime rt;
        HostSnapshot before = snapshot_host(rt.root());
        Bundle b{{"/probe", "clocks"}};
        b.spec().linux->time_offsets["monotonic"] = oci::TimeOffset{1, 0, oci::Json::object()};
        b.write_config();
        auto r = rt.run({"create", "--bundle", b.dir(), rt.new_id()});
        CHECK(r.exit_code == 1);
        CHECK_MESSAGE(r.err.find("linux.timeOffsets") != std::string::npos, r.describe());
        CHECK(leaks_between(before, snapshot_host(rt.root())).empty());
    }
}
