// The plugin supervisor end to end, as root, with real containers: `plugrt plugin start|stop|
// call|logs|ls` on a fake plugin whose behaviour each test picks (tests/fake_plugin), with the
// store, the supervisors' state and the socket dirs in a private temp directory.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "integration/harness.hpp"

namespace plugrt::test {
namespace {

namespace fs = std::filesystem;

// One plugin directory (config.json + rootfs/fake-plugin) and private plugin paths.
class FakePlugin {
public:
    explicit FakePlugin(const std::vector<std::string>& plugin_args,
                        const std::string& propagated_mount = "/mnt")
        : base_(make_temp_dir("plugrt-it-sup-")) {
        fs::create_directories(dir() + "/rootfs/mnt");
        fs::copy_file(PLUGRT_FAKE_PLUGIN, dir() + "/rootfs/fake-plugin");
        fs::permissions(dir() + "/rootfs/fake-plugin", static_cast<fs::perms>(0755));
        nlohmann::json entrypoint = nlohmann::json::array({"/fake-plugin"});
        for (const auto& a : plugin_args) entrypoint.push_back(a);
        nlohmann::json config = {
            {"description", "fake plugin for the supervisor tests"},
            {"documentation", "tests/fake_plugin"},
            {"entrypoint", entrypoint},
            {"interface", {{"types", {"docker.volumedriver/1.0"}}, {"socket", "fake.sock"}}},
            {"network", {{"type", "host"}}},
        };
        if (!propagated_mount.empty()) config["propagatedMount"] = propagated_mount;
        std::ofstream(dir() + "/config.json") << config.dump(2);
    }
    ~FakePlugin() {
        // A test that failed half-way must not leave a supervisor or plugin running.
        plugin({"stop", "--timeout", "1s", dir()}, 20000);
        unmount_below(base_);
        std::error_code ec;
        fs::remove_all(base_, ec);
    }
    FakePlugin(const FakePlugin&) = delete;
    FakePlugin& operator=(const FakePlugin&) = delete;

    std::string dir() const { return base_ + "/plugin"; }
    std::string state_root() const { return base_ + "/state"; }
    std::string run_dir() const { return base_ + "/run"; }
    std::string store() const { return base_ + "/store"; }

    // `plugrt --root R plugin CMD --store S --state T --plugins-run-dir P ARGS...`
    RunResult plugin(std::vector<std::string> args, int timeout_ms = 60000) {
        std::vector<std::string> argv = {
            plugrt_bin(), "--root",     rt_.root(),          "plugin", args[0], "--store", store(),
            "--state",    state_root(), "--plugins-run-dir", run_dir()};
        argv.insert(argv.end(), args.begin() + 1, args.end());
        RunOptions options;
        options.timeout_ms = timeout_ms;
        return run_program(argv, options);
    }

