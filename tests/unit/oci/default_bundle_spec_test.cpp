#include "oci/default_bundle_spec.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "oci/validate.hpp"

using namespace plugrt::oci;

namespace {

std::vector<std::string> namespace_types(const Spec& spec) {
    std::vector<std::string> types;
    for (const auto& ns : spec.linux->namespaces) types.push_back(ns.type);
    return types;
}

const Mount* mount_at(const Spec& spec, const std::string& destination) {
    for (const auto& mount : spec.mounts) {
        if (mount.destination == destination) return &mount;
    }
    return nullptr;
}

}  // namespace

TEST_SUITE("oci/default_bundle_spec") {
    TEST_CASE("the default spec runs sh on a terminal with runc's three capabilities") {
        const auto spec = default_bundle_spec();
        REQUIRE(spec.process.has_value());
        CHECK(spec.process->terminal);
        CHECK(spec.process->args == std::vector<std::string>{"sh"});
        CHECK(spec.process->cwd == "/");
        CHECK(spec.process->no_new_privileges);
        const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL",
                                               "CAP_NET_BIND_SERVICE"};
        CHECK(spec.process->capabilities->bounding == caps);
        CHECK(spec.process->capabilities->effective == caps);
        CHECK(spec.process->capabilities->permitted == caps);
        CHECK_FALSE(spec.process->capabilities->inheritable.has_value());
        CHECK_FALSE(spec.process->capabilities->ambient.has_value());
        REQUIRE(spec.process->rlimits.size() == 1);
        CHECK(spec.process->rlimits[0].type == "RLIMIT_NOFILE");
        CHECK(spec.process->rlimits[0].soft == 1024);
    }

    TEST_CASE("the default spec has a read-only rootfs and runc's mounts in runc's order") {
        const auto spec = default_bundle_spec();
        CHECK(spec.root->path == "rootfs");
        CHECK(spec.root->readonly);
        std::vector<std::string> destinations;
        for (const auto& m : spec.mounts) destinations.push_back(m.destination);
        CHECK(destinations == std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm",
                                                       "/dev/mqueue", "/sys", "/sys/fs/cgroup"});
        CHECK(mount_at(spec, "/dev/pts")->options.back() == "gid=5");
        CHECK(mount_at(spec, "/sys")->type == "sysfs");
    }

    TEST_CASE("the default spec creates five namespaces plus cgroup when asked") {
        CHECK(namespace_types(default_bundle_spec()) ==
              std::vector<std::string>{"pid", "network", "ipc", "uts", "mount", "cgroup"});
        CHECK(namespace_types(default_bundle_spec({.cgroup_namespace = false})) ==
              std::vector<std::string>{"pid", "network", "ipc", "uts", "mount"});
    }

    TEST_CASE("the default spec masks and write-protects runc 1.1's proc and sys paths") {
        const auto spec = default_bundle_spec();
        CHECK(spec.linux->masked_paths.size() == 10);
        CHECK(spec.linux->masked_paths.front() == "/proc/acpi");
        CHECK(spec.linux->masked_paths.back() == "/proc/scsi");
        CHECK(spec.linux->readonly_paths == std::vector<std::string>{"/proc/bus", "/proc/fs",
                                                                     "/proc/irq", "/proc/sys",
                                                                     "/proc/sysrq-trigger"});
        REQUIRE(spec.linux->resources.has_value());
        REQUIRE(spec.linux->resources->devices.size() == 1);
        CHECK_FALSE(spec.linux->resources->devices[0].allow);
        CHECK(spec.linux->resources->devices[0].access == "rwm");
    }

    TEST_CASE("the default spec and its rootless variant pass validation") {
        CHECK(validate_spec(default_bundle_spec()).empty());
        CHECK(validate_spec(
                  default_bundle_spec({.rootless = true, .host_uid = 1000, .host_gid = 100}))
                  .empty());
    }

    TEST_CASE("the default spec is written in runc's layout") {
        const auto text = dump_spec(default_bundle_spec({.cgroup_namespace = false}));
        CHECK(text.find("\"terminal\": true") != std::string::npos);
        CHECK(text.find("\"user\": {\n      \"uid\": 0,\n      \"gid\": 0\n    }") !=
              std::string::npos);
        CHECK(text.find("\"readonly\": true") != std::string::npos);
        CHECK(text.find(R"({
      "destination": "/proc",
      "type": "proc",
      "source": "proc"
    })") != std::string::npos);
        CHECK(text.find(R"("resources": {
      "devices": [
        {
          "allow": false,
          "access": "rwm"
        }
      ]
    })") != std::string::npos);
    }

    TEST_CASE("the rootless variant maps root to the given user in a new user namespace") {
        const auto spec =
            default_bundle_spec({.rootless = true, .host_uid = 1000, .host_gid = 100});
        CHECK(namespace_types(spec) ==
              std::vector<std::string>{"pid", "ipc", "uts", "mount", "user"});
        REQUIRE(spec.linux->uid_mappings.size() == 1);
        CHECK(spec.linux->uid_mappings[0].container_id == 0);
        CHECK(spec.linux->uid_mappings[0].host_id == 1000);
        CHECK(spec.linux->uid_mappings[0].size == 1);
        REQUIRE(spec.linux->gid_mappings.size() == 1);
        CHECK(spec.linux->gid_mappings[0].host_id == 100);
        CHECK_FALSE(spec.linux->resources.has_value());
    }

    TEST_CASE("the rootless variant binds /sys and drops uid and gid mount options") {
        const auto spec =
            default_bundle_spec({.rootless = true, .host_uid = 1000, .host_gid = 1000});
        const auto* sys = mount_at(spec, "/sys");
        REQUIRE(sys != nullptr);
        CHECK(sys->type == "none");
        CHECK(sys->source == "/sys");
        CHECK(sys->options == std::vector<std::string>{"rbind", "nosuid", "noexec", "nodev", "ro"});
        const auto* pts = mount_at(spec, "/dev/pts");
        CHECK(std::none_of(pts->options.begin(), pts->options.end(),
                           [](const std::string& o) { return o.rfind("gid=", 0) == 0; }));
        CHECK(pts->options.size() == 5);
        CHECK(spec.mounts.size() == 7);
    }
}
