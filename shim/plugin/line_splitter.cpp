#include "shim/plugin/line_splitter.hpp"

#include <stdexcept>

namespace plugrt::shim {
namespace {

bool is_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Length of the sequence a lead byte announces (1 for ASCII and for stray bytes).
std::size_t sequence_length(char c) noexcept {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0xF0 && b <= 0xF4) return 4;
    if (b >= 0xE0) return b <= 0xEF ? 3 : 1;
    if (b >= 0xC2) return 2;
    return 1;
}

std::string_view strip_trailing_cr(std::string_view line) noexcept {
    while (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    return line;
}

}  // namespace

std::size_t utf8_safe_cut(std::string_view text, std::size_t limit) noexcept {
    if (text.size() <= limit) {
        return text.size();
    }
    // Walk back over continuation bytes to the lead byte of the sequence that straddles the
    // limit; cut before it only if the sequence really would not fit.
    std::size_t lead = limit;
    while (lead > 0 && limit - lead < 3 && is_continuation(text[lead])) {
        --lead;
    }
    if (lead == limit || is_continuation(text[lead])) {
        return limit;  // the cut already falls on a boundary, or this is not UTF-8
    }
    if (lead + sequence_length(text[lead]) > limit && lead > 0) {
        return lead;
    }
    return limit;
}

LineSplitter::LineSplitter(std::size_t max_line) : max_line_(max_line) {
    if (max_line_ < 4) {
        throw std::invalid_argument("LineSplitter: max_line must be at least 4 bytes");
    }
}

void LineSplitter::feed(std::string_view bytes, const LineHandler& on_line) {
    pending_.append(bytes);
    std::size_t start = 0;
    for (;;) {
        const std::size_t newline = pending_.find('\n', start + scanned_);
        const std::size_t line_length =
            newline == std::string::npos ? pending_.size() - start : newline - start;
        // A complete line may use the whole limit (not counting the '\r's stripped from its
        // end); an unterminated one is cut as soon as it fills the limit.
        const bool too_long =
            newline == std::string::npos
                ? line_length >= max_line_
                : strip_trailing_cr({pending_.data() + start, line_length}).size() > max_line_;
        if (too_long) {
            // Over-long line: hand out a chunk now rather than wait for its end.
            const std::string_view rest(pending_.data() + start, pending_.size() - start);
            const std::size_t cut = utf8_safe_cut(rest, max_line_);
            on_line(rest.substr(0, cut));
            start += cut;
            scanned_ = 0;
            continue;
        }
        if (newline == std::string::npos) {
            scanned_ = pending_.size() - start;
            break;
        }
        on_line(strip_trailing_cr(std::string_view(pending_.data() + start, line_length)));
        start = newline + 1;
        scanned_ = 0;
    }
    pending_.erase(0, start);
}

void LineSplitter::finish(const LineHandler& on_line) {
    if (!pending_.empty()) {
        on_line(strip_trailing_cr(pending_));
    }
    pending_.clear();
    scanned_ = 0;
}

}  // namespace plugrt::shim
