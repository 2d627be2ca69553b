#include "runtime/sync_channel.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

using namespace plugrt;

TEST_SUITE("runtime/sync_channel") {
    TEST_CASE("messages arrive one per receive, in order, in both directions") {
        auto [parent, child] = SyncChannel::make_pair();
        parent.send(SyncMessage::Go);
        parent.send(SyncMessage::Run);
        CHECK(child.receive() == SyncMessage::Go);
        CHECK(child.receive() == SyncMessage::Run);
        child.send(SyncMessage::Ready);
        CHECK_NOTHROW(parent.expect(SyncMessage::Ready));
    }

    TEST_CASE("both ends are close-on-exec") {
        auto [a, b] = SyncChannel::make_pair();
        CHECK((fcntl(a.fd(), F_GETFD) & FD_CLOEXEC) != 0);
        CHECK((fcntl(b.fd(), F_GETFD) & FD_CLOEXEC) != 0);
    }

    TEST_CASE("expect names what it wanted and what came") {
        auto [parent, child] = SyncChannel::make_pair();
        child.send(SyncMessage::HooksPlease);
        CHECK_THROWS_WITH_AS(parent.expect(SyncMessage::Ready),
                             "sync channel: expected Ready, got HooksPlease", Error);
    }

    TEST_CASE("an Error frame is rethrown as ChildError with the init's errno and text") {
        auto [parent, child] = SyncChannel::make_pair();
        child.send_error("mount /proc: Operation not permitted (EPERM)", EPERM);
        try {
            parent.receive();
            FAIL("no exception");
        } catch (const ChildError& e) {
            CHECK(std::string(e.what()) == "mount /proc: Operation not permitted (EPERM)");
            CHECK(e.err() == EPERM);
            CHECK(e.kind() == Error::Kind::Child);
        }
    }

    TEST_CASE("an over-long error message is cut to one frame, not lost") {
        auto [parent, child] = SyncChannel::make_pair();
        child.send_error(std::string(20000, 'x'), 0);
        try {
            parent.receive();
            FAIL("no exception");
        } catch (const ChildError& e) {
            std::string text = e.what();
            CHECK(text.size() > 4000);
            CHECK(text.size() < 8192);
            CHECK(text.find_first_not_of('x') == std::string::npos);
        }
    }

    TEST_CASE("EOF is PeerGone: a closed peer, or a peer process that exited") {
        {
            auto [parent, child] = SyncChannel::make_pair();
            child.close();
            CHECK_THROWS_AS(parent.receive(), PeerGone);
        }
        auto [parent, child] = SyncChannel::make_pair();
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            parent.close();
            child.send(SyncMessage::Done);
            _exit(0);  // the child's end closes with the process
        }
        child.close();  // EOF needs every copy of the peer's end gone
        CHECK(parent.receive() == SyncMessage::Done);
        CHECK_THROWS_AS(parent.receive(), PeerGone);
        waitpid(pid, nullptr, 0);
    }

    TEST_CASE("sending to a gone peer is an error, not SIGPIPE") {
        auto [parent, child] = SyncChannel::make_pair();
        child.close();
        CHECK_THROWS_WITH_AS(parent.send(SyncMessage::Go),
                             doctest::Contains("send Go on the sync channel"), Error);
        CHECK_NOTHROW(parent.send_error("ignored", 0));  // never throws
    }

    TEST_CASE("a frame shorter than the header is rejected") {
        auto [parent, child] = SyncChannel::make_pair();
        char two[2] = {1, 0};
        REQUIRE(::send(child.fd(), two, sizeof two, 0) == 2);
        CHECK_THROWS_WITH_AS(parent.receive(), "short frame on the sync channel", Error);
    }

    TEST_CASE("fds and a text travel with a message, and arrive close-on-exec") {
        auto [parent, child] = SyncChannel::make_pair();
        int p1[2];
        int p2[2];
        REQUIRE(::pipe(p1) == 0);
        REQUIRE(::pipe(p2) == 0);
        parent.send_with_fds(SyncMessage::CgroupsReady, {p1[1], p2[1]}, "/a/tasks\n/b/tasks\n");
        SyncChannel::WithFds got = child.expect_with_fds(SyncMessage::CgroupsReady);
        CHECK(got.text == "/a/tasks\n/b/tasks\n");
        REQUIRE(got.fds.size() == 2);
        CHECK((fcntl(got.fds[0].get(), F_GETFD) & FD_CLOEXEC) != 0);
        // The received fds are the pipes' write ends: what goes in comes out of ours.
        REQUIRE(::write(got.fds[1].get(), "x", 1) == 1);
        char c = 0;
        CHECK(::read(p2[0], &c, 1) == 1);
        CHECK(c == 'x');
        for (int fd : {p1[0], p1[1], p2[0], p2[1]}) {
            ::close(fd);
        }
    }

    TEST_CASE("expect_with_fds names what it wanted and what came, and closes what came") {
        auto [parent, child] = SyncChannel::make_pair();
        int p[2];
        REQUIRE(::pipe(p) == 0);
        parent.send_with_fds(SyncMessage::Run, {p[1]}, "");
        ::close(p[1]);
        CHECK_THROWS_WITH_AS(child.expect_with_fds(SyncMessage::CgroupsReady),
                             "sync channel: expected CgroupsReady, got Run", Error);
        char c;
        CHECK(::read(p[0], &c, 1) == 0);  // EOF: no copy of the write end was kept
        ::close(p[0]);
    }

    TEST_CASE("a peer that died with our message unread still gets its Error frame through") {
        auto [parent, child] = SyncChannel::make_pair();
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            parent.close();
            char c;
            // Wait until R's message is queued, leave it unread, report and die.
            ::recv(child.fd(), &c, 1, MSG_PEEK);
            child.send_error("mount proc: refused", EPERM);
            _exit(1);
        }
        child.close();
        parent.send(SyncMessage::Go);
        waitpid(pid, nullptr, 0);  // the peer closed with Go unread: ECONNRESET on our side
        try {
            parent.receive();
            FAIL("no exception");
        } catch (const ChildError& e) {
            CHECK(std::string(e.what()) == "mount proc: refused");
            CHECK(e.err() == EPERM);
        }
        CHECK_THROWS_AS(parent.receive(), PeerGone);
    }

    TEST_CASE("every message has a name") {
        CHECK(std::string(sync_message_name(SyncMessage::CgroupsReady)) == "CgroupsReady");
        CHECK(std::string(sync_message_name(SyncMessage::Go)) == "Go");
        CHECK(std::string(sync_message_name(SyncMessage::HooksPlease)) == "HooksPlease");
        CHECK(std::string(sync_message_name(SyncMessage::HooksDone)) == "HooksDone");
        CHECK(std::string(sync_message_name(SyncMessage::Ready)) == "Ready");
        CHECK(std::string(sync_message_name(SyncMessage::Run)) == "Run");
        CHECK(std::string(sync_message_name(SyncMessage::Done)) == "Done");
        CHECK(std::string(sync_message_name(SyncMessage::Error)) == "Error");
        CHECK(std::string(sync_message_name(static_cast<SyncMessage>(99))) == "?");
    }
}
