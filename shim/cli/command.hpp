// How subcommands join the `plugrt` CLI.
//
// Each cmd_*.cpp defines a registrar and declares it with PLUGRT_COMMAND(fn); main() calls all
// of them on the CLI11 app. Adding a command therefore touches one new file and nothing shared.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace plugrt::cli {

// runc's global flags. Engines pass them before the subcommand, in any order (see
// runtime-cli-contract §1.1), and later invocations of the same container may omit some.
struct GlobalOptions {
    std::string root = "/run/plugrt";
    std::string log;                  // empty: stderr
    std::string log_format = "text";  // text | json
    bool debug = false;
    bool systemd_cgroup = false;
};

// Thrown by a command that wants a specific exit status without printing an error
// (e.g. `run` returning the container's status).
struct ExitStatus {
    int code;
};

using Registrar = void (*)(CLI::App& app, GlobalOptions& globals);

std::vector<Registrar>& registrars();

struct CommandRegistration {
    explicit CommandRegistration(Registrar r) { registrars().push_back(r); }
};

#define PLUGRT_COMMAND(fn) \
    static const ::plugrt::cli::CommandRegistration plugrt_reg_##fn { fn }

// The `plugrt plugin ...` group, created on first use so plugin commands can live in many files.
CLI::App& plugin_group(CLI::App& app);

}  // namespace plugrt::cli
