// --console-socket (runtime-cli-contract §1.4): the test is the engine. It listens on a unix
// socket, receives the pty master the runtime sends with SCM_RIGHTS (one cmsg, one fd, a
// non-empty payload, as go-runc's recvFd insists), and reads the container's output from it.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "integration/harness.hpp"

using namespace plugrt::test;

namespace {

// The engine's end: a listening AF_UNIX stream socket in a fresh directory.
class ConsoleListener {
public:
    ConsoleListener() {
        char tmpl[] = "/tmp/plugrt-pty-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
        dir_ = tmpl;
        path_ = dir_ + "/pty.sock";
        fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            listen(fd_, 16) != 0) {
            throw std::runtime_error("console listener: " + std::string(std::strerror(errno)));
        }
    }
    ~ConsoleListener() {
        close(fd_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    const std::string& path() const { return path_; }

    // Accepts one connection (waiting at most `timeout_ms`) and receives the master. Returns
    // -1 and explains in `why` when the message is not exactly what go-runc accepts.
    int receive_master(std::string& payload, std::string& why, int timeout_ms = 10000) {
        pollfd pfd{fd_, POLLIN, 0};
        if (poll(&pfd, 1, timeout_ms) != 1) {
            why = "no connection on the console socket";
            return -1;
        }
        int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) {
            why = std::string("accept: ") + std::strerror(errno);
            return -1;
        }
        char data[4096];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int)) * 4];
        iovec iov{data, sizeof data};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
        close(conn);
        if (n <= 0) {
            why = "recvmsg returned " + std::to_string(n) + " (payload must be non-empty)";
            return -1;
        }
        payload.assign(data, static_cast<size_t>(n));
        cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
        if (cmsg == nullptr || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
            cmsg->cmsg_len != CMSG_LEN(sizeof(int)) || CMSG_NXTHDR(&msg, cmsg) != nullptr ||
            msg.msg_controllen != CMSG_SPACE(sizeof(int))) {
            why = "expected exactly one SCM_RIGHTS cmsg with one fd";
            return -1;
        }
        int fd;
        std::memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
        return fd;
    }

private:
    std::string dir_, path_;
    int fd_ = -1;
};

// Everything the container writes until its last slave fd closes (EIO) or `timeout_ms`.
std::string read_master(int master, int timeout_ms = 15000) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd pfd{master, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0) continue;
        char buf[4096];
        ssize_t n = read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO: every slave fd is closed
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

// What an engine does with the socket: take the master (with go-runc's non-empty payload), then
// read everything the container writes.
std::string take_master_and_read(ConsoleListener& engine) {
    std::string payload, why;
    int master = engine.receive_master(payload, why);
    REQUIRE_MESSAGE(master >= 0, why);
    CHECK_FALSE(payload.empty());
    std::string output = read_master(master);
    close(master);
    return output;
}

// The probe's JSON object inside terminal output (the pty turns \n into \r\n).
nlohmann::json json_in(const std::string& text) {
    auto open = text.find('{');
    auto close = text.rfind('}');
    if (open == std::string::npos || close == std::string::npos) {
        throw std::runtime_error("no JSON in terminal output: " + text);
    }
    return nlohmann::json::parse(text.substr(open, close - open + 1));
}

// Whose terminal: the init's pty is also bound onto /dev/console (runc mountConsole); an
// exec'd process's is not (runc's setns init leaves /dev/console to the init).
enum class Whose { Init, Exec };

void check_terminal_report(const nlohmann::json& tty, Whose whose = Whose::Init) {
    CHECK(tty["isatty0"] == true);
    CHECK(tty["isatty1"] == true);
    CHECK(tty["isatty2"] == true);
    CHECK(tty["ttyname"].get<std::string>().rfind("/dev/pts/", 0) == 0);
    CHECK_MESSAGE(tty["controlling_tty"] == true, tty.dump());
    CHECK(tty["sid"] == tty["pid"]);  // a session of its own, led by the process
    if (whose == Whose::Init) {
        CHECK_MESSAGE(tty["console_is_pty"] == true, tty.dump());
    }
}

// A running container whose init sleeps, for exec.
void start_sleeper(Runtime& rt, const Bundle& b, const std::string& id) {
    auto r = rt.run({"run", "--detach", "--bundle", b.dir(), id});
    REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
}

}  // namespace

