#include "shim/common/byte_size.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "runtime/error.hpp"

namespace plugrt::shim {
namespace {

[[noreturn]] void refuse(std::string_view text, std::string_view what) {
    throw Error(Error::Kind::Invalid, std::string(what) + ": \"" + std::string(text) +
                                          "\" is not a size (expected e.g. 67108864, 512m, 1g)");
}

}  // namespace

int64_t parse_byte_size(std::string_view text, std::string_view what) {
    if (text == "-1") {
        return -1;
    }
    size_t end = 0;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) != 0 ||
                                 (text[end] == '.' && end > 0))) {
        ++end;
    }
    double number = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, number);
    if (end == 0 || ec != std::errc() || ptr != text.data() + end) {
        refuse(text, what);
    }
    std::string_view unit = text.substr(end);
    if (unit.starts_with(' ')) {
        unit.remove_prefix(1);
    }
    double multiplier = 1;
    if (!unit.empty()) {
        const char* const kUnits = "kmgtp";
        const char* found = std::strchr(kUnits, std::tolower(static_cast<unsigned char>(unit[0])));
        if (found != nullptr && *found != '\0') {
            multiplier = std::pow(1024.0, static_cast<double>(found - kUnits + 1));
            unit.remove_prefix(1);
            if (!unit.empty() && (unit[0] == 'i' || unit[0] == 'I')) {
                unit.remove_prefix(1);
            }
        }
        if (!unit.empty() && (unit[0] == 'b' || unit[0] == 'B')) {
            unit.remove_prefix(1);
        }
        if (!unit.empty()) {
            refuse(text, what);
        }
    }
    const double bytes = number * multiplier;
    if (bytes >= 9.2e18) {
        refuse(text, what);
    }
    return static_cast<int64_t>(bytes);
}

}  // namespace plugrt::shim
