// Signal names as engines pass them to `kill` (runtime-cli-contract §1.2 kill): containerd and
// podman send decimal numbers, runtime-tools names without "SIG"; Docker stop signals may be
// realtime (e.g. 37). runc's parseSignal accepts all of these, in any case.
#pragma once

#include <string>

namespace plugrt {

// "15", "TERM", "SIGTERM", "sigterm", "RTMIN+3", "SIGRTMAX-1" → signal number. Numbers must be
// 1..64. Throws Error(Invalid) "unknown signal \"X\"".
int parse_signal(const std::string& text);

}  // namespace plugrt
