#include "oci/plugin_config.hpp"

#include <algorithm>

#include "oci/capability_names.hpp"
#include "oci/go_json.hpp"

namespace plugrt::oci {
namespace {

using gojson::decode;
using gojson::decode_slice;
using gojson::decode_struct;
using gojson::Field;

// ---- decoding ---------------------------------------------------------------------------------

void decode_interface_types(const Json& v, const std::string& path,
                            std::vector<PluginInterfaceType>& out) {
    decode_slice(v, path, out,
                 [](const Json& item, const std::string& p, PluginInterfaceType& type) {
                     // moby's UnmarshalJSON wants a string literal; even null is an error.
                     if (!item.is_string()) gojson::throw_type_error(p, "a string", item);
                     type = parse_plugin_interface_type(item.get<std::string>());
                 });
}

void decode_mount(const Json& v, const std::string& path, PluginMount& m) {
    decode_struct(
        v, path,
        {{"name", [&](const Json& x, const std::string& p) { decode(x, p, m.name); }},
         {"description", [&](const Json& x, const std::string& p) { decode(x, p, m.description); }},
         {"settable", [&](const Json& x, const std::string& p) { decode(x, p, m.settable); }},
         {"source", [&](const Json& x, const std::string& p) { decode(x, p, m.source); }},
         {"destination", [&](const Json& x, const std::string& p) { decode(x, p, m.destination); }},
         {"type", [&](const Json& x, const std::string& p) { decode(x, p, m.type); }},
         {"options", [&](const Json& x, const std::string& p) { decode(x, p, m.options); }}});
}

void decode_env(const Json& v, const std::string& path, PluginEnv& e) {
    decode_struct(
        v, path,
        {{"name", [&](const Json& x, const std::string& p) { decode(x, p, e.name); }},
         {"description", [&](const Json& x, const std::string& p) { decode(x, p, e.description); }},
         {"settable", [&](const Json& x, const std::string& p) { decode(x, p, e.settable); }},
         {"value", [&](const Json& x, const std::string& p) { decode(x, p, e.value); }}});
}

void decode_device(const Json& v, const std::string& path, PluginDevice& d) {
    decode_struct(
        v, path,
        {{"name", [&](const Json& x, const std::string& p) { decode(x, p, d.name); }},
         {"description", [&](const Json& x, const std::string& p) { decode(x, p, d.description); }},
         {"settable", [&](const Json& x, const std::string& p) { decode(x, p, d.settable); }},
         {"path", [&](const Json& x, const std::string& p) { decode(x, p, d.path); }}});
}

void decode_args(const Json& v, const std::string& path, PluginArgs& a) {
    decode_struct(
        v, path,
        {{"name", [&](const Json& x, const std::string& p) { decode(x, p, a.name); }},
         {"description", [&](const Json& x, const std::string& p) { decode(x, p, a.description); }},
         {"settable", [&](const Json& x, const std::string& p) { decode(x, p, a.settable); }},
         {"value", [&](const Json& x, const std::string& p) { decode(x, p, a.value); }}});
}

void decode_linux(const Json& v, const std::string& path, PluginLinux& l) {
    decode_struct(
        v, path,
        {{"capabilities",
          [&](const Json& x, const std::string& p) { decode(x, p, l.capabilities); }},
         {"allowAllDevices",
          [&](const Json& x, const std::string& p) { decode(x, p, l.allow_all_devices); }},
         {"devices", [&](const Json& x, const std::string& p) {
              decode_slice(x, p, l.devices, decode_device);
          }}});
}

void decode_rootfs(const Json& v, const std::string& path, std::optional<PluginRootfs>& r) {
    if (v.is_null()) {  // a Go pointer
        r.reset();
        return;
    }
    if (!r) r.emplace();
    decode_struct(
        v, path,
        {{"type", [&](const Json& x, const std::string& p) { decode(x, p, r->type); }},
         {"diff_ids", [&](const Json& x, const std::string& p) { decode(x, p, r->diff_ids); }}});
}

void decode_config(const Json& v, PluginConfig& c) {
    auto& i = c.interface;
    decode_struct(
        v, "",
        {{"description", [&](const Json& x, const std::string& p) { decode(x, p, c.description); }},
         {"documentation",
          [&](const Json& x, const std::string& p) { decode(x, p, c.documentation); }},
         {"interface",
          [&](const Json& x, const std::string& path) {
              decode_struct(
                  x, path,
                  {{"types", [&](const Json& y,
                                 const std::string& p) { decode_interface_types(y, p, i.types); }},
                   {"socket", [&](const Json& y, const std::string& p) { decode(y, p, i.socket); }},
                   {"protocolScheme", [&](const Json& y, const std::string& p) {
                        decode(y, p, i.protocol_scheme);
                    }}});
          }},
         {"entrypoint", [&](const Json& x, const std::string& p) { decode(x, p, c.entrypoint); }},
         {"workdir", [&](const Json& x, const std::string& p) { decode(x, p, c.workdir); }},
         {"user",
          [&](const Json& x, const std::string& path) {
              decode_struct(
                  x, path,
                  {{"uid", [&](const Json& y, const std::string& p) { decode(y, p, c.user.uid); }},
                   {"gid",
                    [&](const Json& y, const std::string& p) { decode(y, p, c.user.gid); }}});
          }},
         {"network",
          [&](const Json& x, const std::string& path) {
              decode_struct(x, path, {{"type", [&](const Json& y, const std::string& p) {
                                           decode(y, p, c.network.type);
                                       }}});
          }},
         {"mounts",
          [&](const Json& x, const std::string& p) { decode_slice(x, p, c.mounts, decode_mount); }},
         {"env",
          [&](const Json& x, const std::string& p) { decode_slice(x, p, c.env, decode_env); }},
         {"args", [&](const Json& x, const std::string& p) { decode_args(x, p, c.args); }},
         {"linux", [&](const Json& x, const std::string& p) { decode_linux(x, p, c.linux); }},
         {"propagatedMount",
          [&](const Json& x, const std::string& p) { decode(x, p, c.propagated_mount); }},
         {"ipcHost", [&](const Json& x, const std::string& p) { decode(x, p, c.ipc_host); }},
         {"pidHost", [&](const Json& x, const std::string& p) { decode(x, p, c.pid_host); }},
         {"dockerVersion",
          [&](const Json& x, const std::string& p) { decode(x, p, c.docker_version); }},
         {"rootfs", [&](const Json& x, const std::string& p) { decode_rootfs(x, p, c.rootfs); }}});
}

// ---- validation helpers ----------------------------------------------------------------------

// Longest host path a unix socket can have: sun_path is 108 bytes including the NUL.
constexpr std::size_t kMaxSocketPath = 107;
constexpr std::size_t kPluginIdLength = 64;

bool has_dotdot_component(std::string_view path) {
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        if (path.substr(start, end - start) == "..") return true;
        start = end + 1;
    }
    return false;
}

bool contains_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

bool contains(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// Problem with a path that must stay inside the plugin's root, or "" if it is acceptable.
std::string contained_path_problem(std::string_view path) {
    if (path.empty() || path.front() != '/') return "must be an absolute path";
    if (has_dotdot_component(path)) return "must not contain '..' (it would leave the rootfs)";
    if (contains_nul(path)) return "must not contain a NUL byte";
    return "";
}

struct Checker {
    PluginConfigReport report;
    void error(std::string path, std::string message) {
        report.errors.push_back({std::move(path), std::move(message)});
    }
    void warn(std::string path, std::string message) {
        report.warnings.push_back({std::move(path), std::move(message)});
    }
    // `settable` may only name fields `docker plugin set` can change on this kind of entry.
    void settable(const std::string& path, const std::vector<std::string>& fields,
                  std::string_view allowed, std::string_view kind) {
        for (std::size_t j = 0; j < fields.size(); ++j) {
            if (fields[j] != allowed) {
                error(gojson::element_path(path + ".settable", j),
                      "\"" + fields[j] + "\" is not a settable field of " + std::string(kind) +
                          " (only \"" + std::string(allowed) + "\" is)");
            }
        }
    }
};

void check_interface(Checker& c, const PluginInterface& i, const PluginValidationOptions& o) {
    static const std::vector<std::string> known = {
        "volumedriver",     "networkdriver", "ipamdriver", "authz",      "logdriver",
        "metricscollector", "csicontroller", "csinode",    "graphdriver"};
    for (std::size_t k = 0; k < i.types.size(); ++k) {
        const auto& t = i.types[k];
        const std::string path = gojson::element_path("interface.types", k);
        if (t.prefix != "docker") {
            c.warn(path, "\"" + t.to_string() + "\" has prefix \"" + t.prefix +
                             "\": Docker only uses types with the prefix \"docker\"");
        } else if (!contains(known, t.capability)) {
            c.warn(path, "unknown plugin type \"" + t.capability + "\": Docker will not use it");
        }
    }
    if (!i.protocol_scheme.empty() && i.protocol_scheme != "moby.plugins.http/v1") {
        c.warn("interface.protocolScheme",
               "\"" + i.protocol_scheme + "\": Docker creates no HTTP client for this scheme");
    }
    // moby path-joins the name under the socket dir, so one leading '/' is harmless.
    std::string_view name = i.socket;
    if (!name.empty() && name.front() == '/') name.remove_prefix(1);
    const std::string host_path =
        o.plugins_run_dir + "/" + std::string(kPluginIdLength, 'x') + "/" + std::string(name);
    if (name.empty()) {
        c.error("interface.socket", "must not be empty");
    } else if (name.find('/') != std::string_view::npos || name == "." || name == "..") {
        c.error("interface.socket",
                "must be a file name in the plugin's socket dir (only one leading '/' is allowed)");
    } else if (contains_nul(name)) {
        c.error("interface.socket", "must not contain a NUL byte");
    } else if (host_path.size() > kMaxSocketPath) {
        c.error("interface.socket",
                "is too long: the daemon dials " + o.plugins_run_dir + "/<id>/" +
                    std::string(name) + " (" + std::to_string(host_path.size()) +
                    " bytes), a unix socket path holds at most " + std::to_string(kMaxSocketPath));
    }
}

void check_mounts(Checker& c, const std::vector<PluginMount>& mounts) {
    for (std::size_t k = 0; k < mounts.size(); ++k) {
        const PluginMount& m = mounts[k];
        const std::string path = gojson::element_path("mounts", k);
        if (auto problem = contained_path_problem(m.destination); !problem.empty()) {
            c.error(path + ".destination", problem);
        } else if (m.destination.starts_with("/dev/")) {
            c.warn(path + ".destination",
                   "Docker's /dev/ filter drops mounts under /dev/ that come from the config "
                   "(with any default mount at the same place, and skips the next mount's check)");
        }
        c.settable(path, m.settable, "source", "a mount");
        const bool settable_source = contains(m.settable, "source");
        if (!m.source) {
            c.error(path + ".source",
                    "is null: Docker cannot enable the plugin (\"mount source is not specified\") "
                    "and `plugin set` cannot fill it");
        } else if (m.source->empty()) {
            c.warn(path + ".source",
                   std::string("is empty: runc resolves it against the bundle directory, which "
                               "gets bind-mounted at ") +
                       m.destination +
                       (settable_source ? "; set it with `plugin set " + m.name + ".source=...`"
                                        : ""));
        } else if (contains_nul(*m.source)) {
            c.error(path + ".source", "must not contain a NUL byte");
        }
        const bool binds = contains(m.options, "bind") || contains(m.options, "rbind");
        if (m.type == "bind" && !binds) {
            c.warn(path + ".options",
                   "type \"bind\" without a \"bind\" or \"rbind\" option: runc passes \"bind\" "
                   "to mount(2) as a filesystem type and fails with ENODEV");
        }
    }
}

void check_linux(Checker& c, const PluginLinux& l) {
    for (std::size_t k = 0; k < l.capabilities.size(); ++k) {
        if (!capability_number(l.capabilities[k])) {
            c.error(gojson::element_path("linux.capabilities", k), "unknown capability \"" +
                                                                       l.capabilities[k] +
                                                                       "\" (expected a name like "
                                                                       "CAP_SYS_ADMIN)");
        }
    }
    for (std::size_t k = 0; k < l.devices.size(); ++k) {
        const PluginDevice& d = l.devices[k];
        const std::string path = gojson::element_path("linux.devices", k);
        c.settable(path, d.settable, "path", "a device");
        if (!d.path) {
            c.error(path + ".path", "is null (Docker dereferences it and fails)");
        } else if (!d.path->starts_with("/dev/") || has_dotdot_component(*d.path) ||
                   contains_nul(*d.path)) {
            c.error(path + ".path", "must be a path under /dev/ without '..'");
        }
    }
}

}  // namespace

PluginInterfaceType parse_plugin_interface_type(std::string_view text) {
    PluginInterfaceType t;
    const std::size_t slash = text.find('/');
    const std::string_view head = text.substr(0, slash);
    if (slash != std::string_view::npos) t.version = std::string(text.substr(slash + 1));
    if (const std::size_t dot = head.rfind('.'); dot != std::string_view::npos) {
        t.prefix = std::string(head.substr(0, dot));
        t.capability = std::string(head.substr(dot + 1));
    } else {
        t.capability = std::string(head);
    }
    return t;
}

std::string PluginInterfaceType::to_string() const {
    return prefix + "." + capability + "/" + version;
}

PluginConfig plugin_config_from_json(const Json& document) {
    PluginConfig config;
    decode_config(document, config);
    return config;
}

PluginConfig parse_plugin_config(std::string_view text) {
    return plugin_config_from_json(gojson::parse_keeping_duplicates(text));
}

PluginConfigReport validate_plugin_config(const PluginConfig& config,
                                          const PluginValidationOptions& options) {
    Checker c;
    check_interface(c, config.interface, options);
    if (config.entrypoint.empty()) {
        c.error("entrypoint", "must not be empty (it is the plugin's command)");
    } else if (config.entrypoint.front().empty()) {
        c.error("entrypoint[0]", "must not be empty");
    }
    if (config.user.uid != 0 || config.user.gid != 0) {
        c.warn("user", "ignored by Docker: plugins always run as uid 0, gid 0");
    }
    if (!config.network.type.empty() && config.network.type != "host" &&
        config.network.type != "bridge" && config.network.type != "none") {
        c.warn("network.type", "\"" + config.network.type +
                                   "\" is treated like \"none\": a private netns with only lo");
    }
    check_mounts(c, config.mounts);
    for (std::size_t k = 0; k < config.env.size(); ++k) {
        const PluginEnv& e = config.env[k];
        const std::string path = gojson::element_path("env", k);
        c.settable(path, e.settable, "value", "an env entry");
        if (e.name.empty()) {
            c.error(path + ".name", "must not be empty");
        } else if (e.name == "PATH") {
            c.warn(path + ".name",
                   "PATH is set by Docker first; this entry adds a second PATH, and runc keeps "
                   "the last one");
        }
    }
    c.settable("args", config.args.settable, "value", "args");
    check_linux(c, config.linux);
    if (!config.propagated_mount.empty()) {
        if (auto problem = contained_path_problem(config.propagated_mount); !problem.empty()) {
            c.error("propagatedMount", problem);
        }
    }
    return std::move(c.report);
}

void throw_if_invalid(const PluginConfigReport& report) {
    if (!report.errors.empty()) throw ValidationError(report.errors);
}

}  // namespace plugrt::oci
