// `pause` / `resume` (v1 freezer on this host): status "paused" in state and list, the cgroup
// really FROZEN, and kill/delete/exec on a paused container behaving like runc's.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

std::string status_of(Runtime& rt, const std::string& id) {
    auto r = rt.run({"state", id});
    return r.exit_code == 0 ? r.json().value("status", "?") : "error: " + r.err;
}

std::string freezer_state(Bundle& b) {
    std::string text =
        read_text_file("/sys/fs/cgroup/freezer" + b.spec().linux->cgroups_path + "/freezer.state");
    return text.substr(0, text.find('\n'));
}

bool alive(int pid) { return kill(pid, 0) == 0; }

// A running container whose init sleeps (and exits 143 on SIGTERM); returns its host pid.
int start_sleeper(Runtime& rt, Bundle& b, const std::string& id) {
    auto r = rt.run({"run", "--detach", "--bundle", b.dir(), id});
    REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
    return rt.state(id)["pid"].get<int>();
}

}  // namespace

TEST_SUITE("integration/pause") {
    TEST_CASE("pause freezes the cgroup and reads as paused in state and list; resume thaws") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int pid = start_sleeper(rt, b, id);

        auto paused = rt.run({"pause", id});
        REQUIRE_MESSAGE(paused.exit_code == 0, paused.describe());
        CHECK(freezer_state(b) == "FROZEN");
        auto state = rt.state(id);
        CHECK(state["status"] == "paused");
        CHECK(state["pid"] == pid);  // runc reports the pid of a paused container
        auto list = rt.run({"list", "--format", "json"});
        REQUIRE_MESSAGE(list.exit_code == 0, list.describe());
        const auto items = list.json();
        REQUIRE(items.size() == 1);
        CHECK(items[0]["status"] == "paused");
        auto table = rt.run({"list"});
        CHECK_MESSAGE(table.out.find("paused") != std::string::npos, table.describe());

        auto again = rt.run({"pause", id});
        CHECK(again.exit_code != 0);
        CHECK_MESSAGE(again.err.find("container not running") != std::string::npos,
                      again.describe());

        auto resumed = rt.run({"resume", id});
        REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.describe());
        CHECK(freezer_state(b) == "THAWED");
        CHECK(status_of(rt, id) == "running");
        auto not_paused = rt.run({"resume", id});
        CHECK(not_paused.exit_code != 0);
        CHECK_MESSAGE(not_paused.err.find("container not paused") != std::string::npos,
                      not_paused.describe());
    }

    TEST_CASE("a signal sent to a paused container is delivered on resume") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int pid = start_sleeper(rt, b, id);
        REQUIRE(rt.run({"pause", id}).exit_code == 0);

        auto killed = rt.run({"kill", id, "TERM"});
        CHECK_MESSAGE(killed.exit_code == 0, killed.describe());
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CHECK_MESSAGE(alive(pid), "a frozen init must not act on SIGTERM before resume");
        CHECK(status_of(rt, id) == "paused");

        REQUIRE(rt.run({"resume", id}).exit_code == 0);
        CHECK_MESSAGE(wait_until([&] { return status_of(rt, id) == "stopped"; }),
                      ("SIGTERM was not delivered after resume: " + status_of(rt, id)));
    }

    TEST_CASE("kill KILL on a paused container thaws it so that it dies") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        start_sleeper(rt, b, id);
        REQUIRE(rt.run({"pause", id}).exit_code == 0);
        auto killed = rt.run({"kill", id, "KILL"});
        CHECK_MESSAGE(killed.exit_code == 0, killed.describe());
        CHECK_MESSAGE(wait_until([&] { return status_of(rt, id) == "stopped"; }),
                      status_of(rt, id));
        CHECK(freezer_state(b) == "THAWED");
    }

    TEST_CASE("delete refuses a paused container; delete --force thaws, kills and cleans up") {
        require_root();
        Runtime rt;
        HostSnapshot before = snapshot_host(rt.root());
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int pid = start_sleeper(rt, b, id);
        REQUIRE(rt.run({"pause", id}).exit_code == 0);

        auto refused = rt.run({"delete", id});
        CHECK(refused.exit_code != 0);
        CHECK_MESSAGE(refused.err.find("cannot delete container " + id +
                                       " that is not stopped: paused") != std::string::npos,
                      refused.describe());
        CHECK(alive(pid));

        auto forced = rt.run({"delete", "--force", id});
        CHECK_MESSAGE(forced.exit_code == 0, forced.describe());
        CHECK(wait_until([&] { return !alive(pid); }));
        CHECK_FALSE(path_exists(rt.root() + "/" + id));
        CHECK_FALSE(path_exists("/sys/fs/cgroup/freezer" + b.spec().linux->cgroups_path));
        std::vector<std::string> leaks;
        wait_until([&] {
            leaks = leaks_between(before, snapshot_host(rt.root()));
            return leaks.empty();
        });
        std::string listing;
        for (const auto& leak : leaks) listing += leak + "\n";
        CHECK_MESSAGE(leaks.empty(), "left behind:\n" << listing);
    }

    TEST_CASE("exec into a paused container fails with 255; a stopped one cannot be paused") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int pid = start_sleeper(rt, b, id);
        REQUIRE(rt.run({"pause", id}).exit_code == 0);
        RunOptions bounded;
        bounded.timeout_ms = 10000;  // a joiner stuck in the frozen cgroup would hang exec
        auto exec = rt.run({"exec", id, "/probe", "exit", "0"}, bounded);
        CHECK_FALSE(exec.timed_out);
        CHECK_MESSAGE(exec.exit_code == 255, exec.describe());
        CHECK_MESSAGE(exec.err.find("paused") != std::string::npos, exec.describe());
        auto start = rt.run({"start", id});
        CHECK(start.exit_code != 0);

        REQUIRE(rt.run({"resume", id}).exit_code == 0);
        kill(pid, SIGKILL);
        REQUIRE(wait_until([&] { return status_of(rt, id) == "stopped"; }));
        auto pause_stopped = rt.run({"pause", id});
        CHECK(pause_stopped.exit_code != 0);
        CHECK_MESSAGE(pause_stopped.err.find("container not running") != std::string::npos,
                      pause_stopped.describe());
    }

    TEST_CASE("exec --ignore-paused joins a paused container; the process starts on resume") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int init = start_sleeper(rt, b, id);
        REQUIRE(rt.run({"pause", id}).exit_code == 0);

        // In the background: it cannot finish while the container is frozen (runc neither).
        const std::string pid_file = b.dir() + "/exec.pid", rc_file = b.dir() + "/exec.rc";
        const std::string command = std::string(plugrt_bin()) + " --root " + rt.root() +
                                    " exec --ignore-paused --detach --pid-file " + pid_file + " " +
                                    id + " /probe sleep 600; echo $? > " + rc_file;
        auto launched = run_program({"/bin/sh", "-c", "(" + command + ") >/dev/null 2>&1 &"});
        REQUIRE(launched.exit_code == 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        CHECK_FALSE(path_exists(rc_file));
        CHECK(status_of(rt, id) == "paused");

        REQUIRE(rt.run({"resume", id}).exit_code == 0);
        REQUIRE_MESSAGE(wait_until([&] { return !read_text_file(rc_file).empty(); }, 10000),
                        "exec --ignore-paused did not finish after resume");
        CHECK(read_text_file(rc_file) == "0\n");
        std::string pid_text = read_text_file(pid_file);
        REQUIRE_FALSE(pid_text.empty());
        const std::string own = "/proc/" + pid_text + "/cgroup";
        CHECK(read_text_file(own) == read_text_file("/proc/" + std::to_string(init) + "/cgroup"));
    }
}
