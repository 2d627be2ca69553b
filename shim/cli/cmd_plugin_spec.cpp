// `plugrt plugin spec DIR`: print the OCI spec Docker would run for the plugin in DIR.
//
// DIR holds the plugin's config.json (and normally rootfs/). The spec is built exactly as
// dockerd's InitSpec builds it, from the config, the settings given with --set and the host's
// device nodes, so the output can be diffed against what Docker runs.
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "oci/plugin_spec.hpp"
#include "runtime/host_lookup_linux.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

// Used when DIR's name is not a plugin id. Docker ids are random, so no value is "right";
// a fixed one keeps the output reproducible and obviously a placeholder.
const std::string kPlaceholderId(64, '0');

struct PluginSpecArgs {
    std::string dir;
    std::string id;
    std::vector<std::string> sets;
    std::string profile = "docker-20.10";
    std::string docker_root = "/var/lib/docker";
    std::string plugins_run_dir = "/run/docker/plugins";
    std::string exec_root = "/run/docker";
    std::string output;
};

std::string default_id(const std::string& dir) {
    std::string trimmed = dir;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    const std::string base = trimmed.substr(trimmed.find_last_of('/') + 1);
    return oci::is_plugin_id(base) ? base : kPlaceholderId;
}

std::string read_config(const std::string& dir) {
    const std::string path = dir + "/config.json";
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw std::runtime_error(path +
                                 ": no such file (DIR must contain the plugin's config.json)");
    }
    if (!S_ISREG(st.st_mode)) {
        throw std::runtime_error(path + ": not a regular file");
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) throw std::runtime_error(path + ": cannot be read");
    return text.str();
}

void print_warnings(const std::vector<oci::Issue>& warnings) {
    for (const auto& w : warnings) {
        std::cerr << "plugrt: warning: " << (w.path.empty() ? "" : w.path + ": ") << w.message
                  << "\n";
    }
}

void run(const PluginSpecArgs& args) {
    const auto profile = oci::docker_profile_from_name(args.profile);
    if (!profile) throw std::runtime_error("--profile: unknown profile \"" + args.profile + "\"");
    oci::PluginConfig config;
    try {
        config = oci::parse_plugin_config(read_config(args.dir));
    } catch (const oci::ParseError& e) {
        throw std::runtime_error(args.dir + "/config.json: " + e.what());
    }
    oci::PluginValidationOptions validation;
    validation.plugins_run_dir = args.plugins_run_dir;
    const auto report = oci::validate_plugin_config(config, validation);
    print_warnings(report.warnings);
    if (!report.ok()) {
        for (const auto& e : report.errors) {
            std::cerr << "plugrt: " << args.dir << "/config.json: " << e.path << ": " << e.message
                      << "\n";
        }
        throw ExitStatus{1};
    }
    oci::PluginSettings settings = oci::initial_plugin_settings(config);
    try {
        oci::apply_settings(config, settings, args.sets);
    } catch (const oci::SettingError& e) {
        throw std::runtime_error(std::string("--set: ") + e.what());
    }
    oci::PluginSpecOptions options;
    options.profile = *profile;
    options.plugin_id = args.id.empty() ? default_id(args.dir) : args.id;
    options.docker_root = args.docker_root;
    options.plugins_run_dir = args.plugins_run_dir;
    options.daemon_exec_root = args.exec_root;
    LinuxHostLookup host;
    const auto generated = oci::generate_plugin_spec(config, settings, options, host);
    print_warnings(generated.warnings);
    const std::string text = oci::dump_spec(generated.spec) + "\n";
    if (args.output.empty()) {
        std::cout << text;
    } else {
        std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) throw std::runtime_error("--output " + args.output + ": cannot write");
    }
}

void register_plugin_spec(CLI::App& app, GlobalOptions&) {
    auto args = std::make_shared<PluginSpecArgs>();
    auto* cmd = plugin_group(app).add_subcommand(
        "spec", "Print the OCI spec Docker would run for the plugin in DIR (DIR/config.json)");
    cmd->add_option("dir", args->dir, "Directory holding the plugin's config.json")->required();
    cmd->add_option("--id", args->id,
                    "Plugin id (64 hex digits). Default: DIR's name if it is such an id (as in "
                    "/var/lib/docker/plugins/<id>), otherwise the placeholder 000...0");
    cmd->add_option("--set", args->sets,
                    "NAME[.FIELD]=VALUE, like `docker plugin set` (repeatable, applied in order)")
        ->allow_extra_args(false);
    cmd->add_option("--profile", args->profile,
                    "docker-20.10 (default: Debian 12's docker.io is 20.10.24) or docker-newest "
                    "(docker v29.7.2)")
        ->check(CLI::IsMember({"docker-20.10", "docker-newest"}));
    cmd->add_option("--docker-root", args->docker_root,
                    "Docker's data root (rootfs: <root>/plugins/<id>/rootfs)");
    cmd->add_option("--plugins-run-dir", args->plugins_run_dir,
                    "Host directory of the plugins' socket dirs (<dir>/<id>)");
    cmd->add_option("--daemon-exec-root", args->exec_root,
                    "dockerd's exec root, for metrics.sock (metrics collector plugins)");
    cmd->add_option("--output", args->output, "Write the spec to FILE instead of stdout");
    cmd->callback([args] { run(*args); });
}

}  // namespace

PLUGRT_COMMAND("plugin", register_plugin_spec);

}  // namespace plugrt::cli
