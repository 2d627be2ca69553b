// What engines pass and expect (shared/reference/runtime-cli-contract.md), replayed verbatim:
// containerd's and Docker 20.10's call sequences, error wording they match on, the --log JSON
// format, flag spellings.
#include <doctest/doctest.h>

#include <regex>
#include <sstream>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string status_of(Runtime& rt, const std::string& id) {
    auto r = rt.run({"state", id});
    return r.exit_code == 0 ? r.json().value("status", "?") : "error: " + r.err;
}

// Every line of a json-mode log must be a JSON object with string level/msg and an RFC 3339
// time (containerd decodes the whole file; one bad line hides the real error).
void check_json_log(const std::string& text) {
    static const std::regex kRfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
    std::istringstream lines(text);
    int count = 0;
    for (std::string line; std::getline(lines, line); ++count) {
        INFO("log line: " << line);
        auto doc = nlohmann::json::parse(line);  // throws → test error
        REQUIRE(doc.is_object());
        CHECK(doc["level"].is_string());
        CHECK(doc["msg"].is_string());
        REQUIRE(doc["time"].is_string());
        CHECK(std::regex_match(doc["time"].get<std::string>(), kRfc3339));
    }
    CHECK(text.empty() == (count == 0));
    CHECK_MESSAGE((text.empty() || text.back() == '\n'), "log must end with a newline");
}

std::string last_error_msg(const std::string& log) {
    std::string msg;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        auto doc = nlohmann::json::parse(line, nullptr, false);
        if (doc.is_object() && doc.value("level", "") == "error") {
            msg = doc.value("msg", "");
        }
    }
    return msg;
}

}  // namespace

