// Docker's default OCI spec (moby `oci.DefaultLinuxSpec()`), the starting point of every
// plugin spec, for the Docker releases plugrt imitates. Orders matter: engines and golden tests
// compare arrays element by element.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt::oci {

enum class DockerProfile {
    Docker2010,    // v20.10.24, what Debian 12's docker.io runs
    DockerNewest,  // docker-v29.7.2 (moby master 2026-08)
};

// "docker-20.10" / "docker-newest".
std::string_view docker_profile_name(DockerProfile profile);
std::optional<DockerProfile> docker_profile_from_name(std::string_view name);

// What Docker puts first in every process environment.
inline constexpr const char* kDockerDefaultPathEnv =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The 14 capabilities of caps.DefaultCapabilities(), in Docker's order.
const std::vector<std::string>& docker_default_capabilities();

// The masked paths of `profile`. Newest Docker also masks
// /sys/devices/system/cpu/cpu<N>/thermal_throttle for every possible CPU whose directory exists
// on the host; the caller looks those up (oci/ does no I/O) and passes the CPU numbers.
std::vector<std::string> docker_default_masked_paths(DockerProfile profile,
                                                     const std::vector<int>& thermal_throttle_cpus);

// DefaultLinuxSpec(): capabilities (no inheritable, no ambient), user 0:0, the 7 default
// mounts, masked and read-only paths, namespaces, no devices, the device cgroup rules. Root is
// set with an empty path, as Docker does before InitSpec fills it in.
Spec docker_default_spec(DockerProfile profile, const std::vector<int>& thermal_throttle_cpus = {});

}  // namespace plugrt::oci
