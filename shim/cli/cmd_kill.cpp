// `plugrt kill [--all|-a] ID [SIGNAL]`; SIGNAL as a number or name, default SIGTERM.
#include <memory>

#include "runtime/container.hpp"
#include "runtime/signals.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

struct KillArgs {
    std::string id;
    std::string signal = "SIGTERM";
    bool all = false;
};

void register_kill(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<KillArgs>();
    auto* sub = app.add_subcommand("kill", "Send a signal to a container's init");
    sub->add_flag("-a,--all", args->all, "Signal every process in the container's cgroup");
    sub->add_option("id", args->id, "Container id")->required();
    sub->add_option("signal", args->signal, "Signal number or name (default SIGTERM)");
    sub->callback([args, &globals] {
        int sig = parse_signal(args->signal);
        StateStore store(globals.root);
        kill_container(store, args->id, sig, args->all);
    });
}

}  // namespace

PLUGRT_COMMAND("kill", register_kill);

}  // namespace plugrt::cli
