// `plugrt run [create flags] [--detach|-d] [--keep] ID`: create + start; in the foreground it
// waits for the container's init and exits with its status (128+signal when killed), then
// deletes the container unless --keep.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "runtime/container.hpp"
#include "runtime/error.hpp"
#include "runtime/exit_status.hpp"
#include "shim/cli/command.hpp"
#include "shim/cli/signal_forwarding.hpp"
#include "shim/cli/terminal_relay.hpp"

namespace plugrt::cli {
namespace {

struct RunArgs {
    CreateOptions create;
    bool detach = false;
    bool keep = false;
};

void register_run(CLI::App& app, GlobalOptions& globals) {
    auto args = std::make_shared<RunArgs>();
    auto* sub = app.add_subcommand("run", "Create and start a container");
    CreateOptions& o = args->create;
    sub->add_option("-b,--bundle", o.bundle_dir, "Bundle directory (default: current directory)");
    sub->add_option("--pid-file", o.pid_file, "Write the init's host pid here (no newline)");
    sub->add_option("--console-socket", o.console_socket, "AF_UNIX socket to send the pty master");
    sub->add_flag("--no-pivot", o.no_pivot, "Do not use pivot_root (ramdisk roots)");
    sub->add_flag("--no-new-keyring", o.no_new_keyring, "Keep the caller's session keyring");
    sub->add_option("--preserve-fds", o.preserve_fds, "Pass fds 3..3+N-1 to the container");
    sub->add_flag("--no-subreaper")->description("Accepted for runc compatibility");
    sub->add_flag("-d,--detach", args->detach, "Return once started");
    sub->add_flag("--keep", args->keep, "Do not delete the container after it exits");
    sub->add_option("id", o.id, "Container id")->required();
    sub->callback([args, &globals] {
        args->create.systemd_cgroup = globals.systemd_cgroup;
        // systemd socket activation: fds meant for us (LISTEN_PID) go on to the container.
        args->create.listen_fds =
            listen_fds_from_env(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"), ::getpid());
        const std::string& id = args->create.id;
        if (!args->detach && !args->create.console_socket.empty()) {
            // runc checkTerminal: the engine gets the pty only from a runtime that detaches.
            throw Error(Error::Kind::Invalid,
                        "container " + id + ": run: --console-socket needs --detach");
        }
        StateStore store(globals.root);
        // Created and started in one go: no exec.fifo round trip, no state reload.
        args->create.start = true;
        // In the foreground a terminal needs no engine: we relay it (terminal_relay.hpp).
        args->create.relay_terminal = !args->detach && args->create.console_socket.empty();
        CreatedContainer created = create_container(store, args->create);
        if (args->detach) {
            return;
        }
        const pid_t pid = created.pid;
        // The init is our own child (create cloned it from this process), so waitpid works.
        forward_signals_to(pid);
        int code = 0;
        try {
            code = created.terminal_master ? relay_terminal(std::move(created.terminal_master), pid)
                                           : wait_exit_status(pid);
        } catch (...) {
            if (!args->keep) {
                delete_container(store, id, true);  // kills what is left: nobody would reap it
            }
            throw;
        }
        if (!args->keep) {
            delete_after_run(store, id, created);
        }
        exit_process(code);  // not ExitStatus: the container is gone, nothing to unwind for
    });
}

}  // namespace

PLUGRT_COMMAND("run", register_run);

}  // namespace plugrt::cli
