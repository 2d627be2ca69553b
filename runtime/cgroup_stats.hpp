// Usage figures of a container's cgroup, for `events` (runc events --stats): CPU time, memory,
// pids. Read from the cgroup files at the moment of the call: cgroup v1 (cpuacct, cpu, memory,
// pids controllers) or v2 (cpu.stat, memory.*, pids.* of the unified directory). Values the
// host does not provide (a controller not mounted, a file an older kernel lacks) stay 0.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace plugrt {

struct CgroupStats {
    struct Cpu {
        uint64_t total_ns = 0;
        uint64_t kernel_ns = 0;
        uint64_t user_ns = 0;
        std::vector<uint64_t> percpu_ns;  // v1 only (cpuacct.usage_percpu)
        uint64_t periods = 0;             // CFS periods elapsed with a quota set
        uint64_t throttled_periods = 0;
        uint64_t throttled_ns = 0;
    } cpu;
    struct Memory {
        uint64_t usage = 0;
        uint64_t max_usage = 0;  // the high-water mark (v1 max_usage_in_bytes, v2 memory.peak)
        uint64_t limit = 0;      // "max" on v2 is UINT64_MAX, as runc reports it
        uint64_t failcnt = 0;    // v1 failcnt; v2 memory.events "max" (times the limit was hit)
        uint64_t cache = 0;      // page cache: v1 "cache", v2 "file" in memory.stat
        std::map<std::string, uint64_t> raw;  // memory.stat as it is
    } memory;
    struct Pids {
        uint64_t current = 0;
        uint64_t limit = 0;  // 0: no limit ("max"), as runc reports it
    } pids;
};

// "key value" lines (memory.stat, cpu.stat, memory.events). Lines that are not a name and an
// unsigned number are skipped.
std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text);
// Whitespace-separated unsigned numbers (cpuacct.usage_percpu).
std::vector<uint64_t> parse_number_list(std::string_view text);
// One number, or `max_value` for "max" (v2 limits, pids.max). 0 for anything else.
uint64_t parse_limit_value(std::string_view text, uint64_t max_value);

}  // namespace plugrt
