// `plugrt plugin ls` output, formatted like `docker plugin ls`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "shim/plugin/plugin_record.hpp"

namespace plugrt::shim {

// Columns ID (12 characters unless no_trunc), NAME, DESCRIPTION (newlines removed, cut to 45
// columns ending in "…" unless no_trunc), ENABLED, aligned as Go's tabwriter does with the
// docker CLI's settings: minimum cell width 10, padding 3, the last column unpadded.
std::string format_plugin_table(const std::vector<PluginRecord>& records, bool no_trunc = false);

// The docker CLI's Ellipsis: at most `max_width` code points, the last one "…" when cut.
std::string ellipsis(std::string_view text, std::size_t max_width);

}  // namespace plugrt::shim
