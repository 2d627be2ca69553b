#include "runtime/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {
namespace {

struct NamespaceKind {
    const char* type;       // runtime-spec name
    const char* proc_name;  // /proc/<pid>/ns/<proc_name>
    int flag;
};

constexpr NamespaceKind kKinds[] = {
    {"pid", "pid", CLONE_NEWPID},          {"network", "net", CLONE_NEWNET},
    {"mount", "mnt", CLONE_NEWNS},         {"ipc", "ipc", CLONE_NEWIPC},
    {"uts", "uts", CLONE_NEWUTS},          {"user", "user", CLONE_NEWUSER},
    {"cgroup", "cgroup", CLONE_NEWCGROUP}, {"time", "time", CLONE_NEWTIME},
};

const NamespaceKind& kind_of(const std::string& type) {
    for (const auto& kind : kKinds) {
        if (type == kind.type) {
            return kind;
        }
    }
    throw Error(Error::Kind::Invalid, "linux.namespaces: unknown namespace type '" + type + "'");
}

void check_no_duplicates(const oci::Linux& linux) {
    std::set<std::string> seen;
    for (const auto& ns : linux.namespaces) {
        if (!seen.insert(ns.type).second) {
            throw Error(Error::Kind::Invalid,
                        "linux.namespaces: namespace type '" + ns.type + "' listed twice");
        }
    }
}

bool has_namespace(const oci::Linux& linux, const char* type) {
    for (const auto& ns : linux.namespaces) {
        if (ns.type == type) {
            return true;
        }
    }
    return false;
}

UniqueFd open_namespace(const oci::Namespace& ns) {
    int fd = ::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + ns.type + " namespace " + ns.path);
    }
    return UniqueFd(fd);
}

void join(const oci::Namespace& ns, int fd) {
    // Passing the expected type makes the kernel refuse a file of another namespace kind.
    if (::setns(fd, kind_of(ns.type).flag) < 0) {
        throw_errno("setns " + ns.type + " namespace " + ns.path);
    }
}

bool runs_in_joined_only(const std::string& type) { return type == "pid" || type == "time"; }

// Whether this process may write gid_map without first denying setgroups: it needs CAP_SETGID
// in the namespace that owns the target user namespace (user_namespaces(7), "Writing deny to
// the /proc/pid/setgroups file").
bool can_set_groups() {
    cap_t caps = cap_get_proc();
    if (caps == nullptr) {
        return false;
    }
    cap_flag_value_t value = CAP_CLEAR;
    cap_get_flag(caps, CAP_SETGID, CAP_EFFECTIVE, &value);
    cap_free(caps);
    return value == CAP_SET;
}

void write_proc_file(const std::string& path, const std::string& content) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) {
        throw_errno("open " + path);
    }
    // The id map files must be written in a single write(2) (user_namespaces(7)).
    ssize_t n = ::write(fd.get(), content.data(), content.size());
    if (n < 0) {
        throw_errno("write " + path);
    }
    if (static_cast<size_t>(n) != content.size()) {
        throw Error(Error::Kind::System, "write " + path + ": short write");
    }
}

}  // namespace

int clone_flag_for_type(const std::string& type) { return kind_of(type).flag; }

const char* proc_ns_name(const std::string& type) { return kind_of(type).proc_name; }

int clone_flags_for(const oci::Linux& linux) {
    check_no_duplicates(linux);
    int flags = 0;
    for (const auto& ns : linux.namespaces) {
        const auto& kind = kind_of(ns.type);
        if (!ns.path.empty()) {
            continue;
        }
        std::string proc = std::string("/proc/self/ns/") + kind.proc_name;
        if (::access(proc.c_str(), F_OK) < 0) {
            throw Error(Error::Kind::Invalid, "linux.namespaces: the kernel has no " + ns.type +
                                                  " namespace support (" + proc + " missing)");
        }
        if (kind.flag == CLONE_NEWCGROUP) {
            continue;  // deferred, see the header
        }
        flags |= kind.flag;
    }
    if (!linux.time_offsets.empty() && (flags & CLONE_NEWTIME) == 0) {
        throw Error(Error::Kind::Invalid,
                    has_namespace(linux, "time")
                        ? "linux.timeOffsets: cannot be applied to a joined time namespace (its "
                          "offsets were fixed when its first process entered it)"
                        : "linux.timeOffsets: needs a new time namespace in linux.namespaces");
    }
    return flags;
}

std::string format_time_offsets(const std::map<std::string, oci::TimeOffset>& offsets) {
    std::string out;
    for (const auto& [clock, offset] : offsets) {
        out += clock + ' ' + std::to_string(offset.secs) + ' ' + std::to_string(offset.nanosecs) +
               '\n';
    }
    return out;
}

