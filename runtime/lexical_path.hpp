// Paths cleaned by their text alone, without asking the filesystem (Go's filepath.Clean, with
// runc utils.CleanPath's twist): "..", "." and repeated slashes go away, and ".." never climbs
// above the start, so a cleaned path stays inside whatever it is later joined to. Mount
// destinations, device paths and cgroup paths all go through it.
#pragma once

#include <string>
#include <string_view>

namespace plugrt {

// "../a//b/." -> "a/b", "/../x/" -> "/x", "/" -> "/", "" and "a/../.." -> "". Absolute stays
// absolute, relative stays relative.
std::string clean_path_lexically(std::string_view path);

}  // namespace plugrt
