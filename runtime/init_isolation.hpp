// The isolation modules the lifecycle calls (namespaces, network, rootfs, process limits,
// seccomp, credentials, cgroups), gathered in one include for init.cpp, spawn.cpp and the
// container commands. The modules themselves are owned by the isolation layer; the lifecycle
// only fixes *when* each is called (architecture §2).
#pragma once

#include "runtime/cgroups.hpp"
#include "runtime/credentials.hpp"
#include "runtime/namespaces.hpp"
#include "runtime/network.hpp"
#include "runtime/process_limits.hpp"
#include "runtime/rootfs.hpp"
#include "runtime/seccomp.hpp"
