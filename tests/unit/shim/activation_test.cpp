#include "shim/plugin/activation.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "shim/plugin/socket_waiter.hpp"
#include "temp_dir.hpp"
#include "unix_test_server.hpp"

using namespace plugrt::shim;
using namespace std::chrono_literals;
using plugrt::UniqueFd;
using plugrt::test::reply_with;
using plugrt::test::TempDir;
using plugrt::test::UnixTestServer;
using Outcome = ActivationResult::Outcome;

namespace {

const std::string kVolumeReply =
    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\n"
    "Content-Length: 31\r\n\r\n{\"Implements\":[\"VolumeDriver\"]}";

ActivationRequest volume_request(const std::string& socket, std::chrono::milliseconds timeout) {
    ActivationRequest request;
    request.socket_path = socket;
    request.interface_types = {"docker.volumedriver/1.0"};
    request.timeout = timeout;
    return request;
}

}  // namespace

TEST_SUITE("shim/activation") {
    TEST_CASE("interface types map to the subsystem names of the handshake") {
        CHECK(implements_name_for("docker.volumedriver/1.0") == "VolumeDriver");
        CHECK(implements_name_for("docker.networkdriver/1.0") == "NetworkDriver");
        CHECK(implements_name_for("docker.ipamdriver/1.0") == "IpamDriver");
        CHECK(implements_name_for("docker.authz/1.0") == "authz");
        CHECK(implements_name_for("docker.logdriver/1.0") == "LogDriver");
        CHECK(implements_name_for("docker.metricscollector/1.0") == "MetricsCollector");
        CHECK(implements_name_for("docker.VolumeDriver/1.0") == "VolumeDriver");
        CHECK_FALSE(implements_name_for("docker.csicontroller/1.0"));
        CHECK_FALSE(implements_name_for("example.volumedriver/1.0"));
        CHECK_FALSE(implements_name_for("volumedriver"));
    }

    TEST_CASE("Implements is read with Go's case-insensitive keys and checked for type") {
        CHECK(parse_implements(R"({"Implements":["VolumeDriver","authz"]})") ==
              std::vector<std::string>{"VolumeDriver", "authz"});
        CHECK(parse_implements(R"({"implements":["LogDriver"]})") ==
              std::vector<std::string>{"LogDriver"});
        CHECK_THROWS_WITH(parse_implements("nope"),
                          "Plugin.Activate response is not a JSON object");
        CHECK_THROWS_WITH(parse_implements("{}"), "Plugin.Activate response has no Implements");
        CHECK_THROWS_WITH(parse_implements(R"({"Implements":"VolumeDriver"})"),
                          "Plugin.Activate Implements is not an array");
        CHECK_THROWS_WITH(parse_implements(R"({"Implements":[1]})"),
                          "Plugin.Activate Implements holds a non-string");
    }

    TEST_CASE("a listening plugin that implements its type is ready") {
        TempDir dir;
        const std::string socket = dir / "rclone.sock";
        UnixTestServer server(socket, reply_with(kVolumeReply));
        const ActivationResult result = activate_plugin(volume_request(socket, 2s));
        CHECK(result.outcome == Outcome::Ready);
        CHECK(result.implements == std::vector<std::string>{"VolumeDriver"});
        CHECK(result.elapsed < 1s);
        CHECK(result.describe().starts_with("plugin ready after "));
        REQUIRE(server.requests().size() == 1);
        CHECK(server.requests()[0].starts_with("POST /Plugin.Activate HTTP/1.1\r\n"));
        CHECK(server.requests()[0].find("Content-Length: 0\r\n") != std::string::npos);
    }

    TEST_CASE("a socket that never appears is reported at the deadline") {
        TempDir dir;
        const ActivationResult result =
            activate_plugin(volume_request(dir / "id/never.sock", 200ms));
        CHECK(result.outcome == Outcome::SocketNeverAppeared);
        CHECK(result.elapsed >= 200ms);
        CHECK(result.elapsed < 1500ms);
        CHECK(result.describe().starts_with("plugin socket never appeared after"));
    }

    TEST_CASE("a socket whose directory appears late is found as soon as it listens") {
        TempDir dir;
        const std::string socket = dir / "plugins/0123abcd/late.sock";
        std::optional<UnixTestServer> server;
        std::thread plugin([&] {
            std::this_thread::sleep_for(150ms);
            std::filesystem::create_directories(dir / "plugins/0123abcd");
            std::this_thread::sleep_for(50ms);
            server.emplace(socket, reply_with(kVolumeReply));
        });
        const ActivationResult result = activate_plugin(volume_request(socket, 5s));
        plugin.join();
        CHECK(result.outcome == Outcome::Ready);
        CHECK(result.elapsed >= 200ms);
        // Event driven: far below dockerd's 500 ms + 3 s dial period.
        CHECK(result.elapsed < 1500ms);
    }

    TEST_CASE("a bound socket that starts listening later is retried until it answers") {
        TempDir dir;
        const std::string socket = dir / "slow.sock";
        UniqueFd bound = plugrt::test::bind_unix_stream(socket, false);
        std::thread plugin([&] {
            std::this_thread::sleep_for(100ms);
            ::listen(bound.get(), 4);
        });
        const SocketWaitResult wait = wait_for_socket(socket, 3s);
        plugin.join();
        CHECK(wait.outcome == SocketWaitResult::Outcome::Connectable);
        CHECK(wait.socket_seen);
        CHECK(wait.elapsed >= 100ms);
        CHECK(wait.elapsed < 1s);
    }

    TEST_CASE("a socket file that keeps refusing is reported as refused, not as missing") {
        TempDir dir;
        const std::string socket = dir / "stale.sock";
        UniqueFd bound = plugrt::test::bind_unix_stream(socket, false);
        const ActivationResult result = activate_plugin(volume_request(socket, 200ms));
        CHECK(result.outcome == Outcome::SocketRefused);
        CHECK(result.connect_errno == ECONNREFUSED);
        CHECK(result.describe().find("Connection refused (ECONNREFUSED)") != std::string::npos);
    }

    TEST_CASE("a plugin implementing something else is a wrong Implements") {
        TempDir dir;
        const std::string socket = dir / "net.sock";
        UnixTestServer server(socket, reply_with("HTTP/1.1 200 OK\r\nContent-Length: 32\r\n\r\n"
                                                 "{\"Implements\":[\"NetworkDriver\"]}"));
        ActivationRequest request = volume_request(socket, 2s);
        request.interface_types.push_back("docker.csinode/1.0");
        const ActivationResult result = activate_plugin(request);
        CHECK(result.outcome == Outcome::WrongImplements);
        CHECK(result.expected == std::vector<std::string>{"VolumeDriver"});
        CHECK(result.missing == std::vector<std::string>{"VolumeDriver"});
        CHECK(result.unchecked == std::vector<std::string>{"docker.csinode/1.0"});
        CHECK(result.describe() ==
              "plugin implements [\"NetworkDriver\"], expected [\"VolumeDriver\"]: missing "
              "VolumeDriver");
    }

    TEST_CASE("an error status from the handshake is reported with status and body") {
        TempDir dir;
        const std::string socket = dir / "err.sock";
        UnixTestServer server(socket, reply_with("HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n"
                                                 "\r\n404 page not found\n"));
        const ActivationResult result = activate_plugin(volume_request(socket, 2s));
        CHECK(result.outcome == Outcome::ActivateFailed);
        CHECK(result.http_status == 404);
        CHECK(result.body == "404 page not found\n");
        CHECK(result.describe().find("Plugin.Activate answered HTTP 404") == 0);
    }

    TEST_CASE("a plugin process that exits early ends the wait at once via its pidfd") {
        TempDir dir;
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::usleep(50 * 1000);
            ::_exit(1);
        }
        UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
        REQUIRE(pidfd);
        ActivationRequest request = volume_request(dir / "dead.sock", 10s);
        request.exit_fd = pidfd.get();
        const ActivationResult result = activate_plugin(request);
        int status = 0;
        ::waitpid(child, &status, 0);
        CHECK(result.outcome == Outcome::ProcessExited);
        CHECK(result.elapsed < 2s);
        CHECK(result.describe().starts_with("plugin process exited after"));
    }

    TEST_CASE("a hung-up pipe also counts as the plugin exiting") {
        TempDir dir;
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        UniqueFd read_end(fds[0]);
        ::close(fds[1]);
        const SocketWaitResult wait = wait_for_socket(dir / "x.sock", 10s, read_end.get());
        CHECK(wait.outcome == SocketWaitResult::Outcome::ProcessExited);
        CHECK(wait.elapsed < 1s);
    }
}
