// Waits until a plugin's unix socket accepts connections, without polling on a fixed period.
//
// dockerd sleeps 500 ms and then dials every 3 s (four tries, ~12.5 s) and cannot tell a
// plugin that died from one that is slow. plugrt instead:
// - watches, with inotify, the deepest directory of the socket path that exists so far, and
//   moves the watch down as the directories appear (the socket dir /run/docker/plugins/<id>
//   may be created after the wait starts) or up when they are removed;
// - tries connect() whenever something changed in that directory (the plugin's bind() creates
//   the socket file, which raises IN_CREATE);
// - a socket file that exists but refuses connections (bound, not yet listening, or a stale
//   file from a previous run) raises no further inotify event when listen() is called, so that
//   one case is retried with a short exponential backoff (1 ms doubling up to 100 ms) while
//   the other events keep being watched;
// - polls `exit_fd` too (a pidfd of the plugin process, or the read end of a pipe the plugin
//   holds): when it becomes readable or hung up the plugin is gone and the wait ends at once.
#pragma once

#include <chrono>
#include <string>

namespace plugrt::shim {

struct SocketWaitResult {
    enum class Outcome { Connectable, TimedOut, ProcessExited };
    Outcome outcome = Outcome::TimedOut;
    bool socket_seen = false;  // the socket file existed at some point
    int last_connect_errno = 0;
    std::chrono::milliseconds elapsed{0};
};

// Throws SysError only for setup failures (inotify, poll); every plugin-side problem is a result.
SocketWaitResult wait_for_socket(const std::string& socket_path, std::chrono::milliseconds timeout,
                                 int exit_fd = -1);

// One connect() attempt: 0 when a listener answered (or its backlog is full), else the errno.
int try_connect_unix(const std::string& socket_path) noexcept;

}  // namespace plugrt::shim
