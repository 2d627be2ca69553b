// Go-style durations on the command line ("500ms", "10s", "1m30s", "2h"), the notation Docker
// and containerd users already type for timeouts.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace plugrt::shim {

// Accepts one or more <number><unit> terms with units ns, us, ms, s, m, h (a bare "0" too);
// fractions are allowed ("1.5s"). Throws Error(Invalid) naming `what` and the text otherwise,
// e.g. `--stop-timeout: "10" is not a duration (expected e.g. 500ms, 10s, 1m30s)`.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what);

// The shortest readable form: "250ms", "10s", "1m30s", "1.5s".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace plugrt::shim
