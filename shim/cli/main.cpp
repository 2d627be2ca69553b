// plugrt: entry point. Parses the global flags, dispatches to the registered subcommands and is
// the single place where errors become a log line, a stderr line and an exit status.
//
// Engines call us like runc (runtime-cli-contract §1.1): global flags first, in any order,
// `--flag value` or `--flag=value`, sometimes runc's Go-style single-dash long forms
// (`-no-subreaper`, `-root`); unknown-but-harmless runc flags must be accepted.
#include <seccomp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/runtime_log.hpp"
#include "shim/cli/build_info.hpp"
#include "shim/cli/command.hpp"

namespace {

// Long flags engines may spell with one dash (Go's flag package accepts both; go-runc sends
// `-no-subreaper` to restore). Only these are rewritten, so a container's own arguments after
// the id (`exec ID /bin/ls -la`) are never touched by accident.
const std::set<std::string> kRuncLongFlags = {
    "root",
    "log",
    "log-format",
    "debug",
    "systemd-cgroup",
    "rootless",
    "criu",
    "bundle",
    "pid-file",
    "console-socket",
    "no-pivot",
    "no-new-keyring",
    "preserve-fds",
    "detach",
    "no-subreaper",
    "keep",
    "force",
    "all",
    "format",
    "quiet",
    "process",
    "tty",
    "cwd",
    "env",
    "user",
    "cap",
    "additional-gids",
    "process-label",
    "apparmor",
    "no-new-privs",
    "ignore-paused",
    "pidfd-socket",
    "version",
    "help",
};

std::vector<std::string> normalize_runc_flags(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() > 2 && a[0] == '-' && a[1] != '-') {
            std::string name =
                a.substr(1, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 1);
            if (kRuncLongFlags.contains(name)) {
                args[i] = "-" + a;
            }
        }
    }
    return args;
}

// Global flags that take a separate value (`--root DIR`); the value is not the command word.
const std::set<std::string> kGlobalFlagsWithValue = {"--root", "--log", "--log-format",
                                                     "--rootless", "--criu"};

// The top-level command named on the (normalised) command line: the first word that is neither
// a global flag nor a global flag's value. "" when there is none.
std::string command_word(const std::vector<std::string>& args) {
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.empty() || a[0] != '-') {
            return a;
        }
        if (kGlobalFlagsWithValue.contains(a)) {
            ++i;
        }
    }
    return "";
}

// Building the option trees of all ~30 commands costs about 0.8 ms per invocation (measured:
// `plugrt --version` 2.8 -> 1.7 ms without them), a tenth of a whole `plugrt run`, and engines
// call us several times per container. So only the named command's registrars run; help, a
// missing or an unknown command get all of them, so CLI11's messages list every command.
void register_commands(CLI::App& app, plugrt::cli::GlobalOptions& globals,
                       const std::string& word) {
    const auto& all = plugrt::cli::registrars();
    const bool known =
        std::any_of(all.begin(), all.end(), [&](const auto& r) { return word == r.name; });
    for (const auto& r : all) {
        if (!known || word == r.name) {
            r.add(app, globals);
        }
    }
}

std::string libseccomp_version() {
    const scmp_version* v = seccomp_version();
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
           std::to_string(v->micro);
}

void print_version() {
    std::printf("plugrt version %s\ncommit: %s\nspec: %s\nlibseccomp: %s\n",
                plugrt::cli::build_version(), plugrt::cli::build_commit(),
                plugrt::oci::kRuntimeSpecVersion, libseccomp_version().c_str());
}

}  // namespace

int main(int argc, char** argv) {
    using namespace plugrt::cli;
    CLI::App app{"plugrt: an OCI runtime for Docker managed plugins", "plugrt"};
    GlobalOptions globals;
    std::string rootless, criu;
    bool version = false;
    bool log_configured = false;
    app.add_option("--root", globals.root, "Directory for container state (default /run/plugrt)");
    app.add_option("--log", globals.log, "Log file (default: stderr)");
    app.add_option("--log-format", globals.log_format, "Log format: text or json")
        ->check(CLI::IsMember({"text", "json"}));
    app.add_flag("--debug", globals.debug, "Log debug messages");
    app.add_flag("--systemd-cgroup", globals.systemd_cgroup, "Use systemd for cgroups");
    // Accepted for runc compatibility: go-runc sends --rootless=false, old containerd --criu.
    app.add_option("--rootless", rootless, "Accepted for runc compatibility (true|false|auto)");
    app.add_option("--criu", criu, "Accepted and ignored (runc compatibility)");
    app.add_flag("-v,--version", version, "Print the version");
    app.require_subcommand(0, 1);
    auto configure_log = [&] {
        if (!log_configured) {
            log_configured = true;
            plugrt::configure_runtime_log(
                globals.log,
                globals.log_format == "json" ? plugrt::LogFormat::Json : plugrt::LogFormat::Text,
                globals.debug);
        }
    };
    // Runs after all flags are parsed and before any subcommand's callback.
    app.parse_complete_callback(configure_log);
    std::vector<std::string> args = normalize_runc_flags(argc, argv);
    register_commands(app, globals, command_word(args));
    std::vector<char*> cargs;
    for (auto& a : args) {
        cargs.push_back(a.data());
    }
    int code = 0;
    try {
        app.parse(static_cast<int>(cargs.size()), cargs.data());
        if (version) {
            print_version();
        } else if (app.get_subcommands().empty()) {
            std::cout << app.help();
        }
    } catch (const CLI::CallForHelp& e) {
        code = app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        code = app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Usage errors exit 1 like runc (whose "Incorrect Usage." also exits 1).
        configure_log();
        plugrt::log_error(std::string("incorrect usage: ") + e.what());
        code = 1;
    } catch (const ExitStatus& s) {
        code = s.code;
    } catch (const std::exception& e) {
        configure_log();
        plugrt::log_error(e.what());
        code = 1;
    }
    // The process ends without tearing down the CLI tree or running static destructors: every
    // command has finished its work (logs and state files are written with write(2) and are
    // complete), and the teardown measured 0.3 ms, 3% of a whole `plugrt run`.
    exit_process(code);
}
