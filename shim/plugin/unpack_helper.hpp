// The ArchiveExtractor `plugrt` uses: the `plugrt-unpack` helper, installed next to plugrt
// (see extract_report.hpp for why extraction lives in another binary).
//
// Protocol: `plugrt-unpack ARCHIVE DEST`, stdin /dev/null, stdout and stderr one pipe. Exit 0:
// the output is the report as JSON {"entries":N,"skipped":[...],"warnings":[...]}. Otherwise
// the output is the error message, thrown here as it is.
#pragma once

#include <string>

#include "shim/plugin/extract_report.hpp"

namespace plugrt::shim {

ArchiveExtractor unpack_helper(std::string helper_path);

// The report's JSON form, shared by the helper and this client.
std::string report_to_json(const ExtractReport& report);
ExtractReport report_from_json(const std::string& text);

}  // namespace plugrt::shim
