// How `run` and `exec` report the end of a process they wait for: its exit status, or 128 plus
// the signal that killed it (the convention of runc and of shells).
#pragma once

#include <sys/types.h>

namespace plugrt {

// waitpid(pid) until it ends (EINTR retried); throws naming the pid on any other failure.
int wait_exit_status(pid_t pid);

// The status convention applied to a waitpid status word.
int exit_status_of(int wait_status);

}  // namespace plugrt
