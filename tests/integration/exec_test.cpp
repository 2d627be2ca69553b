// `plugrt exec`: the process joins the container's cgroups before any of its own code runs,
// lands in every namespace, its host pid goes to the pid file, and every setup failure exits 255
// like runc (exec.go fatalWithCode) with the pid file left unwritten.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

// A running container whose init sleeps; returns its host pid.
int start_sleeper(Runtime& rt, Bundle& b, const std::string& id) {
    auto r = rt.run({"run", "--detach", "--bundle", b.dir(), id});
    REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
    auto state = rt.state(id);
    REQUIRE(state["status"] == "running");
    return state["pid"].get<int>();
}

std::string proc_file(int pid, const char* name) {
    return read_text_file("/proc/" + std::to_string(pid) + "/" + name);
}

// Runs a failing exec and checks runc's contract for it: 255, a message, no pid file.
void expect_exec_failure(Runtime& rt, const std::vector<std::string>& args,
                         const std::string& pid_file, const std::string& expected) {
    std::vector<std::string> full = {"exec", "--pid-file", pid_file};
    full.insert(full.end(), args.begin(), args.end());
    auto r = rt.run(full);
    CHECK_MESSAGE(r.exit_code == 255, r.describe());
    CHECK_MESSAGE(r.err.find(expected) != std::string::npos, "stderr should mention '"
                                                                 << expected << "'\n"
                                                                 << r.describe());
    CHECK_FALSE(path_exists(pid_file));
}

}  // namespace

