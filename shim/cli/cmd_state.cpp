// `plugrt state ID`: runc's state object on stdout, 2-space indented, no trailing newline
// (go-runc merges stderr into what it parses, so nothing else may be printed).
#include <cstdio>
#include <memory>

#include "runtime/container.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

void register_state(CLI::App& app, GlobalOptions& globals) {
    auto id = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("state", "Print the state of a container as JSON");
    sub->add_option("id", *id, "Container id")->required();
    sub->callback([id, &globals] {
        StateStore store(globals.root);
        std::string text = runc_state_json(load_container(store, *id)).dump(2);
        std::fwrite(text.data(), 1, text.size(), stdout);
    });
}

}  // namespace

PLUGRT_COMMAND("state", register_state);

}  // namespace plugrt::cli
