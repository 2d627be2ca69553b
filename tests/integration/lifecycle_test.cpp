// The container lifecycle through the real binary: create → created → start → running → kill →
// stopped → delete, `run` in the foreground, and the pid file.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <future>
#include <regex>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

std::string status_of(Runtime& rt, const std::string& id) {
    auto r = rt.run({"state", id});
    return r.exit_code == 0 ? r.json().value("status", "?") : "error: " + r.err;
}

}  // namespace

TEST_SUITE("integration/lifecycle") {
    TEST_CASE("create, start, kill and delete walk through created, running and stopped") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        std::string pid_file = b.dir() + "/init.pid";

        auto created = rt.run({"create", "--bundle", b.dir(), "--pid-file", pid_file, id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        CHECK_MESSAGE(created.out.empty(), "create must print nothing on success");
        CHECK_MESSAGE(created.err.empty(), "create must print nothing on success");

        auto state = rt.state(id);
        CHECK(state["status"] == "created");
        CHECK(state["id"] == id);
        CHECK(state["bundle"] == b.dir());
        int pid = state["pid"].get<int>();
        CHECK(pid > 0);
        CHECK(read_text_file(pid_file) == std::to_string(pid));

        rt.run({"start", id});
        CHECK(status_of(rt, id) == "running");
        auto started_again = rt.run({"start", id});
        CHECK(started_again.exit_code != 0);
        CHECK_MESSAGE(started_again.err.find("cannot start an already running container") !=
                          std::string::npos,
                      started_again.describe());

        auto killed = rt.run({"kill", id, "TERM"});
        CHECK_MESSAGE(killed.exit_code == 0, killed.describe());
        CHECK_MESSAGE(wait_until([&] { return status_of(rt, id) == "stopped"; }),
                      ("container did not stop after SIGTERM: " + status_of(rt, id)));
        CHECK(rt.state(id)["pid"] == 0);

        auto deleted = rt.run({"delete", id});
        CHECK_MESSAGE(deleted.exit_code == 0, deleted.describe());
        CHECK_FALSE(path_exists(rt.root() + "/" + id));
        auto gone = rt.run({"state", id});
        CHECK(gone.exit_code != 0);
        CHECK(gone.err.find("does not exist") != std::string::npos);
    }

    TEST_CASE("create returns with the init parked and re-parented to the caller") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        auto created = rt.run({"create", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        int pid = rt.state(id)["pid"].get<int>();
        // The harness is a child subreaper, like containerd-shim: with no helper process left
        // in between, the init is now our direct child.
        std::string stat = read_text_file("/proc/" + std::to_string(pid) + "/stat");
        auto after_comm = stat.substr(stat.rfind(')') + 2);
        int ppid = std::stoi(after_comm.substr(2));
        CHECK(ppid == getpid());
        // Parked: the program has not run, so its pidfile-visible process is still the init
        // waiting on exec.fifo.
        CHECK(path_exists(rt.root() + "/" + id + "/exec.fifo"));
    }

    TEST_CASE("the pid file holds only the decimal host pid, without a newline") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        std::string pid_file = b.dir() + "/init.pid";
        auto created = rt.run({"create", "--bundle", b.dir(), "--pid-file", pid_file, id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        std::string text = read_text_file(pid_file);
        CHECK_MESSAGE(std::regex_match(text, std::regex("[1-9][0-9]*")),
                      ("pid file: '" + text + "'"));
        CHECK(path_exists("/proc/" + text));
        CHECK_FALSE(path_exists(b.dir() + "/.init.pid"));
    }

    TEST_CASE("run in the foreground exits with the program's status and deletes the container") {
        require_root();
        Runtime rt;
        for (int code : {0, 3, 42}) {
            Bundle b{{"/probe", "exit", std::to_string(code)}};
            std::string id = rt.new_id();
            HostSnapshot before = snapshot_host(rt.root());
            auto r = rt.run({"run", "--bundle", b.dir(), id});
            CHECK_MESSAGE(r.exit_code == code, r.describe());
            CHECK_FALSE(path_exists(rt.root() + "/" + id));
            for (const auto& leak : leaks_between(before, snapshot_host(rt.root()))) {
                FAIL_CHECK("left behind: " << leak);  // its cgroups above all
            }
        }
    }

    TEST_CASE("run passes the program's stdout through and keeps the container with --keep") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "cwd"}};
        std::string id = rt.new_id();
        auto r = rt.run({"run", "--keep", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK(r.json()["cwd"] == "/");
        CHECK(status_of(rt, id) == "stopped");
        CHECK(rt.run({"delete", id}).exit_code == 0);
    }

    TEST_CASE("run reports 128+signal when the program is killed") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        auto running = std::async(std::launch::async, [&] {
            return rt.run({"run", "--bundle", b.dir(), id});
        });
        REQUIRE(wait_until([&] { return status_of(rt, id) == "running"; }, 10000));
        CHECK(rt.run({"kill", id, "9"}).exit_code == 0);
        auto r = running.get();
        CHECK_MESSAGE(r.exit_code == 128 + SIGKILL, r.describe());
    }

    TEST_CASE("run --detach returns while the program keeps running") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        auto r = rt.run({"run", "--detach", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK(status_of(rt, id) == "running");
        CHECK(rt.run({"delete", "--force", id}).exit_code == 0);
        CHECK_FALSE(path_exists(rt.root() + "/" + id));
    }

    TEST_CASE("delete of a created container kills it without --force") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        REQUIRE(rt.run({"create", "--bundle", b.dir(), id}).exit_code == 0);
        int pid = rt.state(id)["pid"].get<int>();
        auto r = rt.run({"delete", id});
        CHECK_MESSAGE(r.exit_code == 0, r.describe());
        CHECK(wait_until([&] { return !path_exists("/proc/" + std::to_string(pid) + "/stat"); }));
    }

    TEST_CASE("in the host's PID namespace, delete kills what the dead init left behind") {
        require_root();
        Runtime rt;
        Bundle b;
        b.add_busybox({"sh", "sleep"});
        std::erase_if(b.spec().linux->namespaces, [](const auto& ns) { return ns.type == "pid"; });
        b.spec().process->args = {"/bin/sh", "-c", "sleep 600 & exec sleep 601"};
        b.write_config();
        std::string id = rt.new_id();
        REQUIRE(rt.run({"run", "-d", "--bundle", b.dir(), id}).exit_code == 0);
        std::vector<int> pids;
        REQUIRE(wait_until([&] {
            auto ps = rt.run({"ps", "--format", "json", id});
            pids = ps.exit_code == 0 ? ps.json().get<std::vector<int>>() : std::vector<int>{};
            return pids.size() >= 2;
        }));
        const int init = rt.state(id)["pid"].get<int>();
        REQUIRE(::kill(init, SIGKILL) == 0);
        REQUIRE(wait_until([&] { return status_of(rt, id) == "stopped"; }));
        auto r = rt.run({"delete", id});
        CHECK_MESSAGE(r.exit_code == 0, r.describe());
        for (int pid : pids) {
            CAPTURE(pid);
            // The orphan was re-parented to this test process (a subreaper), which reaps it.
            CHECK(wait_until([&] {
                reap_zombies();
                return !path_exists("/proc/" + std::to_string(pid) + "/stat");
            }));
        }
        CHECK_FALSE(path_exists(rt.root() + "/" + id));
    }

    // run's own delete (delete_after_run) works from what create knew, not from state.json.
    TEST_CASE("in the host's PID namespace, run kills what the program left behind") {
        require_root();
        Runtime rt;
        Bundle b;
        b.add_busybox({"sh", "sleep"});
        std::erase_if(b.spec().linux->namespaces, [](const auto& ns) { return ns.type == "pid"; });
        b.spec().process->args = {"/bin/sh", "-c", "sleep 600 & exit 7"};
        b.write_config();
        HostSnapshot before = snapshot_host(rt.root());
        auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        CHECK_MESSAGE(r.exit_code == 7, r.describe());
        std::vector<std::string> leaks;
        CHECK(wait_until([&] {
            reap_zombies();  // the killed sleep was re-parented to this test process
            leaks = leaks_between(before, snapshot_host(rt.root()));
            return leaks.empty();
        }));
        for (const auto& leak : leaks) {
            FAIL_CHECK("left behind: " << leak);
        }
    }

    TEST_CASE("delete of a running container needs --force") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        REQUIRE(rt.run({"run", "-d", "--bundle", b.dir(), id}).exit_code == 0);
        auto refused = rt.run({"delete", id});
        CHECK(refused.exit_code != 0);
        CHECK_MESSAGE(refused.err.find("not stopped") != std::string::npos, refused.describe());
        CHECK(status_of(rt, id) == "running");
        CHECK(rt.run({"delete", "-f", id}).exit_code == 0);
    }

    TEST_CASE("a second create with the same id fails and leaves the first intact") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        REQUIRE(rt.run({"create", "--bundle", b.dir(), id}).exit_code == 0);
        auto again = rt.run({"create", "--bundle", b.dir(), id});
        CHECK(again.exit_code != 0);
        CHECK_MESSAGE(again.err.find("already exists") != std::string::npos, again.describe());
        CHECK(status_of(rt, id) == "created");
    }

    TEST_CASE("later commands use the spec recorded at create, whatever config.json becomes") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        b.spec().annotations["org.example.phase"] = "at-create";
        // As editors write it: a UTF-8 byte order mark, indentation, a trailing newline.
        b.write_raw_config("\xEF\xBB\xBF" + plugrt::oci::dump_spec(b.spec()) + "\n");
        std::string id = rt.new_id();
        auto created = rt.run({"create", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());

        b.spec().annotations["org.example.phase"] = "edited";
        b.write_config();
        CHECK(rt.state(id)["annotations"]["org.example.phase"] == "at-create");
        b.write_raw_config("not json any more");
        CHECK(rt.state(id)["annotations"]["org.example.phase"] == "at-create");
        CHECK(rt.run({"start", id}).exit_code == 0);
        CHECK(status_of(rt, id) == "running");
        auto deleted = rt.run({"delete", "-f", id});
        CHECK_MESSAGE(deleted.exit_code == 0, deleted.describe());
        CHECK_FALSE(path_exists(rt.root() + "/" + id));
    }
}
