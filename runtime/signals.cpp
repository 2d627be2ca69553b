#include "runtime/signals.hpp"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "runtime/error.hpp"

namespace plugrt {

namespace {

[[noreturn]] void unknown(const std::string& text) {
    throw Error(Error::Kind::Invalid, "unknown signal \"" + text + "\"");
}

int parse_number(std::string_view digits, const std::string& text) {
    int value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
        unknown(text);
    }
    return value;
}

}  // namespace

int parse_signal(const std::string& text) {
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
        int sig = parse_number(text, text);
        if (sig < 1 || sig > 64) {
            unknown(text);
        }
        return sig;
    }
    std::string name = text;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (name.rfind("SIG", 0) == 0) {
        name.erase(0, 3);
    }
    // Realtime signals: RTMIN, RTMIN+n, RTMAX, RTMAX-n (glibc has no abbreviations for them).
    struct Realtime {
        const char* base;
        char sign;
        int value;
    };
    for (const Realtime& rt :
         {Realtime{"RTMIN", '+', SIGRTMIN}, Realtime{"RTMAX", '-', SIGRTMAX}}) {
        const char* base = rt.base;
        char sign = rt.sign;
        int value = rt.value;
        size_t len = std::strlen(base);
        if (name.compare(0, len, base) == 0) {
            int sig = value;
            if (name.size() > len) {
                if (name[len] != sign) {
                    unknown(text);
                }
                int offset = parse_number(std::string_view(name).substr(len + 1), text);
                sig = sign == '+' ? sig + offset : sig - offset;
            }
            if (sig < SIGRTMIN || sig > SIGRTMAX) {
                unknown(text);
            }
            return sig;
        }
    }
    for (int sig = 1; sig < SIGRTMIN; ++sig) {
        const char* abbrev = sigabbrev_np(sig);
        if (abbrev && name == abbrev) {
            return sig;
        }
    }
    unknown(text);
}

}  // namespace plugrt
