// JSON <-> Spec. Reading is strict about shapes (every mismatch names its JSON path) and lenient
// about presence, like Go's encoding/json: a missing or null member leaves the zero value, and
// deciding what is required is validate.cpp's job. Writing follows the runtime-spec Go structs:
// same member order, same `omitempty` rules, so that a spec we generate can be compared byte for
// byte with the one Docker generates.
#include "oci/spec.hpp"

#include <functional>
#include <limits>
#include <set>
#include <type_traits>
#include <utility>

#include "oci/errors.hpp"

namespace plugrt::oci {
namespace {

// ---------------------------------------------------------------------------------------------
// Paths

std::string member_path(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

// Map keys may contain dots ("net.ipv4.ip_forward"), so they are quoted to stay unambiguous.
std::string map_key_path(const std::string& parent, const std::string& key) {
    return parent + "[\"" + key + "\"]";
}

// ---------------------------------------------------------------------------------------------
// Scalars

[[noreturn]] void fail(const std::string& path, const std::string& message) {
    throw ParseError(path, message);
}

std::string read_string(const Json& value, const std::string& path) {
    if (!value.is_string()) {
        fail(path, "expected a string");
    }
    return value.get<std::string>();
}

bool read_bool(const Json& value, const std::string& path) {
    if (!value.is_boolean()) {
        fail(path, "expected a boolean");
    }
    return value.get<bool>();
}

template <class Int>
const char* integer_expectation() {
    if constexpr (std::is_same_v<Int, uint32_t>) {
        return "expected an unsigned 32-bit integer";
    } else if constexpr (std::is_same_v<Int, uint64_t>) {
        return "expected an unsigned 64-bit integer";
    } else if constexpr (std::is_same_v<Int, int64_t>) {
        return "expected a 64-bit integer";
    } else {
        return "expected a 32-bit integer";
    }
}

// Go refuses floats (even 1.0) and out-of-range values for integer fields; so do we, rather than
// silently truncating a uid or a limit.
template <class Int>
Int read_integer(const Json& value, const std::string& path) {
    if (value.is_number_unsigned()) {
        const auto v = value.get<uint64_t>();
        if (v <= static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
            return static_cast<Int>(v);
        }
    } else if (value.is_number_integer()) {
        const auto v = value.get<int64_t>();
        if constexpr (std::is_signed_v<Int>) {
            if (v >= std::numeric_limits<Int>::min() && v <= std::numeric_limits<Int>::max()) {
                return static_cast<Int>(v);
            }
        } else if (v >= 0 && static_cast<uint64_t>(v) <= std::numeric_limits<Int>::max()) {
            return static_cast<Int>(v);
        }
    }
    fail(path, integer_expectation<Int>());
}

std::vector<std::string> read_strings(const Json& value, const std::string& path) {
    if (!value.is_array()) {
        fail(path, "expected an array of strings");
    }
    std::vector<std::string> out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        out.push_back(read_string(value[i], index_path(path, i)));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Objects

// Reads the members of one JSON object and remembers which ones were asked for, so that the
// rest can be kept verbatim in `extra`. A null member counts as absent, as in Go.
class Members {
public:
    Members(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
        if (!object_.is_object()) {
            fail(path_, "expected an object");
        }
    }

    const std::string& path() const { return path_; }
    std::string path(std::string_view key) const { return member_path(path_, key); }

    const Json* find(std::string_view key) {
        known_.emplace(key);
        const auto it = object_.find(std::string(key));
        if (it == object_.end() || it->is_null()) {
            return nullptr;
        }
        return &*it;
    }

    void string(std::string_view key, std::string& out) {
        if (const auto* v = find(key)) out = read_string(*v, path(key));
    }
    void boolean(std::string_view key, bool& out) {
        if (const auto* v = find(key)) out = read_bool(*v, path(key));
    }
    void strings(std::string_view key, std::vector<std::string>& out) {
        if (const auto* v = find(key)) out = read_strings(*v, path(key));
    }
    template <class Int>
    void integer(std::string_view key, Int& out) {
        if (const auto* v = find(key)) out = read_integer<Int>(*v, path(key));
    }
    template <class Int>
    void integer(std::string_view key, std::optional<Int>& out) {
        if (const auto* v = find(key)) out = read_integer<Int>(*v, path(key));
    }
    template <class T, class Reader>
    void object(std::string_view key, std::optional<T>& out, Reader read) {
        if (const auto* v = find(key)) out = read(*v, path(key));
    }
    template <class T, class Reader>
    void array(std::string_view key, std::vector<T>& out, Reader read) {
        if (const auto* v = find(key)) {
            const auto p = path(key);
            if (!v->is_array()) {
                fail(p, "expected an array");
            }
            out.clear();
            out.reserve(v->size());
            for (std::size_t i = 0; i < v->size(); ++i) {
                out.push_back(read((*v)[i], index_path(p, i)));
            }
        }
    }
    template <class T, class Reader>
    void map(std::string_view key, std::map<std::string, T>& out, Reader read) {
        if (const auto* v = find(key)) {
            const auto p = path(key);
            if (!v->is_object()) {
                fail(p, "expected an object");
            }
            for (const auto& [name, item] : v->items()) {
                out[name] = read(item, map_key_path(p, name));
            }
        }
    }

    // Every member not read above, in document order.
    Json unknown() const {
        Json extra = Json::object();
        for (const auto& [name, value] : object_.items()) {
            if (!known_.contains(name)) {
                extra[name] = value;
            }
        }
        return extra;
    }

private:
    const Json& object_;
    std::string path_;
    std::set<std::string, std::less<>> known_;
};

IdMapping read_id_mapping(const Json& j, const std::string& path) {
    Members m(j, path);
    IdMapping out;
    m.integer("containerID", out.container_id);
    m.integer("hostID", out.host_id);
    m.integer("size", out.size);
    out.extra = m.unknown();
    return out;
}

Mount read_mount(const Json& j, const std::string& path) {
    Members m(j, path);
    Mount out;
    m.string("destination", out.destination);
    m.string("type", out.type);
    m.string("source", out.source);
    m.strings("options", out.options);
    m.array("uidMappings", out.uid_mappings, read_id_mapping);
    m.array("gidMappings", out.gid_mappings, read_id_mapping);
    out.extra = m.unknown();
    return out;
}

Root read_root(const Json& j, const std::string& path) {
    Members m(j, path);
    Root out;
    m.string("path", out.path);
    m.boolean("readonly", out.readonly);
    out.extra = m.unknown();
    return out;
}

User read_user(const Json& j, const std::string& path) {
    Members m(j, path);
    User out;
    m.integer("uid", out.uid);
    m.integer("gid", out.gid);
    m.integer("umask", out.umask);
    m.array("additionalGids", out.additional_gids, read_integer<uint32_t>);
    m.string("username", out.username);
    out.extra = m.unknown();
    return out;
}

Capabilities read_capabilities(const Json& j, const std::string& path) {
    Members m(j, path);
    Capabilities out;
    const auto set = [&m](std::string_view key, std::optional<std::vector<std::string>>& field) {
        if (const auto* v = m.find(key)) field = read_strings(*v, m.path(key));
    };
    set("bounding", out.bounding);
    set("effective", out.effective);
    set("inheritable", out.inheritable);
    set("permitted", out.permitted);
    set("ambient", out.ambient);
    out.extra = m.unknown();
    return out;
}

Rlimit read_rlimit(const Json& j, const std::string& path) {
    Members m(j, path);
    Rlimit out;
    m.string("type", out.type);
    m.integer("hard", out.hard);
    m.integer("soft", out.soft);
    out.extra = m.unknown();
    return out;
}

ConsoleSize read_console_size(const Json& j, const std::string& path) {
    Members m(j, path);
    ConsoleSize out;
    m.integer("height", out.height);
    m.integer("width", out.width);
    out.extra = m.unknown();
    return out;
}

Process read_process(const Json& j, const std::string& path) {
    Members m(j, path);
    Process out;
    m.boolean("terminal", out.terminal);
    m.object("consoleSize", out.console_size, read_console_size);
    if (const auto* v = m.find("user")) out.user = read_user(*v, m.path("user"));
    m.strings("args", out.args);
    m.string("commandLine", out.command_line);
    m.strings("env", out.env);
    m.string("cwd", out.cwd);
    m.object("capabilities", out.capabilities, read_capabilities);
    m.array("rlimits", out.rlimits, read_rlimit);
    m.boolean("noNewPrivileges", out.no_new_privileges);
    m.string("apparmorProfile", out.apparmor_profile);
    m.integer("oomScoreAdj", out.oom_score_adj);
    m.string("selinuxLabel", out.selinux_label);
    out.extra = m.unknown();
    return out;
}

Hook read_hook(const Json& j, const std::string& path) {
    Members m(j, path);
    Hook out;
    m.string("path", out.path);
    m.strings("args", out.args);
    m.strings("env", out.env);
    m.integer("timeout", out.timeout);
    out.extra = m.unknown();
    return out;
}

Hooks read_hooks(const Json& j, const std::string& path) {
    Members m(j, path);
    Hooks out;
    m.array("prestart", out.prestart, read_hook);
    m.array("createRuntime", out.create_runtime, read_hook);
    m.array("createContainer", out.create_container, read_hook);
    m.array("startContainer", out.start_container, read_hook);
    m.array("poststart", out.poststart, read_hook);
    m.array("poststop", out.poststop, read_hook);
    out.extra = m.unknown();
    return out;
}

Namespace read_namespace(const Json& j, const std::string& path) {
    Members m(j, path);
    Namespace out;
    m.string("type", out.type);
    m.string("path", out.path);
    out.extra = m.unknown();
    return out;
}

Device read_device(const Json& j, const std::string& path) {
    Members m(j, path);
    Device out;
    m.string("path", out.path);
    m.string("type", out.type);
    m.integer("major", out.major);
    m.integer("minor", out.minor);
    m.integer("fileMode", out.file_mode);
    m.integer("uid", out.uid);
    m.integer("gid", out.gid);
    out.extra = m.unknown();
    return out;
}

DeviceRule read_device_rule(const Json& j, const std::string& path) {
    Members m(j, path);
    DeviceRule out;
    m.boolean("allow", out.allow);
    m.string("type", out.type);
    m.integer("major", out.major);
    m.integer("minor", out.minor);
    m.string("access", out.access);
    out.extra = m.unknown();
    return out;
}

// Lifts the typed members out of one resources sub-object (memory, cpu, pids) and keeps the rest.
// The sub-object stays in `extra` only when something is left that the typed members cannot
// express, so that clearing the typed members in code also removes the object from the output.
template <class Lift>
void lift_sub_object(Members& resources, std::string_view key, Json& extra, Lift lift) {
    const auto* value = resources.find(key);
    if (!value) {
        return;
    }
    Members sub(*value, resources.path(key));
    const bool lifted = lift(sub);
    auto rest = sub.unknown();
    if (!lifted || !rest.empty()) {
        extra[std::string(key)] = std::move(rest);
    }
}

Resources read_resources(const Json& j, const std::string& path) {
    Members m(j, path);
    Resources out;
    m.array("devices", out.devices, read_device_rule);
    Json lifted_rest = Json::object();
    lift_sub_object(m, "memory", lifted_rest, [&](Members& mem) {
        mem.integer("limit", out.memory_limit);
        return out.memory_limit.has_value();
    });
    lift_sub_object(m, "cpu", lifted_rest, [&](Members& cpu) {
        cpu.integer("shares", out.cpu_shares);
        cpu.integer("quota", out.cpu_quota);
        cpu.integer("period", out.cpu_period);
        return out.cpu_shares || out.cpu_quota || out.cpu_period;
    });
    lift_sub_object(m, "pids", lifted_rest, [&](Members& pids) {
        pids.integer("limit", out.pids_limit);
        return out.pids_limit.has_value();
    });
    out.extra = std::move(lifted_rest);
    const auto rest = m.unknown();
    for (const auto& [name, value] : rest.items()) {
        out.extra[name] = value;
    }
    return out;
}

SeccompArg read_seccomp_arg(const Json& j, const std::string& path) {
    Members m(j, path);
    SeccompArg out;
    m.integer("index", out.index);
    m.integer("value", out.value);
    m.integer("valueTwo", out.value_two);
    m.string("op", out.op);
    out.extra = m.unknown();
    return out;
}

SeccompSyscall read_seccomp_syscall(const Json& j, const std::string& path) {
    Members m(j, path);
    SeccompSyscall out;
    m.strings("names", out.names);
    m.string("action", out.action);
    m.integer("errnoRet", out.errno_ret);
    m.array("args", out.args, read_seccomp_arg);
    out.extra = m.unknown();
    return out;
}

Seccomp read_seccomp(const Json& j, const std::string& path) {
    Members m(j, path);
    Seccomp out;
    m.string("defaultAction", out.default_action);
    m.integer("defaultErrnoRet", out.default_errno_ret);
    m.strings("architectures", out.architectures);
    m.strings("flags", out.flags);
    m.string("listenerPath", out.listener_path);
    m.string("listenerMetadata", out.listener_metadata);
    m.array("syscalls", out.syscalls, read_seccomp_syscall);
    out.extra = m.unknown();
    return out;
}

Personality read_personality(const Json& j, const std::string& path) {
    Members m(j, path);
    Personality out;
    m.string("domain", out.domain);
    m.strings("flags", out.flags);
    out.extra = m.unknown();
    return out;
}

TimeOffset read_time_offset(const Json& j, const std::string& path) {
    Members m(j, path);
    TimeOffset out;
    m.integer("secs", out.secs);
    m.integer("nanosecs", out.nanosecs);
    out.extra = m.unknown();
    return out;
}

Linux read_linux(const Json& j, const std::string& path) {
    Members m(j, path);
    Linux out;
    m.array("uidMappings", out.uid_mappings, read_id_mapping);
    m.array("gidMappings", out.gid_mappings, read_id_mapping);
    m.map("sysctl", out.sysctl, read_string);
    m.object("resources", out.resources, read_resources);
    m.string("cgroupsPath", out.cgroups_path);
    m.array("namespaces", out.namespaces, read_namespace);
    m.array("devices", out.devices, read_device);
    m.object("seccomp", out.seccomp, read_seccomp);
    m.string("rootfsPropagation", out.rootfs_propagation);
    m.strings("maskedPaths", out.masked_paths);
    m.strings("readonlyPaths", out.readonly_paths);
    m.string("mountLabel", out.mount_label);
    m.object("personality", out.personality, read_personality);
    m.map("timeOffsets", out.time_offsets, read_time_offset);
    out.extra = m.unknown();
    return out;
}

// ---------------------------------------------------------------------------------------------
// Writing

using FieldOrder = std::initializer_list<std::string_view>;

// Builds one output object: the typed members and the kept unknown ones, interleaved in the Go
// struct order (`order` lists every Go field, modelled or not). Members missing from `order`
// follow: typed ones first, then the unknown ones in the order they were read.
Json in_go_order(const Json& typed, const Json& extra, FieldOrder order) {
    Json out = Json::object();
    for (const auto key : order) {
        const std::string name(key);
        if (const auto it = typed.find(name); it != typed.end()) {
            out[name] = *it;
        } else if (const auto ex = extra.find(name); extra.is_object() && ex != extra.end()) {
            out[name] = *ex;
        }
    }
    for (const auto& [name, value] : typed.items()) {
        if (!out.contains(name)) out[name] = value;
    }
    if (extra.is_object()) {
        for (const auto& [name, value] : extra.items()) {
            if (!out.contains(name)) out[name] = value;
        }
    }
    return out;
}

template <class T, class Writer>
Json write_array(const std::vector<T>& items, Writer write) {
    Json out = Json::array();
    for (const auto& item : items) {
        out.push_back(write(item));
    }
    return out;
}

Json write_strings(const std::vector<std::string>& items) { return Json(items); }

// `omitempty` on a slice: absent when empty.
template <class T, class Writer>
void put_array(Json& out, const char* key, const std::vector<T>& items, Writer write) {
    if (!items.empty()) out[key] = write_array(items, write);
}
void put_strings(Json& out, const char* key, const std::vector<std::string>& items) {
    if (!items.empty()) out[key] = write_strings(items);
}
void put_string(Json& out, const char* key, const std::string& value) {
    if (!value.empty()) out[key] = value;
}
template <class T>
void put_optional(Json& out, const char* key, const std::optional<T>& value) {
    if (value) out[key] = *value;
}

Json write_id_mapping(const IdMapping& m) {
    Json out = {{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}};
    return in_go_order(out, m.extra, {});
}

Json write_mount(const Mount& m) {
    Json out = {{"destination", m.destination}};
    put_string(out, "type", m.type);
    put_string(out, "source", m.source);
    put_strings(out, "options", m.options);
    put_array(out, "uidMappings", m.uid_mappings, write_id_mapping);
    put_array(out, "gidMappings", m.gid_mappings, write_id_mapping);
    return in_go_order(out, m.extra, {});
}

Json write_root(const Root& r) {
    Json out = {{"path", r.path}};
    if (r.readonly) out["readonly"] = true;
    return in_go_order(out, r.extra, {});
}

Json write_user(const User& u) {
    Json out = {{"uid", u.uid}, {"gid", u.gid}};
    put_optional(out, "umask", u.umask);
    if (!u.additional_gids.empty()) out["additionalGids"] = u.additional_gids;
    put_string(out, "username", u.username);
    return in_go_order(out, u.extra, {});
}

// Go's omitempty drops empty sets too. runc reads an absent set and an empty one the same way
// (nothing kept), and the golden tests compare against Docker's output, so we follow Go here.
Json write_capabilities(const Capabilities& c) {
    Json out = Json::object();
    const auto set = [&out](const char* key, const std::optional<std::vector<std::string>>& s) {
        if (s && !s->empty()) out[key] = *s;
    };
    set("bounding", c.bounding);
    set("effective", c.effective);
    set("inheritable", c.inheritable);
    set("permitted", c.permitted);
    set("ambient", c.ambient);
    return in_go_order(out, c.extra, {});
}

Json write_rlimit(const Rlimit& r) {
    Json out = {{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}};
    return in_go_order(out, r.extra, {});
}

Json write_console_size(const ConsoleSize& c) {
    Json out = {{"height", c.height}, {"width", c.width}};
    return in_go_order(out, c.extra, {});
}

Json write_process(const Process& p) {
    Json out = Json::object();
    if (p.terminal) out["terminal"] = true;
    if (p.console_size) out["consoleSize"] = write_console_size(*p.console_size);
    out["user"] = write_user(p.user);
    put_strings(out, "args", p.args);
    put_string(out, "commandLine", p.command_line);
    put_strings(out, "env", p.env);
    out["cwd"] = p.cwd;
    if (p.capabilities) out["capabilities"] = write_capabilities(*p.capabilities);
    put_array(out, "rlimits", p.rlimits, write_rlimit);
    if (p.no_new_privileges) out["noNewPrivileges"] = true;
    put_string(out, "apparmorProfile", p.apparmor_profile);
    put_optional(out, "oomScoreAdj", p.oom_score_adj);
    put_string(out, "selinuxLabel", p.selinux_label);
    return in_go_order(
        out, p.extra,
        {"terminal", "consoleSize", "user", "args", "commandLine", "env", "cwd", "capabilities",
         "rlimits", "noNewPrivileges", "apparmorProfile", "oomScoreAdj", "scheduler",
         "selinuxLabel", "ioPriority", "execCPUAffinity"});
}

Json write_hook(const Hook& h) {
    Json out = {{"path", h.path}};
    put_strings(out, "args", h.args);
    put_strings(out, "env", h.env);
    put_optional(out, "timeout", h.timeout);
    return in_go_order(out, h.extra, {});
}

Json write_hooks(const Hooks& h) {
    Json out = Json::object();
    put_array(out, "prestart", h.prestart, write_hook);
    put_array(out, "createRuntime", h.create_runtime, write_hook);
    put_array(out, "createContainer", h.create_container, write_hook);
    put_array(out, "startContainer", h.start_container, write_hook);
    put_array(out, "poststart", h.poststart, write_hook);
    put_array(out, "poststop", h.poststop, write_hook);
    return in_go_order(out, h.extra, {});
}

Json write_namespace(const Namespace& n) {
    Json out = {{"type", n.type}};
    put_string(out, "path", n.path);
    return in_go_order(out, n.extra, {});
}

Json write_device(const Device& d) {
    Json out = {{"path", d.path}, {"type", d.type}, {"major", d.major}, {"minor", d.minor}};
    put_optional(out, "fileMode", d.file_mode);
    put_optional(out, "uid", d.uid);
    put_optional(out, "gid", d.gid);
    return in_go_order(out, d.extra, {});
}

Json write_device_rule(const DeviceRule& d) {
    Json out = {{"allow", d.allow}};
    put_string(out, "type", d.type);
    put_optional(out, "major", d.major);
    put_optional(out, "minor", d.minor);
    put_string(out, "access", d.access);
    return in_go_order(out, d.extra, {});
}

// Merges lifted members back into the kept sub-object (memory, cpu, pids).
Json merged_sub_object(const Json& typed, const Json& extra, std::string_view key,
                       FieldOrder order) {
    const auto it = extra.find(std::string(key));
    const Json kept = it != extra.end() && it->is_object() ? *it : Json::object();
    return in_go_order(typed, kept, order);
}

Json write_resources(const Resources& r) {
    Json out = Json::object();
    put_array(out, "devices", r.devices, write_device_rule);

    Json memory = Json::object();
    put_optional(memory, "limit", r.memory_limit);
    if (!memory.empty() || r.extra.contains("memory")) {
        out["memory"] = merged_sub_object(memory, r.extra, "memory", {"limit"});
    }
    Json cpu = Json::object();
    put_optional(cpu, "shares", r.cpu_shares);
    put_optional(cpu, "quota", r.cpu_quota);
    put_optional(cpu, "period", r.cpu_period);
    if (!cpu.empty() || r.extra.contains("cpu")) {
        out["cpu"] = merged_sub_object(cpu, r.extra, "cpu",
                                       {"shares", "quota", "burst", "period", "realtimeRuntime",
                                        "realtimePeriod", "cpus", "mems", "idle"});
    }
    Json pids = Json::object();
    put_optional(pids, "limit", r.pids_limit);
    if (!pids.empty() || r.extra.contains("pids")) {
        out["pids"] = merged_sub_object(pids, r.extra, "pids", {"limit"});
    }
    return in_go_order(out, r.extra,
                       {"devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits", "network",
                        "rdma", "unified"});
}

Json write_seccomp_arg(const SeccompArg& a) {
    Json out = {{"index", a.index}, {"value", a.value}};
    if (a.value_two != 0) out["valueTwo"] = a.value_two;
    out["op"] = a.op;
    return in_go_order(out, a.extra, {});
}

Json write_seccomp_syscall(const SeccompSyscall& s) {
    Json out = {{"names", write_strings(s.names)}, {"action", s.action}};
    put_optional(out, "errnoRet", s.errno_ret);
    put_array(out, "args", s.args, write_seccomp_arg);
    return in_go_order(out, s.extra, {});
}

Json write_seccomp(const Seccomp& s) {
    Json out = {{"defaultAction", s.default_action}};
    put_optional(out, "defaultErrnoRet", s.default_errno_ret);
    put_strings(out, "architectures", s.architectures);
    put_strings(out, "flags", s.flags);
    put_string(out, "listenerPath", s.listener_path);
    put_string(out, "listenerMetadata", s.listener_metadata);
    put_array(out, "syscalls", s.syscalls, write_seccomp_syscall);
    return in_go_order(out, s.extra, {});
}

Json write_personality(const Personality& p) {
    Json out = {{"domain", p.domain}};
    put_strings(out, "flags", p.flags);
    return in_go_order(out, p.extra, {});
}

Json write_time_offset(const TimeOffset& t) {
    Json out = Json::object();
    if (t.secs != 0) out["secs"] = t.secs;
    if (t.nanosecs != 0) out["nanosecs"] = t.nanosecs;
    return in_go_order(out, t.extra, {});
}

template <class T, class Writer>
void put_map(Json& out, const char* key, const std::map<std::string, T>& items, Writer write) {
    if (items.empty()) return;
    Json object = Json::object();
    for (const auto& [name, value] : items) {
        object[name] = write(value);
    }
    out[key] = std::move(object);
}

Json write_linux(const Linux& l) {
    Json out = Json::object();
    put_array(out, "uidMappings", l.uid_mappings, write_id_mapping);
    put_array(out, "gidMappings", l.gid_mappings, write_id_mapping);
    put_map(out, "sysctl", l.sysctl, [](const std::string& v) { return Json(v); });
    if (l.resources) out["resources"] = write_resources(*l.resources);
    put_string(out, "cgroupsPath", l.cgroups_path);
    put_array(out, "namespaces", l.namespaces, write_namespace);
    put_array(out, "devices", l.devices, write_device);
    if (l.seccomp) out["seccomp"] = write_seccomp(*l.seccomp);
    put_string(out, "rootfsPropagation", l.rootfs_propagation);
    put_strings(out, "maskedPaths", l.masked_paths);
    put_strings(out, "readonlyPaths", l.readonly_paths);
    put_string(out, "mountLabel", l.mount_label);
    if (l.personality) out["personality"] = write_personality(*l.personality);
    put_map(out, "timeOffsets", l.time_offsets, write_time_offset);
    return in_go_order(out, l.extra,
                       {"uidMappings", "gidMappings", "sysctl", "resources", "cgroupsPath",
                        "namespaces", "devices", "seccomp", "rootfsPropagation", "maskedPaths",
                        "readonlyPaths", "mountLabel", "intelRdt", "personality", "timeOffsets"});
}

// nlohmann reports "[json.exception.parse_error.101] parse error at line 1, column 2: ...";
// the bracketed id means nothing to a user.
std::string without_exception_id(const std::string& what) {
    if (!what.empty() && what.front() == '[') {
        if (const auto end = what.find("] "); end != std::string::npos) {
            return what.substr(end + 2);
        }
    }
    return what;
}

}  // namespace

Json parse_json_text(std::string_view text) {
    if (text.size() > kMaxDocumentBytes) {
        fail("", "document is too large (" + std::to_string(text.size()) + " bytes, the limit is " +
                     std::to_string(kMaxDocumentBytes) + ")");
    }
    // The callback sees every container before it is built, so a hostile document is rejected
    // at the first level too deep instead of being materialised (and later destroyed) in full.
    const Json::parser_callback_t limit_depth = [](int depth, Json::parse_event_t event, Json&) {
        if ((event == Json::parse_event_t::object_start ||
             event == Json::parse_event_t::array_start) &&
            depth >= kMaxJsonDepth) {
            fail("", "document is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        }
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), limit_depth);
    } catch (const Json::parse_error& e) {
        fail("", "not valid JSON: " + without_exception_id(e.what()));
    }
}

Spec spec_from_json(const Json& document) {
    Members m(document, "");
    Spec out;
    m.string("ociVersion", out.oci_version);
    m.object("process", out.process, read_process);
    m.object("root", out.root, read_root);
    m.string("hostname", out.hostname);
    m.string("domainname", out.domainname);
    m.array("mounts", out.mounts, read_mount);
    m.object("hooks", out.hooks, read_hooks);
    m.map("annotations", out.annotations, read_string);
    m.object("linux", out.linux, read_linux);
    out.extra = m.unknown();
    return out;
}

Spec parse_spec(std::string_view text) { return spec_from_json(parse_json_text(text)); }

Json spec_to_json(const Spec& spec) {
    Json out = {{"ociVersion", spec.oci_version}};
    if (spec.process) out["process"] = write_process(*spec.process);
    if (spec.root) out["root"] = write_root(*spec.root);
    put_string(out, "hostname", spec.hostname);
    put_string(out, "domainname", spec.domainname);
    put_array(out, "mounts", spec.mounts, write_mount);
    if (spec.hooks) out["hooks"] = write_hooks(*spec.hooks);
    put_map(out, "annotations", spec.annotations, [](const std::string& v) { return Json(v); });
    if (spec.linux) out["linux"] = write_linux(*spec.linux);
    return in_go_order(out, spec.extra, {});
}

std::string dump_spec(const Spec& spec) {
    try {
        return spec_to_json(spec).dump(2);
    } catch (const Json::type_error& e) {
        // Only a string built in code can get here (parsed strings are valid UTF-8).
        fail("", "cannot write spec: " + without_exception_id(e.what()));
    }
}

}  // namespace plugrt::oci
