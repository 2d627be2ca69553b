#include "oci/validate.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace plugrt::oci;

namespace {

// A minimal spec that passes; each test breaks one thing.
Spec valid_spec() {
    Spec spec;
    spec.oci_version = "1.2.0";
    spec.root.emplace().path = "rootfs";
    auto& process = spec.process.emplace();
    process.args = {"/bin/sh"};
    process.cwd = "/";
    process.env = {"PATH=/usr/bin:/bin", "EMPTY="};
    auto& linux = spec.linux.emplace();
    for (const char* type : {"pid", "mount", "ipc", "uts", "network"}) {
        linux.namespaces.emplace_back().type = type;
    }
    return spec;
}

// The issues of `spec` as "path: message" lines.
std::vector<std::string> issues_of(const Spec& spec) {
    std::vector<std::string> out;
    for (const auto& issue : validate_spec(spec)) {
        out.push_back(issue.path + ": " + issue.message);
    }
    return out;
}

// The single issue at `path`, or a note that there was none or several.
std::string issue_at(const Spec& spec, const std::string& path) {
    std::string found = "<no issue at " + path + ">";
    int count = 0;
    for (const auto& issue : validate_spec(spec)) {
        if (issue.path == path) {
            found = issue.message;
            ++count;
        }
    }
    return count > 1 ? "<several issues at " + path + ">" : found;
}

}  // namespace

