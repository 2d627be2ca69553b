// --console-socket (runc's protocol, runtime-cli-contract §1.4): the init allocates a pty from
// the container's own devpts, sends the master to the engine over the AF_UNIX socket as one
// SCM_RIGHTS message, and makes the slave its stdio and controlling terminal.
#pragma once

#include <string>

#include "oci/spec.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

// Parent side: connect to the engine's listening socket (path may exceed sun_path: it is then
// reached through /proc/self/fd of its directory). The engine accepts only after we exit.
UniqueFd connect_console_socket(const std::string& path);

// Whether the pty slave is also bind-mounted on the container's /dev/console: the init's
// terminal is (runc mountConsole), an exec'd process's is not (runc setns init).
enum class DevConsole { Mount, Leave };

// In the container's mount namespace, as a session leader without a terminal: open
// /dev/pts/ptmx, apply process.consoleSize, send the master (payload: the slave's name, like
// runc), dup the slave onto 0/1/2 and make it the controlling terminal. Closes `socket_fd`.
void setup_console(int socket_fd, const oci::Process& process, DevConsole dev_console);

// Sends one fd with a short non-empty payload; go-runc's recvFd wants exactly one SCM_RIGHTS
// cmsg with one fd.
void send_fd(int socket_fd, int fd, const std::string& payload);

// A console socket without an engine: a foreground `run`/`exec` with a terminal and no
// --console-socket keeps the master itself and relays it to its own stdio (runc tty.go).
// `sender` goes where a connected --console-socket would; the master arrives on `receiver`.
struct ConsoleSocketPair {
    UniqueFd sender;
    UniqueFd receiver;

    static ConsoleSocketPair make();
    // The master, once the process has sent it: by the time create or exec returns it has been
    // sent, so this does not wait. Throws when nothing arrived.
    UniqueFd take_master();
};

}  // namespace plugrt
