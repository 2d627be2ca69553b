#include "runtime/process_limits.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <set>
#include <utility>

#include "runtime/error.hpp"
#include "runtime/mount_api.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {
namespace {

bool has_namespace(const oci::Linux& linux, const char* type) {
    for (const auto& ns : linux.namespaces) {
        if (ns.type == type) {
            return true;
        }
    }
    return false;
}

Error bad_sysctl(const std::string& key, const std::string& why) {
    return Error(Error::Kind::Invalid, "linux.sysctl \"" + key + "\": " + why);
}

// Which namespace a key belongs to, in dotted form (runc validate.go sysctl()).
void check_namespaced(const std::string& key, const std::string& dotted, const oci::Linux& linux) {
    static const std::set<std::string> kIpcKeys = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
    if (kIpcKeys.count(dotted) != 0 || dotted.rfind("fs.mqueue.", 0) == 0) {
        if (!has_namespace(linux, "ipc")) {
            throw bad_sysctl(key, "needs an IPC namespace of the container's own");
        }
        return;
    }
    if (dotted.rfind("net.", 0) == 0) {
        if (!has_namespace(linux, "network")) {
            throw bad_sysctl(key, "needs a network namespace of the container's own");
        }
        return;
    }
    if (dotted == "kernel.domainname") {
        if (!has_namespace(linux, "uts")) {
            throw bad_sysctl(key, "needs a UTS namespace of the container's own");
        }
        return;
    }
    if (dotted == "kernel.hostname") {
        throw bad_sysctl(key, "set the hostname with the spec's hostname field instead");
    }
    throw bad_sysctl(key, "is not in a separate kernel namespace; it would change the host");
}

void write_all(int fd, const std::string& value, const std::string& key) {
    ssize_t n = ::write(fd, value.data(), value.size());
    if (n < 0) {
        throw_errno("write linux.sysctl " + key + "=" + value);
    }
    if (static_cast<size_t>(n) != value.size()) {
        throw Error(Error::Kind::System, "write linux.sysctl " + key + ": short write");
    }
}

constexpr std::array<std::pair<const char*, int>, 16> kRlimits = {{
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
}};

}  // namespace

std::string sysctl_path(const std::string& key, const oci::Linux& linux) {
    if (key.empty() || key[0] == '/' || key[0] == '.') {
        throw bad_sysctl(key, "malformed key");
    }
    for (char c : key) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '/';
        if (!ok) {
            throw bad_sysctl(key, "malformed key (unexpected character)");
        }
    }
    const bool slashed = key.find('/') != std::string::npos;
    const char sep = slashed ? '/' : '.';
    std::string path;
    std::string dotted;
    size_t pos = 0;
    while (pos <= key.size()) {
        size_t end = key.find(sep, pos);
        if (end == std::string::npos) {
            end = key.size();
        }
        std::string part = key.substr(pos, end - pos);
        if (part.empty() || part == "." || part == "..") {
            throw bad_sysctl(key, "malformed key (empty, '.' or '..' component)");
        }
        path += (path.empty() ? "" : "/") + part;
        dotted += (dotted.empty() ? "" : ".") + part;
        pos = end + 1;
    }
    check_namespaced(key, dotted, linux);
    return path;
}

void apply_sysctl(const oci::Linux& linux) {
    std::vector<std::pair<std::string, const std::string*>> writes;
    for (const auto& [key, value] : linux.sysctl) {
        writes.emplace_back(sysctl_path(key, linux), &value);
    }
    if (writes.empty()) {
        return;
    }
    UniqueFd proc_sys(::open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!proc_sys) {
        throw_errno("open /proc/sys");
    }
    struct statfs sfs {};
    if (::fstatfs(proc_sys.get(), &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
        throw Error(Error::Kind::Invalid, "linux.sysctl: /proc/sys is not on procfs");
    }
    auto it = linux.sysctl.begin();
    for (const auto& [path, value] : writes) {
        const std::string& key = (it++)->first;
        int fd = openat2_raw(
            proc_sys.get(), path.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW, 0,
            RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
        if (fd < 0) {
            throw_errno(-fd, "open /proc/sys/" + path + " for linux.sysctl " + key);
        }
        UniqueFd file(fd);
        write_all(file.get(), *value, key);
    }
}

int rlimit_resource(const std::string& type) {
    for (const auto& [name, resource] : kRlimits) {
        if (type == name) {
            return resource;
        }
    }
    return -1;
}

void apply_rlimits(const oci::Process& process) {
    std::set<std::string> seen;
    for (size_t i = 0; i < process.rlimits.size(); ++i) {
        const auto& r = process.rlimits[i];
        const std::string where = "process.rlimits[" + std::to_string(i) + "] " + r.type;
        const int resource = rlimit_resource(r.type);
        if (resource < 0) {
            throw Error(Error::Kind::Invalid, where + ": unknown rlimit type");
        }
        if (!seen.insert(r.type).second) {
            throw Error(Error::Kind::Invalid, where + ": listed twice");
        }
        if (r.soft > r.hard) {
            throw Error(Error::Kind::Invalid, where + ": soft limit above the hard limit");
        }
        struct rlimit limit {};
        limit.rlim_cur = r.soft;
        limit.rlim_max = r.hard;
        if (::setrlimit(static_cast<__rlimit_resource>(resource), &limit) < 0) {
            throw_errno("setrlimit " + r.type + " soft=" + std::to_string(r.soft) +
                        " hard=" + std::to_string(r.hard));
        }
    }
}

void apply_oom_score_adj(const oci::Process& process) {
    if (!process.oom_score_adj) {
        return;
    }
    const std::string value = std::to_string(*process.oom_score_adj);
    UniqueFd fd(::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), value.data(), value.size()) < 0) {
        // Lowering the score needs CAP_SYS_RESOURCE; runc only warns too.
        log_warning("cannot set oom_score_adj to " + value + ": " + errno_name(errno));
    }
}

void apply_personality(const oci::Linux& linux) {
    if (!linux.personality) {
        return;
    }
    unsigned long persona;
    if (linux.personality->domain == "LINUX") {
        persona = PER_LINUX;
    } else if (linux.personality->domain == "LINUX32") {
        persona = PER_LINUX32;
    } else {
        throw Error(Error::Kind::Invalid,
                    "linux.personality.domain: unknown value '" + linux.personality->domain + "'");
    }
    if (!linux.personality->flags.empty()) {
        throw Error(Error::Kind::Invalid, "linux.personality.flags: not supported");
    }
    if (::personality(persona) < 0) {
        throw_errno("personality " + linux.personality->domain);
    }
}

}  // namespace plugrt
