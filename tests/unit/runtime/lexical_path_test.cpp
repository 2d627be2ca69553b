#include "runtime/lexical_path.hpp"

#include <doctest/doctest.h>

using plugrt::clean_path_lexically;

TEST_SUITE("runtime/lexical_path") {
    TEST_CASE("paths are cleaned without leaving where they start") {
        CHECK(clean_path_lexically("../a//b/.") == "a/b");
        CHECK(clean_path_lexically("/../x/") == "/x");
        CHECK(clean_path_lexically("a/b/../c") == "a/c");
        CHECK(clean_path_lexically("/a/./b//") == "/a/b");
        CHECK(clean_path_lexically("/") == "/");
        CHECK(clean_path_lexically("//") == "/");
        CHECK(clean_path_lexically("").empty());
        CHECK(clean_path_lexically(".").empty());
        CHECK(clean_path_lexically("a/../../..").empty());
        CHECK(clean_path_lexically("/a/../../..") == "/");
        CHECK(clean_path_lexically(".../x") == ".../x");  // only ".." itself climbs
    }
}