TEST_SUITE("integration/runc_cli_contract") {
    TEST_CASE("containerd's sequence: create, state, start, kill 15, state, delete, delete -f") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        std::string pid_file = b.dir() + "/init.pid";
        RunOptions in_bundle;
        in_bundle.cwd = b.dir();  // containerd starts the shim, hence us, in the bundle
        auto create = rt.raw({"--root", rt.root(), "--log", b.dir() + "/log.json", "--log-format",
                              "json", "create", "--bundle", b.dir(), "--pid-file", pid_file, id},
                             in_bundle);
        REQUIRE_MESSAGE(create.exit_code == 0, create.describe());
        CHECK(create.out.empty());
        CHECK(read_text_file(pid_file) == std::to_string(rt.state(id)["pid"].get<int>()));
        CHECK(status_of(rt, id) == "created");
        CHECK(rt.run({"start", id}).exit_code == 0);
        CHECK(status_of(rt, id) == "running");
        auto kill = rt.run({"kill", id, "15"});
        CHECK_MESSAGE(kill.exit_code == 0, kill.describe());
        CHECK(wait_until([&] { return status_of(rt, id) == "stopped"; }));
        CHECK(rt.run({"delete", id}).exit_code == 0);
        auto cleanup = rt.run({"delete", "--force", id});
        CHECK_MESSAGE(cleanup.exit_code == 0, cleanup.describe());
        check_json_log(read_text_file(b.dir() + "/log.json"));
    }

    TEST_CASE("Docker 20.10 plugin sequence with ps, kill 15 then 9, delete") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        auto create =
            rt.run({"create", "--bundle", b.dir(), "--pid-file", b.dir() + "/init.pid", id});
        REQUIRE_MESSAGE(create.exit_code == 0, create.describe());
        CHECK(rt.run({"start", id}).exit_code == 0);
        auto ps = rt.run({"ps", "--format", "json", id});
        CHECK_MESSAGE(ps.exit_code == 0, ps.describe());
        CHECK(ps.json().is_array());
        CHECK(rt.run({"kill", id, "15"}).exit_code == 0);
        wait_until([&] { return status_of(rt, id) == "stopped"; });
        auto kill9 = rt.run({"kill", id, "9"});
        // After the init is gone, containerd accepts "container not running" as benign.
        if (kill9.exit_code != 0) {
            CHECK_MESSAGE(contains(kill9.err, "container not running"), kill9.describe());
        }
        CHECK(rt.run({"delete", id}).exit_code == 0);
        CHECK(rt.run({"delete", "--force", id}).exit_code == 0);
    }

    TEST_CASE(
        "unknown ids: 'does not exist' for kill, state, start and delete; delete -f succeeds") {
        require_root();
        Runtime rt;
        for (auto args : std::vector<std::vector<std::string>>{{"kill", "nosuch", "15"},
                                                               {"state", "nosuch"},
                                                               {"start", "nosuch"},
                                                               {"delete", "nosuch"}}) {
            auto r = rt.run(args);
            CHECK_MESSAGE(r.exit_code == 1, r.describe());
            CHECK_MESSAGE(contains(r.err, "does not exist"), r.describe());
            CHECK_MESSAGE(contains(last_error_msg(rt.log_text()), "does not exist"), rt.log_text());
        }
        auto forced = rt.run({"delete", "--force", "nosuch"});
        CHECK_MESSAGE(forced.exit_code == 0, forced.describe());
        check_json_log(rt.log_text());
    }

    TEST_CASE("kill of a stopped container says 'container not running'") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "exit", "0"}};
        std::string id = rt.new_id();
        REQUIRE(rt.run({"run", "--keep", "--bundle", b.dir(), id}).exit_code == 0);
        auto r = rt.run({"kill", id, "KILL"});
        CHECK(r.exit_code != 0);
        CHECK_MESSAGE(contains(r.err, "container not running"), r.describe());
        CHECK(contains(last_error_msg(rt.log_text()), "container not running"));
    }

    TEST_CASE("signals by number, name with and without SIG, any case") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        for (std::string sig : {"15", "TERM", "SIGTERM", "sigterm", "term"}) {
            std::string id = rt.new_id();
            REQUIRE(rt.run({"run", "-d", "--bundle", b.dir(), id}).exit_code == 0);
            auto r = rt.run({"kill", id, sig});
            CHECK_MESSAGE(r.exit_code == 0, r.describe());
            CHECK_MESSAGE(wait_until([&] { return status_of(rt, id) == "stopped"; }), sig);
        }
        std::string id = rt.new_id();
        REQUIRE(rt.run({"run", "-d", "--bundle", b.dir(), id}).exit_code == 0);
        auto bad = rt.run({"kill", id, "SIGNOPE"});
        CHECK(bad.exit_code != 0);
        CHECK(contains(bad.err, "unknown signal"));
        CHECK(rt.run({"kill", id, "65"}).exit_code != 0);
        CHECK(status_of(rt, id) == "running");
        CHECK(rt.run({"kill", id}).exit_code == 0);  // default SIGTERM
        CHECK(wait_until([&] { return status_of(rt, id) == "stopped"; }));
    }

    TEST_CASE("global flags in any order, with =, and runc's single-dash long forms") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        auto create = rt.raw({"--log-format=json", "--log=" + rt.log_path(), "--rootless=false",
                              "-root", rt.root(), "create", "-b", b.dir(), id});
        REQUIRE_MESSAGE(create.exit_code == 0, create.describe());
        auto state = rt.raw({"--root=" + rt.root(), "state", id});
        CHECK_MESSAGE(state.exit_code == 0, state.describe());
        CHECK(state.json()["status"] == "created");
        CHECK(rt.raw({"--debug", "--root", rt.root(), "--systemd-cgroup=false", "delete", id})
                  .exit_code == 0);
    }

    TEST_CASE("help lists every command, with or without global flags before it") {
        Runtime rt;
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"--help"}, {"--root", rt.root(), "--log-format", "json", "--help"}}) {
            auto r = rt.raw(args);
            CHECK(r.exit_code == 0);
            for (const char* command :
                 {"create", "start", "state", "kill", "delete", "run", "exec", "list", "ps",
                  "pause", "resume", "spec", "features", "plugin"}) {
                CAPTURE(command);
                CHECK(contains(r.out, std::string("\n  ") + command + " "));
            }
        }
        // The values of global flags are not taken for the command word.
        auto list = rt.raw({"--log-format", "json", "--root", rt.root(), "list", "-q"});
        CHECK_MESSAGE(list.exit_code == 0, list.describe());
        auto plugin = rt.raw({"--root", rt.root(), "plugin", "--help"});
        CHECK(plugin.exit_code == 0);
        CHECK(contains(plugin.out, "\n  call "));
    }

    TEST_CASE("state prints runc's object without a trailing newline") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        b.spec().annotations = {{"org.example.key", "value"}};
        b.write_config();
        std::string id = rt.new_id();
        REQUIRE(rt.run({"create", "--bundle", b.dir(), id}).exit_code == 0);
        auto r = rt.run({"state", id});
        REQUIRE(r.exit_code == 0);
        CHECK(r.out.back() == '}');
        auto s = r.json();
        for (const char* key :
             {"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"}) {
            CHECK_MESSAGE(s.contains(key), key);
        }
        CHECK(s["annotations"]["org.example.key"] == "value");
        CHECK(s["rootfs"] == b.rootfs());
    }

    TEST_CASE("list: runc's table columns, json array, quiet ids, null when empty") {
        require_root();
        Runtime rt;
        auto empty = rt.run({"list", "--format", "json"});
        CHECK(empty.exit_code == 0);
        CHECK(empty.out == "null\n");
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        REQUIRE(rt.run({"create", "--bundle", b.dir(), id}).exit_code == 0);
        auto table = rt.run({"list"});
        CHECK(table.out.rfind("ID", 0) == 0);
        for (const char* col : {"PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}) {
            CHECK(contains(table.out.substr(0, table.out.find('\n')), col));
        }
        CHECK(contains(table.out, id));
        auto json = rt.run({"list", "--format=json"}).json();
        REQUIRE(json.is_array());
        CHECK(json[0]["id"] == id);
        CHECK(json[0]["status"] == "created");
        CHECK(json[0]["owner"] == "root");
        CHECK(rt.run({"list", "-q"}).out == id + "\n");
    }

    TEST_CASE("--version prints plugrt, commit, spec and libseccomp lines") {
        Runtime rt;
        auto r = rt.raw({"--version"});
        CHECK(r.exit_code == 0);
        CHECK(r.out.rfind("plugrt version 0.1.0\n", 0) == 0);
        CHECK(std::regex_search(r.out, std::regex("\ncommit: [0-9a-f]{7,}|\ncommit: unknown")));
        CHECK(contains(r.out, "\nspec: 1."));
        CHECK(std::regex_search(r.out, std::regex("\nlibseccomp: \\d+\\.\\d+\\.\\d+\n")));
    }

    TEST_CASE("usage errors exit 1 and are logged as JSON") {
        Runtime rt;
        auto missing_id = rt.run({"start"});
        CHECK(missing_id.exit_code == 1);
        auto unknown = rt.run({"frobnicate"});
        CHECK(unknown.exit_code == 1);
        CHECK_FALSE(unknown.err.empty());
        check_json_log(rt.log_text());
    }
}
