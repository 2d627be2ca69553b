// The parent (R, `plugrt create`) ↔ container init (I) handshake over one
// socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC). SEQPACKET keeps message boundaries and
// reports EOF when the peer is gone, so a crashed init is never waited on forever.
//
//   R (plugrt create)                                I (container init)
//   ─────────────────                                ──────────────────
//   clone3(CLONE_NEW*, CLONE_PIDFD) ───────────────▶ PDEATHSIG, wait for Go
//   unified cgroup: born in it, or add pid; id maps
//   Go ──────────────────────────────────────────▶  namespaces, hostname, lo, mounts ...
//   v1 cgroups: mkdir, limits (while I mounts)
//   CgroupsReady + v1 tasks fds ─────────────────▶  ... before the first cgroup mount: enter
//                                                     the v1 cgroups (write 0 to each), then
//                                                     the rest of the mounts, /dev
//                                 ◀────────────────  HooksPlease          (only with hooks)
//   prestart + createRuntime hooks
//   HooksDone ───────────────────────────────────▶  createContainer hooks, pivot_root, sysctl,
//                                                     masked/ro paths, rlimits, exec lookup
//                                 ◀────────────────  Ready
//   write state.json + --pid-file
//   Run ─────────────────────────────────────────▶  seccomp (no NNP), caps + user, chdir
//                                 ◀────────────────  Done, close
//   release the rollback guards, exit 0               block on exec.fifo until `plugrt start`
//
// Without v1 hierarchies (a unified host), or with a cgroup namespace, there is no
// CgroupsReady: R makes every cgroup before the clone and I enters them right after Go
// (container_create.cpp, v1_cgroups_after_clone).
//
// `plugrt run` sends RunAndStart instead of Run: after Done the init goes straight on to its
// startContainer hooks and execve (there is no exec.fifo for `run`). The init then keeps its
// end open until execve closes it (CLOEXEC), so that R, when there are poststart hooks, can
// wait for the EOF that says "the program has been executed".
//
// Any step of I may instead send Error {kind, errno, message} and _exit(1): R rethrows it with
// the container id (crun container.c:1257-1270; runc's initError, sync.go:80-88). EOF where a
// message was expected means I died; R then reports its exit status.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

// RunAndStart is Run for `plugrt run`: the init does not wait on exec.fifo afterwards.
enum class SyncMessage : uint32_t {
    Go = 1,
    HooksPlease,
    HooksDone,
    Ready,
    Run,
    Done,
    Error,
    RunAndStart,
    CgroupsReady
};

const char* sync_message_name(SyncMessage m) noexcept;

// An error that happened in the container init, re-thrown in the parent with the init's errno.
class ChildError : public Error {
public:
    ChildError(const std::string& message, int err) : Error(Kind::Child, message, err) {}
};

// Thrown by receive() when the peer closed the socket instead of sending.
class PeerGone : public Error {
public:
    explicit PeerGone(const std::string& message) : Error(Kind::Child, message) {}
};

class SyncChannel {
public:
    // Both ends, CLOEXEC: {parent's end, init's end}. After clone each side closes the other's
    // end, so that EOF on either means the peer is gone.
    static std::pair<SyncChannel, SyncChannel> make_pair();

    explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
    int fd() const noexcept { return fd_.get(); }
    void close() noexcept { fd_.reset(); }

    void send(SyncMessage m);
    // Error frame from the child; never throws (the init is already failing).
    void send_error(const std::string& message, int err) noexcept;

    // A message carrying fds (SCM_RIGHTS, at most kMaxFds) and a text; ours stay open.
    static constexpr size_t kMaxFds = 32;
    void send_with_fds(SyncMessage m, const std::vector<int>& fds, const std::string& text);
    struct WithFds {
        std::vector<UniqueFd> fds;  // CLOEXEC
        std::string text;
    };
    // expect() for a message sent with send_with_fds.
    WithFds expect_with_fds(SyncMessage expected);

    // Receives one message. An Error frame is thrown as ChildError; EOF as PeerGone.
    SyncMessage receive();
    // receive() that also checks the message is `expected`.
    void expect(SyncMessage expected);
    // Blocks until the peer's end is closed (EOF); a message instead is a protocol error.
    void await_close();

private:
    UniqueFd fd_;
};

}  // namespace plugrt
