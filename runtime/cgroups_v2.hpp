// cgroup v2 interface files (Documentation/admin-guide/cgroup-v2.rst). Only used on a unified
// host; this project's VM is hybrid, where the v2 hierarchy has no controllers.
#pragma once

#include <cstdint>
#include <string>

#include "oci/spec.hpp"

namespace plugrt {

// cpu.shares (2..262144) -> cpu.weight (1..10000), the conversion runc and crun use.
uint64_t cpu_shares_to_weight(uint64_t shares);

// The device filter (a BPF program from the same rules as v1's devices controller,
// device_filter.hpp), then apply_v2_limits.
void apply_v2_resources(const std::string& dir, const oci::Linux& linux);
// memory.max, cpu.weight, cpu.max, pids.max: what `res` sets, nothing else.
void apply_v2_limits(const std::string& dir, const oci::Resources& res);

// Enables the memory, cpu and pids controllers in the subtree_control of every ancestor of
// `dir` below `mount_point` (best effort: some may not be available).
void enable_v2_controllers(const std::string& mount_point, const std::string& dir);

// cgroup.freeze 1/0; freezing waits (bounded, ~1 s) until cgroup.events reports "frozen 1".
void set_v2_frozen(const std::string& dir, bool frozen);
// cgroup.freeze reads 1.
bool v2_frozen(const std::string& dir);

}  // namespace plugrt
