// The store commands, shaped like docker's: `plugrt plugin create|ls|inspect|set|rm`.
// The store itself is shim/plugin/plugin_store.hpp; these only parse arguments and print.
//
// "Enabled" is what is true now, not what was last written: a plugin counts as enabled while
// its supervisor is alive, so `ls` never shows a crashed supervisor's plugin as running.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "runtime/error.hpp"
#include "shim/cli/plugin_options.hpp"
#include "shim/plugin/plugin_store.hpp"
#include "shim/plugin/plugin_table.hpp"
#include "shim/plugin/supervisor_config.hpp"
#include "shim/plugin/supervisor_status.hpp"
#include "shim/plugin/unpack_helper.hpp"

namespace plugrt::cli {
namespace {

struct StoreArgs {
    PluginPathOptions paths;
    std::string name;
    std::string source;
    std::string config_file;
    std::vector<std::string> settings;
    bool quiet = false;
    bool no_trunc = false;
    bool force = false;
};

std::optional<shim::SupervisorStatus> live_status(const PluginPathOptions& paths,
                                                  const std::string& id) {
    try {
        return shim::running_supervisor(paths.state + "/" + id);
    } catch (const Error&) {
        // A damaged status file means no supervisor we can talk to.
    }
    return std::nullopt;
}

void create(const StoreArgs& args) {
    // The extractor is only looked up when the source is an archive.
    shim::PluginStore store(args.paths.store,
                            [](const std::string& archive, const std::string& dest) {
                                return shim::unpack_helper(unpack_executable())(archive, dest);
                            });
    const auto result = store.create(
        args.name, args.source,
        args.config_file.empty() ? std::nullopt : std::optional<std::string>(args.config_file));
    for (const auto& w : result.warnings) std::cerr << "plugrt: warning: " << w << "\n";
    std::cout << result.record.name << "\n";
}

void list(const StoreArgs& args) {
    shim::PluginStore store(args.paths.store);
    auto records = store.list();
    for (auto& r : records) r.enabled = live_status(args.paths, r.id).has_value();
    if (args.quiet) {
        for (const auto& r : records)
            std::cout << (args.no_trunc ? r.id : r.id.substr(0, 12)) << "\n";
        return;
    }
    std::cout << shim::format_plugin_table(records, args.no_trunc);
}

void inspect(const StoreArgs& args) {
    shim::PluginStore store(args.paths.store);
    auto doc = store.inspect(args.name);
    const std::string id = doc.at("Id").get<std::string>();
    const auto status = live_status(args.paths, id);
    doc["Enabled"] = status.has_value();
    if (status) {
        doc["Status"] = {{"State", status->state},
                         {"SupervisorPid", status->supervisor_pid},
                         {"PluginPid", status->plugin_pid},
                         {"Restarts", status->restarts},
                         {"ReadyMs", status->ready_ms},
                         {"Message", status->message},
                         {"StateDir", args.paths.state + "/" + id}};
    }
    // docker plugin inspect prints a JSON array.
    std::cout << nlohmann::ordered_json::array({doc}).dump(4) << "\n";
}

void set(const StoreArgs& args) {
    shim::PluginStore store(args.paths.store);
    const auto record = store.find(args.name);
    if (live_status(args.paths, record.id)) {
        // Docker's wording for the same refusal.
        throw Error(Error::Kind::WrongState,
                    "cannot set on an active plugin, disable plugin before setting");
    }
    store.set_enabled(record.id, false);
    store.set(record.id, args.settings);
}

// The removed plugin's supervisor state (its logs and last status): Docker keeps nothing of a
// removed plugin, and a stale directory would still answer to the plugin's name in `plugin
// stop|logs|call`. Only the files a supervisor writes are removed, never recursively: if
// anything else is in there (a mount left by a crash), the directory stays and we say so.
void remove_supervisor_state(const std::string& state_dir) {
    for (const char* name :
         {shim::kSupervisorConfigFile, shim::kSupervisorStatusFile, shim::kSupervisorLogFile,
          shim::kRuntimeLogFile, shim::kPluginLogFile, "bundle/config.json"}) {
        ::unlink((state_dir + "/" + name).c_str());
    }
    ::rmdir((state_dir + "/bundle").c_str());
    if (::rmdir(state_dir.c_str()) != 0 && errno != ENOENT) {
        std::cerr << "plugrt: warning: left " << state_dir << ": " << std::strerror(errno) << "\n";
    }
}

void remove(const StoreArgs& args) {
    shim::PluginStore store(args.paths.store);
    const auto record = store.find(args.name);
    if (const auto status = live_status(args.paths, record.id)) {
        throw Error(Error::Kind::WrongState, "plugin " + record.name +
                                                 " is enabled; stop it first (plugrt plugin stop " +
                                                 record.name + ")");
    }
    // A stale "enabled" left by a supervisor that died is not a reason to refuse.
    store.set_enabled(record.id, false);
    store.remove(record.id, args.force);
    remove_supervisor_state(args.paths.state + "/" + record.id);
    std::cout << record.name << "\n";
}

void register_plugin_store(CLI::App& app, GlobalOptions&) {
    auto& group = plugin_group(app);

    auto c = std::make_shared<StoreArgs>();
    auto* create_cmd = group.add_subcommand(
        "create",
        "Add a plugin to the store from a directory (config.json + rootfs/), an archive "
        "of one, or --config FILE plus a rootfs directory or tarball");
    add_plugin_path_options(*create_cmd, c->paths);
    create_cmd->add_option("name", c->name, "Plugin name (\":latest\" is added without a tag)")
        ->required();
    create_cmd->add_option("source", c->source, "Directory, tar or tar.gz")->required();
    create_cmd->add_option("--config", c->config_file,
                           "config.json to use; SOURCE is then only the rootfs");
    create_cmd->callback([c] { create(*c); });

    auto l = std::make_shared<StoreArgs>();
    auto* ls_cmd = group.add_subcommand("ls", "List stored plugins like `docker plugin ls`");
    ls_cmd->alias("list");
    add_plugin_path_options(*ls_cmd, l->paths);
    ls_cmd->add_flag("-q,--quiet", l->quiet, "Only ids");
    ls_cmd->add_flag("--no-trunc", l->no_trunc, "Do not truncate ids and descriptions");
    ls_cmd->callback([l] { list(*l); });

    auto i = std::make_shared<StoreArgs>();
    auto* inspect_cmd =
        group.add_subcommand("inspect", "Show a stored plugin (docker's shape) and its status");
    add_plugin_path_options(*inspect_cmd, i->paths);
    inspect_cmd->add_option("plugin", i->name, "Name or id (prefix)")->required();
    inspect_cmd->callback([i] { inspect(*i); });

    auto s = std::make_shared<StoreArgs>();
    auto* set_cmd =
        group.add_subcommand("set", "Change a stopped plugin's settings like `docker plugin set`");
    add_plugin_path_options(*set_cmd, s->paths);
    set_cmd->add_option("plugin", s->name, "Name or id (prefix)")->required();
    set_cmd->add_option("settings", s->settings, "NAME[.FIELD]=VALUE ...")->required();
    set_cmd->callback([s] { set(*s); });

    auto r = std::make_shared<StoreArgs>();
    auto* rm_cmd = group.add_subcommand("rm", "Remove a stopped plugin from the store");
    rm_cmd->alias("remove");
    add_plugin_path_options(*rm_cmd, r->paths);
    rm_cmd->add_option("plugin", r->name, "Name or id (prefix)")->required();
    rm_cmd->add_flag("-f,--force", r->force, "Remove even if marked enabled");
    rm_cmd->callback([r] { remove(*r); });
}

}  // namespace

PLUGRT_COMMAND("plugin", register_plugin_store);

}  // namespace plugrt::cli
