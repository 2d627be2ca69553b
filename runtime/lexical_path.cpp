#include "runtime/lexical_path.hpp"

#include <vector>

namespace plugrt {

std::string clean_path_lexically(std::string_view path) {
    const bool absolute = path.starts_with('/');
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        const size_t slash = path.find('/');
        const std::string_view part = path.substr(0, slash);
        path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
        if (part.empty() || part == ".") {
            continue;
        }
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (const auto part : parts) {
        if (!out.empty() || absolute) {
            out += '/';
        }
        out += part;
    }
    return out.empty() && absolute ? "/" : out;
}

}  // namespace plugrt
