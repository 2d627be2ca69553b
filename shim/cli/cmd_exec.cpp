// `plugrt exec [--process FILE | args] [--detach] [--pid-file F] ID [COMMAND...]`.
// Setup failures exit 255 like runc (exec.go fatalWithCode); otherwise the process's status,
// or 0 with --detach. A terminal goes to --console-socket (engines), or, in the foreground
// without one, is relayed to our own stdio (terminal_relay.hpp).
#include <signal.h>

#include <memory>
#include <optional>

#include "oci/errors.hpp"
#include "runtime/console.hpp"
#include "runtime/error.hpp"
#include "runtime/exec.hpp"
#include "runtime/exit_status.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/text_file.hpp"
#include "shim/cli/command.hpp"
#include "shim/cli/signal_forwarding.hpp"
#include "shim/cli/terminal_relay.hpp"

namespace plugrt::cli {
namespace {

struct ExecArgs {
    ExecOptions exec;
    std::string process_file;
    std::string console_socket;
    std::string cwd;
    std::string user;
    std::vector<std::string> env;
    std::vector<std::string> command;
    std::vector<std::string> caps;
    std::vector<uint32_t> additional_gids;
    bool tty = false;
    bool no_new_privs = false;
};

// A `process` object alone, read like a config.json (size and depth limits; a bad field named
// by its path).
oci::Process read_process_file(const std::string& path) {
    std::string text;
    try {
        text = read_text_file(path);
    } catch (Error& e) {
        e.with_context("--process");
        throw;
    }
    try {
        return oci::process_from_json(oci::parse_json_text(text));
    } catch (const oci::ParseError& e) {
        throw Error(Error::Kind::Invalid, "--process " + path + ": " + e.what());
    }
}

// runc's --user "uid[:gid]".
void apply_user(oci::Process& process, const std::string& user) {
    size_t colon = user.find(':');
    process.user.uid = static_cast<uint32_t>(std::stoul(user.substr(0, colon)));
    if (colon != std::string::npos) {
        process.user.gid = static_cast<uint32_t>(std::stoul(user.substr(colon + 1)));
    }
}

oci::Process build_process(const StateStore& store, const ExecArgs& a) {
    if (!a.process_file.empty()) {
        return read_process_file(a.process_file);  // runc ignores the other flags then
    }
    oci::Process process = container_process(store, a.exec.id);
    process.args = a.command;
    process.terminal = a.tty;
    process.env.insert(process.env.end(), a.env.begin(), a.env.end());
    if (!a.cwd.empty()) process.cwd = a.cwd;
    if (!a.user.empty()) apply_user(process, a.user);
    if (a.no_new_privs) process.no_new_privileges = true;
    process.user.additional_gids.insert(process.user.additional_gids.end(),
                                        a.additional_gids.begin(), a.additional_gids.end());
    if (!a.caps.empty()) {
        // runc exec --cap: bounding, effective and permitted; not inheritable or ambient, which
        // would hand the capability on across the program's own execs.
        if (!process.capabilities) process.capabilities.emplace();
        auto& caps = *process.capabilities;
        for (auto* set : {&caps.bounding, &caps.effective, &caps.permitted}) {
            if (!*set) set->emplace();
            (*set)->insert((*set)->end(), a.caps.begin(), a.caps.end());
        }
    }
    return process;
}

// runc checkTerminal: a pty needs someone to take it, and a console socket needs a pty to send
// and a caller that detaches (in the foreground the relay takes the pty).
void check_terminal(const ExecArgs& a) {
    const bool terminal = a.exec.process.terminal;
    if (terminal && a.exec.detach && a.console_socket.empty()) {
        throw Error(Error::Kind::Invalid,
                    "a terminal with --detach needs --console-socket to send the pty master to");
    }
    if (!a.console_socket.empty() && (!terminal || !a.exec.detach)) {
        throw Error(Error::Kind::Invalid,
                    "--console-socket needs a terminal (--tty or process.terminal) and --detach");
    }
}

int run_exec(const StateStore& store, ExecArgs& a) {
    check_terminal(a);
    UniqueFd console;
    std::optional<ConsoleSocketPair> relay;
    if (!a.console_socket.empty()) {
        console = connect_console_socket(a.console_socket);
        a.exec.console_fd = console.get();
    } else if (a.exec.process.terminal) {
        relay = ConsoleSocketPair::make();
        a.exec.console_fd = relay->sender.get();
    }
    const pid_t pid = start_exec_process(store, a.exec);
    if (a.exec.detach) {
        return 0;
    }
    forward_signals_to(pid);  // we are its subreaper; ^C must reach it, not only us
    if (!relay) {
        return wait_exit_status(pid);
    }
    try {
        return relay_terminal(relay->take_master(), pid);
    } catch (...) {
        ::kill(pid, SIGKILL);  // nobody else would reap it
        wait_exit_status(pid);
        throw;
    }
}

void register_exec(CLI::App& app, GlobalOptions& globals) {
    auto a = std::make_shared<ExecArgs>();
    auto* sub = app.add_subcommand("exec", "Run a process in a running container");
    sub->add_option("-p,--process", a->process_file, "File with an OCI process object");
    sub->add_flag("-d,--detach", a->exec.detach, "Return once the process runs");
    sub->add_option("--pid-file", a->exec.pid_file, "Write the process's host pid here");
    sub->add_option("--console-socket", a->console_socket, "AF_UNIX socket for the pty master");
    sub->add_flag("-t,--tty", a->tty,
                  "Allocate a pty: sent to --console-socket, or relayed to our stdio");
    sub->add_option("--cwd", a->cwd, "Working directory in the container");
    // Each repeatable option takes one value per use: left greedy, `-e A=1 ID CMD` would
    // swallow the id and the command as more environment.
    sub->add_option("-e,--env", a->env, "Extra KEY=VALUE environment")->allow_extra_args(false);
    sub->add_option("-u,--user", a->user, "uid[:gid]");
    sub->add_flag("--no-new-privs", a->no_new_privs, "Set no_new_privileges");
    sub->add_option("-c,--cap", a->caps, "Add a capability (CAP_NET_ADMIN) to the process")
        ->allow_extra_args(false);
    sub->add_option("-g,--additional-gids", a->additional_gids, "Add a supplementary group id")
        ->allow_extra_args(false);
    sub->add_flag("--ignore-paused", a->exec.ignore_paused,
                  "Exec even in a paused container (the process starts frozen)");
    sub->add_option("--preserve-fds", a->exec.preserve_fds, "Pass fds 3..3+N-1");
    sub->add_option("id", a->exec.id, "Container id")->required();
    sub->add_option("command", a->command, "Command and arguments");
    sub->positionals_at_end();
    sub->prefix_command();  // everything after the id belongs to the command (`ls -la`)
    sub->callback([a, sub, &globals] {
        try {
            for (const auto& extra : sub->remaining()) {
                a->command.push_back(extra);
            }
            StateStore store(globals.root);
            a->exec.process = build_process(store, *a);
            throw ExitStatus{run_exec(store, *a)};
        } catch (const ExitStatus&) {
            throw;
        } catch (std::exception& e) {
            log_error("container " + a->exec.id + ": exec: " + e.what());
            throw ExitStatus{255};
        }
    });
}

}  // namespace

PLUGRT_COMMAND("exec", register_exec);

}  // namespace plugrt::cli
