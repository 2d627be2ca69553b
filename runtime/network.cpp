#include "runtime/network.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

void bring_up_loopback() {
    // Any socket will do for the interface ioctls; a datagram socket needs no further setup.
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) {
        throw_errno("socket AF_INET for configuring lo");
    }
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) {
        throw_errno("ioctl SIOCGIFFLAGS lo");
    }
    if ((ifr.ifr_flags & IFF_UP) != 0) {
        return;
    }
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) {
        throw_errno("ioctl SIOCSIFFLAGS lo up");
    }
}

}  // namespace plugrt
