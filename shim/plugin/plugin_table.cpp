#include "shim/plugin/plugin_table.hpp"

#include <algorithm>
#include <array>

#include "shim/plugin/go_quote.hpp"

namespace plugrt::shim {
namespace {

constexpr std::size_t kMinCellWidth = 10;
constexpr std::size_t kPadding = 3;
constexpr std::size_t kDescriptionWidth = 45;

// tabwriter measures cells in code points (utf8.RuneCount).
std::size_t code_points(std::string_view text) {
    std::size_t count = 0;
    while (!text.empty()) {
        text.remove_prefix(decode_utf8_rune(text).width);
        ++count;
    }
    return count;
}

std::string without_newlines(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c != '\n' && c != '\r') out += c;
    }
    return out;
}

}  // namespace

std::string ellipsis(std::string_view text, std::size_t max_width) {
    if (code_points(text) <= max_width) return std::string(text);
    if (max_width == 0) return "";
    std::string out;
    for (std::size_t kept = 0; kept + 1 < max_width; ++kept) {
        const std::size_t width = decode_utf8_rune(text).width;
        out.append(text.substr(0, width));
        text.remove_prefix(width);
    }
    return out + "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS
}

std::string format_plugin_table(const std::vector<PluginRecord>& records, bool no_trunc) {
    using Row = std::array<std::string, 4>;
    std::vector<Row> rows{{"ID", "NAME", "DESCRIPTION", "ENABLED"}};
    for (const PluginRecord& r : records) {
        const std::string description = without_newlines(r.description);
        rows.push_back({no_trunc ? r.id : r.id.substr(0, 12), r.name,
                        no_trunc ? description : ellipsis(description, kDescriptionWidth),
                        r.enabled ? "true" : "false"});
    }
    std::array<std::size_t, 3> widths{};
    for (const Row& row : rows) {
        for (std::size_t column = 0; column < widths.size(); ++column) {
            widths[column] =
                std::max({widths[column], kMinCellWidth, code_points(row[column]) + kPadding});
        }
    }
    std::string out;
    for (const Row& row : rows) {
        for (std::size_t column = 0; column < widths.size(); ++column) {
            out += row[column];
            out.append(widths[column] - code_points(row[column]), ' ');
        }
        out += row[3];
        out += '\n';
    }
    return out;
}

}  // namespace plugrt::shim
