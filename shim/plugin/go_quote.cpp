#include "shim/plugin/go_quote.hpp"

#include <algorithm>
#include <cstdint>

#include "shim/plugin/go_print_table.hpp"

namespace plugrt::shim {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr DecodedRune kInvalid{0xFFFD, 1};

bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0) == 0x80; }

void append_hex(std::string& out, std::uint32_t value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
        out += kLowerHex[(value >> shift) & 0xF];
    }
}

void append_utf8(std::string& out, std::string_view encoded) { out.append(encoded); }

}  // namespace

DecodedRune decode_utf8_rune(std::string_view text) noexcept {
    const auto b0 = static_cast<unsigned char>(text[0]);
    if (b0 < 0x80) {
        return {b0, 1};
    }
    // The second byte's allowed range depends on the first (Unicode table 3-7); that is what
    // rules out overlong forms, surrogates and code points above U+10FFFF.
    std::size_t width = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    char32_t rune = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        width = 2;
        rune = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        width = 3;
        rune = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        width = 4;
        rune = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return kInvalid;
    }
    if (text.size() < width) {
        return kInvalid;
    }
    const auto b1 = static_cast<unsigned char>(text[1]);
    if (b1 < lo || b1 > hi) {
        return kInvalid;
    }
    rune = (rune << 6) | (b1 & 0x3F);
    for (std::size_t i = 2; i < width; ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (!is_continuation(b)) {
            return kInvalid;
        }
        rune = (rune << 6) | (b & 0x3F);
    }
    return {rune, width};
}

bool go_is_print(char32_t rune) noexcept {
    const PrintRange* begin = kGoPrintRanges;
    const PrintRange* end = kGoPrintRanges + kGoPrintRangeCount;
    const PrintRange* it = std::upper_bound(
        begin, end, rune, [](char32_t r, const PrintRange& range) { return r < range.first; });
    return it != begin && rune <= (it - 1)->last;
}

std::string go_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    while (!text.empty()) {
        const DecodedRune decoded = decode_utf8_rune(text);
        const char32_t r = decoded.rune;
        const std::string_view encoded = text.substr(0, decoded.width);
        text.remove_prefix(decoded.width);
        if (r == 0xFFFD && decoded.width == 1) {
            // Invalid UTF-8: Go shows the raw byte rather than a replacement character.
            out += "\\x";
            append_hex(out, static_cast<unsigned char>(encoded[0]), 2);
            continue;
        }
        if (r == '"' || r == '\\') {
            out += '\\';
            out += static_cast<char>(r);
            continue;
        }
        if (go_is_print(r)) {
            append_utf8(out, encoded);
            continue;
        }
        switch (r) {
            case '\a':
                out += "\\a";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\v':
                out += "\\v";
                break;
            default:
                if (r < ' ' || r == 0x7F) {
                    out += "\\x";
                    append_hex(out, r, 2);
                } else if (r < 0x10000) {
                    out += "\\u";
                    append_hex(out, r, 4);
                } else {
                    out += "\\U";
                    append_hex(out, r, 8);
                }
        }
    }
    out += '"';
    return out;
}

}  // namespace plugrt::shim
