#include <doctest/doctest.h>
#include <unistd.h>

#include "runtime/container.hpp"

using namespace plugrt;

TEST_SUITE("runtime/listen_fds") {
    TEST_CASE("LISTEN_FDS counts only when LISTEN_PID is this process (go-systemd Files)") {
        CHECK(listen_fds_from_env("4242", "3", 4242) == 3);
        CHECK(listen_fds_from_env("4242", "0", 4242) == 0);
        CHECK(listen_fds_from_env("4243", "3", 4242) == 0);  // meant for another process
        CHECK(listen_fds_from_env("1", "3", 4242) == 0);
    }

    TEST_CASE("missing or malformed values count as no activation fds") {
        CHECK(listen_fds_from_env(nullptr, "3", 4242) == 0);
        CHECK(listen_fds_from_env("4242", nullptr, 4242) == 0);
        CHECK(listen_fds_from_env("", "3", 4242) == 0);
        CHECK(listen_fds_from_env("4242", "", 4242) == 0);
        CHECK(listen_fds_from_env("4242", "-1", 4242) == 0);
        CHECK(listen_fds_from_env("4242", "2x", 4242) == 0);
        CHECK(listen_fds_from_env("4242x", "2", 4242) == 0);
        CHECK(listen_fds_from_env("4242", "99999999999999999999", 4242) == 0);
    }
}
