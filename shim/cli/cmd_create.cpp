// `plugrt create [flags] ID`: runc's create (runtime-cli-contract §1.2 create).
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "runtime/container.hpp"
#include "shim/cli/command.hpp"

namespace plugrt::cli {
namespace {

// Shared with `run`, which takes the same flags.
void add_create_flags(CLI::App& sub, CreateOptions& o) {
    sub.add_option("-b,--bundle", o.bundle_dir, "Bundle directory (default: current directory)");
    sub.add_option("--pid-file", o.pid_file, "Write the init's host pid here (no newline)");
    sub.add_option("--console-socket", o.console_socket, "AF_UNIX socket to send the pty master");
    sub.add_flag("--no-pivot", o.no_pivot, "Do not use pivot_root (ramdisk roots)");
    sub.add_flag("--no-new-keyring", o.no_new_keyring, "Keep the caller's session keyring");
    sub.add_option("--preserve-fds", o.preserve_fds, "Pass fds 3..3+N-1 to the container");
    sub.add_flag("--no-subreaper")->description("Accepted for runc compatibility");
    sub.add_option("id", o.id, "Container id")->required();
}

void register_create(CLI::App& app, GlobalOptions& globals) {
    auto options = std::make_shared<CreateOptions>();
    auto* sub = app.add_subcommand("create", "Create a container (parked before its program)");
    add_create_flags(*sub, *options);
    // go-runc may pass --detach; runc's create is always detached, so it means nothing here.
    sub->add_flag("-d,--detach")->description("Accepted and ignored: create is always detached");
    sub->callback([options, &globals] {
        options->systemd_cgroup = globals.systemd_cgroup;
        // systemd socket activation: fds meant for us (LISTEN_PID) go on to the container.
        options->listen_fds =
            listen_fds_from_env(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"), ::getpid());
        StateStore store(globals.root);
        create_container(store, *options);
    });
}

}  // namespace

PLUGRT_COMMAND("create", register_create);

}  // namespace plugrt::cli