    // The single plugin state dir (the id is derived from the directory).
    std::string state_dir() const {
        for (const auto& e : fs::directory_iterator(state_root())) return e.path().string();
        return "";
    }
    std::string file(const std::string& name) const { return state_dir() + "/" + name; }
    nlohmann::json status() const {
        return nlohmann::json::parse(read_text_file(file("status.json")));
    }
    bool socket_dir_exists() const {
        std::error_code ec;
        return fs::exists(run_dir(), ec) && !fs::is_empty(run_dir(), ec);
    }
    bool propagated_mount_mounted() const {
        const std::string needle = " " + dir() + "/propagated-mount ";
        return read_text_file("/proc/self/mountinfo").find(needle) != std::string::npos;
    }
    std::string containers() { return rt_.run({"list", "--quiet"}).out; }

private:
    Runtime rt_;
    std::string base_;
};

bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

// Everything a stopped or failed plugin may leave: only its logs and status in the state dir.
void check_nothing_left(FakePlugin& p, pid_t supervisor) {
    CHECK_FALSE(p.socket_dir_exists());
    CHECK_FALSE(p.propagated_mount_mounted());
    CHECK(p.containers().empty());
    if (supervisor > 0) CHECK(wait_until([&] { return !alive(supervisor); }, 5000));
}

}  // namespace

TEST_SUITE("supervisor") {
    TEST_CASE("start reports enabled, forwards output in dockerd's format, stop cleans up") {
        require_root();
        FakePlugin p({"--say", "hello \"world\"", "--err", "a warning"});
        auto started = p.plugin({"start", p.dir()});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        CHECK(started.out.find("enabled in") != std::string::npos);
        CHECK(started.out.find("(implements VolumeDriver)") != std::string::npos);
        const auto status = p.status();
        CHECK(status["state"] == "enabled");
        const pid_t supervisor = status["supervisorPid"].get<pid_t>();
        CHECK(alive(supervisor));
        CHECK(p.propagated_mount_mounted());
        // The container is the plugin, under the runtime's root, named by the plugin id.
        const std::string id = fs::path(p.state_dir()).filename().string();
        CHECK(p.containers().find(id) != std::string::npos);

        auto call = p.plugin({"call", p.dir(), "VolumeDriver.List"});
        CHECK_MESSAGE(call.exit_code == 0, call.describe());
        CHECK(call.out == "{\"Volumes\":[],\"Err\":\"\"}\n");

        // The plugin's line about the call reaches plugin.log through the supervisor's loop,
        // possibly a moment after `call` has returned.
        std::string log;
        CHECK(wait_until([&] {
            log = read_text_file(p.file("plugin.log"));
            return log.find("msg=\"fake-plugin: /VolumeDriver.List\"") != std::string::npos;
        }));
        CHECK_MESSAGE(log.find("level=info msg=\"hello \\\"world\\\"\" plugin=" + id + "\n") !=
                          std::string::npos,
                      log);
        CHECK_MESSAGE(
            log.find("level=error msg=\"a warning\" plugin=" + id + "\n") != std::string::npos,
            log);
        auto logs = p.plugin({"logs", p.dir()});
        CHECK(logs.out == log);

        auto stopped = p.plugin({"stop", p.dir()});
        CHECK_MESSAGE(stopped.exit_code == 0, stopped.describe());
        CHECK(p.status()["state"] == "stopped");
        check_nothing_left(p, supervisor);
        // Docker's init layer was applied to the rootfs.
        CHECK(path_exists(p.dir() + "/rootfs/.dockerenv"));
        CHECK(fs::read_symlink(p.dir() + "/rootfs/etc/mtab") == "/proc/mounts");
    }

    TEST_CASE("a plugin that never creates its socket fails at the ready timeout") {
        require_root();
        FakePlugin p({"--no-listen", "--say", "still starting"});
        auto r = p.plugin({"start", "--ready-timeout", "1s", p.dir()});
        CHECK(r.exit_code == 1);
        CHECK_MESSAGE(r.err.find("socket") != std::string::npos, r.describe());
        CHECK_MESSAGE(r.err.find("still starting") != std::string::npos, r.describe());
        CHECK(p.status()["state"] == "failed");
        check_nothing_left(p, p.status()["supervisorPid"].get<pid_t>());
    }

    TEST_CASE("a plugin that exits before it is ready is reported with its status and output") {
        require_root();
        FakePlugin p({"--err", "cannot open /data: boom", "--exit-now", "7"});
        auto r = p.plugin({"start", p.dir()});
        CHECK(r.exit_code == 1);
        CHECK_MESSAGE(r.err.find("exit status 7") != std::string::npos, r.describe());
        CHECK_MESSAGE(r.err.find("cannot open /data: boom") != std::string::npos, r.describe());
        check_nothing_left(p, p.status()["supervisorPid"].get<pid_t>());
    }

    TEST_CASE("an Activate answer without the config's interface fails the start") {
        require_root();
        FakePlugin p({"--implements", "NetworkDriver"});
        auto r = p.plugin({"start", p.dir()});
        CHECK(r.exit_code == 1);
        CHECK_MESSAGE(r.err.find("VolumeDriver") != std::string::npos, r.describe());
        CHECK_MESSAGE(r.err.find("NetworkDriver") != std::string::npos, r.describe());
        check_nothing_left(p, p.status()["supervisorPid"].get<pid_t>());
    }

    TEST_CASE("stop escalates to SIGKILL when the plugin ignores SIGTERM") {
        require_root();
        FakePlugin p({"--ignore-term"});
        auto started = p.plugin({"start", "--stop-timeout", "700ms", p.dir()});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        const pid_t supervisor = p.status()["supervisorPid"].get<pid_t>();
        auto stopped = p.plugin({"stop", p.dir()});
        CHECK_MESSAGE(stopped.exit_code == 0, stopped.describe());
        CHECK_MESSAGE(stopped.out.find("signal 9") != std::string::npos, stopped.describe());
        const std::string events = read_text_file(p.file("supervisor.log"));
        CHECK_MESSAGE(events.find("after SIGTERM; sending SIGKILL") != std::string::npos, events);
        check_nothing_left(p, supervisor);
    }

    TEST_CASE("a crashing plugin is restarted with a doubling delay, then stays enabled") {
        require_root();
        FakePlugin p({"--crash-runs", "2", "--crash-after-ms", "300"});
        auto started = p.plugin({"start", "--restart-delay", "100ms", p.dir()});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        const bool settled = wait_until(
            [&] {
                const auto s = p.status();
                return s["restarts"] == 2 && s["state"] == "enabled";
            },
            15000);
        const std::string events = read_text_file(p.file("supervisor.log"));
        CHECK_MESSAGE(settled, events);
        CHECK_MESSAGE(events.find("restarting in 100ms (restart 1 of 5)") != std::string::npos,
                      events);
        CHECK_MESSAGE(events.find("restarting in 200ms (restart 2 of 5)") != std::string::npos,
                      events);
        CHECK(read_text_file(p.dir() + "/rootfs/run-count") == "3\n");
        auto call = p.plugin({"call", p.dir(), "Plugin.Activate"});
        CHECK_MESSAGE(call.exit_code == 0, call.describe());
        CHECK(call.out == "{\"Implements\":[\"VolumeDriver\"]}\n");
        auto stopped = p.plugin({"stop", p.dir()});
        CHECK_MESSAGE(stopped.exit_code == 0, stopped.describe());
    }

    TEST_CASE("the supervisor gives up after the restart limit and cleans up") {
        require_root();
        FakePlugin p({"--crash-runs", "9", "--crash-after-ms", "200"});
        auto started =
            p.plugin({"start", "--restart-delay", "50ms", "--restart-max", "2", p.dir()});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        const pid_t supervisor = p.status()["supervisorPid"].get<pid_t>();
        CHECK(wait_until([&] { return p.status()["state"] == "failed"; }, 15000));
        const auto status = p.status();
        CHECK(status["restarts"] == 2);
        CHECK_MESSAGE(status["message"].get<std::string>().find("giving up after 2 restarts") !=
                          std::string::npos,
                      status.dump());
        check_nothing_left(p, supervisor);
        auto stop = p.plugin({"stop", p.dir()});
        CHECK(stop.exit_code == 1);
        CHECK(stop.err.find("is not running") != std::string::npos);
    }

    TEST_CASE("stored plugins: create, ls shows them enabled only while running, rm refuses") {
        require_root();
        FakePlugin p({});
        auto created = p.plugin({"create", "fake", p.dir()});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        CHECK(created.out == "fake:latest\n");
        auto started = p.plugin({"start", "fake"});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        auto ls = p.plugin({"ls"});
        CHECK_MESSAGE(ls.out.find("fake:latest") != std::string::npos, ls.describe());
        CHECK_MESSAGE(ls.out.find("true") != std::string::npos, ls.describe());
        auto rm = p.plugin({"rm", "fake"});
        CHECK(rm.exit_code == 1);
        CHECK(rm.err.find("is enabled") != std::string::npos);
        auto inspect = p.plugin({"inspect", "fake"});
        REQUIRE_MESSAGE(inspect.exit_code == 0, inspect.describe());
        CHECK(inspect.json()[0]["Status"]["State"] == "enabled");
        CHECK(p.plugin({"call", "fake", "VolumeDriver.List"}).exit_code == 0);
        CHECK(p.plugin({"stop", "fake"}).exit_code == 0);
        ls = p.plugin({"ls"});
        CHECK(ls.out.find("false") != std::string::npos);
        CHECK(p.plugin({"rm", "fake"}).exit_code == 0);
        CHECK(p.plugin({"ls", "--quiet"}).out.empty());
        // Nothing of it is left to answer to its name (logs, status).
        CHECK_MESSAGE(p.state_dir().empty(), p.state_dir());
        auto stop_removed = p.plugin({"stop", "fake"});
        CHECK(stop_removed.exit_code != 0);
        CHECK_MESSAGE(stop_removed.err.find("not running") != std::string::npos,
                      stop_removed.describe());
    }

    TEST_CASE("plugin create from archives goes through plugrt-unpack, refusals included") {
        require_root();
        FakePlugin p({});
        const std::string good = p.dir() + "/../plugin.tar.gz";
        auto tar = run_program({"/bin/tar", "-C", p.dir(), "-czf", good, "config.json", "rootfs"});
        REQUIRE_MESSAGE(tar.exit_code == 0, tar.describe());
        auto created = p.plugin({"create", "packed", good});
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        CHECK(created.out == "packed:latest\n");
        auto started = p.plugin({"start", "packed"});
        CHECK_MESSAGE(started.exit_code == 0, started.describe());
        CHECK(p.plugin({"stop", "packed"}).exit_code == 0);
        CHECK(p.plugin({"rm", "packed"}).exit_code == 0);

        // An entry climbing out with ".." is refused by the helper; its message comes through.
        const std::string evil = p.dir() + "/../evil.tar";
        tar = run_program({"/bin/tar", "-C", p.dir(), "-cf", evil, "--transform",
                           "s,^rootfs/mnt,rootfs/../../escape,", "config.json", "rootfs"});
        REQUIRE_MESSAGE(tar.exit_code == 0, tar.describe());
        auto refused = p.plugin({"create", "evil", evil});
        CHECK(refused.exit_code == 1);
        CHECK_MESSAGE(refused.err.find("contains \"..\"") != std::string::npos, refused.describe());
        CHECK(p.plugin({"ls", "--quiet"}).out.empty());
    }

    TEST_CASE("bad plugin input is refused up front and leaves nothing behind") {
        require_root();
        FakePlugin p({});
        std::ofstream(p.dir() + "/config.json") << R"({"entrypoint": "/fake-plugin"})";
        auto r = p.plugin({"start", p.dir()});
        CHECK(r.exit_code == 1);
        CHECK_MESSAGE(r.err.find(p.dir() + "/config.json") != std::string::npos, r.describe());
        const bool state_left = fs::exists(p.state_root()) && !fs::is_empty(p.state_root());
        CHECK_FALSE(state_left);
        CHECK_FALSE(p.socket_dir_exists());
        auto missing = p.plugin({"start", p.dir() + "/nowhere"});
        CHECK(missing.exit_code == 1);
        CHECK(missing.err.find("nowhere/config.json: no such file") != std::string::npos);
    }
}

}  // namespace plugrt::test
