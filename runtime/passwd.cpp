#include "runtime/passwd.hpp"

#include <charconv>
#include <vector>

namespace plugrt {
namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (true) {
        size_t colon = line.find(':', start);
        fields.push_back(line.substr(start, colon - start));
        if (colon == std::string_view::npos) {
            return fields;
        }
        start = colon + 1;
    }
}

}  // namespace

std::optional<PasswdEntry> find_passwd_entry(std::string_view text, uint32_t uid) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        std::string_view line = text.substr(pos, end - pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        const auto fields = split_fields(line);
        if (fields.size() < 6) {
            continue;
        }
        uint32_t value = 0;
        const auto uid_field = fields[2];
        auto [ptr, ec] =
            std::from_chars(uid_field.data(), uid_field.data() + uid_field.size(), value);
        if (ec != std::errc() || ptr != uid_field.data() + uid_field.size() || uid_field.empty() ||
            value != uid) {
            continue;
        }
        return PasswdEntry{std::string(fields[0]), value, std::string(fields[5])};
    }
    return std::nullopt;
}

}  // namespace plugrt
