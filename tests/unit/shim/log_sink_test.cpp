#include "shim/plugin/log_sink.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"
#include "temp_dir.hpp"

using namespace plugrt::shim;
using plugrt::UniqueFd;
using plugrt::test::TempDir;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

PluginLogEntry entry(std::string_view message, PluginStream stream = PluginStream::Stdout) {
    return {"2023-02-16T10:08:51Z", stream, message, "abc"};
}

// A datagram "syslog daemon" bound at `path`.
UniqueFd bind_datagram_socket(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return fd;
}

std::string receive(const UniqueFd& fd) {
    char buffer[65536];
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    return n < 0 ? std::string() : std::string(buffer, static_cast<std::size_t>(n));
}

}  // namespace

TEST_SUITE("shim/log_sink") {
    TEST_CASE("the file sink appends one formatted line per record") {
        TempDir dir;
        const std::string path = dir / "plugins.log";
        { std::ofstream(path) << "existing\n"; }
        FileLogSink sink(LogFormat::Text, path);
        sink.write(entry("hello"));
        sink.write(entry("two words", PluginStream::Stderr));
        CHECK(slurp(path) ==
              "existing\n"
              "time=\"2023-02-16T10:08:51Z\" level=info msg=hello plugin=abc\n"
              "time=\"2023-02-16T10:08:51Z\" level=error msg=\"two words\" plugin=abc\n");
        CHECK(sink.dropped() == 0);
    }

    TEST_CASE("the file sink follows a rotation by rename without a signal") {
        TempDir dir;
        const std::string path = dir / "plugins.log";
        FileLogSink sink(LogFormat::Json, path);
        sink.write(entry("before"));
        std::filesystem::rename(path, dir / "plugins.log.1");
        sink.write(entry("after"));
        CHECK(slurp(dir / "plugins.log.1").find("\"msg\":\"before\"") != std::string::npos);
        CHECK(slurp(path) ==
              "{\"time\":\"2023-02-16T10:08:51Z\",\"level\":\"info\",\"msg\":\"after\","
              "\"plugin\":\"abc\"}\n");
    }

    TEST_CASE("the file sink recreates a deleted file") {
        TempDir dir;
        const std::string path = dir / "plugins.log";
        FileLogSink sink(LogFormat::Text, path);
        std::filesystem::remove(path);
        sink.write(entry("back"));
        CHECK(slurp(path).find("msg=back") != std::string::npos);
    }

    TEST_CASE("a file that cannot be opened is reported with its path") {
        TempDir dir;
        const std::string path = dir / "missing-dir/plugins.log";
        CHECK_THROWS_WITH_AS(FileLogSink(LogFormat::Text, path),
                             doctest::Contains(("open log file " + path).c_str()),
                             plugrt::SysError);
    }

    TEST_CASE("an undeliverable record is counted, not thrown") {
        TempDir dir;
        const std::string path = dir / "sub/plugins.log";
        std::filesystem::create_directory(dir / "sub");
        FileLogSink sink(LogFormat::Text, path);
        std::filesystem::remove_all(dir / "sub");
        sink.write(entry("lost"));
        CHECK(sink.dropped() == 1);
        CHECK(sink.last_error().find("reopen log file " + path) != std::string::npos);
    }

    TEST_CASE("the fd sink writes to the descriptor it was given") {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        UniqueFd read_end(fds[0]);
        UniqueFd write_end(fds[1]);
        FdLogSink sink(LogFormat::Text, write_end.get());
        sink.write(entry(""));
        char buffer[256] = {};
        const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
        CHECK(std::string(buffer, static_cast<std::size_t>(n)) ==
              "time=\"2023-02-16T10:08:51Z\" level=info plugin=abc\n");
    }

    TEST_CASE("syslog datagrams use RFC 3164 with facility daemon and the plugrt tag") {
        TempDir dir;
        const std::string socket_path = dir / "log";
        UniqueFd server = bind_datagram_socket(socket_path);
        SyslogLogSink sink(LogFormat::Text, socket_path);
        sink.write(entry("ready"));
        sink.write(entry("oops", PluginStream::Stderr));
        const std::string pid = std::to_string(::getpid());
        const std::string first = receive(server);
        const std::string second = receive(server);
        CHECK(first.starts_with("<30>"));
        CHECK(first.ends_with(" plugrt[" + pid +
                              "]: time=\"2023-02-16T10:08:51Z\" level=info msg=ready plugin=abc"));
        CHECK(second.starts_with("<27>"));
        CHECK(sink.dropped() == 0);
    }

    TEST_CASE("the syslog header has a space-padded day and no hostname") {
        const char* saved = std::getenv("TZ");
        const std::string saved_tz = saved ? saved : "";
        setenv("TZ", "UTC", 1);
        tzset();
        const std::string datagram =
            format_syslog_datagram(30, 1675678131 /* 2023-02-06T10:08:51Z */, "plugrt", 42, "m");
        if (saved) {
            setenv("TZ", saved_tz.c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
        CHECK(datagram == "<30>Feb  6 10:08:51 plugrt[42]: m");
    }

    TEST_CASE("the syslog sink reconnects after the daemon recreated its socket") {
        TempDir dir;
        const std::string socket_path = dir / "log";
        std::optional<UniqueFd> server(bind_datagram_socket(socket_path));
        SyslogLogSink sink(LogFormat::Text, socket_path);
        sink.write(entry("one"));
        CHECK(receive(*server).find("msg=one") != std::string::npos);
        server.reset();
        std::filesystem::remove(socket_path);
        server.emplace(bind_datagram_socket(socket_path));
        sink.write(entry("two"));
        CHECK(receive(*server).find("msg=two") != std::string::npos);
        CHECK(sink.dropped() == 0);
    }

    TEST_CASE("the syslog sink drops records while no daemon listens and truncates huge ones") {
        TempDir dir;
        const std::string socket_path = dir / "log";
        SyslogLogSink sink(LogFormat::Text, socket_path);
        sink.write(entry("nobody"));
        CHECK(sink.dropped() == 1);
        UniqueFd server = bind_datagram_socket(socket_path);
        sink.write(entry(std::string(20000, 'x')));
        CHECK(receive(server).size() == SyslogLogSink::kMaxDatagram);
        CHECK(sink.dropped() == 1);
    }

    TEST_CASE("destinations are parsed from the command-line spelling") {
        CHECK(parse_log_destination("stderr", LogFormat::Text).kind ==
              LogDestination::Kind::Stderr);
        const LogDestination syslog = parse_log_destination("syslog", LogFormat::Json);
        CHECK(syslog.kind == LogDestination::Kind::Syslog);
        CHECK(syslog.path == "/dev/log");
        CHECK(syslog.format == LogFormat::Json);
        CHECK(parse_log_destination("syslog:/run/x", LogFormat::Text).path == "/run/x");
        CHECK(parse_log_destination("file:/var/log/p.log", LogFormat::Text).path ==
              "/var/log/p.log");
        CHECK(parse_log_destination("/var/log/p.log", LogFormat::Text).kind ==
              LogDestination::Kind::File);
        CHECK_THROWS_WITH_AS(parse_log_destination("relative.log", LogFormat::Text),
                             doctest::Contains("unknown log destination \"relative.log\""),
                             plugrt::Error);
        CHECK(parse_log_format("json") == LogFormat::Json);
        CHECK_THROWS_AS(parse_log_format("xml"), plugrt::Error);
    }
}
