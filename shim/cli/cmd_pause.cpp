// `plugrt pause ID` / `plugrt resume ID`: freeze and thaw the container's cgroup
// (runtime-cli-contract §1.2 pause/resume); `state` and `list` then report "paused".
#include <memory>

#include "runtime/container.hpp"
#include "runtime/error.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

void register_pause(CLI::App& app, GlobalOptions& globals) {
    auto id = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("pause", "Suspend every process of a container (freezer)");
    sub->add_option("id", *id, "Container id")->required();
    sub->callback([id, &globals] {
        try {
            StateStore store(globals.root);
            pause_container(store, *id);
        } catch (Error& e) {
            e.with_context("container " + *id + ": pause");
            throw;
        }
    });
}

void register_resume(CLI::App& app, GlobalOptions& globals) {
    auto id = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("resume", "Resume a paused container");
    sub->add_option("id", *id, "Container id")->required();
    sub->callback([id, &globals] {
        try {
            StateStore store(globals.root);
            resume_container(store, *id);
        } catch (Error& e) {
            e.with_context("container " + *id + ": resume");
            throw;
        }
    });
}

}  // namespace

PLUGRT_COMMAND("pause", register_pause);
PLUGRT_COMMAND("resume", register_resume);

}  // namespace plugrt::cli
