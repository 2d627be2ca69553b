#include "runtime/cgroups_v2.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "runtime/cgroups_v1.hpp"
#include "runtime/device_filter.hpp"
#include "runtime/error.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/text_file.hpp"

namespace plugrt {

namespace {

// The initial user namespace maps every id to itself: "0 0 4294967295".
bool in_user_namespace() {
    unsigned long inside = 1, outside = 1, count = 0;
    const std::string map = read_first_line_or_empty("/proc/self/uid_map");
    return std::sscanf(map.c_str(), "%lu %lu %lu", &inside, &outside, &count) != 3 || inside != 0 ||
           outside != 0 || count != 4294967295UL;
}

}  // namespace

uint64_t cpu_shares_to_weight(uint64_t shares) {
    if (shares == 0) {
        return 0;
    }
    if (shares < 2) shares = 2;
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

void enable_v2_controllers(const std::string& mount_point, const std::string& dir) {
    // Ancestors of `dir` from the mount root down to its parent: a controller's files appear in
    // a cgroup only when its parent lists the controller in cgroup.subtree_control.
    std::vector<std::string> ancestors = {mount_point};
    for (size_t pos = mount_point.size() + 1; pos < dir.size(); ++pos) {
        if (dir[pos] == '/') {
            ancestors.push_back(dir.substr(0, pos));
        }
    }
    for (const auto& ancestor : ancestors) {
        for (const char* controller : {"+memory", "+cpu", "+pids"}) {
            try {
                write_cgroup_file(ancestor, "cgroup.subtree_control", controller);
            } catch (const Error&) {
                // Not available, or the cgroup has processes of its own; a limit that needs
                // the controller then fails with a message naming the missing file.
            }
        }
    }
}

void apply_v2_resources(const std::string& dir, const oci::Linux& linux) {
    // Always, as on v1: without spec rules the container still gets deny-all plus runc's
    // defaults, not the host's devices.
    try {
        attach_device_filter(dir, compile_device_filter(container_device_rules(linux)));
    } catch (const Error& e) {
        // Inside a user namespace the kernel refuses BPF programs (EPERM) and no device node
        // beyond what that namespace may open is reachable anyway: runc goes on there too.
        if (e.err() != EPERM || !in_user_namespace()) {
            throw;
        }
        log_warning(std::string(e.what()) + "; in a user namespace: device rules not enforced");
    }
    if (linux.resources) {
        apply_v2_limits(dir, *linux.resources);
    }
}

void apply_v2_limits(const std::string& dir, const oci::Resources& res) {
    if (res.memory_limit) {
        write_cgroup_file(dir, "memory.max",
                          *res.memory_limit < 0 ? "max" : std::to_string(*res.memory_limit));
    }
    if (res.cpu_shares) {
        write_cgroup_file(dir, "cpu.weight", std::to_string(cpu_shares_to_weight(*res.cpu_shares)));
    }
    if (res.cpu_quota || res.cpu_period) {
        // cpu.max is "$QUOTA [$PERIOD]": a quota alone keeps the period, a period needs the
        // quota written with it, the current one unless a new one is given (`update`).
        std::string value;
        if (res.cpu_quota) {
            value = *res.cpu_quota > 0 ? std::to_string(*res.cpu_quota) : "max";
        } else {
            const std::string current = read_first_line_or_empty(dir + "/cpu.max");
            value = current.empty() ? "max" : current.substr(0, current.find(' '));
        }
        if (res.cpu_period) {
            value += " " + std::to_string(*res.cpu_period);
        }
        write_cgroup_file(dir, "cpu.max", value);
    }
    if (res.pids_limit) {
        write_cgroup_file(dir, "pids.max",
                          *res.pids_limit > 0 ? std::to_string(*res.pids_limit) : "max");
    }
}

void set_v2_frozen(const std::string& dir, bool frozen) {
    write_cgroup_file(dir, "cgroup.freeze", frozen ? "1" : "0");
    if (!frozen) {
        return;
    }
    for (int i = 0; i < 100; ++i) {
        std::ifstream events(dir + "/cgroup.events");
        for (std::string line; std::getline(events, line);) {
            if (line == "frozen 1") {
                return;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw Error(Error::Kind::System, "freeze " + dir + ": cgroup.events not \"frozen 1\" after 1s");
}

bool v2_frozen(const std::string& dir) {
    std::ifstream in(dir + "/cgroup.freeze");
    std::string value;
    return in >> value && value == "1";
}

}  // namespace plugrt
