// How subcommands join the `plugrt` CLI.
//
// Each cmd_*.cpp defines a registrar and declares it with PLUGRT_COMMAND("name", fn), where name
// is the top-level word it adds ("run", "plugin"). Adding a command therefore touches one new
// file and nothing shared. main() calls only the registrars of the command named on the
// command line (all of them for help or a word it does not know), see main.cpp.
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

// Ends the process with `code` the way main does after any command: stdio flushed, then
// _Exit, with no unwinding and no teardown of the CLI tree or static objects (every command
// writes its files with write(2), so nothing is pending). For a command that is done on its
// hot path: a first exception costs an unwind through cold code (`run`: 0.1-0.2 ms).
[[noreturn]] void exit_process(int code);

using Registrar = void (*)(CLI::App& app, GlobalOptions& globals);

struct Registration {
    const char* name;  // the top-level subcommand the registrar adds
    Registrar add;
};

std::vector<Registration>& registrars();

struct CommandRegistration {
    CommandRegistration(const char* name, Registrar r) { registrars().push_back({name, r}); }
};

#define PLUGRT_COMMAND(name, fn) \
    static const ::plugrt::cli::CommandRegistration plugrt_reg_##fn { name, fn }

// The `plugrt plugin ...` group, created on first use so plugin commands can live in many files.
CLI::App& plugin_group(CLI::App& app);

}  // namespace plugrt::cli
