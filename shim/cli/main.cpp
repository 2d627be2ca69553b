// plugrt: entry point. Parses the global flags, dispatches to the registered subcommands and is
// the single place where errors become a log line, a stderr line and an exit status.
//
// Engines call us like runc (runtime-cli-contract §1.1): global flags first, in any order,
// `--flag value` or `--flag=value`, sometimes runc's Go-style single-dash long forms
// (`-no-subreaper`, `-root`); unknown-but-harmless runc flags must be accepted.
#include <seccomp.h>

#include <cstdio>
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
    for (auto reg : registrars()) {
        reg(app, globals);
    }

    std::vector<std::string> args = normalize_runc_flags(argc, argv);
    std::vector<char*> cargs;
    for (auto& a : args) {
        cargs.push_back(a.data());
    }
    try {
        app.parse(static_cast<int>(cargs.size()), cargs.data());
        if (version) {
            print_version();
        } else if (app.get_subcommands().empty()) {
            std::cout << app.help();
        }
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Usage errors exit 1 like runc (whose "Incorrect Usage." also exits 1).
        configure_log();
        plugrt::log_error(std::string("incorrect usage: ") + e.what());
        return 1;
    } catch (const ExitStatus& s) {
        return s.code;
    } catch (const std::exception& e) {
        configure_log();
        plugrt::log_error(e.what());
        return 1;
    }
    return 0;
}
