#include "runtime/passwd.hpp"

#include <doctest/doctest.h>

using namespace plugrt;

TEST_SUITE("runtime/passwd") {
    TEST_CASE("the first entry with the uid gives name and home") {
        const char* text =
            "root:x:0:0:root:/root:/bin/sh\n"
            "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
            "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
            "alias:x:1000:1000::/home/alias:/bin/sh\n";
        auto alice = find_passwd_entry(text, 1000);
        REQUIRE(alice.has_value());
        CHECK(alice->name == "alice");
        CHECK(alice->home == "/home/alice");
        CHECK(find_passwd_entry(text, 0)->home == "/root");
        CHECK_FALSE(find_passwd_entry(text, 4242).has_value());
    }

    TEST_CASE("malformed lines are skipped, a last line without newline counts") {
        const char* text =
            "short:x:7\n"
            "nan:x:seven:7::/nan:/bin/sh\n"
            "plus:x:+7:7::/plus:/bin/sh\n"
            "\n"
            "seven:x:7:7::/home/seven";
        auto seven = find_passwd_entry(text, 7);
        REQUIRE(seven.has_value());
        CHECK(seven->name == "seven");
        CHECK(seven->home == "/home/seven");
        CHECK_FALSE(find_passwd_entry("", 0).has_value());
    }
}
