// `plugrt start ID`: release a created container's program.
#include <memory>

#include "runtime/container.hpp"
#include "runtime/error.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

void register_start(CLI::App& app, GlobalOptions& globals) {
    auto id = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("start", "Start a created container");
    sub->add_option("id", *id, "Container id")->required();
    sub->callback([id, &globals] {
        StateStore store(globals.root);
        try {
            start_container(store, *id);
        } catch (Error& e) {
            e.with_context("container " + *id + ": start");
            throw;
        }
    });
}

}  // namespace

PLUGRT_COMMAND("start", register_start);

}  // namespace plugrt::cli
