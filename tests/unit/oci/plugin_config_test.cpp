#include "oci/plugin_config.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace plugrt::oci;

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

PluginConfigReport check(const std::string& json) {
    return validate_plugin_config(parse_plugin_config(json));
}

// The first error, "path: message", or "" if the config is accepted.
std::string first_error(const std::string& json) {
    const auto report = check(json);
    return report.errors.empty() ? "" : report.errors[0].path + ": " + report.errors[0].message;
}

bool has_warning(const PluginConfigReport& r, const std::string& path) {
    for (const auto& w : r.warnings) {
        if (w.path == path) return true;
    }
    return false;
}

const std::string kBase = R"("entrypoint":["/p"],"interface":{"socket":"p.sock"})";

}  // namespace

TEST_SUITE("oci/plugin_config") {
    TEST_CASE("every real plugin config parses and validates without errors") {
        int count = 0;
        for (const auto& entry :
             std::filesystem::directory_iterator(std::string(PLUGRT_FIXTURES_DIR) + "/plugins")) {
            if (entry.path().extension() != ".json") continue;
            CAPTURE(entry.path().filename().string());
            const auto report =
                validate_plugin_config(parse_plugin_config(read_file(entry.path())));
            for (const auto& e : report.errors) FAIL_CHECK(e.path << ": " << e.message);
            ++count;
        }
        CHECK(count == 20);
    }

    TEST_CASE("every field of the schema is read, whatever the key case") {
        const PluginConfig c = parse_plugin_config(R"({
            "Description":"d","DOCUMENTATION":"u",
            "interface":{"Types":["docker.volumedriver/1.0","x"],"socket":"s.sock","protocolscheme":"moby.plugins.http/v1"},
            "entrypoint":["/e","a"],"workdir":"/w","user":{"uid":1,"GID":2},"network":{"type":"host"},
            "mounts":[{"name":"m","description":"md","settable":["source"],"source":"/s","destination":"/d","type":"bind","options":["rbind"]}],
            "env":[{"name":"E","description":"ed","settable":["value"],"value":"v"}],
            "args":{"name":"a","description":"ad","settable":["value"],"value":["x","y"]},
            "linux":{"capabilities":["CAP_SYS_ADMIN"],"allowalldevices":true,"devices":[{"name":"f","description":"fd","settable":["path"],"path":"/dev/fuse"}]},
            "propagatedmount":"/pm","IpcHost":true,"pidHost":true,"dockerversion":"17.03",
            "rootfs":{"type":"layers","diff_ids":["sha256:1"]}})");
        CHECK(c.description == "d");
        CHECK(c.documentation == "u");
        REQUIRE(c.interface.types.size() == 2);
        CHECK(c.interface.types[0].prefix == "docker");
        CHECK(c.interface.types[0].capability == "volumedriver");
        CHECK(c.interface.types[0].version == "1.0");
        CHECK(c.interface.types[1].capability == "x");
        CHECK(c.interface.socket == "s.sock");
        CHECK(c.interface.protocol_scheme == "moby.plugins.http/v1");
        CHECK(c.entrypoint == std::vector<std::string>{"/e", "a"});
        CHECK(c.workdir == "/w");
        CHECK(c.user.uid == 1);
        CHECK(c.user.gid == 2);
        CHECK(c.network.type == "host");
        REQUIRE(c.mounts.size() == 1);
        CHECK(c.mounts[0].source == "/s");
        CHECK(c.mounts[0].options == std::vector<std::string>{"rbind"});
        CHECK(c.env[0].value == "v");
        CHECK(c.args.value == std::vector<std::string>{"x", "y"});
        CHECK(c.linux.allow_all_devices);
        CHECK(c.linux.devices[0].path == "/dev/fuse");
        CHECK(c.propagated_mount == "/pm");
        CHECK(c.ipc_host);
        CHECK(c.pid_host);
        CHECK(c.docker_version == "17.03");
        REQUIRE(c.rootfs);
        CHECK(c.rootfs->diff_ids == std::vector<std::string>{"sha256:1"});
    }

    TEST_CASE("fixture quirks: lower-case propagatedmount, PascalCase rexray, extra device keys") {
        const std::string dir = std::string(PLUGRT_FIXTURES_DIR) + "/plugins/";
        CHECK(parse_plugin_config(read_file(dir + "vieux-sshfs.json")).propagated_mount ==
              "/mnt/volumes");
        const PluginConfig rexray = parse_plugin_config(read_file(dir + "rexray-rbd.json"));
        CHECK(rexray.linux.allow_all_devices);
        CHECK(rexray.env.size() == 12);
        CHECK(parse_plugin_config(read_file(dir + "sapk-gluster.json")).args.name == "args");
        CHECK(parse_plugin_config(read_file(dir + "kathara-vde.json")).linux.devices[0].path ==
              "/dev/net/tun");
    }

    TEST_CASE("hostile documents are clean parse errors naming the member") {
        CHECK_THROWS_AS(parse_plugin_config("not json"), ParseError);
        CHECK_THROWS_AS(parse_plugin_config(R"({"entrypoint":["/p"]} {})"), ParseError);
        CHECK_THROWS_AS(parse_plugin_config("[]"), ParseError);
        CHECK_THROWS_WITH_AS(parse_plugin_config(R"({"entrypoint":"/p"})"),
                             "entrypoint: expected an array, found a string", ParseError);
        CHECK_THROWS_WITH_AS(parse_plugin_config(R"({"linux":{"devices":[{"path":7}]}})"),
                             "linux.devices[0].path: expected a string, found an integer",
                             ParseError);
        CHECK_THROWS_WITH_AS(parse_plugin_config(R"({"pidhost":"true"})"),
                             "pidHost: expected a boolean, found a string", ParseError);
        CHECK_THROWS_WITH_AS(parse_plugin_config(R"({"interface":{"types":[null]}})"),
                             "interface.types[0]: expected a string, found null", ParseError);
        const std::string deep =
            "{\"description\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
        CHECK_THROWS_AS(parse_plugin_config(deep), ParseError);
        const std::string huge = "{\"description\":\"" + std::string(17 * 1024 * 1024, 'a') + "\"}";
        CHECK_THROWS_AS(parse_plugin_config(huge), ParseError);
        const std::string big_ok =
            "{\"description\":\"" + std::string(1024 * 1024, 'a') + "\"," + kBase + "}";
        CHECK(check(big_ok).ok());
    }

    TEST_CASE("content errors name the field") {
        CHECK(first_error("{" + kBase + "}").empty());
        CHECK(first_error(R"({"interface":{"socket":"p.sock"}})") ==
              "entrypoint: must not be empty (it is the plugin's command)");
        CHECK(first_error(R"({"entrypoint":[""],"interface":{"socket":"p.sock"}})") ==
              "entrypoint[0]: must not be empty");
        CHECK(first_error("{" + kBase +
                          R"(,"linux":{"capabilities":["CAP_SYS_ADMIN","SYS_ADMIN"]}})") ==
              "linux.capabilities[1]: unknown capability \"SYS_ADMIN\" (expected a name like "
              "CAP_SYS_ADMIN)");
        CHECK(
            first_error(
                "{" + kBase +
                R"(,"mounts":[{"source":"/a","destination":"/ok"},{"source":"/a","destination":"etc/x"}]})") ==
            "mounts[1].destination: must be an absolute path");
        CHECK(first_error("{" + kBase +
                          R"(,"mounts":[{"source":"/a","destination":"/a/../../b"}]})") ==
              "mounts[0].destination: must not contain '..' (it would leave the rootfs)");
        CHECK(first_error("{" + kBase + R"(,"propagatedMount":"/../host"})") ==
              "propagatedMount: must not contain '..' (it would leave the rootfs)");
        CHECK(first_error("{" + kBase + R"(,"propagatedMount":"data"})") ==
              "propagatedMount: must be an absolute path");
        CHECK(first_error("{" + kBase + R"(,"env":[{"value":"x"}]})") ==
              "env[0].name: must not be empty");
        CHECK(first_error("{" + kBase + R"(,"linux":{"devices":[{"path":"/etc/shadow"}]}})") ==
              "linux.devices[0].path: must be a path under /dev/ without '..'");
        CHECK(
            first_error("{" + kBase + R"(,"linux":{"devices":[{"path":"/dev/../etc/shadow"}]}})") ==
            "linux.devices[0].path: must be a path under /dev/ without '..'");
        CHECK(first_error("{" + kBase + R"(,"linux":{"devices":[{"name":"d"}]}})") ==
              "linux.devices[0].path: is null (Docker dereferences it and fails)");
        CHECK(first_error("{" + kBase + R"(,"env":[{"name":"A","settable":["source"]}]})") ==
              "env[0].settable[0]: \"source\" is not a settable field of an env entry (only "
              "\"value\" is)");
        CHECK(
            first_error(
                "{" + kBase +
                R"(,"mounts":[{"source":"/a","destination":"/b","settable":["destination"]}]})") ==
            "mounts[0].settable[0]: \"destination\" is not a settable field of a mount (only "
            "\"source\" is)");
        CHECK(first_error("{" + kBase + R"(,"args":{"settable":["path"]}})") ==
              "args.settable[0]: \"path\" is not a settable field of args (only \"value\" is)");
        CHECK(first_error("{" + kBase + R"(,"mounts":[{"destination":"/b"}]})")
                  .starts_with("mounts[0].source: is null"));
    }

    TEST_CASE("socket names must be one file name that fits in sun_path") {
        const auto socket_error = [](const std::string& name) {
            return first_error(R"({"entrypoint":["/p"],"interface":{"socket":")" + name + "\"}}");
        };
        CHECK(socket_error("/katharanp.sock").empty());
        CHECK(socket_error("opa-docker-authz.sock").empty());
        CHECK(socket_error("").starts_with("interface.socket: must not be empty"));
        CHECK(
            socket_error("../../docker.sock").starts_with("interface.socket: must be a file name"));
        CHECK(socket_error("a/b.sock").starts_with("interface.socket: must be a file name"));
        CHECK(socket_error("//x.sock").starts_with("interface.socket: must be a file name"));
        CHECK(socket_error("..").starts_with("interface.socket: must be a file name"));
        CHECK(socket_error(std::string(22, 's')).empty());
        CHECK(socket_error(std::string(23, 's')).starts_with("interface.socket: is too long"));
        PluginValidationOptions longer;
        longer.plugins_run_dir = "/run/plugrt/a/much/longer/directory";
        CHECK_FALSE(validate_plugin_config(
                        parse_plugin_config(
                            R"({"entrypoint":["/p"],"interface":{"socket":"rclone.sock"}})"),
                        longer)
                        .ok());
    }

    TEST_CASE("surprising things Docker does are warnings, not errors") {
        const auto r = check("{" + kBase + R"(,
            "interface":{"socket":"p.sock","types":["acme.volumedriver/1.0","docker.teleport/1.0"]},
            "user":{"uid":1000},
            "env":[{"name":"PATH","value":"/x"}],
            "mounts":[{"name":"k","source":"","destination":"/root/.ssh","type":"bind","options":["rbind"],"settable":["source"]},
                      {"source":"/a","destination":"/b","type":"bind","options":["ro"]},
                      {"source":"/a","destination":"/dev/shm","type":"bind","options":["rbind"]}]})");
        CHECK(r.ok());
        CHECK(has_warning(r, "interface.types[0]"));
        CHECK(has_warning(r, "interface.types[1]"));
        CHECK(has_warning(r, "user"));
        CHECK(has_warning(r, "env[0].name"));
        CHECK(has_warning(r, "mounts[0].source"));
        CHECK(has_warning(r, "mounts[1].options"));
        CHECK(has_warning(r, "mounts[2].destination"));
        CHECK(r.warnings.size() == 7);
    }

    TEST_CASE("the fixtures with an empty settable source are warned about") {
        const std::string dir = std::string(PLUGRT_FIXTURES_DIR) + "/plugins/";
        CHECK(has_warning(
            validate_plugin_config(parse_plugin_config(read_file(dir + "vieux-sshfs.json"))),
            "mounts[1].source"));
        CHECK(has_warning(
            validate_plugin_config(parse_plugin_config(read_file(dir + "kathara-bridge.json"))),
            "mounts[3].source"));
        CHECK(validate_plugin_config(parse_plugin_config(read_file(dir + "rclone-v1.56.json")))
                  .warnings.empty());
    }

    TEST_CASE("throw_if_invalid reports every error at once") {
        const auto report = check(R"({"interface":{"socket":""},"env":[{}]})");
        CHECK(report.errors.size() == 3);
        CHECK_THROWS_AS(throw_if_invalid(report), ValidationError);
        CHECK_NOTHROW(throw_if_invalid(check("{" + kBase + "}")));
    }
}
