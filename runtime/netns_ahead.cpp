#include "runtime/netns_ahead.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "runtime/error.hpp"
#include "runtime/network.hpp"

namespace plugrt {

bool NetnsAhead::applies(const oci::Linux& linux) {
    bool new_network = false;
    for (const auto& ns : linux.namespaces) {
        if (ns.type == "user" && ns.path.empty()) {
            return false;
        }
        new_network = new_network || (ns.type == "network" && ns.path.empty());
    }
    return new_network;
}

NetnsAhead::~NetnsAhead() {
    if (thread_.joinable()) {
        thread_.join();
    }
}

void NetnsAhead::start() {
    thread_ = std::thread([this] {
        try {
            if (::unshare(CLONE_NEWNET) != 0) {
                throw_errno("unshare(CLONE_NEWNET) for the container's network namespace");
            }
            bring_up_loopback();
            fd_ = UniqueFd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
            if (!fd_) {
                throw_errno("open /proc/thread-self/ns/net");
            }
        } catch (...) {
            error_ = std::current_exception();
        }
    });
}

UniqueFd NetnsAhead::take() {
    if (!thread_.joinable()) {
        return UniqueFd();  // not started: the clone makes the namespace, if any
    }
    thread_.join();
    if (error_) {
        std::rethrow_exception(error_);
    }
    return std::move(fd_);
}

void enter_network_namespace(int fd) {
    if (::setns(fd, CLONE_NEWNET) != 0) {
        throw_errno("setns into the container's network namespace");
    }
    ::close(fd);
}

}  // namespace plugrt
