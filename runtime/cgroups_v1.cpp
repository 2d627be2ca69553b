#include "runtime/cgroups_v1.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "runtime/error.hpp"
#include "runtime/text_file.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {
namespace {

std::string number_or_star(const std::optional<int64_t>& n) {
    return n && *n >= 0 ? std::to_string(*n) : "*";
}

std::string require_dir(const V1DirLookup& dir_for, const char* controller, const char* field) {
    auto dir = dir_for(controller);
    if (!dir) {
        throw Error(Error::Kind::Invalid, std::string(field) + ": the " + controller +
                                              " cgroup controller is not mounted on this host");
    }
    return *dir;
}

}  // namespace

oci::DeviceRule device_rule(bool allow, const char* type, std::optional<int64_t> major,
                            std::optional<int64_t> minor, const char* access) {
    oci::DeviceRule r;
    r.allow = allow;
    r.type = type;
    r.major = major;
    r.minor = minor;
    r.access = access;
    return r;
}

void write_cgroup_file(const std::string& dir, const std::string& file, const std::string& value) {
    const std::string path = dir + "/" + file;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) {
        throw_errno("open " + path);
    }
    if (::write(fd.get(), value.data(), value.size()) < 0) {
        throw_errno("write '" + value + "' to " + path);
    }
}

std::string format_v1_device_rule(const oci::DeviceRule& r) {
    const std::string type = r.type.empty() ? "a" : r.type;
    if (type == "a") {
        return "a";  // all devices, all access (the kernel ignores numbers and access here)
    }
    return type + " " + number_or_star(r.major) + ":" + number_or_star(r.minor) + " " +
           (r.access.empty() ? "rwm" : r.access);
}

std::vector<oci::DeviceRule> runc_default_device_rules() {
    return {
        device_rule(true, "c", std::nullopt, std::nullopt, "m"),  // mknod of any char device
        device_rule(true, "b", std::nullopt, std::nullopt, "m"),  // mknod of any block device
        device_rule(true, "c", 1, 3, "rwm"),                      // /dev/null
        device_rule(true, "c", 1, 8, "rwm"),                      // /dev/random
        device_rule(true, "c", 1, 7, "rwm"),                      // /dev/full
        device_rule(true, "c", 5, 0, "rwm"),                      // /dev/tty
        device_rule(true, "c", 1, 5, "rwm"),                      // /dev/zero
        device_rule(true, "c", 1, 9, "rwm"),                      // /dev/urandom
        device_rule(true, "c", 136, std::nullopt, "rwm"),         // /dev/pts/*
        device_rule(true, "c", 5, 2, "rwm"),                      // /dev/ptmx
        device_rule(true, "c", 10, 200, "rwm"),                   // /dev/net/tun
    };
}

std::vector<oci::DeviceRule> container_device_rules(const oci::Linux& linux) {
    std::vector<oci::DeviceRule> program = {
        device_rule(false, "a", std::nullopt, std::nullopt, "rwm")};
    if (linux.resources) {
        program.insert(program.end(), linux.resources->devices.begin(),
                       linux.resources->devices.end());
    }
    auto defaults = runc_default_device_rules();
    program.insert(program.end(), defaults.begin(), defaults.end());
    return program;
}

void apply_v1_resources(const V1DirLookup& dir_for, const oci::Linux& linux) {
    if (auto devices = dir_for("devices")) {
        // One open per file for the whole program (about 14 rules): the kernel takes one rule
        // per write(2), so the fds are simply written to again and again.
        const std::string allow_path = *devices + "/devices.allow";
        const std::string deny_path = *devices + "/devices.deny";
        UniqueFd allow(::open(allow_path.c_str(), O_WRONLY | O_CLOEXEC));
        if (!allow) {
            throw_errno("open " + allow_path);
        }
        UniqueFd deny(::open(deny_path.c_str(), O_WRONLY | O_CLOEXEC));
        if (!deny) {
            throw_errno("open " + deny_path);
        }
        for (const auto& r : container_device_rules(linux)) {
            const std::string text = format_v1_device_rule(r);
            if (::write((r.allow ? allow : deny).get(), text.data(), text.size()) < 0) {
                throw_errno("write '" + text + "' to " + (r.allow ? allow_path : deny_path));
            }
        }
    } else if (linux.resources && !linux.resources->devices.empty()) {
        require_dir(dir_for, "devices", "linux.resources.devices");
    }
    if (linux.resources) {
        apply_v1_limits(dir_for, *linux.resources);
    }
}

void apply_v1_limits(const V1DirLookup& dir_for, const oci::Resources& res) {
    if (res.memory_limit) {
        write_cgroup_file(require_dir(dir_for, "memory", "linux.resources.memory.limit"),
                          "memory.limit_in_bytes", std::to_string(*res.memory_limit));
    }
    if (res.cpu_shares || res.cpu_period || res.cpu_quota) {
        const std::string cpu = require_dir(dir_for, "cpu", "linux.resources.cpu");
        if (res.cpu_shares) {
            write_cgroup_file(cpu, "cpu.shares", std::to_string(*res.cpu_shares));
        }
        // Period before quota: a quota is checked against the current period.
        if (res.cpu_period) {
            write_cgroup_file(cpu, "cpu.cfs_period_us", std::to_string(*res.cpu_period));
        }
        if (res.cpu_quota) {
            write_cgroup_file(cpu, "cpu.cfs_quota_us", std::to_string(*res.cpu_quota));
        }
    }
    if (res.pids_limit) {
        write_cgroup_file(require_dir(dir_for, "pids", "linux.resources.pids.limit"), "pids.max",
                          *res.pids_limit > 0 ? std::to_string(*res.pids_limit) : "max");
    }
}

void set_v1_frozen(const std::string& freezer_dir, bool frozen) {
    write_cgroup_file(freezer_dir, "freezer.state", frozen ? "FROZEN" : "THAWED");
    if (!frozen) {
        return;
    }
    // FREEZING until every task stopped; poll for up to ~1 s (runc retries similarly).
    for (int i = 0; i < 100; ++i) {
        if (read_first_line_or_empty(freezer_dir + "/freezer.state") == "FROZEN") {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw Error(Error::Kind::System, "freeze " + freezer_dir + ": still not FROZEN after 1s");
}

bool v1_frozen(const std::string& freezer_dir) {
    for (int i = 0; i < 100; ++i) {
        std::string state = read_first_line_or_empty(freezer_dir + "/freezer.state");
        if (state == "FREEZING") {  // in transition: ask again (runc does the same)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        if (state != "FROZEN") {
            return false;
        }
        // Frozen by itself, not only through a frozen parent; an old kernel without the
        // file cannot tell, so FROZEN is taken at its word.
        const std::string self = read_first_line_or_empty(freezer_dir + "/freezer.self_freezing");
        return self.empty() || self == "1";
    }
    return false;
}

}  // namespace plugrt
