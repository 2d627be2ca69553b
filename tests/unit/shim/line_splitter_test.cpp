#include "shim/plugin/line_splitter.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using plugrt::shim::LineSplitter;
using plugrt::shim::utf8_safe_cut;

namespace {

struct Collector {
    std::vector<std::string> lines;
    LineSplitter::LineHandler handler() {
        return [this](std::string_view line) { lines.emplace_back(line); };
    }
};

}  // namespace

TEST_SUITE("shim/line_splitter") {
    TEST_CASE("complete lines come out without their newline") {
        LineSplitter splitter;
        Collector out;
        splitter.feed("one\ntwo\n", out.handler());
        CHECK(out.lines == std::vector<std::string>{"one", "two"});
        CHECK(splitter.buffered() == 0);
    }

    TEST_CASE("a line split across reads is joined") {
        LineSplitter splitter;
        Collector out;
        splitter.feed("hel", out.handler());
        CHECK(out.lines.empty());
        splitter.feed("lo wo", out.handler());
        splitter.feed("rld\nnext", out.handler());
        CHECK(out.lines == std::vector<std::string>{"hello world"});
        CHECK(splitter.buffered() == 4);
    }

    TEST_CASE("trailing carriage returns are stripped but inner ones kept") {
        LineSplitter splitter;
        Collector out;
        splitter.feed("dos\r\nmany\r\r\nin\rside\n", out.handler());
        CHECK(out.lines == std::vector<std::string>{"dos", "many", "in\rside"});
    }

    TEST_CASE("empty lines are emitted as empty lines") {
        LineSplitter splitter;
        Collector out;
        splitter.feed("\n\na\n\r\n", out.handler());
        CHECK(out.lines == std::vector<std::string>{"", "", "a", ""});
    }

    TEST_CASE("the unterminated last line is flushed at EOF, an empty rest is not") {
        LineSplitter splitter;
        Collector out;
        splitter.feed("a\npartial\r", out.handler());
        splitter.finish(out.handler());
        CHECK(out.lines == std::vector<std::string>{"a", "partial"});
        splitter.finish(out.handler());
        CHECK(out.lines.size() == 2);
    }

    TEST_CASE("an over-long line is emitted in chunks instead of blocking") {
        LineSplitter splitter(8);
        Collector out;
        splitter.feed("0123456789abcdefXYZ", out.handler());
        CHECK(out.lines == std::vector<std::string>{"01234567", "89abcdef"});
        CHECK(splitter.buffered() == 3);
        splitter.feed("\nok\n", out.handler());
        CHECK(out.lines == std::vector<std::string>{"01234567", "89abcdef", "XYZ", "ok"});
    }

    TEST_CASE(
        "a 1 MiB line with the default limit becomes 64 KiB chunks and memory stays bounded") {
        LineSplitter splitter;
        Collector out;
        const std::string big(1024 * 1024 + 10, 'x');
        for (std::size_t offset = 0; offset < big.size(); offset += 4096) {
            splitter.feed(std::string_view(big).substr(offset, 4096), out.handler());
            CHECK(splitter.buffered() < LineSplitter::kDefaultMaxLine);
        }
        splitter.feed("\n", out.handler());
        REQUIRE(out.lines.size() == 17);
        for (std::size_t i = 0; i < 16; ++i) {
            CHECK(out.lines[i].size() == 64 * 1024);
        }
        CHECK(out.lines[16].size() == 10);
    }

    TEST_CASE("many short lines in one read are not cut into chunks") {
        LineSplitter splitter(16);
        Collector out;
        std::string input;
        for (int i = 0; i < 100; ++i) {
            input += "line-" + std::to_string(i) + "\n";
        }
        splitter.feed(input, out.handler());
        REQUIRE(out.lines.size() == 100);
        CHECK(out.lines[99] == "line-99");
    }

    TEST_CASE("a chunk never ends inside a UTF-8 sequence") {
        LineSplitter splitter(8);
        Collector out;
        // "abcdef" + euro sign (3 bytes) would straddle the 8-byte limit.
        splitter.feed("abcdef\xE2\x82\xAC-tail\n", out.handler());
        CHECK(out.lines == std::vector<std::string>{"abcdef", "\xE2\x82\xAC-tail"});
    }

    TEST_CASE("the UTF-8 aware cut falls back to the limit for non-UTF-8 bytes") {
        CHECK(utf8_safe_cut("abcdefgh", 4) == 4);
        CHECK(utf8_safe_cut("abc\xF0\x9F\x98\x80", 4) == 3);
        CHECK(utf8_safe_cut("ab\xF0\x9F\x98\x80", 4) == 2);
        CHECK(utf8_safe_cut("\xF0\x9F\x98\x80x", 4) == 4);
        CHECK(utf8_safe_cut("\x80\x80\x80\x80\x80\x80", 4) == 4);
        CHECK(utf8_safe_cut("abc", 4) == 3);
    }

    TEST_CASE("a limit below four bytes is refused") {
        CHECK_THROWS_AS(LineSplitter{3}, std::invalid_argument);
    }

    TEST_CASE("a terminated line of exactly the limit is one line") {
        LineSplitter splitter(4);
        Collector out;
        splitter.feed("abcd\nefgh\r\n", out.handler());
        CHECK(out.lines == std::vector<std::string>{"abcd", "efgh"});
    }
}
