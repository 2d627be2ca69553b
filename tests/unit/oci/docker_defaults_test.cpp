#include "oci/docker_defaults.hpp"

#include <doctest/doctest.h>

using namespace plugrt::oci;

TEST_SUITE("oci/docker_defaults") {
    TEST_CASE("profile names round-trip and unknown names are refused") {
        CHECK(docker_profile_from_name("docker-20.10") == DockerProfile::Docker2010);
        CHECK(docker_profile_from_name("docker-newest") == DockerProfile::DockerNewest);
        CHECK_FALSE(docker_profile_from_name("docker-29").has_value());
        CHECK(docker_profile_name(DockerProfile::DockerNewest) == "docker-newest");
    }

    TEST_CASE("20.10 has ociVersion 1.0.2-dev, five namespaces and ten masked paths") {
        const Spec s = docker_default_spec(DockerProfile::Docker2010, {0, 1});
        CHECK(s.oci_version == "1.0.2-dev");
        REQUIRE(s.linux);
        std::vector<std::string> ns;
        for (const auto& n : s.linux->namespaces) ns.push_back(n.type);
        CHECK(ns == std::vector<std::string>{"mount", "network", "uts", "pid", "ipc"});
        CHECK(s.linux->masked_paths.size() == 10);  // thermal_throttle is newest only
        CHECK(s.linux->masked_paths.front() == "/proc/asound");
        CHECK(s.linux->masked_paths.back() == "/sys/firmware");
    }

    TEST_CASE("newest has ociVersion 1.3.0, a time namespace after network and sorted masks") {
        const Spec s = docker_default_spec(DockerProfile::DockerNewest, {3});
        CHECK(s.oci_version == "1.3.0");
        std::vector<std::string> ns;
        for (const auto& n : s.linux->namespaces) ns.push_back(n.type);
        CHECK(ns == std::vector<std::string>{"mount", "network", "time", "uts", "pid", "ipc"});
        const auto& m = s.linux->masked_paths;
        REQUIRE(m.size() == 13);
        CHECK(std::is_sorted(m.begin(), m.begin() + 12));
        CHECK(m[2] == "/proc/interrupts");
        CHECK(m[10] == "/sys/devices/virtual/powercap");
        CHECK(m[12] == "/sys/devices/system/cpu/cpu3/thermal_throttle");
    }

    TEST_CASE("capabilities are the 14 defaults with inheritable and ambient absent") {
        const Spec s = docker_default_spec(DockerProfile::Docker2010);
        const auto& caps = *s.process->capabilities;
        CHECK(caps.bounding->size() == 14);
        CHECK(caps.bounding->front() == "CAP_CHOWN");
        CHECK(caps.bounding->back() == "CAP_AUDIT_WRITE");
        CHECK(caps.permitted == caps.bounding);
        CHECK(caps.effective == caps.bounding);
        CHECK_FALSE(caps.inheritable.has_value());
        CHECK_FALSE(caps.ambient.has_value());
    }

    TEST_CASE("the seven default mounts and eight device rules come in Docker's order") {
        const Spec s = docker_default_spec(DockerProfile::DockerNewest);
        std::vector<std::string> dest;
        for (const auto& m : s.mounts) dest.push_back(m.destination);
        CHECK(dest == std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/sys",
                                               "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm"});
        CHECK(s.mounts[6].source == "shm");
        const auto& rules = s.linux->resources->devices;
        REQUIRE(rules.size() == 8);
        CHECK_FALSE(rules[0].allow);
        CHECK_FALSE(rules[0].major.has_value());
        CHECK(rules[1].minor == 5);
        CHECK(rules[7].major == 10);
        CHECK(rules[7].minor == 229);
        CHECK_FALSE(rules[7].allow);
        CHECK(s.linux->devices.empty());
        CHECK(s.linux->readonly_paths.size() == 5);
    }
}
