#include "runtime/proc_stat.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

using namespace plugrt;

namespace {

// A stat line as the kernel writes it: pid, (comm), then fields 3..52; field 22 (starttime) and
// field 4 (ppid) are the ones that matter.
std::string stat_line(const std::string& comm, char state, int ppid, const std::string& start) {
    std::string line = "4242 (" + comm + ") " + state + " " + std::to_string(ppid);
    for (int field = 5; field <= 21; ++field) {
        line += " " + std::to_string(field * 10);
    }
    line += " " + start;
    for (int field = 23; field <= 52; ++field) {
        line += " 0";
    }
    return line + "\n";
}

}  // namespace

TEST_SUITE("runtime/proc_stat") {
    TEST_CASE("state, ppid and start time of an ordinary line") {
        auto stat = parse_proc_stat(stat_line("bash", 'S', 1, "123456789"));
        REQUIRE(stat);
        CHECK(stat->state == 'S');
        CHECK(stat->ppid == 1);
        CHECK(stat->start_time == 123456789u);
    }

    TEST_CASE("a comm with spaces and parentheses: parsing starts after the last ')'") {
        for (const char* comm : {"a b", "x) (y", "(", ")", ") R 99 ", "((", "))", "a) S 7 8 (b"}) {
            CAPTURE(comm);
            auto stat = parse_proc_stat(stat_line(comm, 'R', 77, "987"));
            REQUIRE(stat);
            CHECK(stat->state == 'R');
            CHECK(stat->ppid == 77);
            CHECK(stat->start_time == 987u);
        }
    }

    TEST_CASE("a 64-bit start time survives") {
        auto stat = parse_proc_stat(stat_line("init", 'S', 0, "18446744073709551615"));
        REQUIRE(stat);
        CHECK(stat->start_time == 18446744073709551615ull);
    }

    TEST_CASE("malformed text is nullopt, never a guess") {
        CHECK_FALSE(parse_proc_stat(""));
        CHECK_FALSE(parse_proc_stat("4242 bash S 1 2 3"));             // no parentheses
        CHECK_FALSE(parse_proc_stat("4242 (bash)"));                   // nothing after comm
        CHECK_FALSE(parse_proc_stat("4242 (bash) S 1 2 3 4 5"));       // ends before field 22
        CHECK_FALSE(parse_proc_stat(stat_line("bash", 'S', 1, "x")));  // non-numeric start
    }

    TEST_CASE("the kernel's own line for a process named with spaces and parentheses") {
        int ready[2];
        REQUIRE(pipe(ready) == 0);
        pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            prctl(PR_SET_NAME, "a) (b c", 0, 0, 0);
            char byte = 1;
            [[maybe_unused]] ssize_t n = write(ready[1], &byte, 1);
            pause();
            _exit(0);
        }
        close(ready[1]);
        char byte;
        REQUIRE(read(ready[0], &byte, 1) == 1);
        close(ready[0]);
        auto stat = read_proc_stat(child);
        REQUIRE(stat);
        CHECK(stat->ppid == getpid());
        CHECK(stat->state != 'Z');
        CHECK(process_alive(child, stat->start_time));
        CHECK_FALSE(process_alive(child, stat->start_time + 1));  // a recycled pid

        kill(child, SIGKILL);
        // Exited but not reaped: a zombie is already "not alive" (runtime-cli-contract §2.1).
        for (int i = 0; i < 200 && read_proc_stat(child)->state != 'Z'; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        CHECK(read_proc_stat(child)->state == 'Z');
        CHECK_FALSE(process_alive(child, stat->start_time));
        waitpid(child, nullptr, 0);
        CHECK_FALSE(read_proc_stat(child));
        CHECK_FALSE(process_alive(child, stat->start_time));
    }

    TEST_CASE("our own process, and pids that cannot be alive") {
        auto self = read_proc_stat(getpid());
        REQUIRE(self);
        CHECK(self->state == 'R');
        CHECK(self->ppid == getppid());
        CHECK(self->start_time > 0);
        CHECK(process_alive(getpid(), self->start_time));
        CHECK_FALSE(process_alive(0, self->start_time));
        CHECK_FALSE(process_alive(-1, self->start_time));
    }
}
