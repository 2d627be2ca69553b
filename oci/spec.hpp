// The OCI runtime spec (runtime-spec 1.2, with the 1.3 fields plugrt knows) as plain C++ data.
//
// Every struct keeps the JSON members it does not model in `extra`, so that a spec read from
// disk and written back loses nothing (engines put vendor fields in config.json and expect them
// to survive `plugrt spec`-style round trips). Optional members are std::optional where the
// runtime must tell "absent" from "zero" (e.g. `process.capabilities.ambient` absent vs empty,
// `timeout`, `fileMode`), and plain values where Go's `omitempty` makes the two identical.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugrt::oci {

// Ordered so that documents we write keep the runtime-spec field order, like Go's encoder.
using Json = nlohmann::ordered_json;

// The runtime-spec version plugrt implements (reported by `plugrt --version` and `features`).
inline constexpr const char* kRuntimeSpecVersion = "1.2.0";

struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
    Json extra = Json::object();
};

struct Mount {
    std::string destination;
    std::string type;
    std::string source;
    std::vector<std::string> options;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
    Json extra = Json::object();
};

struct Root {
    std::string path;
    bool readonly = false;
    Json extra = Json::object();
};

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    std::string username;
    Json extra = Json::object();
};

// Each set is optional: an absent set means "leave the kernel default", an empty one means
// "clear it". runc treats them the same way.
// Note: spec_to_json writes an empty set like an absent one (Go's omitempty, which the Docker
// golden files depend on), so after a write/read round trip an empty set reads back as absent.
// runc drops every capability not listed in either case; the runtime should do the same.
struct Capabilities {
    std::optional<std::vector<std::string>> bounding;
    std::optional<std::vector<std::string>> effective;
    std::optional<std::vector<std::string>> inheritable;
    std::optional<std::vector<std::string>> permitted;
    std::optional<std::vector<std::string>> ambient;
    Json extra = Json::object();
};

struct Rlimit {
    std::string type;  // "RLIMIT_NOFILE", ...
    uint64_t hard = 0;
    uint64_t soft = 0;
    Json extra = Json::object();
};

struct ConsoleSize {
    uint32_t height = 0;
    uint32_t width = 0;
    Json extra = Json::object();
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    User user;
    std::vector<std::string> args;
    std::string command_line;  // Windows only; kept for round trips
    std::vector<std::string> env;
    std::string cwd;
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool no_new_privileges = false;
    std::string apparmor_profile;
    std::optional<int> oom_score_adj;
    std::string selinux_label;
    Json extra = Json::object();  // scheduler, ioPriority, execCPUAffinity, ...
};

struct Hook {
    std::string path;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::optional<int> timeout;  // seconds, > 0
    Json extra = Json::object();
};

struct Hooks {
    std::vector<Hook> prestart;  // deprecated, still honoured
    std::vector<Hook> create_runtime;
    std::vector<Hook> create_container;
    std::vector<Hook> start_container;
    std::vector<Hook> poststart;
    std::vector<Hook> poststop;
    Json extra = Json::object();
};

struct Namespace {
    std::string type;  // pid, network, mount, ipc, uts, user, cgroup, time
    std::string path;  // join instead of create when set
    Json extra = Json::object();
};

// A device node to create in the container's /dev.
struct Device {
    std::string type;  // c, b, u, p
    std::string path;
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
    Json extra = Json::object();
};

// A device cgroup rule (linux.resources.devices[]).
struct DeviceRule {
    bool allow = false;
    std::string type;  // "", a, c, b
    std::optional<int64_t> major;
    std::optional<int64_t> minor;
    std::string access;  // subset of "rwm"
    Json extra = Json::object();
};

struct Resources {
    std::vector<DeviceRule> devices;
    std::optional<int64_t> memory_limit;  // memory.limit
    std::optional<uint64_t> cpu_shares;   // cpu.shares
    std::optional<int64_t> cpu_quota;     // cpu.quota
    std::optional<uint64_t> cpu_period;   // cpu.period
    std::optional<int64_t> pids_limit;    // pids.limit
    // Everything else (blockIO, hugepageLimits, network, rdma, unified, the rest of memory and
    // cpu) is kept verbatim; the members above are lifted out of it when parsing.
    Json extra = Json::object();
};

struct SeccompArg {
    uint32_t index = 0;
    uint64_t value = 0;
    uint64_t value_two = 0;
    std::string op;  // SCMP_CMP_EQ, ...
    Json extra = Json::object();
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;  // SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, ...
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
    Json extra = Json::object();
};

struct Seccomp {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;  // SCMP_ARCH_X86_64, ...
    std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
    std::string listener_path;
    std::string listener_metadata;
    std::vector<SeccompSyscall> syscalls;
    Json extra = Json::object();
};

struct Personality {
    std::string domain;  // LINUX, LINUX32
    std::vector<std::string> flags;
    Json extra = Json::object();
};

struct TimeOffset {
    int64_t secs = 0;
    uint32_t nanosecs = 0;
    Json extra = Json::object();
};

struct Linux {
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
    std::map<std::string, std::string> sysctl;
    std::optional<Resources> resources;
    std::string cgroups_path;
    std::vector<Namespace> namespaces;
    std::vector<Device> devices;
    std::optional<Seccomp> seccomp;
    std::string rootfs_propagation;  // "", shared, slave, private, unbindable, rshared, ...
    std::vector<std::string> masked_paths;
    std::vector<std::string> readonly_paths;
    std::string mount_label;
    std::optional<Personality> personality;
    std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
    Json extra = Json::object();                     // intelRdt, memoryPolicy, netDevices, ...
};

struct Spec {
    std::string oci_version;
    std::optional<Process> process;
    std::optional<Root> root;
    std::string hostname;
    std::string domainname;
    std::vector<Mount> mounts;
    std::optional<Hooks> hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux;
    Json extra = Json::object();
};

// Limits for untrusted documents: a config.json is a few kilobytes (a full seccomp profile is
// ~30 KiB), so anything near these sizes is an attack or an accident, not a container.
inline constexpr std::size_t kMaxDocumentBytes = 16 * 1024 * 1024;
inline constexpr int kMaxJsonDepth = 64;

// Parses untrusted JSON text within the limits above. Throws ParseError for non-JSON, trailing
// data, nesting deeper than kMaxJsonDepth or input larger than kMaxDocumentBytes. Shared by every
// reader of user-supplied JSON (spec, plugin config, state) so the limits are enforced once.
Json parse_json_text(std::string_view text);

// Reading a spec fails with ParseError (declared in oci/errors.hpp) whose message names the JSON
// path of the offending member, e.g. `process.capabilities.bounding[3]: expected a string`.
Spec spec_from_json(const Json& document);
Spec parse_spec(std::string_view text);  // also rejects non-JSON, trailing data, depth > 64
// One member of a spec on its own, as `update --resources` and `exec --process` receive it;
// errors name fields by their place in a whole spec (`linux.resources.memory.limit`).
Resources resources_from_json(const Json& object);
Process process_from_json(const Json& object);
Json spec_to_json(const Spec& spec);      // omits what Go's omitempty would omit
std::string dump_spec(const Spec& spec);  // 2-space indent, like `runc spec`

}  // namespace plugrt::oci
