// The create/start split (runc standard_init_linux.go:262-282, runtime-spec "start").
//
// `create` makes <state dir>/exec.fifo and passes an O_PATH fd of it to the init. Once set up,
// the init reopens that fd for writing through /proc/self/fd, which blocks until some process
// opens the fifo for reading: that is `start`. The fifo's existence therefore also means
// "created, not yet started" to `state`.
#pragma once

#include <string>

#include "runtime/unique_fd.hpp"

namespace plugrt {

inline constexpr const char* kExecFifoName = "exec.fifo";

// mkfifo <dir>/exec.fifo (0622) and return an O_PATH|O_CLOEXEC fd on it.
UniqueFd create_exec_fifo(const std::string& state_dir);

// Init side: blocks until `start` reads, writes one byte. The writing end stays open, O_CLOEXEC,
// so that execve closes it: the reader's EOF then says "the program has been executed" (runc
// keeps it open the same way). Returns 0 or an errno; does not allocate (it runs after the
// init's last report to the parent).
int wait_for_start(int fifo_opath_fd) noexcept;

enum class AwaitExec { No, Yes };

// `start` side: opens the fifo without blocking, waits until the init writes its byte or the
// init (`init_pidfd`) exits, then removes the fifo. With AwaitExec::Yes it then also waits for
// the fifo's EOF, i.e. for the init's execve (or its death), so that poststart hooks run after
// the program was executed, as the runtime-spec requires. Throws Error(WrongState) when the
// init died before it could be started.
void release_init(const std::string& state_dir, int init_pidfd, AwaitExec await_exec);

}  // namespace plugrt
