#include "oci/spec.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "oci/errors.hpp"

using plugrt::oci::Json;
using plugrt::oci::ParseError;
using plugrt::oci::Spec;

namespace {

std::string read_fixture(const std::string& relative) {
    std::ifstream in(std::string(PLUGRT_FIXTURES_DIR) + "/" + relative, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The message of the ParseError `text` raises, or "" when it parses.
std::string parse_error_of(const std::string& text) {
    try {
        (void)plugrt::oci::parse_spec(text);
    } catch (const ParseError& e) {
        return e.what();
    }
    return "";
}

std::string path_of_error(const std::string& text) {
    try {
        (void)plugrt::oci::parse_spec(text);
    } catch (const ParseError& e) {
        return e.path();
    }
    return "<no error>";
}

Json round_trip(const std::string& text) {
    return plugrt::oci::spec_to_json(plugrt::oci::parse_spec(text));
}

}  // namespace

TEST_SUITE("oci/spec") {
    TEST_CASE("the spec Docker 20.10.24 generated for rclone survives a round trip byte for byte") {
        const auto text = read_fixture("specs/rclone-docker-20.10.24.json");
        const auto written = round_trip(text);
        CHECK(nlohmann::json::parse(written.dump()) == nlohmann::json::parse(text));
        // Same member order as Go's encoder, not only the same content.
        CHECK(written.dump() == Json::parse(text).dump());
    }

    TEST_CASE("the Docker fixture is read into the typed members") {
        const auto spec =
            plugrt::oci::parse_spec(read_fixture("specs/rclone-docker-20.10.24.json"));
        CHECK(spec.oci_version == "1.0.2-dev");
        REQUIRE(spec.process.has_value());
        CHECK(spec.process->args.front() == "/usr/local/bin/rclone");
        CHECK(spec.process->cwd == "/data");
        REQUIRE(spec.process->capabilities.has_value());
        CHECK(spec.process->capabilities->inheritable == std::vector<std::string>{"CAP_SYS_ADMIN"});
        CHECK_FALSE(spec.process->capabilities->ambient.has_value());
        REQUIRE(spec.linux.has_value());
        REQUIRE(spec.linux->devices.size() == 1);
        CHECK(spec.linux->devices[0].file_mode == 384u);
        CHECK(spec.linux->devices[0].uid == 0u);
        REQUIRE(spec.linux->resources.has_value());
        CHECK(spec.linux->resources->devices.size() == 9);
        CHECK_FALSE(spec.linux->resources->devices[0].major.has_value());
        CHECK(spec.linux->resources->devices[7].major == 10);
        CHECK(spec.linux->rootfs_propagation == "rshared");
        CHECK(spec.mounts.size() == 13);
        CHECK(spec.mounts[1].options[3] == "size=65536k");
    }

    TEST_CASE("unknown members are kept at every level and written back") {
        const std::string text = R"({
            "ociVersion": "1.2.0", "vendorTop": {"a": [1, 2]},
            "process": {"user": {"uid": 1, "gid": 2, "userX": true}, "cwd": "/",
                        "scheduler": {"policy": "SCHED_OTHER"}, "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 1},
                        "capabilities": {"bounding": ["CAP_KILL"], "capX": 1},
                        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 1, "rlX": "y"}],
                        "consoleSize": {"height": 1, "width": 2, "boxX": 3}},
            "root": {"path": "rootfs", "rootX": null},
            "mounts": [{"destination": "/x", "mountX": {"deep": {"deeper": 1}},
                        "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1, "mapX": 0}]}],
            "hooks": {"prestart": [{"path": "/h", "hookX": 1}], "hooksX": []},
            "linux": {"namespaces": [{"type": "pid", "nsX": 1}],
                      "devices": [{"path": "/dev/x", "type": "c", "major": 1, "minor": 2, "devX": 1}],
                      "resources": {"devices": [{"allow": true, "ruleX": 1}],
                                    "memory": {"limit": 100, "swap": 200},
                                    "cpu": {"shares": 2, "burst": 5, "period": 100000, "cpus": "0-1"},
                                    "pids": {"limit": 10}, "blockIO": {"weight": 10},
                                    "unified": {"memory.high": "1"}},
                      "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "secX": 1,
                                  "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "scX": 1,
                                                "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ", "argX": 1}]}]},
                      "personality": {"domain": "LINUX", "perX": 1},
                      "timeOffsets": {"monotonic": {"secs": 1, "toX": 1}},
                      "intelRdt": {"closID": "x"}, "netDevices": {"eth0": {}}}
        })";
        // Compared without regard to member order: the input is deliberately not in Go order.
        CHECK(nlohmann::json::parse(round_trip(text).dump()) == nlohmann::json::parse(text));
    }

    TEST_CASE("members Go knows but the model does not are written in Go's field order") {
        const std::string text = R"({"ociVersion": "1.2.0",
            "process": {"selinuxLabel": "l", "scheduler": {"policy": "SCHED_OTHER"},
                        "oomScoreAdj": 5, "cwd": "/", "user": {"uid": 0, "gid": 0}},
            "linux": {"timeOffsets": {"boottime": {}}, "intelRdt": {"closID": "x"}, "mountLabel": "m",
                      "resources": {"cpu": {"period": 1, "burst": 2, "shares": 3}}}})";
        const auto written = round_trip(text);
        std::vector<std::string> process_keys;
        for (const auto& [key, value] : written["process"].items()) process_keys.push_back(key);
        CHECK(process_keys ==
              std::vector<std::string>{"user", "cwd", "oomScoreAdj", "scheduler", "selinuxLabel"});
        std::vector<std::string> linux_keys;
        for (const auto& [key, value] : written["linux"].items()) linux_keys.push_back(key);
        CHECK(linux_keys ==
              std::vector<std::string>{"resources", "mountLabel", "intelRdt", "timeOffsets"});
        CHECK(written["linux"]["resources"]["cpu"].dump() ==
              R"({"shares":3,"burst":2,"period":1})");
    }

    TEST_CASE("resources members are lifted into typed fields and merged back on output") {
        const auto spec =
            plugrt::oci::parse_spec(R"({"ociVersion": "1.2.0", "linux": {"resources": {
            "memory": {"limit": 1048576, "reservation": 5}, "cpu": {"shares": 512, "quota": -1,
            "period": 100000}, "pids": {"limit": 64}, "hugepageLimits": []}}})");
        const auto& r = *spec.linux->resources;
        CHECK(r.memory_limit == 1048576);
        CHECK(r.cpu_shares == 512u);
        CHECK(r.cpu_quota == -1);
        CHECK(r.cpu_period == 100000u);
        CHECK(r.pids_limit == 64);
        CHECK(r.extra["memory"] == Json{{"reservation", 5}});
        CHECK_FALSE(r.extra.contains("cpu"));
        CHECK_FALSE(r.extra.contains("pids"));

        auto changed = spec;
        changed.linux->resources->memory_limit.reset();
        changed.linux->resources->pids_limit = 7;
        const auto out = plugrt::oci::spec_to_json(changed)["linux"]["resources"];
        CHECK(out["memory"] == Json{{"reservation", 5}});
        CHECK(out["pids"] == Json{{"limit", 7}});
        CHECK(out["cpu"].dump() == R"({"shares":512,"quota":-1,"period":100000})");
    }

    TEST_CASE("a typed resources member set in code creates its object on output") {
        Spec spec;
        spec.oci_version = "1.2.0";
        spec.linux.emplace();
        spec.linux->resources.emplace();
        spec.linux->resources->memory_limit = 4096;
        const auto out = plugrt::oci::spec_to_json(spec);
        CHECK(out["linux"]["resources"].dump() == R"({"memory":{"limit":4096}})");
    }

    TEST_CASE("output omits exactly what Go's omitempty omits") {
        Spec spec;
        spec.oci_version = "1.2.0";
        spec.process.emplace();
        spec.process->capabilities.emplace();
        spec.process->capabilities->ambient = std::vector<std::string>{};
        spec.root.emplace();
        spec.mounts.emplace_back().destination = "/tmp";
        spec.linux.emplace();
        auto& null_device = spec.linux->devices.emplace_back();
        null_device.type = "c";
        null_device.path = "/dev/null";
        null_device.major = 1;
        null_device.minor = 3;
        spec.linux->resources.emplace();
        spec.linux->resources->devices.emplace_back().access = "rwm";
        spec.linux->seccomp.emplace();
        auto& syscall = spec.linux->seccomp->syscalls.emplace_back();
        syscall.names = {"read"};
        syscall.action = "SCMP_ACT_ALLOW";
        syscall.args.emplace_back().op = "SCMP_CMP_EQ";
        spec.linux->time_offsets["monotonic"] = {};
        const auto out = plugrt::oci::spec_to_json(spec);
        CHECK(out["process"].dump() == R"({"user":{"uid":0,"gid":0},"cwd":"","capabilities":{}})");
        CHECK(out["root"].dump() == R"({"path":""})");
        CHECK(out["mounts"].dump() == R"([{"destination":"/tmp"}])");
        CHECK(out["linux"]["devices"].dump() ==
              R"([{"path":"/dev/null","type":"c","major":1,"minor":3}])");
        CHECK(out["linux"]["resources"].dump() ==
              R"({"devices":[{"allow":false,"access":"rwm"}]})");
        CHECK(
            out["linux"]["seccomp"].dump() ==
            R"({"defaultAction":"","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]}]})");
        CHECK(out["linux"]["timeOffsets"].dump() == R"({"monotonic":{}})");
        CHECK_FALSE(out.contains("hostname"));
        CHECK_FALSE(out.contains("annotations"));
        CHECK_FALSE(out.contains("hooks"));
    }

    TEST_CASE("set pointer-like members are written even when zero") {
        Spec spec;
        spec.oci_version = "1.2.0";
        spec.process.emplace();
        spec.process->oom_score_adj = 0;
        spec.process->user.umask = 0;
        spec.linux.emplace();
        auto& fuse = spec.linux->devices.emplace_back();
        fuse.type = "c";
        fuse.path = "/dev/fuse";
        fuse.major = 10;
        fuse.minor = 229;
        fuse.file_mode = 0;
        fuse.uid = 0;
        fuse.gid = 0;
        spec.hooks.emplace();
        auto& hook = spec.hooks->poststop.emplace_back();
        hook.path = "/bin/true";
        hook.timeout = 0;
        const auto out = plugrt::oci::spec_to_json(spec);
        CHECK(out["process"]["oomScoreAdj"] == 0);
        CHECK(out["process"]["user"]["umask"] == 0);
        CHECK(
            out["linux"]["devices"][0].dump() ==
            R"({"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":0,"uid":0,"gid":0})");
        CHECK(out["hooks"].dump() == R"({"poststop":[{"path":"/bin/true","timeout":0}]})");
    }

    TEST_CASE("dump_spec indents with two spaces and parses back to the same spec") {
        const auto spec =
            plugrt::oci::parse_spec(read_fixture("specs/rclone-docker-20.10.24.json"));
        const auto text = plugrt::oci::dump_spec(spec);
        CHECK(text.rfind("{\n  \"ociVersion\": \"1.0.2-dev\",\n  \"process\": {\n    \"user\"",
                         0) == 0);
        CHECK(plugrt::oci::spec_to_json(plugrt::oci::parse_spec(text)) ==
              plugrt::oci::spec_to_json(spec));
    }

    TEST_CASE("a null member is read as absent, as Go does") {
        const auto spec = plugrt::oci::parse_spec(
            R"({"ociVersion": "1.0.0", "process": null, "mounts": null, "hostname": null})");
        CHECK_FALSE(spec.process.has_value());
        CHECK(spec.mounts.empty());
        CHECK(spec.hostname.empty());
    }

    TEST_CASE("a repeated member takes its last value, as Go does") {
        const auto spec = plugrt::oci::parse_spec(
            R"({"ociVersion": "1.0.0", "hostname": "first", "hostname": "second"})");
        CHECK(spec.hostname == "second");
    }

    TEST_CASE("an unknown member that is null is kept, a known one is dropped") {
        const auto out = round_trip(R"({"ociVersion": "1.0.0", "domainname": null, "x": null})");
        CHECK(out.dump() == R"({"ociVersion":"1.0.0","x":null})");
    }

    TEST_CASE("a type error names the JSON path of the offending member") {
        CHECK(
            parse_error_of(R"({"process": {"capabilities": {"bounding": ["a", "b", "c", 4]}}})") ==
            "process.capabilities.bounding[3]: expected a string");
        CHECK(parse_error_of(R"({"mounts": [{}, {}, {"destination": "/x", "options": "ro"}]})") ==
              "mounts[2].options: expected an array of strings");
        CHECK(parse_error_of(R"({"ociVersion": 1})") == "ociVersion: expected a string");
        CHECK(parse_error_of(R"({"process": {"terminal": "yes"}})") ==
              "process.terminal: expected a boolean");
        CHECK(parse_error_of(R"({"process": []})") == "process: expected an object");
        CHECK(parse_error_of(R"({"mounts": {}})") == "mounts: expected an array");
        CHECK(parse_error_of(R"({"linux": {"sysctl": {"net.ipv4.ip_forward": 1}}})") ==
              R"(linux.sysctl["net.ipv4.ip_forward"]: expected a string)");
        CHECK(parse_error_of(R"({"linux": {"resources": {"memory": {"limit": "1G"}}}})") ==
              "linux.resources.memory.limit: expected a 64-bit integer");
        CHECK(parse_error_of(R"({"linux": {"resources": {"cpu": 3}}})") ==
              "linux.resources.cpu: expected an object");
        CHECK(
            path_of_error(
                R"({"linux": {"seccomp": {"syscalls": [{"names": [], "args": [{"index": "0"}]}]}}})") ==
            "linux.seccomp.syscalls[0].args[0].index");
        CHECK(path_of_error(R"({"hooks": {"poststop": [{"path": "/x", "timeout": 1.5}]}})") ==
              "hooks.poststop[0].timeout");
        CHECK(path_of_error(R"({"annotations": {"a": ["b"]}})") == R"(annotations["a"])");
        CHECK(path_of_error("[]") == "");
    }

    TEST_CASE("integers out of range or written as floats are refused instead of truncated") {
        CHECK(parse_error_of(R"({"process": {"user": {"uid": 4294967296}}})") ==
              "process.user.uid: expected an unsigned 32-bit integer");
        CHECK(parse_error_of(R"({"process": {"user": {"uid": -1}}})") ==
              "process.user.uid: expected an unsigned 32-bit integer");
        CHECK(parse_error_of(R"({"process": {"user": {"gid": 1.0}}})") ==
              "process.user.gid: expected an unsigned 32-bit integer");
        CHECK(parse_error_of(R"({"process": {"oomScoreAdj": 2147483648}})") ==
              "process.oomScoreAdj: expected a 32-bit integer");
        CHECK(parse_error_of(R"({"process": {"rlimits": [{"hard": -1}]}})") ==
              "process.rlimits[0].hard: expected an unsigned 64-bit integer");
        CHECK(parse_error_of(R"({"linux": {"devices": [{"major": 9223372036854775808}]}})") ==
              "linux.devices[0].major: expected a 64-bit integer");
        const auto spec = plugrt::oci::parse_spec(
            R"({"process": {"rlimits": [{"hard": 18446744073709551615, "soft": 0}]}})");
        CHECK(spec.process->rlimits[0].hard == UINT64_MAX);
    }

    TEST_CASE("text that is not JSON is refused with a readable message") {
        CHECK(parse_error_of("").rfind("not valid JSON: ", 0) == 0);
        CHECK(parse_error_of("{\"ociVersion\": ").rfind("not valid JSON: ", 0) == 0);
        CHECK(parse_error_of("ociVersion: 1.0").rfind("not valid JSON: ", 0) == 0);
        CHECK(parse_error_of("{\"a\": \"\xff\"}").rfind("not valid JSON: ", 0) == 0);
        CHECK(parse_error_of("{} // comment").rfind("not valid JSON: ", 0) == 0);
        CHECK(parse_error_of("\"just a string\"") == "expected an object");
    }

    TEST_CASE("trailing data after the document is refused") {
        CHECK(parse_error_of(R"({"ociVersion": "1.0.0"} {})").rfind("not valid JSON: ", 0) == 0);
        CHECK(parse_error_of(R"({"ociVersion": "1.0.0"}x)").rfind("not valid JSON: ", 0) == 0);
        CHECK(parse_error_of("{\"ociVersion\": \"1.0.0\"}\n  \n").empty());
    }

    TEST_CASE("nesting deeper than 64 levels is refused without recursing through it") {
        const std::string deep = std::string(10000, '[') + std::string(10000, ']');
        CHECK(parse_error_of(deep) == "document is nested deeper than 64 levels");
        const std::string deep_objects = [] {
            std::string s;
            for (int i = 0; i < 10000; ++i) s += "{\"a\":";
            s += "1";
            s += std::string(10000, '}');
            return s;
        }();
        CHECK(parse_error_of(deep_objects) == "document is nested deeper than 64 levels");
        // Unbalanced: the limit triggers before the missing closers are noticed.
        CHECK(parse_error_of(std::string(100000, '[')) ==
              "document is nested deeper than 64 levels");
    }

    TEST_CASE("exactly 64 levels of nesting are accepted") {
        std::string at_limit = "{\"x\":" + std::string(63, '[') + std::string(63, ']') + "}";
        CHECK(parse_error_of(at_limit).empty());
        std::string over = "{\"x\":" + std::string(64, '[') + std::string(64, ']') + "}";
        CHECK(parse_error_of(over) == "document is nested deeper than 64 levels");
    }

    TEST_CASE("a 10 MB string is handled without trouble") {
        const std::string big(10 * 1024 * 1024, 'a');
        const auto spec =
            plugrt::oci::parse_spec(R"({"ociVersion": "1.0.0", "hostname": ")" + big + "\"}");
        CHECK(spec.hostname.size() == big.size());
        CHECK(plugrt::oci::spec_to_json(spec)["hostname"].get_ref<const std::string&>().size() ==
              big.size());
    }

    TEST_CASE("a document larger than the limit is refused before parsing") {
        const std::string huge(plugrt::oci::kMaxDocumentBytes + 1, ' ');
        CHECK(parse_error_of(huge).rfind("document is too large", 0) == 0);
    }

    TEST_CASE("writing a string that is not UTF-8 fails with an error instead of bad JSON") {
        Spec spec;
        spec.hostname = "bad\xff";
        CHECK_THROWS_AS((void)plugrt::oci::dump_spec(spec), ParseError);
    }
}
