#include "runtime/signals.hpp"

#include <doctest/doctest.h>
#include <signal.h>

#include "runtime/error.hpp"

using namespace plugrt;

TEST_SUITE("runtime/signals") {
    TEST_CASE("decimal numbers 1..64, as containerd and podman send them") {
        CHECK(parse_signal("15") == SIGTERM);
        CHECK(parse_signal("9") == SIGKILL);
        CHECK(parse_signal("1") == 1);
        CHECK(parse_signal("37") == 37);  // a realtime Docker stop signal
        CHECK(parse_signal("64") == 64);
    }

    TEST_CASE("names with or without SIG, in any case") {
        CHECK(parse_signal("TERM") == SIGTERM);
        CHECK(parse_signal("SIGTERM") == SIGTERM);
        CHECK(parse_signal("sigterm") == SIGTERM);
        CHECK(parse_signal("Term") == SIGTERM);
        CHECK(parse_signal("KILL") == SIGKILL);
        CHECK(parse_signal("SIGUSR1") == SIGUSR1);
        CHECK(parse_signal("usr2") == SIGUSR2);
        CHECK(parse_signal("HUP") == SIGHUP);
        CHECK(parse_signal("SIGCHLD") == SIGCHLD);
        CHECK(parse_signal("WINCH") == SIGWINCH);
    }

    TEST_CASE("realtime signals: RTMIN, RTMIN+n, RTMAX, RTMAX-n") {
        CHECK(parse_signal("RTMIN") == SIGRTMIN);
        CHECK(parse_signal("SIGRTMIN") == SIGRTMIN);
        CHECK(parse_signal("RTMIN+3") == (SIGRTMIN + 3));
        CHECK(parse_signal("sigrtmin+1") == (SIGRTMIN + 1));
        CHECK(parse_signal("RTMAX") == SIGRTMAX);
        CHECK(parse_signal("SIGRTMAX-1") == (SIGRTMAX - 1));
        CHECK(parse_signal("RTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN)) == SIGRTMAX);
        CHECK(parse_signal("RTMAX-" + std::to_string(SIGRTMAX - SIGRTMIN)) == SIGRTMIN);
    }

    TEST_CASE("everything else is an unknown signal, named in the message") {
        for (const char* bad :
             {"", "0", "65", "100", "15x", "1.5", "SIG", "SIGFOO", "TERMX", "-9", " 9", "RTMIN-1",
              "RTMAX+1", "RTMIN+", "RTMIN+x", "RTMIN+99", "RTMAX-99", "RTMINUS"}) {
            CAPTURE(bad);
            CHECK_THROWS_WITH_AS(parse_signal(bad),
                                 ("unknown signal \"" + std::string(bad) + "\"").c_str(), Error);
        }
    }

    TEST_CASE("the error kind is Invalid (a usage error, not a system failure)") {
        try {
            parse_signal("NOPE");
            FAIL("no exception");
        } catch (const Error& e) {
            CHECK(e.kind() == Error::Kind::Invalid);
        }
    }
}
