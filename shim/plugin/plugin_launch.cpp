#include "shim/plugin/plugin_launch.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "oci/errors.hpp"
#include "oci/plugin_config.hpp"
#include "oci/plugin_settings.hpp"
#include "oci/plugin_spec.hpp"
#include "runtime/error.hpp"
#include "runtime/host_lookup_linux.hpp"
#include "shim/plugin/plugin_host.hpp"
#include "shim/plugin/plugin_record.hpp"
#include "shim/plugin/plugin_store.hpp"
#include "shim/plugin/supervisor_status.hpp"

namespace plugrt::shim {
namespace fs = std::filesystem;
namespace {

bool looks_like_directory(const std::string& target) {
    if (target.find('/') != std::string::npos || target == "." || target == "..") return true;
    std::error_code ec;
    return fs::is_directory(target, ec) && fs::exists(fs::path(target) / "config.json", ec);
}

std::string issue_text(const oci::Issue& issue) {
    return (issue.path.empty() ? "" : issue.path + ": ") + issue.message;
}

struct Resolved {
    std::string id;
    std::string name;
    std::string plugin_dir;  // holds rootfs/ (and gets propagated-mount/)
    std::string config_json;
    std::vector<std::string> setting_args;
    bool from_store = false;
};

Resolved resolve(const LaunchRequest& request, const LaunchPaths& paths) {
    Resolved r;
    if (looks_like_directory(request.target)) {
        std::error_code ec;
        const fs::path dir = fs::absolute(request.target, ec).lexically_normal();
        std::string dir_text = dir.string();
        while (dir_text.size() > 1 && dir_text.back() == '/') dir_text.pop_back();
        const std::string config_path = dir_text + "/config.json";
        struct stat st {};
        if (::stat(config_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            throw Error(
                Error::Kind::NotFound,
                config_path + ": no such file (a plugin directory holds config.json and rootfs/)");
        }
        if (!fs::is_directory(dir_text + "/rootfs", ec)) {
            throw Error(Error::Kind::NotFound,
                        dir_text +
                            "/rootfs: no such directory (a plugin directory holds "
                            "config.json and rootfs/)");
        }
        r.config_json = read_text_file(config_path);
        r.plugin_dir = dir_text;
        r.name = fs::path(dir_text).filename().string();
        r.id = request.id.empty() ? plugin_id_for_directory(dir_text) : request.id;
        if (!oci::is_plugin_id(r.id)) {
            throw Error(Error::Kind::Invalid,
                        "--id: must be 64 lower-case hex digits, got \"" + r.id + "\"");
        }
        return r;
    }
    if (!request.id.empty()) {
        throw Error(Error::Kind::Invalid, "--id: only for a plugin directory; \"" + request.target +
                                              "\" is a stored plugin with its own id");
    }
    PluginStore store(paths.store_root);
    const PluginRecord record = store.find(request.target);
    r.id = record.id;
    r.name = record.name;
    r.plugin_dir = store.plugin_dir(record).string();
    r.config_json = read_text_file(r.plugin_dir + "/config.json");
    r.setting_args = record.setting_args;
    r.from_store = true;
    return r;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw_errno("write " + path);
}

}  // namespace

std::string plugin_id_for_directory(const std::string& absolute_dir) {
    const std::string base = fs::path(absolute_dir).filename().string();
    if (oci::is_plugin_id(base)) return base;
    // Four FNV-1a 64-bit hashes of the path with different seeds: not cryptographic, only a
    // stable name for a directory on this host.
    std::string id;
    for (std::uint64_t seed = 0; seed < 4; ++seed) {
        std::uint64_t h = 14695981039346656037ULL ^ (seed * 0x9e3779b97f4a7c15ULL);
        for (unsigned char c : absolute_dir) {
            h ^= c;
            h *= 1099511628211ULL;
        }
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
        id += hex;
    }
    return id;
}

std::string plugin_state_dir(const LaunchPaths& paths, const std::string& id) {
    return paths.state_root + "/" + id;
}

PreparedLaunch prepare_launch(const LaunchRequest& request, const LaunchPaths& paths) {
    const Resolved plugin = resolve(request, paths);
    PreparedLaunch launch;
    launch.from_store = plugin.from_store;
    const std::string config_file = plugin.plugin_dir + "/config.json";

    EffectivePlugin effective;
    try {
        std::vector<std::string> args = plugin.setting_args;
        args.insert(args.end(), request.sets.begin(), request.sets.end());
        effective = effective_plugin(plugin.config_json, args);
    } catch (const oci::ParseError& e) {
        throw Error(Error::Kind::Invalid, config_file + ": " + e.what());
    } catch (const oci::SettingError& e) {
        throw Error(Error::Kind::Invalid, std::string("--set: ") + e.what());
    }
    oci::PluginValidationOptions validation;
    validation.plugins_run_dir = paths.plugins_run_dir;
    const auto report = oci::validate_plugin_config(effective.config, validation);
    if (!report.ok()) {
        std::string text = config_file + ":";
        for (const auto& issue : report.errors) text += " " + issue_text(issue) + ";";
        text.pop_back();
        throw Error(Error::Kind::Invalid, text);
    }
    for (const auto& w : report.warnings) launch.warnings.push_back(issue_text(w));

    oci::PluginSpecOptions options;
    options.profile = request.profile;
    options.plugin_id = plugin.id;
    options.plugin_dir = plugin.plugin_dir;
    options.plugins_run_dir = paths.plugins_run_dir;
    LinuxHostLookup host;
    oci::GeneratedSpec generated;
    try {
        generated = oci::generate_plugin_spec(effective.config, effective.settings, options, host);
    } catch (const oci::ValidationError& e) {
        throw Error(Error::Kind::Invalid, config_file + ": " + e.what());
    } catch (const oci::HostLookupError& e) {
        throw Error(Error::Kind::Invalid, config_file + ": " + e.what());
    }
    for (const auto& w : generated.warnings) launch.warnings.push_back(issue_text(w));

    SupervisorConfig& c = launch.config;
    c.plugin_id = plugin.id;
    c.plugin_name = plugin.name;
    c.runtime = paths.runtime;
    c.runtime_root = paths.runtime_root;
    c.state_dir = plugin_state_dir(paths, plugin.id);
    c.bundle_dir = c.state_dir + "/bundle";
    c.socket_dir = oci::plugin_socket_dir(options);
    c.socket_path = c.socket_dir + "/" + effective.config.interface.socket;
    if (!effective.config.propagated_mount.empty()) {
        c.propagated_mount = oci::plugin_propagated_mount_dir(options);
    }
    for (const auto& type : effective.config.interface.types) {
        c.interface_types.push_back(type.to_string());
    }
    c.log_destination = request.log_destination.value_or(
        request.detached ? "file:" + c.state_dir + "/" + kPluginLogFile : "stderr");
    c.log_format = request.log_format;
    c.stop_timeout = request.stop_timeout;
    c.ready_timeout = request.ready_timeout;
    c.restart = request.restart;
    // Refuse the destination now rather than in the detached supervisor.
    (void)parse_log_destination(c.log_destination, c.log_format);

    if (const auto status = running_supervisor(c.state_dir)) {
        throw Error(Error::Kind::Exists, "plugin " + plugin.name + " (" + plugin.id.substr(0, 12) +
                                             ") is already running (supervisor pid " +
                                             std::to_string(status->supervisor_pid) + ")");
    }
    // An earlier run's logs stay (the log file is appended to); its bundle and status go.
    std::error_code ec;
    const bool existed = fs::exists(c.state_dir, ec);
    fs::remove_all(c.bundle_dir, ec);
    fs::remove(c.file(kSupervisorStatusFile), ec);
    fs::create_directories(c.bundle_dir, ec);
    if (ec) throw Error(Error::Kind::System, "mkdir " + c.bundle_dir + ": " + ec.message());
    ::chmod(c.state_dir.c_str(), 0700);
    try {
        write_text(c.bundle_dir + "/config.json", oci::dump_spec(generated.spec) + "\n");
        write_text(c.file(kSupervisorConfigFile), supervisor_config_to_json(c));
        prepare_plugin_host({plugin.plugin_dir + "/rootfs", c.socket_dir, c.propagated_mount});
    } catch (...) {
        if (existed) {
            fs::remove_all(c.bundle_dir, ec);
            fs::remove(c.file(kSupervisorConfigFile), ec);
        } else {
            fs::remove_all(c.state_dir, ec);
        }
        throw;
    }
    return launch;
}

void abandon_launch(const PreparedLaunch& launch) noexcept {
    teardown_plugin_host({"", launch.config.socket_dir, launch.config.propagated_mount});
    std::error_code ec;
    fs::remove_all(launch.config.state_dir, ec);
}

SupervisorConfig locate_supervised(const std::string& target, const LaunchPaths& paths) {
    auto load = [&](const std::string& id) -> std::optional<SupervisorConfig> {
        const std::string file = plugin_state_dir(paths, id) + "/" + kSupervisorConfigFile;
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) return std::nullopt;
        return supervisor_config_from_json(read_text_file(file), file);
    };
    if (looks_like_directory(target)) {
        std::error_code ec;
        std::string dir = fs::absolute(target, ec).lexically_normal().string();
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        if (auto c = load(plugin_id_for_directory(dir))) return *c;
    } else {
        try {
            const PluginRecord record = PluginStore(paths.store_root).find(target);
            if (auto c = load(record.id)) return *c;
            throw Error(Error::Kind::NotFound, "plugin " + record.name + " is not running");
        } catch (const Error& e) {
            if (e.kind() != Error::Kind::NotFound ||
                std::string(e.what()).find("is not running") != std::string::npos) {
                throw;
            }
        }
        std::error_code ec;
        std::vector<SupervisorConfig> matches;
        for (const auto& entry : fs::directory_iterator(paths.state_root, ec)) {
            const std::string id = entry.path().filename().string();
            if (!oci::is_plugin_id(id)) continue;
            auto c = load(id);
            if (!c) continue;
            if (id.rfind(target, 0) == 0 || c->plugin_name == target) matches.push_back(*c);
        }
        if (matches.size() == 1) return matches.front();
        if (matches.size() > 1) {
            throw Error(Error::Kind::Invalid, "\"" + target + "\" matches " +
                                                  std::to_string(matches.size()) +
                                                  " plugins; give more of the id");
        }
    }
    throw Error(Error::Kind::NotFound, "plugin \"" + target + "\" is not running");
}

}  // namespace plugrt::shim
