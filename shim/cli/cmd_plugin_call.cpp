// `plugrt plugin call NAME|ID|DIR METHOD [JSON]`: POSTs to a running plugin's socket with the
// headers dockerd sends and prints the answer: the curl example of Docker's plugin docs,
//   curl -H "Content-Type: application/json" -XPOST -d '{}'
//     --unix-socket /var/run/docker/plugins/<id>/<socket> http:/VolumeDriver.List
// without curl and without having to find the socket.
//
// The body goes to stdout; a non-2xx status is an error (exit 1) that shows the status and
// body, so scripts can tell a plugin's refusal from success.
#include <sys/stat.h>

#include <iostream>
#include <memory>

#include "runtime/error.hpp"
#include "shim/cli/plugin_options.hpp"
#include "shim/common/duration.hpp"
#include "shim/common/http_unix.hpp"

namespace plugrt::cli {
namespace {

struct CallArgs {
    PluginPathOptions paths;
    std::string target;
    std::string method;
    std::string body;
    std::string timeout = "30s";
    bool verbose = false;
};

// A socket path is called as it is, which is how plugins that dockerd runs are debugged
// (/run/docker/plugins/<id>/<socket>); anything else names a plugin plugrt supervises.
shim::SupervisorConfig target_of(const CallArgs& args, const GlobalOptions& globals) {
    struct stat st {};
    if (::stat(args.target.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
        shim::SupervisorConfig direct;
        direct.plugin_name = args.target;
        direct.socket_path = args.target;
        return direct;
    }
    return shim::locate_supervised(args.target, launch_paths(args.paths, globals));
}

void call(const CallArgs& args, const GlobalOptions& globals) {
    const auto config = target_of(args, globals);
    if (config.socket_path.empty()) {
        throw Error(Error::Kind::Invalid, "plugin " + config.plugin_name + " declares no socket");
    }
    const std::string path = args.method.front() == '/' ? args.method : "/" + args.method;
    shim::HttpOptions options;
    options.total_timeout = shim::parse_duration(args.timeout, "--timeout");
    if (args.verbose) {
        std::cerr << "> " << config.socket_path << "\n"
                  << shim::build_post_request(path, args.body, options);
    }
    const auto response = shim::http_post_unix(config.socket_path, path, args.body, options);
    if (args.verbose) std::cerr << "< HTTP " << response.status << "\n";
    std::cout << response.body;
    if (!response.body.empty() && response.body.back() != '\n') std::cout << "\n";
    std::cout.flush();
    if (response.status < 200 || response.status > 299) {
        std::cerr << "plugrt: " << config.plugin_name << ": POST " << path << " answered HTTP "
                  << response.status << "\n";
        throw ExitStatus{1};
    }
}

void register_plugin_call(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<CallArgs>();
    auto* cmd = plugin_group(app).add_subcommand(
        "call", "POST to a running plugin's socket like dockerd and print the answer");
    add_plugin_path_options(*cmd, args->paths);
    cmd->add_option("plugin", args->target,
                    "Name, id (prefix) or directory of the plugin, or a plugin socket's path")
        ->required();
    cmd->add_option("method", args->method, "e.g. VolumeDriver.List or Plugin.Activate")
        ->required();
    cmd->add_option("body", args->body, "JSON request body (default: empty)");
    cmd->add_option("--timeout", args->timeout, "Limit for the whole exchange")
        ->capture_default_str();
    cmd->add_flag("-v,--verbose", args->verbose, "Show the request and status on stderr");
    cmd->callback([args, &globals] { call(*args, globals); });
}

}  // namespace

PLUGRT_COMMAND("plugin", register_plugin_call);

}  // namespace plugrt::cli
