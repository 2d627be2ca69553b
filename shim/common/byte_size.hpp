// Memory sizes on the command line as Docker and runc users type them ("512m", "1g", "64MiB",
// "1048576"): docker/go-units RAMInBytes, which `runc update --memory` uses.
#pragma once

#include <cstdint>
#include <string_view>

namespace plugrt::shim {

// A number (fractions allowed), an optional space, an optional unit k, m, g, t or p (any case,
// powers of 1024), an optional "i" and an optional "b": "512m", "1.5G", "64 MiB", "100b".
// "-1" is -1 (no limit, as runc has it). Throws Error(Invalid) naming `what` and the text.
int64_t parse_byte_size(std::string_view text, std::string_view what);

}  // namespace plugrt::shim