TEST_SUITE("integration/exec") {
    TEST_CASE("the exec'd process is in the container's cgroups from its first instruction") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int init = start_sleeper(rt, b, id);
        // No cgroup namespace in the default spec, so /proc/self/cgroup shows host paths and the
        // exec'd probe must see exactly the init's list. The probe reads it as its very first
        // action: a process moved into the cgroup only after it started (the old race) shows
        // the runtime's cgroup here. Several rounds, because a race may be won by luck.
        std::string expected = proc_file(init, "cgroup");
        REQUIRE(expected.find("/plugrt-test/") != std::string::npos);
        for (int round = 0; round < 5; ++round) {
            auto r = rt.run({"exec", id, "/probe", "read", "/proc/self/cgroup"});
            REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
            CHECK_MESSAGE(r.json()["content"] == expected, "round " << round << "\n"
                                                                    << r.describe());
        }
    }

    TEST_CASE("exec --detach --pid-file: host pid, every namespace, the cgroup, exit 0") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int init = start_sleeper(rt, b, id);
        std::string pid_file = b.dir() + "/exec.pid";
        auto r = rt.run({"exec", "--detach", "--pid-file", pid_file, id, "/probe", "sleep", "600"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        std::string text = read_text_file(pid_file);
        REQUIRE_MESSAGE(!text.empty(), "no pid file after exec --detach");
        CHECK(text.back() != '\n');
        int pid = std::stoi(text);
        CHECK(proc_file(pid, "cgroup") == proc_file(init, "cgroup"));
        for (const char* ns : {"pid", "mnt", "net", "ipc", "uts"}) {
            std::error_code ec;
            auto mine =
                std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/" + ns, ec);
            auto theirs =
                std::filesystem::read_symlink("/proc/" + std::to_string(init) + "/ns/" + ns, ec);
            CHECK_MESSAGE(mine == theirs, ns);
        }
        // The container's `ps` lists it.
        auto ps = rt.run({"ps", "--format", "json", id});
        REQUIRE_MESSAGE(ps.exit_code == 0, ps.describe());
        const auto pids = ps.json();
        bool listed = false;
        for (const auto& p : pids) {
            listed = listed || p.get<int>() == pid;
        }
        CHECK_MESSAGE(listed, ps.describe());
        // This process is a subreaper, so the exec'd process is our child now: reap it, or its
        // zombie keeps the init from exiting at delete (stuck_init.hpp).
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }

    TEST_CASE("delete names an unreaped exec'd zombie that keeps the init from exiting") {
        // The exec'd process is re-parented to this subreaper. Killed and not reaped, its zombie
        // holds the init in zap_pid_ns_processes; delete must say so, not just time out.
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int init = start_sleeper(rt, b, id);
        const std::string cgroups = proc_file(init, "cgroup");
        const size_t line = cgroups.find(":pids:/");
        REQUIRE(line != std::string::npos);
        const std::string pids_cgroup =
            "/sys/fs/cgroup/pids" + cgroups.substr(line + 6, cgroups.find('\n', line) - line - 6);
        REQUIRE(path_exists(pids_cgroup));
        std::string pid_file = b.dir() + "/exec.pid";
        auto r = rt.run({"exec", "--detach", "--pid-file", pid_file, id, "/probe", "sleep", "600"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        const int pid = std::stoi(read_text_file(pid_file));
        kill(pid, SIGKILL);
        REQUIRE(
            wait_until([&] { return proc_file(pid, "stat").find(") Z ") != std::string::npos; }));

        RunOptions patient;
        patient.timeout_ms = 30000;
        auto stuck = rt.run({"delete", "--force", id}, patient);  // reaps the zombie afterwards
        CHECK_FALSE(stuck.timed_out);
        CHECK(stuck.exit_code == 1);
        CHECK_MESSAGE(stuck.err.find("init (pid " + std::to_string(init) + ") still running") !=
                          std::string::npos,
                      stuck.describe());
        CHECK_MESSAGE(stuck.err.find("zap_pid_ns_processes") != std::string::npos,
                      stuck.describe());
        const std::string zombie =
            std::to_string(pid) + " (parent " + std::to_string(getpid()) + ")";
        CHECK_MESSAGE(stuck.err.find(zombie) != std::string::npos, stuck.describe());

        // Reaped, the zombie lets the init go, and delete removes everything.
        auto again = rt.run({"delete", "--force", id});
        CHECK_MESSAGE(again.exit_code == 0, again.describe());
        CHECK(rt.run({"state", id}).exit_code != 0);
        CHECK_FALSE(path_exists(pids_cgroup));
    }

    TEST_CASE("exec in the foreground returns the process's exit status") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        start_sleeper(rt, b, id);
        auto r = rt.run({"exec", id, "/probe", "exit", "7"});
        CHECK_MESSAGE(r.exit_code == 7, r.describe());
    }

    TEST_CASE("setup failures of exec exit 255 and write no pid file") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        int init = start_sleeper(rt, b, id);
        std::string pid_file = b.dir() + "/exec.pid";

        SUBCASE("a program missing from PATH") {
            expect_exec_failure(rt, {id, "nosuchcmd"}, pid_file,
                                "exec: \"nosuchcmd\": executable file not found in $PATH");
        }
        SUBCASE("a working directory that does not exist") {
            expect_exec_failure(rt, {"--cwd", "/no/such/dir", id, "/probe", "exit", "0"}, pid_file,
                                "/no/such/dir");
        }
        SUBCASE("an unknown container") {
            expect_exec_failure(rt, {"it-no-such-container", "/probe", "exit", "0"}, pid_file,
                                "does not exist");
        }
        SUBCASE("a stopped container") {
            kill(init, SIGKILL);
            REQUIRE(wait_until([&] { return rt.state(id)["status"] == "stopped"; }));
            expect_exec_failure(rt, {id, "/probe", "exit", "0"}, pid_file, "stopped");
        }
        SUBCASE("detached, a program that is not executable") {
            // The probe rootfs has no /etc/hostname-like data file; the bundle adds one.
            b.add_file("/data.txt", "not a program\n", 0644);
            expect_exec_failure(rt, {"--detach", id, "/data.txt"}, pid_file, "permission denied");
        }
        // Whatever failed, nothing of the attempt stays in the container.
        if (rt.state(id)["status"] == "running") {
            auto ps = rt.run({"ps", "--format", "json", id});
            REQUIRE_MESSAGE(ps.exit_code == 0, ps.describe());
            CHECK_MESSAGE(ps.json().size() == 1, ps.describe());
        }
    }

    TEST_CASE("exec --cap adds a capability, --additional-gids a group (runc's flags)") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        start_sleeper(rt, b, id);
        const uint64_t net_admin = uint64_t{1} << 12;  // CAP_NET_ADMIN
        auto has_net_admin = [&](const nlohmann::json& caps, const char* set) {
            return (std::stoull(caps[set].get<std::string>(), nullptr, 16) & net_admin) != 0;
        };
        auto plain = rt.run({"exec", id, "/probe", "caps"});
        REQUIRE_MESSAGE(plain.exit_code == 0, plain.describe());
        CHECK_FALSE(has_net_admin(plain.json(), "CapEff"));  // not in runc's default set

        auto added = rt.run({"exec", "--cap", "CAP_NET_ADMIN", id, "/probe", "caps"});
        REQUIRE_MESSAGE(added.exit_code == 0, added.describe());
        for (const char* set : {"CapEff", "CapPrm", "CapBnd"}) {
            CHECK_MESSAGE(has_net_admin(added.json(), set), set << ": " << added.describe());
        }
        CHECK_FALSE(has_net_admin(added.json(), "CapAmb"));

        auto groups = rt.run({"exec", "-g", "1234", "-g", "5678", id, "/probe", "ids"});
        REQUIRE_MESSAGE(groups.exit_code == 0, groups.describe());
        auto list = groups.json()["groups"];
        CHECK_MESSAGE(std::find(list.begin(), list.end(), 1234) != list.end(), groups.describe());
        CHECK_MESSAGE(std::find(list.begin(), list.end(), 5678) != list.end(), groups.describe());

        // Each of these flags takes one value: the id and the command after it are not values.
        auto env = rt.run({"exec", "-e", "A=1", "--env", "B=2", id, "/probe", "env"});
        REQUIRE_MESSAGE(env.exit_code == 0, env.describe());
        CHECK_MESSAGE(env.out.find("A=1") != std::string::npos, env.describe());
        CHECK_MESSAGE(env.out.find("B=2") != std::string::npos, env.describe());

        auto bogus = rt.run({"exec", "--cap", "CAP_BOGUS", id, "/probe", "caps"});
        CHECK_MESSAGE(bogus.exit_code == 255, bogus.describe());
        CHECK_MESSAGE(bogus.err.find("CAP_BOGUS") != std::string::npos, bogus.describe());
    }

    TEST_CASE("a foreground exec passes a TERM on to its process instead of orphaning it") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        start_sleeper(rt, b, id);
        // In the background, so that the test can signal plugrt itself.
        const std::string pid_file = b.dir() + "/plugrt.pid", rc_file = b.dir() + "/exec.rc";
        const std::string command = std::string(plugrt_bin()) + " --root " + rt.root() + " exec " +
                                    id + " /probe sleep 600";
        auto launched =
            run_program({"/bin/sh", "-c",
                         "(" + command + " & echo $! > " + pid_file + "; wait $!; echo $? > " +
                             rc_file + ") >/dev/null 2>&1 &"});
        REQUIRE(launched.exit_code == 0);
        REQUIRE(wait_until([&] { return !read_text_file(pid_file).empty(); }));
        const int plugrt = std::stoi(read_text_file(pid_file));
        // Let the exec'd process start before the signal (ps lists it once it runs).
        REQUIRE(wait_until([&] {
            auto ps = rt.run({"ps", "--format", "json", id});
            return ps.exit_code == 0 && ps.json().size() == 2;
        }));
        REQUIRE(kill(plugrt, SIGTERM) == 0);
        REQUIRE_MESSAGE(wait_until([&] { return !read_text_file(rc_file).empty(); }, 10000),
                        "plugrt exec did not end after SIGTERM");
        CHECK(read_text_file(rc_file) == "143\n");  // the process died of the TERM: 128+15
        auto ps = rt.run({"ps", "--format", "json", id});
        REQUIRE(ps.exit_code == 0);
        CHECK_MESSAGE(ps.json().size() == 1, "left in the container: " << ps.out);
    }
}
