// Identity and privileges of the container process, in runc's finalizeNamespace order
// (libcontainer/init_linux.go), child side, after the rootfs is final:
//   1. drop the bounding set (needs CAP_SETPCAP, which the uid switch may take away);
//   2. PR_SET_KEEPCAPS 1, so permitted survives the switch away from uid 0 (capabilities(7),
//      "Effect of user ID changes on capabilities");
//   3. setgroups, setresgid, setresuid (user.hpp);
//   4. PR_SET_KEEPCAPS 0;
//   5. capset effective/permitted/inheritable, then the ambient set;
//   6. umask.
#pragma once

#include "oci/spec.hpp"

namespace plugrt {

void apply_credentials(const oci::Process& process);

}  // namespace plugrt
