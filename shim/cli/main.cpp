// plugrt: entry point. Parses the global flags, dispatches to the registered subcommands and is
// the single place where errors become a log line, a stderr line and an exit status.
#include <cstdio>
#include <exception>
#include <iostream>

#include "shim/cli/command.hpp"

int main(int argc, char** argv) {
    using namespace plugrt::cli;
    CLI::App app{"plugrt: an OCI runtime for Docker managed plugins", "plugrt"};
    GlobalOptions globals;
    app.add_option("--root", globals.root, "Directory for container state");
    app.add_option("--log", globals.log, "Log file (default: stderr)");
    app.add_option("--log-format", globals.log_format, "Log format: text or json")
        ->check(CLI::IsMember({"text", "json"}));
    app.add_flag("--debug", globals.debug, "Log debug messages");
    app.add_flag("--systemd-cgroup", globals.systemd_cgroup, "Use systemd for cgroups");
    app.require_subcommand(0, 1);
    for (auto reg : registrars()) {
        reg(app, globals);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const ExitStatus& s) {
        return s.code;
    } catch (const std::exception& e) {
        std::cerr << "plugrt: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
