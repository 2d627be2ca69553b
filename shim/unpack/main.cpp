// plugrt-unpack ARCHIVE DEST: extracts a plugin archive for `plugrt plugin create` (protocol in
// shim/plugin/unpack_helper.hpp). A separate, dynamically linked program because libarchive
// cannot be part of the statically linked plugrt (shim/plugin/extract_report.hpp).
#include <cstdio>
#include <exception>

#include "shim/plugin/unpack_helper.hpp"
#include "shim/unpack/archive_extract.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: plugrt-unpack ARCHIVE DEST\n");
        return 2;
    }
    try {
        const auto report = plugrt::shim::extract_archive(argv[1], argv[2]);
        std::printf("%s\n", plugrt::shim::report_to_json(report).c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
