#include "runtime/cgroup_stats.hpp"

#include <unistd.h>

#include <charconv>
#include <functional>
#include <limits>
#include <optional>

#include "runtime/cgroups.hpp"
#include "runtime/text_file.hpp"

namespace plugrt {
namespace {

std::optional<uint64_t> to_number(std::string_view text) {
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\n");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

// The file's content, or "" when it is missing (a controller or a kernel feature the host does
// not have): stats are best effort, as in runc.
std::string read_or_empty(const std::string& dir, const char* name) {
    try {
        return read_text_file_if_present(dir + "/" + name).value_or("");
    } catch (const std::exception&) {
        return "";
    }
}

uint64_t number_in(const std::string& dir, const char* name) {
    return to_number(trim(read_or_empty(dir, name))).value_or(0);
}

uint64_t get(const std::map<std::string, uint64_t>& map, const char* key) {
    const auto it = map.find(key);
    return it == map.end() ? 0 : it->second;
}

void read_v1(const std::function<std::optional<std::string>(const char*)>& dir_of,
             CgroupStats& stats) {
    if (auto dir = dir_of("cpuacct")) {
        stats.cpu.total_ns = number_in(*dir, "cpuacct.usage");
        stats.cpu.percpu_ns = parse_number_list(read_or_empty(*dir, "cpuacct.usage_percpu"));
        // cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds.
        const auto ticks = parse_flat_keyed(read_or_empty(*dir, "cpuacct.stat"));
        const uint64_t ns_per_tick = 1'000'000'000ULL / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
        stats.cpu.user_ns = get(ticks, "user") * ns_per_tick;
        stats.cpu.kernel_ns = get(ticks, "system") * ns_per_tick;
    }
    if (auto dir = dir_of("cpu")) {
        const auto cpu = parse_flat_keyed(read_or_empty(*dir, "cpu.stat"));
        stats.cpu.periods = get(cpu, "nr_periods");
        stats.cpu.throttled_periods = get(cpu, "nr_throttled");
        stats.cpu.throttled_ns = get(cpu, "throttled_time");
    }
    if (auto dir = dir_of("memory")) {
        stats.memory.usage = number_in(*dir, "memory.usage_in_bytes");
        stats.memory.max_usage = number_in(*dir, "memory.max_usage_in_bytes");
        stats.memory.limit = number_in(*dir, "memory.limit_in_bytes");
        stats.memory.failcnt = number_in(*dir, "memory.failcnt");
        stats.memory.raw = parse_flat_keyed(read_or_empty(*dir, "memory.stat"));
        stats.memory.cache = get(stats.memory.raw, "cache");
    }
    if (auto dir = dir_of("pids")) {
        stats.pids.current = number_in(*dir, "pids.current");
        stats.pids.limit = parse_limit_value(trim(read_or_empty(*dir, "pids.max")), 0);
    }
}

void read_v2(const std::string& dir, CgroupStats& stats) {
    const auto cpu = parse_flat_keyed(read_or_empty(dir, "cpu.stat"));
    stats.cpu.total_ns = get(cpu, "usage_usec") * 1000;
    stats.cpu.user_ns = get(cpu, "user_usec") * 1000;
    stats.cpu.kernel_ns = get(cpu, "system_usec") * 1000;
    stats.cpu.periods = get(cpu, "nr_periods");
    stats.cpu.throttled_periods = get(cpu, "nr_throttled");
    stats.cpu.throttled_ns = get(cpu, "throttled_usec") * 1000;

    stats.memory.usage = number_in(dir, "memory.current");
    stats.memory.max_usage = number_in(dir, "memory.peak");
    stats.memory.limit = parse_limit_value(trim(read_or_empty(dir, "memory.max")),
                                           std::numeric_limits<uint64_t>::max());
    stats.memory.failcnt = get(parse_flat_keyed(read_or_empty(dir, "memory.events")), "max");
    stats.memory.raw = parse_flat_keyed(read_or_empty(dir, "memory.stat"));
    stats.memory.cache = get(stats.memory.raw, "file");

    stats.pids.current = number_in(dir, "pids.current");
    stats.pids.limit = parse_limit_value(trim(read_or_empty(dir, "pids.max")), 0);
}

}  // namespace

std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text) {
    std::map<std::string, uint64_t> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        const size_t space = line.find(' ');
        if (space == std::string_view::npos || space == 0) {
            continue;
        }
        if (auto value = to_number(trim(line.substr(space + 1)))) {
            out.emplace(std::string(line.substr(0, space)), *value);
        }
    }
    return out;
}

std::vector<uint64_t> parse_number_list(std::string_view text) {
    std::vector<uint64_t> out;
    size_t pos = 0;
    while ((pos = text.find_first_not_of(" \t\n", pos)) != std::string_view::npos) {
        size_t end = text.find_first_of(" \t\n", pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        if (auto value = to_number(text.substr(pos, end - pos))) {
            out.push_back(*value);
        }
        pos = end;
    }
    return out;
}

uint64_t parse_limit_value(std::string_view text, uint64_t max_value) {
    if (text == "max") {
        return max_value;
    }
    return to_number(text).value_or(0);
}

CgroupStats Cgroup::stats() const {
    CgroupStats stats;
    if (mode_ == CgroupMode::Unified) {
        for (const auto& dir : dirs_) {
            if (dir.key.empty()) {
                read_v2(dir.path, stats);
            }
        }
        return stats;
    }
    read_v1([this](const char* controller) { return v1_dir(controller); }, stats);
    return stats;
}

}  // namespace plugrt
