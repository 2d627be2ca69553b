// cgroup v1 controller files (Documentation/admin-guide/cgroup-v1/*.rst).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt {

// Directory of the container's cgroup for a v1 controller ("devices", "memory", ...), or
// nullopt if that controller is not mounted.
using V1DirLookup = std::function<std::optional<std::string>(const std::string& controller)>;

// A rule as the spec would carry it; no major/minor means any ("*").
oci::DeviceRule device_rule(bool allow, const char* type, std::optional<int64_t> major,
                            std::optional<int64_t> minor, const char* access);

// "c 10:229 rwm", "a" (all devices), "b *:* m": the devices.allow/deny line for a rule.
std::string format_v1_device_rule(const oci::DeviceRule& rule);

// What runc appends after the spec's rules (libcontainer/specconv AllowedDevices): mknod of
// anything, and the standard nodes, ptys and tun.
std::vector<oci::DeviceRule> runc_default_device_rules();

// The container's full ordered device rules: deny-all, then the spec's rules, then runc's
// defaults (runc's device emulator also starts from deny-all). v1 writes them to the devices
// controller; v2 compiles them into a BPF program (device_filter.hpp).
std::vector<oci::DeviceRule> container_device_rules(const oci::Linux& linux);

// The device rules, then apply_v1_limits.
void apply_v1_resources(const V1DirLookup& dir_for, const oci::Linux& linux);
// memory.limit_in_bytes, cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us, pids.max: what
// `res` sets, nothing else (`create` after the device rules, and `update`).
void apply_v1_limits(const V1DirLookup& dir_for, const oci::Resources& res);

// freezer.state FROZEN / THAWED; waits until the kernel reports FROZEN (bounded).
void set_v1_frozen(const std::string& freezer_dir, bool frozen);
// freezer.state reads FROZEN and freezer.self_freezing is 1 (frozen by itself, not only through
// a frozen ancestor; runc fs/freezer.go GetState). False when the files cannot be read.
bool v1_frozen(const std::string& freezer_dir);

// Writes `value` to `dir`/`file` (one write, as cgroup files want).
void write_cgroup_file(const std::string& dir, const std::string& file, const std::string& value);

}  // namespace plugrt
