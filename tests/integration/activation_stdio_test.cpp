// systemd socket activation (LISTEN_FDS/LISTEN_PID, passed on like runc does) and runc's
// fixStdioPermissions (stdio chowned to the process user so it can reopen /proc/self/fd/N).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

std::set<int> fds_seen(const nlohmann::json& document) {
    std::set<int> fds;
    for (const auto& entry : document["fds"]) {
        fds.insert(entry["fd"].get<int>());
    }
    return fds;
}

// `plugrt` started through a shell that sets LISTEN_PID to the shell's pid, which `exec` hands
// to plugrt — what systemd (and conmon) do. `listen_pid` "self" means exactly that.
RunResult run_activated(Runtime& rt, const std::string& listen_fds, const std::string& listen_pid,
                        const std::vector<std::string>& args, const RunOptions& options) {
    std::vector<std::string> argv = {
        "/bin/sh",
        "-c",
        "LISTEN_FDS=" + listen_fds + " LISTEN_PID=" + (listen_pid == "self" ? "$$" : listen_pid) +
            " exec \"$0\" \"$@\"",
        plugrt_bin(),
        "--root",
        rt.root(),
        "--log",
        rt.log_path(),
        "--log-format",
        "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, options);
}

std::string env_value(const nlohmann::json& document, const std::string& name) {
    for (const auto& entry : document["env"]) {
        std::string e = entry.get<std::string>();
        if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
    }
    return "<unset>";
}

}  // namespace

TEST_SUITE("integration/activation") {
    TEST_CASE("LISTEN_FDS for us: the fds come first, then --preserve-fds; env says n and pid 1") {
        require_root();
        Runtime rt;
        int a = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int c = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        int d = open("/dev/full", O_RDONLY | O_CLOEXEC);
        int extra = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        RunOptions fds;
        fds.fds_at_3 = {a, c, d, extra};  // 3, 4 activation; 5 preserved; 6 must not pass

        Bundle listing{{"/probe", "fds"}};
        auto r = run_activated(
            rt, "2", "self", {"run", "--preserve-fds", "1", "--bundle", listing.dir(), rt.new_id()},
            fds);
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        const auto document = r.json();
        CHECK_MESSAGE((fds_seen(document) == std::set<int>{0, 1, 2, 3, 4, 5}), r.out);
        for (const auto& entry : document["fds"]) {
            if (entry["fd"] == 3) CHECK(entry["target"] == "/dev/null");
            if (entry["fd"] == 4) CHECK(entry["target"] == "/dev/zero");
            if (entry["fd"] == 5) CHECK(entry["target"] == "/dev/full");
        }

        Bundle env{{"/probe", "env"}};
        env.spec().process->env.push_back("LISTEN_FDS=99");  // the runtime's value wins
        env.write_config();
        auto e = run_activated(rt, "2", "self", {"run", "--bundle", env.dir(), rt.new_id()}, fds);
        REQUIRE_MESSAGE(e.exit_code == 0, e.describe());
        CHECK(env_value(e.json(), "LISTEN_FDS") == "2");
        CHECK(env_value(e.json(), "LISTEN_PID") == "1");
        close(a);
        close(c);
        close(d);
        close(extra);
    }

    TEST_CASE("LISTEN_FDS meant for another process (LISTEN_PID differs) is not forwarded") {
        require_root();
        Runtime rt;
        int a = open("/dev/null", O_RDONLY | O_CLOEXEC);
        RunOptions fds;
        fds.fds_at_3 = {a};
        Bundle listing{{"/probe", "fds"}};
        auto r = run_activated(rt, "1", "1", {"run", "--bundle", listing.dir(), rt.new_id()}, fds);
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK_MESSAGE((fds_seen(r.json()) == std::set<int>{0, 1, 2}), r.out);
        Bundle env{{"/probe", "env"}};
        auto e = run_activated(rt, "1", "1", {"run", "--bundle", env.dir(), rt.new_id()}, fds);
        REQUIRE_MESSAGE(e.exit_code == 0, e.describe());
        CHECK(env_value(e.json(), "LISTEN_FDS") == "<unset>");
        close(a);
    }
}

TEST_SUITE("integration/stdio") {
    TEST_CASE("a non-root process can reopen its stdio pipes: they are chowned to its uid") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "reopen-stdio"}};
        b.spec().process->user.uid = 1000;
        b.spec().process->user.gid = 1000;
        b.write_config();
        // The harness's pipes belong to root with mode 0600: without runc's fchown the process
        // gets EACCES opening /proc/self/fd/N.
        auto r = rt.run({"run", "--bundle", b.dir(), rt.new_id()});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        auto report = r.json();
        CHECK(report["uid"] == 1000);
        CHECK_MESSAGE(report["0"] == 0, r.out);
        CHECK_MESSAGE(report["1"] == 0, r.out);
        CHECK_MESSAGE(report["2"] == 0, r.out);
    }

    TEST_CASE("exec'd non-root processes get the same; /dev/null stdio is left alone") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        auto started = rt.run({"run", "--detach", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        auto r = rt.run({"exec", "--user", "1000:1000", id, "/probe", "reopen-stdio"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        CHECK(r.json()["uid"] == 1000);
        CHECK_MESSAGE(r.json()["1"] == 0, r.out);
        CHECK_MESSAGE(r.json()["2"] == 0, r.out);

        struct stat before {};
        REQUIRE(stat("/dev/null", &before) == 0);
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        RunOptions quiet;
        quiet.stdout_fd = devnull;
        auto q = rt.run({"exec", "--user", "1000:1000", id, "/probe", "exit", "0"}, quiet);
        close(devnull);
        CHECK_MESSAGE(q.exit_code == 0, q.describe());
        struct stat after {};
        REQUIRE(stat("/dev/null", &after) == 0);
        CHECK(after.st_uid == before.st_uid);
    }
}
