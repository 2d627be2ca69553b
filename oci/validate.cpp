#include "oci/validate.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "oci/capability_names.hpp"

namespace plugrt::oci {
namespace {

// The name lists are arrays of string_view so that lookups need no allocation; the public
// functions copy them out for callers that want to print or serialise them.
constexpr auto kNamespaceTypes = std::to_array<std::string_view>(
    {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"});

constexpr auto kRlimitTypes = std::to_array<std::string_view>(
    {"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
     "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
     "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"});

constexpr auto kSeccompActions = std::to_array<std::string_view>(
    {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
     "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"});

constexpr auto kSeccompOperators =
    std::to_array<std::string_view>({"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                     "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"});

constexpr auto kSeccompArchitectures = std::to_array<std::string_view>(
    {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
     "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
     "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
     "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64"});

// The runtime-spec flags plus TSYNC, which runc accepts as well.
constexpr auto kSeccompFlags = std::to_array<std::string_view>(
    {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"});

// runc accepts the recursive forms too; "" leaves the propagation of / as the host has it.
constexpr auto kRootfsPropagations =
    std::to_array<std::string_view>({"", "shared", "slave", "private", "unbindable", "rshared",
                                     "rslave", "rprivate", "runbindable"});

constexpr auto kDeviceTypes = std::to_array<std::string_view>({"c", "b", "u", "p"});
constexpr auto kDeviceRuleTypes = std::to_array<std::string_view>({"", "a", "c", "b"});
constexpr auto kPersonalityDomains = std::to_array<std::string_view>({"LINUX", "LINUX32"});
constexpr auto kTimeOffsetClocks = std::to_array<std::string_view>({"monotonic", "boottime"});

// Seccomp compares at most six syscall arguments.
constexpr uint32_t kSeccompMaxArgs = 6;

template <std::size_t N>
bool is_one_of(const std::array<std::string_view, N>& names, std::string_view value) {
    return std::find(names.begin(), names.end(), value) != names.end();
}

template <std::size_t N>
std::string list_of(const std::array<std::string_view, N>& names) {
    std::string out;
    for (const auto name : names) {
        if (!out.empty()) out += ", ";
        out += name.empty() ? "\"\"" : std::string(name);
    }
    return out;
}

template <std::size_t N>
std::vector<std::string> copy_of(const std::array<std::string_view, N>& names) {
    return {names.begin(), names.end()};
}

// Values are quoted in messages, shortened so that a hostile 10 MB value does not become a
// 10 MB log line, and with NUL spelled out because it would cut the message short in C consumers.
std::string in_quotes(std::string_view value) {
    constexpr std::size_t kMaxShown = 128;
    std::string out = "\"";
    for (const char c : value.substr(0, kMaxShown)) {
        out += c == '\0' ? std::string("\\0") : std::string(1, c);
    }
    return out + (value.size() > kMaxShown ? "\"..." : "\"");
}

std::string at(const std::string& path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
}

bool has_dot_dot_component(std::string_view path) {
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        if (path.substr(start, end - start) == "..") return true;
        start = end + 1;
    }
    return false;
}

class Checker {
public:
    void add(std::string path, std::string message) {
        issues_.push_back({std::move(path), std::move(message)});
    }

    template <std::size_t N>
    void one_of(const std::string& path, std::string_view value, std::string_view what,
                const std::array<std::string_view, N>& names) {
        if (!is_one_of(names, value)) {
            add(path, "unknown " + std::string(what) + " " + in_quotes(value) +
                          " (expected one of: " + list_of(names) + ")");
        }
    }

    void absolute(const std::string& path, std::string_view value) {
        if (value.empty() || value.front() != '/') {
            add(path, "must be an absolute path, got " + in_quotes(value));
        }
        if (value.find('\0') != std::string_view::npos) {
            add(path, "must not contain a NUL byte");
        }
    }

    // A container-side path: absolute, and no `..` that could climb out of the rootfs.
    void container_path(const std::string& path, std::string_view value) {
        absolute(path, value);
        if (has_dot_dot_component(value)) {
            add(path, "must not contain \"..\" components, got " + in_quotes(value));
        }
    }

    std::vector<Issue> take() { return std::move(issues_); }

private:
    std::vector<Issue> issues_;
};

void check_version(Checker& c, const std::string& version) {
    if (version.empty()) {
        c.add("ociVersion", "must be set");
        return;
    }
    const auto dot = version.find('.');
    if (version.substr(0, dot) != "1" || dot == std::string::npos) {
        c.add("ociVersion", "unsupported version " + in_quotes(version) + " (plugrt implements " +
                                kRuntimeSpecVersion + "; any 1.x.y is accepted)");
    }
}

void check_capabilities(Checker& c, const Capabilities& caps) {
    const auto check_set = [&c](const char* name,
                                const std::optional<std::vector<std::string>>& set) {
        if (!set) return;
        const std::string path = std::string("process.capabilities.") + name;
        for (std::size_t i = 0; i < set->size(); ++i) {
            if (!capability_number((*set)[i])) {
                c.add(at(path, i), "unknown capability " + in_quotes((*set)[i]));
            }
        }
    };
    check_set("bounding", caps.bounding);
    check_set("effective", caps.effective);
    check_set("inheritable", caps.inheritable);
    check_set("permitted", caps.permitted);
    check_set("ambient", caps.ambient);
}

void check_process(Checker& c, const Process& p) {
    if (p.args.empty()) {
        c.add("process.args", "must not be empty");
    }
    c.absolute("process.cwd", p.cwd);
    for (std::size_t i = 0; i < p.env.size(); ++i) {
        const auto& entry = p.env[i];
        const auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) {
            c.add(at("process.env", i), "must have the form NAME=value, got " + in_quotes(entry));
        } else if (entry.find('\0') != std::string::npos) {
            c.add(at("process.env", i), "must not contain a NUL byte");
        }
    }
    if (p.capabilities) {
        check_capabilities(c, *p.capabilities);
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < p.rlimits.size(); ++i) {
        const auto& limit = p.rlimits[i];
        const auto path = at("process.rlimits", i);
        c.one_of(path + ".type", limit.type, "rlimit type", kRlimitTypes);
        if (!seen.insert(limit.type).second) {
            c.add(path + ".type", "duplicate rlimit " + in_quotes(limit.type));
        }
        if (limit.soft > limit.hard) {
            c.add(path + ".soft", "must not exceed hard (" + std::to_string(limit.hard) + ")");
        }
    }
}

void check_mounts(Checker& c, const std::vector<Mount>& mounts) {
    for (std::size_t i = 0; i < mounts.size(); ++i) {
        c.container_path(at("mounts", i) + ".destination", mounts[i].destination);
    }
}

void check_hooks(Checker& c, const Hooks& hooks) {
    const auto check_list = [&c](const char* name, const std::vector<Hook>& list) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto path = at(std::string("hooks.") + name, i);
            c.absolute(path + ".path", list[i].path);
            if (list[i].timeout && *list[i].timeout <= 0) {
                c.add(path + ".timeout",
                      "must be greater than zero, got " + std::to_string(*list[i].timeout));
            }
        }
    };
    check_list("prestart", hooks.prestart);
    check_list("createRuntime", hooks.create_runtime);
    check_list("createContainer", hooks.create_container);
    check_list("startContainer", hooks.start_container);
    check_list("poststart", hooks.poststart);
    check_list("poststop", hooks.poststop);
}

const Namespace* find_namespace(const Linux& linux, std::string_view type) {
    const auto it = std::find_if(linux.namespaces.begin(), linux.namespaces.end(),
                                 [type](const Namespace& ns) { return ns.type == type; });
    return it == linux.namespaces.end() ? nullptr : &*it;
}

void check_namespaces(Checker& c, const Linux& linux) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < linux.namespaces.size(); ++i) {
        const auto& ns = linux.namespaces[i];
        const auto path = at("linux.namespaces", i);
        c.one_of(path + ".type", ns.type, "namespace type", kNamespaceTypes);
        if (!seen.insert(ns.type).second) {
            c.add(path + ".type", "duplicate namespace " + in_quotes(ns.type));
        }
        if (!ns.path.empty()) {
            c.absolute(path + ".path", ns.path);
        }
    }
    // runc's rule: mappings belong to a new user namespace and a new one needs them. A joined
    // namespace (path set) already has its mappings.
    const auto* user = find_namespace(linux, "user");
    const bool has_mappings = !linux.uid_mappings.empty() || !linux.gid_mappings.empty();
    if (!user && has_mappings) {
        c.add(linux.uid_mappings.empty() ? "linux.gidMappings" : "linux.uidMappings",
              "id mappings need a user namespace in linux.namespaces");
    }
    if (user && user->path.empty()) {
        if (linux.uid_mappings.empty()) {
            c.add("linux.uidMappings", "must not be empty when a new user namespace is created");
        }
        if (linux.gid_mappings.empty()) {
            c.add("linux.gidMappings", "must not be empty when a new user namespace is created");
        }
    }
}

void check_devices(Checker& c, const Linux& linux) {
    for (std::size_t i = 0; i < linux.devices.size(); ++i) {
        const auto path = at("linux.devices", i);
        c.one_of(path + ".type", linux.devices[i].type, "device type", kDeviceTypes);
        c.container_path(path + ".path", linux.devices[i].path);
    }
    if (!linux.resources) return;
    for (std::size_t i = 0; i < linux.resources->devices.size(); ++i) {
        const auto& rule = linux.resources->devices[i];
        const auto path = at("linux.resources.devices", i);
        c.one_of(path + ".type", rule.type, "device rule type", kDeviceRuleTypes);
        if (rule.access.find_first_not_of("rwm") != std::string::npos) {
            c.add(path + ".access",
                  "must be a combination of r, w and m, got " + in_quotes(rule.access));
        }
    }
}

void check_seccomp(Checker& c, const Seccomp& s) {
    c.one_of("linux.seccomp.defaultAction", s.default_action, "seccomp action", kSeccompActions);
    bool notifies = s.default_action == "SCMP_ACT_NOTIFY";
    for (std::size_t i = 0; i < s.architectures.size(); ++i) {
        c.one_of(at("linux.seccomp.architectures", i), s.architectures[i], "architecture",
                 kSeccompArchitectures);
    }
    for (std::size_t i = 0; i < s.flags.size(); ++i) {
        c.one_of(at("linux.seccomp.flags", i), s.flags[i], "seccomp flag", kSeccompFlags);
    }
    for (std::size_t i = 0; i < s.syscalls.size(); ++i) {
        const auto& rule = s.syscalls[i];
        const auto path = at("linux.seccomp.syscalls", i);
        c.one_of(path + ".action", rule.action, "seccomp action", kSeccompActions);
        notifies = notifies || rule.action == "SCMP_ACT_NOTIFY";
        if (rule.names.empty()) {
            c.add(path + ".names", "must not be empty");
        }
        for (std::size_t a = 0; a < rule.args.size(); ++a) {
            const auto arg_path = at(path + ".args", a);
            c.one_of(arg_path + ".op", rule.args[a].op, "seccomp operator", kSeccompOperators);
            if (rule.args[a].index >= kSeccompMaxArgs) {
                c.add(arg_path + ".index", "must be below " + std::to_string(kSeccompMaxArgs) +
                                               ", got " + std::to_string(rule.args[a].index));
            }
        }
    }
    if (notifies && s.listener_path.empty()) {
        c.add("linux.seccomp.listenerPath", "must be set when SCMP_ACT_NOTIFY is used");
    }
}

void check_linux(Checker& c, const Spec& spec, const Linux& linux) {
    check_namespaces(c, linux);
    check_devices(c, linux);
    for (const auto& [key, value] : linux.sysctl) {
        if (key.empty()) {
            c.add("linux.sysctl", "keys must not be empty");
        }
    }
    c.one_of("linux.rootfsPropagation", linux.rootfs_propagation, "rootfs propagation",
             kRootfsPropagations);
    if (linux.seccomp) {
        check_seccomp(c, *linux.seccomp);
    }
    for (std::size_t i = 0; i < linux.masked_paths.size(); ++i) {
        c.container_path(at("linux.maskedPaths", i), linux.masked_paths[i]);
    }
    for (std::size_t i = 0; i < linux.readonly_paths.size(); ++i) {
        c.container_path(at("linux.readonlyPaths", i), linux.readonly_paths[i]);
    }
    if (linux.personality) {
        c.one_of("linux.personality.domain", linux.personality->domain, "personality domain",
                 kPersonalityDomains);
    }
    for (const auto& [clock, offset] : linux.time_offsets) {
        c.one_of("linux.timeOffsets[\"" + clock + "\"]", clock, "clock", kTimeOffsetClocks);
    }
    // runc refuses these rather than changing the host's names.
    if (!spec.hostname.empty() && !find_namespace(linux, "uts")) {
        c.add("hostname", "needs a uts namespace in linux.namespaces");
    }
    if (!spec.domainname.empty() && !find_namespace(linux, "uts")) {
        c.add("domainname", "needs a uts namespace in linux.namespaces");
    }
}

}  // namespace

std::vector<Issue> validate_spec(const Spec& spec) {
    Checker c;
    check_version(c, spec.oci_version);
    if (!spec.root || spec.root->path.empty()) {
        c.add("root.path", "must be set");
    } else if (spec.root->path.find('\0') != std::string::npos) {
        c.add("root.path", "must not contain a NUL byte");
    }
    if (spec.process) {
        check_process(c, *spec.process);
    }
    check_mounts(c, spec.mounts);
    if (spec.hooks) {
        check_hooks(c, *spec.hooks);
    }
    if (spec.linux) {
        check_linux(c, spec, *spec.linux);
    } else if (!spec.hostname.empty() || !spec.domainname.empty()) {
        c.add(spec.hostname.empty() ? "domainname" : "hostname",
              "needs a uts namespace in linux.namespaces");
    }
    return c.take();
}

void validate_spec_or_throw(const Spec& spec) {
    auto issues = validate_spec(spec);
    if (!issues.empty()) {
        throw ValidationError(std::move(issues));
    }
}

std::vector<std::string> known_namespace_types() { return copy_of(kNamespaceTypes); }
std::vector<std::string> known_rlimit_types() { return copy_of(kRlimitTypes); }
std::vector<std::string> known_seccomp_actions() { return copy_of(kSeccompActions); }
std::vector<std::string> known_seccomp_operators() { return copy_of(kSeccompOperators); }
std::vector<std::string> known_seccomp_architectures() { return copy_of(kSeccompArchitectures); }
std::vector<std::string> known_seccomp_flags() { return copy_of(kSeccompFlags); }
std::vector<std::string> known_rootfs_propagations() { return copy_of(kRootfsPropagations); }

}  // namespace plugrt::oci
