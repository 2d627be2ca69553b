// What spec generation needs to know about the host, behind an interface so that oci/ stays
// free of I/O and tests can pretend any host (runtime/host_lookup_linux.hpp is the real one).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt::oci {

// A host lookup failed. what() is the message Docker gives for the same failure, e.g.
// `error gathering device information while adding custom device "/dev/x": ...`.
class HostLookupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class HostLookup {
public:
    virtual ~HostLookup() = default;

    // Docker's oci.DevicesFromPath(path, path, "rwm"): the device node at `path` (symlinks
    // resolved, the unresolved path reported), or every device node below it if it is a
    // directory. type, major, minor, fileMode (permission bits), uid and gid are filled in.
    // Throws HostLookupError if nothing usable is there.
    virtual std::vector<Device> devices_from_path(const std::string& path) = 0;

    // The possible CPUs N for which /sys/devices/system/cpu/cpu<N>/thermal_throttle exists,
    // ascending (masked by newest Docker).
    virtual std::vector<int> cpus_with_thermal_throttle() = 0;
};

}  // namespace plugrt::oci
