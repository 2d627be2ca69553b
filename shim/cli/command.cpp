#include "shim/cli/command.hpp"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>

namespace plugrt::cli {

std::vector<Registration>& registrars() {
    static std::vector<Registration> all;
    return all;
}

void exit_process(int code) {
    std::cout.flush();
    std::fflush(nullptr);
    std::_Exit(code);
}

CLI::App& plugin_group(CLI::App& app) {
    // CLI11 2.1 (Debian 12) has no get_subcommand_no_throw; get_subcommand throws when absent.
    for (auto* existing :
         app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "plugin"; })) {
        return *existing;
    }
    auto* group = app.add_subcommand("plugin", "Run, inspect and debug Docker managed plugins");
    group->require_subcommand(1);
    return *group;
}

}  // namespace plugrt::cli
