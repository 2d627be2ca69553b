// Go's string quoting, reproduced byte for byte, so plugin log lines look exactly like the ones
// dockerd writes (logrus quotes field values with fmt's %q, i.e. strconv.Quote).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace plugrt::shim {

// One step of Go's utf8.DecodeRuneInString: the code point at the start of `text` and how many
// bytes it used. Invalid or truncated sequences, overlong forms and surrogates decode as
// U+FFFD with width 1, as in Go. `text` must not be empty.
struct DecodedRune {
    char32_t rune;
    std::size_t width;
};
DecodedRune decode_utf8_rune(std::string_view text) noexcept;

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
bool go_is_print(char32_t rune) noexcept;

// strconv.Quote: double-quoted, with \a \b \f \n \r \t \v \\ \" escapes, other control
// characters as \xNN, other non-printable code points as \uNNNN or \UNNNNNNNN, and each byte of
// invalid UTF-8 as \xNN.
std::string go_quote(std::string_view text);

}  // namespace plugrt::shim
