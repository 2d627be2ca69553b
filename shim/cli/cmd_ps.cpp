// `plugrt ps [--format table|json] ID`: the host pids of the container's processes. containerd
// (`docker top`) uses `--format json` and parses a JSON array.
#include <cstdio>
#include <memory>

#include "runtime/container.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

struct PsArgs {
    std::string id;
    std::string format = "table";
};

void register_ps(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<PsArgs>();
    auto* sub = app.add_subcommand("ps", "List the processes of a container");
    sub->add_option("-f,--format", args->format, "table or json")
        ->check(CLI::IsMember({"table", "json"}));
    sub->add_option("id", args->id, "Container id")->required();
    sub->callback([args, &globals] {
        StateStore store(globals.root);
        std::vector<pid_t> pids = container_pids(store, args->id);
        if (args->format == "json") {
            std::printf("%s\n", nlohmann::json(pids).dump().c_str());
            return;
        }
        std::printf("PID\n");
        for (pid_t pid : pids) {
            std::printf("%d\n", pid);
        }
    });
}

}  // namespace

PLUGRT_COMMAND("ps", register_ps);

}  // namespace plugrt::cli
