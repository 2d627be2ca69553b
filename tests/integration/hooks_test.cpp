// OCI lifecycle hooks through the real binary: every kind runs once, in the runtime-spec's
// order, with the container state on stdin, both for create/start/delete (how engines drive a
// runtime) and for `run` (which starts without the exec.fifo round trip).
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "integration/harness.hpp"

using namespace plugrt::test;
namespace oci = plugrt::oci;

namespace {

// A hook that appends "<name> <status from the state on stdin>" to `log`, after `delay`
// seconds if given. `sh` is the host's for the hooks R runs and busybox's inside the container
// for startContainer.
oci::Hook logging_hook(const std::string& sh, const std::string& name, const std::string& log,
                       const std::string& delay = "") {
    oci::Hook hook;
    hook.path = sh;
    hook.args = {"sh", "-c",
                 (delay.empty() ? "" : "sleep " + delay + "; ") + "echo " + name +
                     " $(sed -n 's/.*\"status\":\"\\([a-z]*\\)\".*/\\1/p') >> " + log};
    return hook;
}

// poststart must come after the program was executed: it logs "poststart <status> <name of the
// init's executable>", which is busybox once the init has exec'd and plugrt before.
oci::Hook poststart_hook(const std::string& log) {
    oci::Hook hook;
    hook.path = "/bin/sh";
    hook.args = {"sh", "-c",
                 "state=$(cat); "
                 "pid=$(echo \"$state\" | sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p'); "
                 "status=$(echo \"$state\" | sed -n 's/.*\"status\":\"\\([a-z]*\\)\".*/\\1/p'); "
                 "echo poststart $status $(basename \"$(readlink /proc/$pid/exe)\") >> " +
                     log};
    return hook;
}

// A bundle with one logging hook of every kind; the container sees the log directory at
// /hooklog (startContainer runs after pivot_root, inside the container).
struct HookedBundle {
    Bundle bundle;
    std::string log_dir = make_temp_dir("plugrt-it-hooks-");

    explicit HookedBundle(const std::vector<std::string>& args) : bundle(args) {
        bundle.add_busybox({"sh", "sed", "sleep", "true"});
        oci::Spec& spec = bundle.spec();
        spec.mounts.push_back({"/hooklog", "bind", log_dir, {"rbind", "rw"}, {}, {}, {}});
        const std::string host_log = log_dir + "/log";
        oci::Hooks hooks;
        hooks.prestart = {logging_hook("/bin/sh", "prestart", host_log)};
        hooks.create_runtime = {logging_hook("/bin/sh", "createRuntime", host_log)};
        hooks.create_container = {logging_hook("/bin/sh", "createContainer", host_log)};
        // Slow on purpose: a poststart that does not wait for the execve (which comes after
        // startContainer) runs meanwhile, and is caught by its order and by the executable it
        // sees (plugrt, not busybox).
        hooks.start_container = {logging_hook("/bin/sh", "startContainer", "/hooklog/log", "0.3")};
        hooks.poststart = {poststart_hook(host_log)};
        hooks.poststop = {logging_hook("/bin/sh", "poststop", host_log)};
        spec.hooks = hooks;
        bundle.write_config();
    }
    ~HookedBundle() {
        std::error_code ec;
        std::filesystem::remove_all(log_dir, ec);
    }
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        std::istringstream in(read_text_file(log_dir + "/log"));
        for (std::string line; std::getline(in, line);) {
            out.push_back(line);
        }
        return out;
    }
};

// startContainer runs in the init before its execve, poststart in the releasing command
// after it; the executable poststart sees is the program's (busybox), not plugrt.
const std::vector<std::string> kLifecycleOrder = {
    "prestart creating",      "createRuntime creating",    "createContainer creating",
    "startContainer created", "poststart running busybox", "poststop stopped"};

void check_lifecycle_order(const std::vector<std::string>& lines) {
    std::string got;
    for (const auto& line : lines) {
        got += line + " | ";
    }
    CHECK_MESSAGE(lines == kLifecycleOrder, "hook log: " << got);
}

}  // namespace

TEST_SUITE("integration/hooks") {
    TEST_CASE("create, start, delete: every hook once, in order, with the state on stdin") {
        require_root();
        Runtime rt;
        HookedBundle hb({"/bin/sleep", "600"});
        const std::string id = rt.new_id();
        auto created = rt.run({"create", "--bundle", hb.bundle.dir(), id});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        CHECK(hb.lines() ==
              std::vector<std::string>(kLifecycleOrder.begin(), kLifecycleOrder.begin() + 3));
        auto started = rt.run({"start", id});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        CHECK(wait_until([&] { return hb.lines().size() >= 5; }));
        CHECK(rt.run({"kill", id, "KILL"}).exit_code == 0);
        CHECK(wait_until([&] { return rt.state(id)["status"] == "stopped"; }));
        auto deleted = rt.run({"delete", id});
        CHECK_MESSAGE(deleted.exit_code == 0, deleted.describe());
        check_lifecycle_order(hb.lines());
    }

    TEST_CASE("run: the same hooks in the same order, poststart once the program runs") {
        require_root();
        Runtime rt;
        HookedBundle hb({"/bin/sleep", "1"});  // still running when poststart looks at it
        const std::string id = rt.new_id();
        auto r = rt.run({"run", "--bundle", hb.bundle.dir(), id});
        CHECK_MESSAGE(r.exit_code == 0, r.describe());
        check_lifecycle_order(hb.lines());
        CHECK_FALSE(path_exists(rt.root() + "/" + id));
    }

    TEST_CASE("run --detach leaves a running container without exec.fifo") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        const std::string id = rt.new_id();
        REQUIRE(rt.run({"run", "--detach", "--bundle", b.dir(), id}).exit_code == 0);
        CHECK(rt.state(id)["status"] == "running");
        CHECK_FALSE(path_exists(rt.root() + "/" + id + "/exec.fifo"));
        CHECK(rt.run({"start", id}).exit_code != 0);  // already running
        CHECK(rt.run({"delete", "--force", id}).exit_code == 0);
    }
}
