// What extracting a plugin archive produced, and the interface the plugin store extracts
// through.
//
// The extraction itself (libarchive, shim/unpack/archive_extract.hpp) runs in the separate
// `plugrt-unpack` helper: `plugrt` is linked statically, which saves every runtime command the
// dynamic loader's work (about 0.5-0.9 ms, measured), and libarchive with its 14 shared
// dependencies cannot be part of a static binary. The store only sees this function type, so
// tests extract in-process.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace plugrt::shim {

struct ExtractReport {
    std::size_t entries = 0;            // entries written
    std::vector<std::string> skipped;   // device nodes that could not be created
    std::vector<std::string> warnings;  // libarchive warnings (e.g. an xattr not restored)
};

// Extracts the archive at the first path into the existing directory at the second; throws
// plugrt::Error naming the archive and the offending entry.
using ArchiveExtractor =
    std::function<ExtractReport(const std::string& archive_path, const std::string& dest_dir)>;

}  // namespace plugrt::shim
