// `plugrt delete [--force|-f] ID`.
#include <memory>

#include "runtime/container.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

struct DeleteArgs {
    std::string id;
    bool force = false;
};

void register_delete(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<DeleteArgs>();
    auto* sub = app.add_subcommand("delete", "Delete a container and what create made for it");
    sub->add_flag("-f,--force", args->force, "Kill a running container; unknown ids succeed");
    sub->add_option("id", args->id, "Container id")->required();
    sub->callback([args, &globals] {
        StateStore store(globals.root);
        delete_container(store, args->id, args->force);
    });
}

}  // namespace

PLUGRT_COMMAND("delete", register_delete);

}  // namespace plugrt::cli
