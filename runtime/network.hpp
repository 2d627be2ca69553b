// Networking inside a new network namespace. The kernel creates "lo" down in every new netns;
// runc brings it up through its loopback strategy (libcontainer/network_linux.go), and plugins
// that listen on 127.0.0.1 rely on it.
#pragma once

namespace plugrt {

// Child, in its new netns: sets IFF_UP on "lo" (SIOCGIFFLAGS/SIOCSIFFLAGS, netdevice(7)).
void bring_up_loopback();

}  // namespace plugrt
