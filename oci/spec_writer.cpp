// Spec -> JSON (spec_to_json, dump_spec). Follows the runtime-spec Go structs: same member
// order, same `omitempty` rules, so that a spec we generate can be compared byte for byte with the
// one Docker generates. Members kept in `extra` by the reader go back in their Go position.
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "oci/json_reader.hpp"
#include "oci/spec.hpp"

namespace plugrt::oci {
namespace {

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

}  // namespace

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
        json_reader::fail("", "cannot write spec: " + json_reader::without_exception_id(e.what()));
    }
}

}  // namespace plugrt::oci
