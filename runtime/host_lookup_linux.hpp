// The real HostLookup: device nodes and CPUs of the machine plugrt runs on, looked up the way
// dockerd does when it builds a plugin's spec.
#pragma once

#include <string>
#include <vector>

#include "oci/host_lookup.hpp"

namespace plugrt {

class LinuxHostLookup : public oci::HostLookup {
public:
    // `cpu_sysfs_dir` is /sys/devices/system/cpu; tests point it at a fake tree.
    explicit LinuxHostLookup(std::string cpu_sysfs_dir = "/sys/devices/system/cpu");

    // Docker's DevicesFromPath(path, path, "rwm"): a symlink is resolved first; a char, block
    // or fifo node becomes one Device carrying the *unresolved* path; a directory is walked
    // (without following symlinks) and each device node in it is added with the path rewritten
    // under `path`. fileMode holds the permission bits only (0600 -> 384), as Debian's Docker
    // 20.10.24 and newest Docker write. Throws oci::HostLookupError with Docker's message,
    // which names the path and the errno.
    std::vector<oci::Device> devices_from_path(const std::string& path) override;

    // CPUs listed in <dir>/possible whose <dir>/cpu<N>/thermal_throttle exists.
    std::vector<int> cpus_with_thermal_throttle() override;

private:
    std::string cpu_sysfs_dir_;
};

// Parses a kernel CPU list ("0-3,5,7-8") into numbers; malformed parts are skipped.
std::vector<int> parse_cpu_list(const std::string& text);

}  // namespace plugrt