TEST_SUITE("integration/console") {
    TEST_CASE("create --console-socket sends the pty master; the container's stdio is the pty") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "tty"}};
        b.spec().process->terminal = true;
        b.write_config();
        ConsoleListener engine;
        std::string id = rt.new_id();

        // go-runc accepts only after the runtime has exited: create must not wait for us.
        RunOptions bounded;
        bounded.timeout_ms = 15000;
        auto created =
            rt.run({"create", "--console-socket", engine.path(), "--bundle", b.dir(), id}, bounded);
        REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
        std::string payload, why;
        int master = engine.receive_master(payload, why);
        REQUIRE_MESSAGE(master >= 0, why);
        CHECK_FALSE(payload.empty());
        CHECK(isatty(master));

        auto started = rt.run({"start", id});
        REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
        std::string output = read_master(master);
        close(master);
        check_terminal_report(json_in(output));
        CHECK_MESSAGE(output.find("\r\n") != std::string::npos,
                      "the pty's onlcr turns \\n into \\r\\n");
    }

    TEST_CASE("run --detach --console-socket sends the master; the output waits in the pty") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "tty"}};
        b.spec().process->terminal = true;
        b.write_config();
        ConsoleListener engine;
        std::string id = rt.new_id();
        auto r =
            rt.run({"run", "--detach", "--console-socket", engine.path(), "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        check_terminal_report(json_in(take_master_and_read(engine)));
    }

    TEST_CASE("runc's checkTerminal: tty and console socket go together, and need detaching") {
        require_root();
        Runtime rt;
        ConsoleListener engine;
        SUBCASE("terminal without --console-socket") {
            Bundle b{{"/probe", "tty"}};
            b.spec().process->terminal = true;
            b.write_config();
            auto r = rt.run({"create", "--bundle", b.dir(), rt.new_id()});
            CHECK(r.exit_code == 1);
            CHECK_MESSAGE(r.err.find("--console-socket") != std::string::npos, r.describe());
        }
        SUBCASE("--console-socket without terminal") {
            Bundle b{{"/probe", "tty"}};
            auto r = rt.run(
                {"create", "--console-socket", engine.path(), "--bundle", b.dir(), rt.new_id()});
            CHECK(r.exit_code == 1);
            CHECK_MESSAGE(r.err.find("process.terminal") != std::string::npos, r.describe());
        }
        SUBCASE("run in the foreground with --console-socket") {
            Bundle b{{"/probe", "tty"}};
            b.spec().process->terminal = true;
            b.write_config();
            auto r = rt.run(
                {"run", "--console-socket", engine.path(), "--bundle", b.dir(), rt.new_id()});
            CHECK(r.exit_code == 1);
            CHECK_MESSAGE(r.err.find("--detach") != std::string::npos, r.describe());
        }
        CHECK(rt.run({"list", "--quiet"}).out.empty());
    }

    TEST_CASE("exec --tty --console-socket --detach: the process gets a pty of its own") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        start_sleeper(rt, b, id);
        ConsoleListener engine;
        auto r = rt.run(
            {"exec", "--tty", "--console-socket", engine.path(), "--detach", id, "/probe", "tty"});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        check_terminal_report(json_in(take_master_and_read(engine)), Whose::Exec);
    }

    TEST_CASE("exec --process with terminal and consoleSize (containerd's call) sizes the pty") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        start_sleeper(rt, b, id);
        nlohmann::json process = {{"terminal", true},
                                  {"consoleSize", {{"height", 31}, {"width", 97}}},
                                  {"user", {{"uid", 0}, {"gid", 0}}},
                                  {"args", {"/probe", "tty"}},
                                  {"env", {"PATH=/"}},
                                  {"cwd", "/"}};
        std::string process_file = b.dir() + "/process.json";
        { std::ofstream(process_file) << process.dump(); }
        ConsoleListener engine;
        auto r = rt.run(
            {"exec", "--process", process_file, "--console-socket", engine.path(), "--detach", id});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        auto tty = json_in(take_master_and_read(engine));
        check_terminal_report(tty, Whose::Exec);
        CHECK(tty["rows"] == 31);
        CHECK(tty["cols"] == 97);
    }

    TEST_CASE("exec -t in the foreground relays the pty to plugrt's stdio, both ways") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        start_sleeper(rt, b, id);

        auto report = rt.run({"exec", "-t", id, "/probe", "tty"});
        REQUIRE_MESSAGE(report.exit_code == 0, report.describe());
        check_terminal_report(json_in(report.out), Whose::Exec);
        CHECK_MESSAGE(report.out.find("\r\n") != std::string::npos, report.describe());

        // Our stdin reaches the process through the pty: a line, then ^D (EOF at a line start).
        RunOptions typed;
        typed.stdin_data = "hello\n\x04";
        auto read = rt.run({"exec", "-t", id, "/probe", "read", "/dev/stdin"}, typed);
        REQUIRE_MESSAGE(read.exit_code == 0, read.describe());
        CHECK(json_in(read.out)["content"] == "hello\n");

        auto status = rt.run({"exec", "-t", id, "/probe", "exit", "3"});
        CHECK_MESSAGE(status.exit_code == 3, status.describe());
    }

    TEST_CASE("run in the foreground relays a terminal itself; nothing is left behind") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "tty"}};
        b.spec().process->terminal = true;
        b.write_config();
        std::string id = rt.new_id();
        auto r = rt.run({"run", "--bundle", b.dir(), id});
        REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
        check_terminal_report(json_in(r.out));
        CHECK(rt.run({"list", "--quiet"}).out.empty());
    }

    TEST_CASE(
        "exec's checkTerminal: a detached pty needs a socket, a socket needs a detached pty") {
        require_root();
        Runtime rt;
        Bundle b{{"/probe", "sleep", "600"}};
        std::string id = rt.new_id();
        start_sleeper(rt, b, id);
        ConsoleListener engine;
        auto detached = rt.run({"exec", "-t", "--detach", id, "/probe", "tty"});
        CHECK(detached.exit_code == 255);
        CHECK_MESSAGE(detached.err.find("--console-socket") != std::string::npos,
                      detached.describe());
        auto no_tty =
            rt.run({"exec", "--console-socket", engine.path(), "--detach", id, "/probe", "tty"});
        CHECK(no_tty.exit_code == 255);
        CHECK_MESSAGE(no_tty.err.find("terminal") != std::string::npos, no_tty.describe());
        auto foreground =
            rt.run({"exec", "-t", "--console-socket", engine.path(), id, "/probe", "tty"});
        CHECK(foreground.exit_code == 255);
        CHECK_MESSAGE(foreground.err.find("--detach") != std::string::npos, foreground.describe());
    }
}
