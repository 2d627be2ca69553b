#include "shim/common/byte_size.hpp"

#include <doctest/doctest.h>

#include "runtime/error.hpp"

using plugrt::shim::parse_byte_size;

TEST_SUITE("byte_size") {
    TEST_CASE("sizes are read as runc update --memory reads them (powers of 1024)") {
        CHECK(parse_byte_size("67108864", "--memory") == 67108864);
        CHECK(parse_byte_size("64m", "--memory") == 64 << 20);
        CHECK(parse_byte_size("64M", "--memory") == 64 << 20);
        CHECK(parse_byte_size("64MiB", "--memory") == 64 << 20);
        CHECK(parse_byte_size("64 mb", "--memory") == 64 << 20);
        CHECK(parse_byte_size("1g", "--memory") == int64_t{1} << 30);
        CHECK(parse_byte_size("1.5k", "--memory") == 1536);
        CHECK(parse_byte_size("100b", "--memory") == 100);
        CHECK(parse_byte_size("2t", "--memory") == int64_t{2} << 40);
        CHECK(parse_byte_size("-1", "--memory") == -1);  // no limit
    }

    TEST_CASE("anything else is refused, naming the flag and the text") {
        for (const char* bad : {"", "m", "64x", "64mm", "-5", "1..5m", ".5m", "99999p"}) {
            CAPTURE(bad);
            CHECK_THROWS_WITH_AS(parse_byte_size(bad, "--memory"),
                                 doctest::Contains("--memory: \""), plugrt::Error);
        }
    }
}