TEST_SUITE("oci/validate") {
    TEST_CASE("a minimal valid spec has no issues") {
        CHECK(issues_of(valid_spec()).empty());
        CHECK_NOTHROW(validate_spec_or_throw(valid_spec()));
    }

    TEST_CASE("the spec Docker generated for the rclone plugin has no issues") {
        std::ifstream in(std::string(PLUGRT_FIXTURES_DIR) + "/specs/rclone-docker-20.10.24.json");
        std::ostringstream text;
        text << in.rdbuf();
        CHECK(issues_of(parse_spec(text.str())).empty());
    }

    TEST_CASE("ociVersion must be present and of major version 1") {
        auto spec = valid_spec();
        spec.oci_version = "";
        CHECK(issue_at(spec, "ociVersion") == "must be set");
        spec.oci_version = "2.0.0";
        CHECK(issue_at(spec, "ociVersion").find("unsupported version \"2.0.0\"") == 0);
        spec.oci_version = "10.0.0";
        CHECK(issue_at(spec, "ociVersion").find("unsupported version") == 0);
        spec.oci_version = "1";
        CHECK(issue_at(spec, "ociVersion").find("unsupported version") == 0);
        spec.oci_version = "1.0.2-dev";
        CHECK(issues_of(spec).empty());
    }

    TEST_CASE("root.path must be set") {
        auto spec = valid_spec();
        spec.root.reset();
        CHECK(issue_at(spec, "root.path") == "must be set");
        spec.root.emplace();
        CHECK(issue_at(spec, "root.path") == "must be set");
    }

    TEST_CASE("a process needs arguments and an absolute working directory") {
        auto spec = valid_spec();
        spec.process->args.clear();
        spec.process->cwd = "data";
        CHECK(issue_at(spec, "process.args") == "must not be empty");
        CHECK(issue_at(spec, "process.cwd") == "must be an absolute path, got \"data\"");
        spec.process.reset();
        CHECK(issues_of(spec).empty());
    }

    TEST_CASE("environment entries must have the NAME=value form with a name") {
        auto spec = valid_spec();
        spec.process->env = {"OK=1", "NOEQUALS", "=value", "ALSO_OK="};
        CHECK(issue_at(spec, "process.env[1]") ==
              "must have the form NAME=value, got \"NOEQUALS\"");
        CHECK(issue_at(spec, "process.env[2]") == "must have the form NAME=value, got \"=value\"");
        CHECK(issues_of(spec).size() == 2);
    }

    TEST_CASE("every capability set may hold only known capability names") {
        auto spec = valid_spec();
        auto& caps = spec.process->capabilities.emplace();
        caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_NOPE"};
        caps.effective = {"cap_kill"};
        caps.inheritable = {"CAP_KILL"};
        caps.permitted = {"KILL"};
        caps.ambient = {"CAP_FOO"};
        CHECK(issue_at(spec, "process.capabilities.bounding[3]") ==
              "unknown capability \"CAP_NOPE\"");
        CHECK(issue_at(spec, "process.capabilities.effective[0]") ==
              "unknown capability \"cap_kill\"");
        CHECK(issue_at(spec, "process.capabilities.permitted[0]") == "unknown capability \"KILL\"");
        CHECK(issue_at(spec, "process.capabilities.ambient[0]") ==
              "unknown capability \"CAP_FOO\"");
        CHECK(issues_of(spec).size() == 4);
    }

    TEST_CASE("rlimits must be known, unique and have soft not above hard") {
        auto spec = valid_spec();
        spec.process->rlimits = {{.type = "RLIMIT_NOFILE", .hard = 1024, .soft = 1024},
                                 {.type = "RLIMIT_BOGUS", .hard = 1, .soft = 1},
                                 {.type = "RLIMIT_NOFILE", .hard = 1, .soft = 1},
                                 {.type = "RLIMIT_CORE", .hard = 1, .soft = 2}};
        CHECK(issue_at(spec, "process.rlimits[1].type")
                  .find("unknown rlimit type "
                        "\"RLIMIT_BOGUS\" (expected one "
                        "of: RLIMIT_AS, ") == 0);
        CHECK(issue_at(spec, "process.rlimits[2].type") == "duplicate rlimit \"RLIMIT_NOFILE\"");
        CHECK(issue_at(spec, "process.rlimits[3].soft") == "must not exceed hard (1)");
        CHECK(issues_of(spec).size() == 3);
    }

    TEST_CASE("mount destinations must be absolute, without .. and without NUL") {
        auto spec = valid_spec();
        for (const std::string& destination :
             std::vector<std::string>{"/ok", "relative", "/a/../../etc", "/..",
                                      std::string("/a\0b", 4), "", "/a..b/c.."}) {
            spec.mounts.emplace_back().destination = destination;
        }
        CHECK(issue_at(spec, "mounts[1].destination") ==
              "must be an absolute path, got \"relative\"");
        CHECK(issue_at(spec, "mounts[2].destination") ==
              "must not contain \"..\" components, got \"/a/../../etc\"");
        CHECK(issue_at(spec, "mounts[3].destination") ==
              "must not contain \"..\" components, got \"/..\"");
        CHECK(issue_at(spec, "mounts[4].destination") == "must not contain a NUL byte");
        CHECK(issue_at(spec, "mounts[5].destination") == "must be an absolute path, got \"\"");
        CHECK(issues_of(spec).size() == 5);
    }

    TEST_CASE("namespace types must be known and appear once") {
        auto spec = valid_spec();
        spec.linux->namespaces.emplace_back().type = "foo";
        spec.linux->namespaces.emplace_back().type = "pid";
        CHECK(issue_at(spec, "linux.namespaces[5].type") ==
              "unknown namespace type \"foo\" (expected one of: pid, network, mount, ipc, uts, "
              "user, cgroup, time)");
        CHECK(issue_at(spec, "linux.namespaces[6].type") == "duplicate namespace \"pid\"");
    }

    TEST_CASE("a joined namespace path must be absolute") {
        auto spec = valid_spec();
        spec.linux->namespaces[4].path = "proc/1/ns/net";
        CHECK(issue_at(spec, "linux.namespaces[4].path") ==
              "must be an absolute path, got \"proc/1/ns/net\"");
    }

    TEST_CASE("id mappings are required with a new user namespace and refused without one") {
        auto spec = valid_spec();
        spec.linux->namespaces.emplace_back().type = "user";
        CHECK(issue_at(spec, "linux.uidMappings") ==
              "must not be empty when a new user namespace is created");
        CHECK(issue_at(spec, "linux.gidMappings") ==
              "must not be empty when a new user namespace is created");
        spec.linux->uid_mappings = {{.container_id = 0, .host_id = 1000, .size = 1}};
        spec.linux->gid_mappings = {{.container_id = 0, .host_id = 1000, .size = 1}};
        CHECK(issues_of(spec).empty());

        spec.linux->namespaces.pop_back();
        CHECK(issue_at(spec, "linux.uidMappings") ==
              "id mappings need a user namespace in linux.namespaces");

        // Joining an existing user namespace brings its own mappings.
        auto joined = valid_spec();
        auto& user = joined.linux->namespaces.emplace_back();
        user.type = "user";
        user.path = "/proc/42/ns/user";
        CHECK(issues_of(joined).empty());
    }

    TEST_CASE("rootfsPropagation must be one of the mount propagation modes") {
        auto spec = valid_spec();
        for (const auto& mode : known_rootfs_propagations()) {
            spec.linux->rootfs_propagation = mode;
            CAPTURE(mode);
            CHECK(issues_of(spec).empty());
        }
        spec.linux->rootfs_propagation = "recursive";
        CHECK(issue_at(spec, "linux.rootfsPropagation").find("unknown rootfs propagation") == 0);
    }

    TEST_CASE("seccomp actions, operators, architectures and flags must be known") {
        auto spec = valid_spec();
        auto& seccomp = spec.linux->seccomp.emplace();
        seccomp.default_action = "SCMP_ACT_DENY";
        seccomp.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"};
        seccomp.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST"};
        auto& rule = seccomp.syscalls.emplace_back();
        rule.names = {"read"};
        rule.action = "SCMP_ACT_ALLOW";
        rule.args = {{.index = 0, .value = 1, .value_two = 0, .op = "SCMP_CMP_EQ"},
                     {.index = 6, .value = 1, .value_two = 0, .op = "SCMP_CMP_ALMOST"}};
        auto& bad = seccomp.syscalls.emplace_back();
        bad.action = "allow";
        CHECK(issue_at(spec, "linux.seccomp.defaultAction")
                  .find("unknown seccomp action \"SCMP_ACT_DENY\" (expected one of: "
                        "SCMP_ACT_KILL, ") == 0);
        CHECK(issue_at(spec, "linux.seccomp.architectures[1]")
                  .find("unknown architecture \"SCMP_ARCH_Z80\"") == 0);
        CHECK(issue_at(spec, "linux.seccomp.flags[1]")
                  .find("unknown seccomp flag \"SECCOMP_FILTER_FLAG_FAST\"") == 0);
        CHECK(issue_at(spec, "linux.seccomp.syscalls[0].args[1].op")
                  .find("unknown seccomp operator \"SCMP_CMP_ALMOST\"") == 0);
        CHECK(issue_at(spec, "linux.seccomp.syscalls[0].args[1].index") ==
              "must be below 6, got 6");
        CHECK(issue_at(spec, "linux.seccomp.syscalls[1].action")
                  .find("unknown seccomp action \"allow\"") == 0);
        CHECK(issue_at(spec, "linux.seccomp.syscalls[1].names") == "must not be empty");
        CHECK(issues_of(spec).size() == 7);
    }

    TEST_CASE("every known seccomp action is accepted and NOTIFY needs a listener") {
        auto spec = valid_spec();
        auto& seccomp = spec.linux->seccomp.emplace();
        seccomp.default_action = "SCMP_ACT_ERRNO";
        for (const auto& action : known_seccomp_actions()) {
            auto& rule = seccomp.syscalls.emplace_back();
            rule.names = {"getpid"};
            rule.action = action;
        }
        CHECK(issue_at(spec, "linux.seccomp.listenerPath") ==
              "must be set when SCMP_ACT_NOTIFY is used");
        CHECK(issues_of(spec).size() == 1);
        seccomp.listener_path = "/run/listener.sock";
        CHECK(issues_of(spec).empty());
    }

    TEST_CASE("devices need a known type and an absolute path") {
        auto spec = valid_spec();
        for (const char* type : {"c", "b", "u", "p", "x"}) {
            auto& device = spec.linux->devices.emplace_back();
            device.type = type;
            device.path = "/dev/thing";
        }
        spec.linux->devices[0].path = "dev/fuse";
        CHECK(issue_at(spec, "linux.devices[4].type")
                  .find("unknown device type \"x\" (expected one of: c, b, u, p)") == 0);
        CHECK(issue_at(spec, "linux.devices[0].path") ==
              "must be an absolute path, got \"dev/fuse\"");
        CHECK(issues_of(spec).size() == 2);
    }

    TEST_CASE("device cgroup rules need a known type and rwm access") {
        auto spec = valid_spec();
        auto& rules = spec.linux->resources.emplace().devices;
        rules.push_back({.allow = false, .type = "", .major = {}, .minor = {}, .access = "rwm"});
        rules.push_back({.allow = true, .type = "q", .major = {}, .minor = {}, .access = "rwx"});
        CHECK(issue_at(spec, "linux.resources.devices[1].type").find("unknown device rule") == 0);
        CHECK(issue_at(spec, "linux.resources.devices[1].access") ==
              "must be a combination of r, w and m, got \"rwx\"");
        CHECK(issues_of(spec).size() == 2);
    }

    TEST_CASE("hook paths must be absolute and timeouts positive") {
        auto spec = valid_spec();
        auto& hooks = spec.hooks.emplace();
        hooks.prestart.push_back({.path = "hook", .args = {}, .env = {}, .timeout = {}});
        hooks.poststop.push_back({.path = "/bin/true", .args = {}, .env = {}, .timeout = 0});
        hooks.create_runtime.push_back({.path = "/bin/true", .args = {}, .env = {}, .timeout = -5});
        hooks.start_container.push_back({.path = "/bin/true", .args = {}, .env = {}, .timeout = 5});
        CHECK(issue_at(spec, "hooks.prestart[0].path") == "must be an absolute path, got \"hook\"");
        CHECK(issue_at(spec, "hooks.poststop[0].timeout") == "must be greater than zero, got 0");
        CHECK(issue_at(spec, "hooks.createRuntime[0].timeout") ==
              "must be greater than zero, got -5");
        CHECK(issues_of(spec).size() == 3);
    }

    TEST_CASE("sysctl keys must not be empty") {
        auto spec = valid_spec();
        spec.linux->sysctl[""] = "1";
        spec.linux->sysctl["net.ipv4.ip_forward"] = "1";
        CHECK(issue_at(spec, "linux.sysctl") == "keys must not be empty");
        CHECK(issues_of(spec).size() == 1);
    }

    TEST_CASE("the personality domain must be LINUX or LINUX32") {
        auto spec = valid_spec();
        spec.linux->personality.emplace().domain = "LINUX32";
        CHECK(issues_of(spec).empty());
        spec.linux->personality->domain = "linux";
        CHECK(issue_at(spec, "linux.personality.domain")
                  .find("unknown personality domain \"linux\"") == 0);
    }

    TEST_CASE("masked and read-only paths must be absolute container paths") {
        auto spec = valid_spec();
        spec.linux->masked_paths = {"/proc/kcore", "proc/keys"};
        spec.linux->readonly_paths = {"/proc/../etc"};
        CHECK(issue_at(spec, "linux.maskedPaths[1]") ==
              "must be an absolute path, got \"proc/keys\"");
        CHECK(issue_at(spec, "linux.readonlyPaths[0]").find("must not contain \"..\"") == 0);
    }

    TEST_CASE("a hostname needs a private uts namespace") {
        auto spec = valid_spec();
        spec.hostname = "plugin";
        CHECK(issues_of(spec).empty());
        spec.linux->namespaces.erase(spec.linux->namespaces.begin() + 3);
        CHECK(issue_at(spec, "hostname") == "needs a uts namespace in linux.namespaces");
    }

    TEST_CASE("time offsets name a known clock") {
        auto spec = valid_spec();
        spec.linux->time_offsets["boottime"] = {};
        spec.linux->time_offsets["realtime"] = {};
        CHECK(issue_at(spec, "linux.timeOffsets[\"realtime\"]").find("unknown clock") == 0);
        CHECK(issues_of(spec).size() == 1);
    }

    TEST_CASE("long values are shortened in messages") {
        auto spec = valid_spec();
        spec.linux->namespaces[0].type = std::string(1024 * 1024, 'x');
        const auto message = issue_at(spec, "linux.namespaces[0].type");
        CHECK(message.size() < 400);
        CHECK(message.find("xxx\"... (expected one of") != std::string::npos);
    }

    TEST_CASE("all issues are collected and thrown together, joined with semicolons") {
        auto spec = valid_spec();
        spec.oci_version = "";
        spec.process->cwd = "rel";
        spec.linux->namespaces[0].type = "bogus";
        CHECK(validate_spec(spec).size() == 3);
        try {
            validate_spec_or_throw(spec);
            FAIL("validate_spec_or_throw did not throw");
        } catch (const ValidationError& e) {
            CHECK(e.issues().size() == 3);
            const std::string what = e.what();
            CHECK(what.find("ociVersion: must be set; process.cwd: must be an absolute path") == 0);
            CHECK(what.find("; linux.namespaces[0].type: unknown namespace type") !=
                  std::string::npos);
        }
    }
}
