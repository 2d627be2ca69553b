// Only stdio (and --preserve-fds) may reach the container's program. A leaked runtime fd is how
// CVE-2024-21626 escaped runc (a host directory reachable through /proc/self/fd).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <set>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

std::set<int> fds_seen(const RunResult& r) {
    std::set<int> fds;
    // Keep the document alive: a range-for over a member of a temporary would dangle.
    const auto document = r.json();
    for (const auto& entry : document["fds"]) {
        fds.insert(entry["fd"].get<int>());
    }
    return fds;
}

}  // namespace

TEST_SUITE("integration/fd_leaks") {
    TEST_CASE("the program sees exactly fds 0, 1 and 2") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "fds"}};
        auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK_MESSAGE((fds_seen(r) == std::set<int>{0, 1, 2}), r.out);
    }

    TEST_CASE("fds the engine leaks to the runtime do not reach the program") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "fds"}};
        // Not CLOEXEC and inherited by plugrt: a careless engine's directory and file.
        int dir = open("/", O_RDONLY | O_DIRECTORY);
        int file = open("/etc/hostname", O_RDONLY);
        REQUIRE(dir >= 0);
        REQUIRE(file >= 0);
        RunOptions leak;
        leak.inherit_fds = {dir, file};
        auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()}, leak);
        close(dir);
        close(file);
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK_MESSAGE((fds_seen(r) == std::set<int>{0, 1, 2}), r.out);
    }

    TEST_CASE("--preserve-fds N passes fds 3 .. 3+N-1 and nothing above") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "fds"}};
        int a = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int c = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        int extra = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        RunOptions preserve;
        preserve.fds_at_3 = {a, c, extra};  // 3, 4 preserved; 5 must be closed
        auto r = rt.run({"run", "--preserve-fds", "2", "--bundle", b.dir(), rt.new_id()}, preserve);
        close(a);
        close(c);
        close(extra);
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK_MESSAGE((fds_seen(r) == std::set<int>{0, 1, 2, 3, 4}), r.out);
        const auto document = r.json();  // a member of a temporary would dangle in range-for
        for (const auto& entry : document["fds"]) {
            if (entry["fd"] == 3) CHECK(entry["target"] == "/dev/null");
            if (entry["fd"] == 4) CHECK(entry["target"] == "/dev/zero");
        }
    }

    TEST_CASE("create + start: the parked init holds no runtime fds by the time it runs") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "fds"}};
        std::string id = rt.new_id();
        std::string out = b.dir() + "/out.json";
        // The program's stdout is a file here, so its report survives the create process.
        int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        REQUIRE(fd >= 0);
        RunOptions to_file;
        to_file.stdout_fd = fd;
        auto created = rt.run({"create", "--bundle", b.dir(), id}, to_file);
        close(fd);
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        REQUIRE(rt.run({"start", id}).exit_code == 0);
        CHECK(wait_until([&] { return read_text_file(out).find("fds") != std::string::npos; }));
        auto report = nlohmann::json::parse(read_text_file(out));
        std::set<int> fds;
        for (const auto& e : report["fds"]) fds.insert(e["fd"].get<int>());
        CHECK(fds == std::set<int>{0, 1, 2});
    }
}
