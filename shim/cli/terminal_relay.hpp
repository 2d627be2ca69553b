// Foreground `run` and `exec` with a terminal but no engine to take the pty (no
// --console-socket), as runc does in tty.go: plugrt keeps the master and joins it to its own
// stdio, so `plugrt exec -t ID sh` is an interactive shell in the container.
//  - stdin goes to the master, the master's output to stdout, until the process has ended and
//    what it wrote is drained;
//  - a terminal on stdin is switched to raw mode meanwhile and restored afterwards: the
//    container's pty does the line discipline (echo, ^C as SIGINT to its foreground group);
//  - that terminal's window size is given to the pty at the start and after every SIGWINCH.
#pragma once

#include <sys/types.h>

#include "runtime/unique_fd.hpp"

namespace plugrt::cli {

// Relays until `pid` (our child, or one we are the subreaper of) has ended, reaps it and
// returns its exit status (128+signal when killed).
int relay_terminal(UniqueFd master, pid_t pid);

}  // namespace plugrt::cli
