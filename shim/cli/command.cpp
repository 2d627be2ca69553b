#include "shim/cli/command.hpp"

namespace plugrt::cli {

std::vector<Registrar>& registrars() {
    static std::vector<Registrar> all;
    return all;
}

CLI::App& plugin_group(CLI::App& app) {
    if (auto* existing = app.get_subcommand_no_throw("plugin")) {
        return *existing;
    }
    auto* group = app.add_subcommand("plugin", "Run, inspect and debug Docker managed plugins");
    group->require_subcommand(1);
    return *group;
}

}  // namespace plugrt::cli
