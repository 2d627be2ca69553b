// JSON -> Spec (spec_from_json, parse_spec). Strict about shapes (every mismatch names its JSON
// path) and lenient about presence, like Go's encoding/json: a missing or null member leaves the
// zero value, and deciding what is required is validate.cpp's job. Members that are not modelled
// are kept in each struct's `extra` so that spec_writer.cpp can write them back.
#include <string>
#include <string_view>
#include <utility>

#include "oci/json_reader.hpp"
#include "oci/spec.hpp"

namespace plugrt::oci {
namespace {

using json_reader::Members;
using json_reader::read_integer;
using json_reader::read_string;
using json_reader::read_strings;

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

}  // namespace

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

Resources resources_from_json(const Json& object) {
    return read_resources(object, "linux.resources");
}

Process process_from_json(const Json& object) { return read_process(object, "process"); }

}  // namespace plugrt::oci
