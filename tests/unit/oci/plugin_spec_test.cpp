#include "oci/plugin_spec.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

using namespace plugrt::oci;

namespace {

const std::string kRcloneId = "ccce444f10491c9b22fa4dc1d1237f9a51391faf56c78134266ea61c2926558f";

std::string read_fixture(const std::string& relative) {
    std::ifstream in(std::string(PLUGRT_FIXTURES_DIR) + "/" + relative, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing fixture " << relative);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Pretends a host where every requested device exists as a char device, with a table of the
// numbers Debian 12 has (fuse 10:229, tun 10:200), and records what was asked.
class FakeHost : public HostLookup {
public:
    std::vector<int> thermal_cpus;
    std::vector<std::string> asked;

    std::vector<Device> devices_from_path(const std::string& path) override {
        asked.push_back(path);
        static const std::map<std::string, std::pair<int, int>> numbers = {
            {"/dev/fuse", {10, 229}}, {"/dev/net/tun", {10, 200}}, {"/dev/null", {1, 3}}};
        const auto it = numbers.find(path);
        if (it == numbers.end()) {
            throw HostLookupError(
                "error gathering device information while adding custom device \"" + path +
                "\": no such file or directory");
        }
        Device d;
        d.path = path;
        d.type = "c";
        d.major = it->second.first;
        d.minor = it->second.second;
        d.file_mode = 0600;
        d.uid = 0;
        d.gid = 0;
        return {d};
    }
    std::vector<int> cpus_with_thermal_throttle() override { return thermal_cpus; }
};

GeneratedSpec generate_fixture(const std::string& name, DockerProfile profile, FakeHost& host,
                               const std::vector<std::string>& sets = {}) {
    PluginConfig config = parse_plugin_config(read_fixture("plugins/" + name));
    PluginSettings settings = initial_plugin_settings(config);
    apply_settings(config, settings, sets);
    PluginSpecOptions options;
    options.profile = profile;
    options.plugin_id = kRcloneId;
    return generate_plugin_spec(config, settings, options, host);
}

Json spec_json(const std::string& name, DockerProfile profile = DockerProfile::Docker2010) {
    FakeHost host;
    host.thermal_cpus = {0, 2};
    return spec_to_json(generate_fixture(name, profile, host).spec);
}

std::vector<std::string> destinations(const Json& spec) {
    std::vector<std::string> out;
    for (const auto& m : spec["mounts"]) out.push_back(m["destination"].get<std::string>());
    return out;
}

std::vector<std::string> namespace_types(const Json& spec) {
    std::vector<std::string> out;
    for (const auto& ns : spec["linux"]["namespaces"]) out.push_back(ns["type"].get<std::string>());
    return out;
}

const char* kAllFixtures[] = {"kathara-bridge.json",
                              "kathara-vde.json",
                              "local-persist.json",
                              "logdna-logdriver.json",
                              "metrics-collector-test.json",
                              "net-dhcp.json",
                              "oklog-logdriver.json",
                              "opa-docker-authz.json",
                              "rclone-v1.56.json",
                              "rclone.json",
                              "rexray-rbd.json",
                              "rexray-s3fs.json",
                              "sapk-gluster.json",
                              "trajano-centos-mounted.json",
                              "trajano-cifs.json",
                              "trajano-glusterfs.json",
                              "trajano-nfs.json",
                              "trajano-s3fs.json",
                              "vieux-sshfs.json",
                              "weave-net.json"};

}  // namespace

TEST_SUITE("oci/plugin_spec") {
    TEST_CASE("rclone v1.56 gives exactly the spec Debian's Docker 20.10.24 generated") {
        FakeHost host;
        const GeneratedSpec generated =
            generate_fixture("rclone-v1.56.json", DockerProfile::Docker2010, host);
        // Compared as unordered JSON: same keys and values, arrays in the same order.
        const nlohmann::json actual = nlohmann::json::parse(spec_to_json(generated.spec).dump());
        const nlohmann::json expected =
            nlohmann::json::parse(read_fixture("specs/rclone-docker-20.10.24.json"));
        INFO("JSON patch from expected to actual: "
             << nlohmann::json::diff(expected, actual).dump(2));
        CHECK(actual == expected);
        CHECK(host.asked == std::vector<std::string>{"/dev/fuse"});
        CHECK(generated.warnings.empty());
    }

    TEST_CASE("the golden spec's member order follows Go's encoder") {
        const Json spec = spec_json("rclone-v1.56.json");
        std::vector<std::string> keys;
        for (const auto& [key, value] : spec.items()) keys.push_back(key);
        CHECK(keys == std::vector<std::string>{"ociVersion", "process", "root", "mounts", "linux"});
    }

    TEST_CASE("every fixture yields a spec that survives a round trip through the spec model") {
        for (const char* name : kAllFixtures) {
            CAPTURE(name);
            for (auto profile : {DockerProfile::Docker2010, DockerProfile::DockerNewest}) {
                const Json json = spec_json(name, profile);
                const Spec reread = spec_from_json(json);
                CHECK(spec_to_json(reread) == json);
                CHECK(json["process"]["args"].size() >= 1);
                CHECK(json["process"]["env"][0] == kDockerDefaultPathEnv);
            }
        }
    }

    TEST_CASE("network host drops the netns and binds the host's hosts and resolv.conf") {
        const Json spec = spec_json("logdna-logdriver.json");
        CHECK(namespace_types(spec) == std::vector<std::string>{"mount", "uts", "pid", "ipc"});
        const auto dest = destinations(spec);
        CHECK(dest.back() == "/etc/resolv.conf");
        CHECK(dest[dest.size() - 2] == "/etc/hosts");
        CHECK(dest[dest.size() - 3] == "/run/docker/plugins");
        CHECK(spec["mounts"].back()["options"] == Json::array({"rbind", "ro"}));
    }

    TEST_CASE("without a network type the plugin keeps its netns and gets no hosts binds") {
        const Json spec = spec_json("local-persist.json");
        CHECK(namespace_types(spec) ==
              std::vector<std::string>{"mount", "network", "uts", "pid", "ipc"});
        CHECK(destinations(spec).back() == "/run/docker/plugins");
    }

    TEST_CASE("bridge and none keep the netns but still bind hosts and resolv.conf") {
        for (const char* type : {"bridge", "none"}) {
            CAPTURE(type);
            PluginConfig config = parse_plugin_config(
                std::string(
                    R"({"entrypoint":["/p"],"interface":{"socket":"p.sock"},"network":{"type":")") +
                type + "\"}}");
            FakeHost host;
            PluginSpecOptions options;
            options.plugin_id = kRcloneId;
            const Json spec = spec_to_json(
                generate_plugin_spec(config, initial_plugin_settings(config), options, host).spec);
            CHECK(namespace_types(spec) ==
                  std::vector<std::string>{"mount", "network", "uts", "pid", "ipc"});
            CHECK(destinations(spec).back() == "/etc/resolv.conf");
        }
    }

    TEST_CASE("pidhost removes the pid namespace and ipchost the ipc namespace") {
        CHECK(namespace_types(spec_json("net-dhcp.json")) ==
              std::vector<std::string>{"mount", "uts", "ipc"});
        PluginConfig config =
            parse_plugin_config(R"({"entrypoint":["/p"],"ipchost":true,"PidHost":true})");
        FakeHost host;
        PluginSpecOptions options;
        options.plugin_id = kRcloneId;
        const Json spec = spec_to_json(
            generate_plugin_spec(config, initial_plugin_settings(config), options, host).spec);
        CHECK(namespace_types(spec) == std::vector<std::string>{"mount", "network", "uts"});
    }

    TEST_CASE("allowAllDevices replaces the device rules and binds nothing") {
        const Json spec = spec_json("rexray-rbd.json");
        CHECK(spec["linux"]["resources"]["devices"] ==
              Json::parse(R"([{"allow":true,"access":"rwm"}])"));
        CHECK_FALSE(spec["linux"].contains("devices"));
        // The config's own /dev bind is exactly /dev, which the /dev/ filter leaves alone.
        const auto dest = destinations(spec);
        CHECK(std::count(dest.begin(), dest.end(), "/dev") == 2);
        CHECK(dest[7] == "/var/lib/rexray");
        CHECK(dest[8] == "/dev");
        CHECK(dest[9] == "/etc/ceph");
    }

    TEST_CASE("devices are looked up on the host and allowed after the default fuse deny") {
        const Json spec = spec_json("kathara-vde.json");
        CHECK(spec["linux"]["devices"] ==
              Json::parse(R"([{"path":"/dev/net/tun","type":"c","major":10,"minor":200,
                               "fileMode":384,"uid":0,"gid":0}])"));
        const auto& rules = spec["linux"]["resources"]["devices"];
        REQUIRE(rules.size() == 9);
        CHECK(rules[7] ==
              Json::parse(R"({"allow":false,"type":"c","major":10,"minor":229,"access":"rwm"})"));
        CHECK(rules[8] ==
              Json::parse(R"({"allow":true,"type":"c","major":10,"minor":200,"access":"rwm"})"));
    }

    TEST_CASE("a device the host lacks fails with Docker's message") {
        PluginConfig config = parse_plugin_config(
            R"({"entrypoint":["/p"],"linux":{"devices":[{"path":"/dev/nothing"}]}})");
        FakeHost host;
        PluginSpecOptions options;
        options.plugin_id = kRcloneId;
        CHECK_THROWS_WITH_AS(
            generate_plugin_spec(config, initial_plugin_settings(config), options, host),
            "error gathering device information while adding custom device \"/dev/nothing\": "
            "no such file or directory",
            HostLookupError);
    }

    TEST_CASE("settable mount sources, env and args reach the spec") {
        FakeHost host;
        const Json spec = spec_to_json(
            generate_fixture("rclone-v1.56.json", DockerProfile::Docker2010, host,
                             {"config.source=/srv/rclone", "RCLONE_VERBOSE=2", "args=-v  --x"})
                .spec);
        CHECK(spec["mounts"][8]["source"] == "/srv/rclone");
        CHECK(spec["process"]["env"][1] == "RCLONE_VERBOSE=2");
        CHECK(spec["process"]["args"] ==
              Json::array({"/usr/local/bin/rclone", "serve", "docker", "-v", "", "--x"}));
    }

    TEST_CASE("empty env values are exported and an empty args setting adds one empty argument") {
        FakeHost host;
        const Json spec = spec_to_json(
            generate_fixture("rclone.json", DockerProfile::Docker2010, host, {"args="}).spec);
        CHECK(spec["process"]["env"].back() == "NO_PROXY=");
        CHECK(spec["process"]["args"] == Json::array({"rclone", "serve", "docker", ""}));
    }

    TEST_CASE("a relative entrypoint is passed through and cwd defaults to /") {
        CHECK(spec_json("rclone.json")["process"]["args"][0] == "rclone");
        CHECK(spec_json("kathara-bridge.json")["process"]["args"][0] == "./entrypoint.sh");
        CHECK(spec_json("kathara-bridge.json")["process"]["cwd"] == "/app");
        CHECK(spec_json("weave-net.json")["process"]["cwd"] == "/");
        CHECK(spec_json("rexray-s3fs.json")["process"]["cwd"] == "/");
    }

    TEST_CASE("mixed-case keys are honoured") {
        CHECK(destinations(spec_json("vieux-sshfs.json"))[7] == "/mnt/volumes");
        CHECK(destinations(spec_json("sapk-gluster.json"))[7] == "/var/lib/docker-volumes/gluster");
        const Json rexray = spec_json("rexray-s3fs.json");
        CHECK(rexray["process"]["args"][0] == "/rexray.sh");
        CHECK(rexray["process"]["env"].size() == 16);
        CHECK(rexray["linux"]["rootfsPropagation"] == "rshared");
    }

    TEST_CASE("capabilities are appended to bounding, permitted, effective and inheritable") {
        const Json caps = spec_json("net-dhcp.json")["process"]["capabilities"];
        CHECK(caps["inheritable"] ==
              Json::array({"CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE"}));
        CHECK(caps["bounding"].size() == 17);
        CHECK(caps["bounding"][14] == "CAP_NET_ADMIN");
        CHECK(caps["effective"] == caps["bounding"]);
        CHECK(caps["permitted"] == caps["bounding"]);
        CHECK_FALSE(caps.contains("ambient"));
        CHECK_FALSE(
            spec_json("logdna-logdriver.json")["process"]["capabilities"].contains("inheritable"));
    }

    TEST_CASE("a metrics collector gets the daemon's metrics socket bound last") {
        const Json spec = spec_json("metrics-collector-test.json");
        CHECK(spec["mounts"].back() ==
              Json::parse(R"({"destination":"/run/docker/metrics.sock","type":"bind",
                              "source":"/run/docker/metrics.sock","options":["bind","ro"]})"));
        CHECK(destinations(spec)[7] == "/run/docker");
    }

    TEST_CASE("a propagated mount equal to a config mount destination gives two mounts in order") {
        const auto dest = destinations(spec_json("local-persist.json"));
        REQUIRE(dest.size() == 11);
        CHECK(dest[7] == "/local-persist/data");
        CHECK(dest[8] == "/local-persist/state");
        CHECK(dest[9] == "/local-persist/data");
    }

    TEST_CASE("the newest profile adds the time namespace, ociVersion 1.3.0 and new masked paths") {
        const Json spec = spec_json("rclone-v1.56.json", DockerProfile::DockerNewest);
        CHECK(spec["ociVersion"] == "1.3.0");
        CHECK(namespace_types(spec) ==
              std::vector<std::string>{"mount", "time", "uts", "pid", "ipc"});
        const auto& masked = spec["linux"]["maskedPaths"];
        REQUIRE(masked.size() == 14);
        CHECK(masked[2] == "/proc/interrupts");
        CHECK(masked[10] == "/sys/devices/virtual/powercap");
        CHECK(masked[12] == "/sys/devices/system/cpu/cpu0/thermal_throttle");
        CHECK(masked[13] == "/sys/devices/system/cpu/cpu2/thermal_throttle");
    }

    TEST_CASE("the /dev/ filter removes the default and the config mount, skipping the next") {
        // /dev/shm is the 7th default; the config mounts /dev/shm and /dev/foo back to back.
        PluginConfig config = parse_plugin_config(R"({"entrypoint":["/p"],"mounts":[
            {"source":"/a","destination":"/dev/shm","type":"bind","options":["rbind"]},
            {"source":"/b","destination":"/dev/foo","type":"bind","options":["rbind"]},
            {"source":"/c","destination":"/dev/bar","type":"bind","options":["rbind"]}]})");
        FakeHost host;
        PluginSpecOptions options;
        options.plugin_id = kRcloneId;
        const GeneratedSpec generated =
            generate_plugin_spec(config, initial_plugin_settings(config), options, host);
        const auto dest = destinations(spec_to_json(generated.spec));
        // Index 6 (default shm) removed; config shm slides to 6 and is skipped; /dev/foo at 7 is
        // removed; /dev/bar slides to 7 and is skipped.
        CHECK(dest == std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/sys",
                                               "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm",
                                               "/dev/bar", "/run/docker/plugins"});
        CHECK(generated.spec.mounts[6].source == "/a");
        CHECK(generated.warnings.size() == 2);
    }

    TEST_CASE("a null mount source fails like Docker's enable") {
        PluginConfig config = parse_plugin_config(
            R"({"entrypoint":["/p"],"mounts":[{"destination":"/x","source":null}]})");
        FakeHost host;
        PluginSpecOptions options;
        options.plugin_id = kRcloneId;
        CHECK_THROWS_WITH_AS(
            generate_plugin_spec(config, initial_plugin_settings(config), options, host),
            "mounts[0].source: mount source is not specified", ValidationError);
    }

    TEST_CASE("paths follow the docker root, socket dir and exec root options") {
        PluginConfig config =
            parse_plugin_config(read_fixture("plugins/metrics-collector-test.json"));
        FakeHost host;
        PluginSpecOptions options;
        options.plugin_id = kRcloneId;
        options.docker_root = "/srv/docker/";
        options.plugins_run_dir = "/run/plugrt/plugins";
        options.daemon_exec_root = "/run/dockerd";
        const Spec spec =
            generate_plugin_spec(config, initial_plugin_settings(config), options, host).spec;
        CHECK(spec.root->path == "/srv/docker/plugins/" + kRcloneId + "/rootfs");
        CHECK(spec.mounts[7].source == "/srv/docker/plugins/" + kRcloneId + "/propagated-mount");
        CHECK(spec.mounts[8].source == "/run/plugrt/plugins/" + kRcloneId);
        CHECK(spec.mounts[8].destination == "/run/docker/plugins");
        CHECK(spec.mounts.back().source == "/run/dockerd/metrics.sock");
    }

    TEST_CASE("a plugin directory outside any docker root holds the rootfs and propagated mount") {
        PluginConfig config = parse_plugin_config(read_fixture("plugins/rclone.json"));
        FakeHost host;
        PluginSpecOptions options;
        options.plugin_id = kRcloneId;
        options.docker_root = "/var/lib/docker";
        options.plugin_dir = "/home/dev/my-plugin";
        const Spec spec =
            generate_plugin_spec(config, initial_plugin_settings(config), options, host).spec;
        CHECK(spec.root->path == "/home/dev/my-plugin/rootfs");
        CHECK(plugin_propagated_mount_dir(options) == "/home/dev/my-plugin/propagated-mount");
        const bool bound = std::any_of(spec.mounts.begin(), spec.mounts.end(), [](const Mount& m) {
            return m.source == "/home/dev/my-plugin/propagated-mount" && m.destination == "/mnt";
        });
        CHECK(bound);
    }

    TEST_CASE("a plugin id that is not 64 hex digits is refused") {
        PluginConfig config = parse_plugin_config(R"({"entrypoint":["/p"]})");
        FakeHost host;
        PluginSpecOptions options;
        for (const char* id :
             {"", "../../etc",
              "CCCE444F10491C9B22FA4DC1D1237F9A51391FAF56C78134266EA61C2926558F"}) {
            options.plugin_id = id;
            CHECK_THROWS_AS(
                generate_plugin_spec(config, initial_plugin_settings(config), options, host),
                ValidationError);
        }
    }
}
