// The container's new network namespace, made ahead of the init on a helper thread.
//
// Creating a network namespace is the most expensive single step of a container start: the
// kernel runs the init hook of every registered per-net subsystem (about 1 ms on a small VM),
// and bringing `lo` up takes the rtnl lock. None of that depends on anything create does
// before the clone (state dir, seccomp compile, cgroup dirs and limits), so a thread of the
// runtime makes the namespace meanwhile: unshare(CLONE_NEWNET) changes only that thread's
// namespaces, `lo` goes up there, and /proc/thread-self/ns/net is kept open. The init is then
// cloned without CLONE_NEWNET and setns()es into it as its first network step.
//
// Who owns the namespace is unchanged: both ways it belongs to the runtime's user namespace.
// With a new user namespace in the spec the network namespace must belong to *that* one, so
// it is left to the clone as before (applies() is false).
#pragma once

#include <exception>
#include <thread>

#include "oci/spec.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

class NetnsAhead {
public:
    // Whether `linux` asks for a new network namespace this can make: one without a path, and
    // no new user namespace.
    static bool applies(const oci::Linux& linux);

    NetnsAhead() = default;
    ~NetnsAhead();
    NetnsAhead(const NetnsAhead&) = delete;
    NetnsAhead& operator=(const NetnsAhead&) = delete;

    // Starts the helper thread.
    void start();
    // Waits for the thread; the namespace's fd (O_RDONLY|O_CLOEXEC), with `lo` up, or an empty
    // fd when start() was not called. Rethrows what failed on the thread. The process is
    // single-threaded again afterwards, which the clone of the init requires (it runs C++ code
    // without exec).
    UniqueFd take();

private:
    std::thread thread_;
    UniqueFd fd_;
    std::exception_ptr error_;
};

// Init: enters the namespace made ahead and closes the fd.
void enter_network_namespace(int fd);

}  // namespace plugrt