TimeNamespaceForChildren::TimeNamespaceForChildren(const oci::Linux& linux) {
    if (linux.time_offsets.empty()) {
        return;
    }
    UniqueFd own(::open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC));
    if (!own) {
        throw_errno("open /proc/self/ns/time");
    }
    if (::unshare(CLONE_NEWTIME) != 0) {
        throw_errno("unshare time namespace for linux.timeOffsets");
    }
    saved_ = own.release();
    try {
        write_proc_file("/proc/self/timens_offsets", format_time_offsets(linux.time_offsets));
    } catch (Error& e) {
        restore();
        e.with_context("linux.timeOffsets");
        throw;
    }
}

TimeNamespaceForChildren::~TimeNamespaceForChildren() {
    try {
        restore();
    } catch (...) {
        // Only reached when restore() was not called on the normal path.
    }
}

void TimeNamespaceForChildren::restore() {
    if (saved_ < 0) {
        return;
    }
    UniqueFd own(saved_);
    saved_ = -1;
    if (::setns(own.get(), CLONE_NEWTIME) != 0) {
        throw_errno("setns back into the runtime's own time namespace");
    }
}

void join_namespaces_before_clone(const oci::Linux& linux) {
    for (const auto& ns : linux.namespaces) {
        if (!ns.path.empty() && runs_in_joined_only(ns.type)) {
            UniqueFd fd = open_namespace(ns);
            join(ns, fd.get());
        }
    }
}

void join_namespaces_in_child(const oci::Linux& linux) {
    struct Pending {
        const oci::Namespace* ns;
        UniqueFd fd;
    };
    std::vector<Pending> pending;
    for (const auto& ns : linux.namespaces) {
        if (!ns.path.empty() && !runs_in_joined_only(ns.type)) {
            pending.push_back({&ns, open_namespace(ns)});
        }
    }
    auto join_matching = [&](auto predicate) {
        for (auto& p : pending) {
            if (p.fd && predicate(p.ns->type)) {
                join(*p.ns, p.fd.get());
                p.fd.reset();
            }
        }
    };
    join_matching([](const std::string& t) { return t == "user"; });
    join_matching([](const std::string& t) { return t != "mount"; });
    join_matching([](const std::string&) { return true; });
}

void become_root_in_user_namespace(const oci::Linux& linux) {
    if (!has_namespace(linux, "user")) {
        return;
    }
    if (::setresgid(0, 0, 0) != 0) {
        throw_errno("setresgid(0, 0, 0) in the user namespace (is gid 0 mapped?)");
    }
    if (::setresuid(0, 0, 0) != 0) {
        throw_errno("setresuid(0, 0, 0) in the user namespace (is uid 0 mapped?)");
    }
}

void unshare_cgroup_namespace_if_requested(const oci::Linux& linux) {
    for (const auto& ns : linux.namespaces) {
        if (ns.type == "cgroup" && ns.path.empty()) {
            if (::unshare(CLONE_NEWCGROUP) < 0) {
                throw_errno("unshare cgroup namespace");
            }
        }
    }
}

std::string format_id_map(const std::vector<oci::IdMapping>& mappings) {
    std::string out;
    for (const auto& m : mappings) {
        out += std::to_string(m.container_id) + ' ' + std::to_string(m.host_id) + ' ' +
               std::to_string(m.size) + '\n';
    }
    return out;
}

void write_id_mappings(pid_t child, const oci::Linux& linux) {
    const std::string proc = "/proc/" + std::to_string(child);
    if (!linux.uid_mappings.empty()) {
        write_proc_file(proc + "/uid_map", format_id_map(linux.uid_mappings));
    }
    if (!linux.gid_mappings.empty()) {
        if (!can_set_groups()) {
            write_proc_file(proc + "/setgroups", "deny");
        }
        write_proc_file(proc + "/gid_map", format_id_map(linux.gid_mappings));
    }
}

void set_hostname(const oci::Spec& spec) {
    if (spec.hostname.empty() && spec.domainname.empty()) {
        return;
    }
    if (!spec.linux || !has_namespace(*spec.linux, "uts")) {
        // runc: "unable to set hostname without a private UTS namespace".
        throw Error(Error::Kind::Invalid,
                    "hostname/domainname: unable to set without a private UTS namespace");
    }
    if (!spec.hostname.empty() && ::sethostname(spec.hostname.data(), spec.hostname.size()) < 0) {
        throw_errno("sethostname " + spec.hostname);
    }
    if (!spec.domainname.empty() &&
        ::setdomainname(spec.domainname.data(), spec.domainname.size()) < 0) {
        throw_errno("setdomainname " + spec.domainname);
    }
}

}  // namespace plugrt
