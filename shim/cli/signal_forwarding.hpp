// Foreground `run` and `exec` wait for a process in another session (it has its own, or a
// pty of its own). Signals a terminal or a supervisor sends to plugrt are passed on to it, as
// runc's signal handler does, so that ^C or a TERM reaches the program instead of killing
// only plugrt and leaving the program running, unreaped and, with a relayed terminal, the
// user's terminal in raw mode.
#pragma once

#include <sys/types.h>

namespace plugrt::cli {

// From now on SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 go to `pid` (SA_RESTART:
// the waits in progress carry on).
void forward_signals_to(pid_t pid);

}  // namespace plugrt::cli
