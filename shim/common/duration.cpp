#include "shim/common/duration.hpp"

#include <cmath>
#include <cstdio>

#include "runtime/error.hpp"

namespace plugrt::shim {
namespace {

// Milliseconds per unit; sub-millisecond units still parse so that "1500us" works.
double unit_ms(std::string_view unit) {
    if (unit == "ns") return 1e-6;
    if (unit == "us" || unit == "µs") return 1e-3;
    if (unit == "ms") return 1;
    if (unit == "s") return 1e3;
    if (unit == "m") return 60e3;
    if (unit == "h") return 3600e3;
    return -1;
}

[[noreturn]] void refuse(std::string_view text, std::string_view what) {
    throw Error(Error::Kind::Invalid, std::string(what) + ": \"" + std::string(text) +
                                          "\" is not a duration (expected e.g. 500ms, 10s, 1m30s)");
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what) {
    if (text == "0") return std::chrono::milliseconds{0};
    if (text.empty()) refuse(text, what);
    double total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t number_start = i;
        while (i < text.size() && (is_digit(text[i]) || text[i] == '.')) ++i;
        const std::string number(text.substr(number_start, i - number_start));
        if (number.empty() || number == "." || number.find('.') != number.rfind('.')) {
            refuse(text, what);
        }
        const std::size_t unit_start = i;
        while (i < text.size() && !is_digit(text[i]) && text[i] != '.') ++i;
        const double per_unit = unit_ms(text.substr(unit_start, i - unit_start));
        if (per_unit < 0) refuse(text, what);
        total += std::stod(number) * per_unit;
    }
    if (total > 1e12) refuse(text, what);  // centuries: a typo, and it would overflow timers
    return std::chrono::milliseconds{static_cast<long long>(std::llround(total))};
}

std::string format_duration(std::chrono::milliseconds duration) {
    const long long ms = duration.count();
    char buffer[64];
    if (ms < 1000) {
        std::snprintf(buffer, sizeof buffer, "%lldms", ms);
    } else if (ms < 60000) {
        if (ms % 1000 == 0) {
            std::snprintf(buffer, sizeof buffer, "%llds", ms / 1000);
        } else {
            std::snprintf(buffer, sizeof buffer, "%.3gs", static_cast<double>(ms) / 1000.0);
        }
    } else {
        const long long minutes = ms / 60000;
        const long long seconds = (ms % 60000) / 1000;
        if (seconds == 0) {
            std::snprintf(buffer, sizeof buffer, "%lldm", minutes);
        } else {
            std::snprintf(buffer, sizeof buffer, "%lldm%llds", minutes, seconds);
        }
    }
    return buffer;
}

}  // namespace plugrt::shim
