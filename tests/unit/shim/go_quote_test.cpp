#include "shim/plugin/go_quote.hpp"

#include <doctest/doctest.h>

#include <string>

using plugrt::shim::decode_utf8_rune;
using plugrt::shim::go_is_print;
using plugrt::shim::go_quote;

TEST_SUITE("shim/go_quote") {
    TEST_CASE("plain ASCII is wrapped in double quotes and left alone") {
        CHECK(go_quote("hello world") == "\"hello world\"");
        CHECK(go_quote("") == "\"\"");
    }

    TEST_CASE("quotes and backslashes are backslashed") {
        CHECK(go_quote(R"(a"b\c)") == R"("a\"b\\c")");
    }

    TEST_CASE("the seven C escapes use their short forms") {
        CHECK(go_quote("\a\b\f\n\r\t\v") == R"("\a\b\f\n\r\t\v")");
    }

    TEST_CASE("other control characters and DEL become \\x escapes") {
        CHECK(go_quote(std::string("\x00\x1b\x7f", 3)) == R"("\x00\x1b\x7f")");
    }

    TEST_CASE("printable non-ASCII code points are kept as UTF-8") {
        CHECK(go_quote("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
        CHECK(go_quote("\xF0\x9F\x98\x80") == "\"\xF0\x9F\x98\x80\"");  // U+1F600, a symbol
        CHECK(go_quote("\xEF\xBF\xBD") == "\"\xEF\xBF\xBD\"");          // a real U+FFFD
    }

    TEST_CASE("non-printable BMP code points become \\u escapes") {
        CHECK(go_quote("\xC2\xA0") == R"("\u00a0")");      // no-break space (Zs)
        CHECK(go_quote("\xC2\xAD") == R"("\u00ad")");      // soft hyphen (Cf)
        CHECK(go_quote("\xE2\x80\x8B") == R"("\u200b")");  // zero-width space (Cf)
        CHECK(go_quote("\xE2\x80\xA8") == R"("\u2028")");  // line separator (Zl)
        CHECK(go_quote("\xEE\x80\x80") == R"("\ue000")");  // private use (Co)
        CHECK(go_quote("\xC2\x85") == R"("\u0085")");      // C1 control
    }

    TEST_CASE("non-printable code points above the BMP become \\U escapes") {
        CHECK(go_quote("\xF3\xB0\x80\x80") == R"("\U000f0000")");  // plane 15 private use
    }

    TEST_CASE("each byte of invalid UTF-8 becomes a \\x escape") {
        CHECK(go_quote("\xFF") == R"("\xff")");
        CHECK(go_quote("a\xE2\x82") == R"("a\xe2\x82")");                // truncated euro sign
        CHECK(go_quote("\xC0\x80") == R"("\xc0\x80")");                  // overlong NUL
        CHECK(go_quote("\xED\xA0\x80") == R"("\xed\xa0\x80")");          // UTF-16 surrogate
        CHECK(go_quote("\xF4\x90\x80\x80") == R"("\xf4\x90\x80\x80")");  // above U+10FFFF
        CHECK(go_quote("\xE2\x82\xACx\xE2") == "\"\xE2\x82\xACx\\xe2\"");
    }

    TEST_CASE("decoding reports the width of valid sequences and 1 for invalid ones") {
        CHECK(decode_utf8_rune("\xE2\x82\xAC").rune == 0x20AC);
        CHECK(decode_utf8_rune("\xE2\x82\xAC").width == 3);
        CHECK(decode_utf8_rune("\xF0\x9F\x98\x80").rune == 0x1F600);
        CHECK(decode_utf8_rune("\xE2\x28\xA1").width == 1);
        CHECK(decode_utf8_rune("\xE2\x28\xA1").rune == 0xFFFD);
    }

    TEST_CASE("printability follows Go's categories") {
        CHECK(go_is_print(U' '));
        CHECK(go_is_print(U'~'));
        CHECK_FALSE(go_is_print(U'\t'));
        CHECK_FALSE(go_is_print(0x7F));
        CHECK_FALSE(go_is_print(0xA0));
        CHECK(go_is_print(0xA1));
        CHECK(go_is_print(0x4E2D));        // CJK ideograph
        CHECK_FALSE(go_is_print(0x3000));  // ideographic space (Zs)
        CHECK_FALSE(go_is_print(0x10FFFF));
    }
}
