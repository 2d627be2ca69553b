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

    TEST_CASE("every message has a name") {
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
