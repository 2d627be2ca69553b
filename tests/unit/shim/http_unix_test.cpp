#include "shim/common/http_unix.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "temp_dir.hpp"
#include "unix_test_server.hpp"

using namespace plugrt::shim;
using namespace std::chrono_literals;
using plugrt::test::reply_with;
using plugrt::test::send_text;
using plugrt::test::TempDir;
using plugrt::test::UnixTestServer;

TEST_SUITE("shim/http_unix") {
    TEST_CASE("requests carry exactly dockerd's plugin headers in Go's order") {
        HttpOptions options;
        options.user_agent = "plugrt/9.9";
        CHECK(build_post_request("/Plugin.Activate", "", options) ==
              "POST /Plugin.Activate HTTP/1.1\r\n"
              "Host: plugin.moby.localhost\r\n"
              "User-Agent: plugrt/9.9\r\n"
              "Content-Length: 0\r\n"
              "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
              "\r\n");
        CHECK(build_post_request("/VolumeDriver.List", "{}\n", options)
                  .ends_with("Content-Length: 3\r\nAccept: "
                             "application/vnd.docker.plugins.v1.2+json\r\n\r\n{}\n"));
        CHECK(default_user_agent().starts_with("plugrt/"));
    }

    TEST_CASE("request paths that could inject headers are refused") {
        CHECK_THROWS_AS(build_post_request("Plugin.Activate", "", {}), plugrt::Error);
        CHECK_THROWS_AS(build_post_request("/a b", "", {}), plugrt::Error);
        CHECK_THROWS_AS(build_post_request("/a\r\nX: y", "", {}), plugrt::Error);
    }

    TEST_CASE("a POST reaches the server and its response comes back") {
        TempDir dir;
        const std::string socket = dir / "p.sock";
        UnixTestServer server(socket, reply_with("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"
                                                 "{\"Err\":\"\"}\n"));
        const HttpResponse response =
            http_post_unix(socket, "/VolumeDriver.Create", "{\"Name\":\"v\"}\n");
        CHECK(response.status == 200);
        CHECK(response.body == "{\"Err\":\"\"}\n");
        REQUIRE(server.requests().size() == 1);
        CHECK(server.requests()[0].starts_with("POST /VolumeDriver.Create HTTP/1.1\r\n"));
        CHECK(server.requests()[0].ends_with("\r\n\r\n{\"Name\":\"v\"}\n"));
    }

    TEST_CASE("a chunked response written in pieces is reassembled") {
        TempDir dir;
        const std::string socket = dir / "p.sock";
        UnixTestServer server(socket, [](int fd, const std::string&) {
            send_text(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"Im");
            std::this_thread::sleep_for(20ms);
            send_text(fd, "\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\n\r\n");
        });
        CHECK(http_post_unix(socket, "/Plugin.Activate", "").body == "{\"Im\":1}");
    }

    TEST_CASE("a response without length is read until the server closes") {
        TempDir dir;
        const std::string socket = dir / "p.sock";
        UnixTestServer server(socket, reply_with("HTTP/1.0 200 OK\r\n\r\nuntil eof"));
        CHECK(http_post_unix(socket, "/X", "").body == "until eof");
    }

    TEST_CASE("a missing socket fails at connect and names the socket") {
        TempDir dir;
        const std::string socket = dir / "missing.sock";
        try {
            http_post_unix(socket, "/Plugin.Activate", "");
            FAIL("no exception");
        } catch (const HttpError& e) {
            CHECK(e.stage() == HttpError::Stage::Connect);
            CHECK(e.err() == ENOENT);
            CHECK(std::string(e.what()) == "POST /Plugin.Activate on " + socket +
                                               ": connect: No such file or directory (ENOENT)");
        }
    }

    TEST_CASE("a socket nobody listens on is refused at connect") {
        TempDir dir;
        const std::string socket = dir / "bound.sock";
        plugrt::UniqueFd bound = plugrt::test::bind_unix_stream(socket, false);
        try {
            http_post_unix(socket, "/Plugin.Activate", "");
            FAIL("no exception");
        } catch (const HttpError& e) {
            CHECK(e.stage() == HttpError::Stage::Connect);
            CHECK(e.err() == ECONNREFUSED);
        }
    }

    TEST_CASE("a server that never answers hits the total deadline") {
        TempDir dir;
        const std::string socket = dir / "slow.sock";
        UnixTestServer server(socket,
                              [](int, const std::string&) { std::this_thread::sleep_for(1s); });
        HttpOptions options;
        options.total_timeout = 150ms;
        const auto start = std::chrono::steady_clock::now();
        try {
            http_post_unix(socket, "/Plugin.Activate", "", options);
            FAIL("no exception");
        } catch (const HttpError& e) {
            CHECK(e.stage() == HttpError::Stage::Timeout);
            CHECK(std::string(e.what()).find("read response: timed out after 150 ms") !=
                  std::string::npos);
        }
        const auto elapsed = std::chrono::steady_clock::now() - start;
        CHECK(elapsed >= 150ms);
        CHECK(elapsed < 900ms);
    }

    TEST_CASE("garbage from the server is a parse error naming the socket") {
        TempDir dir;
        const std::string socket = dir / "junk.sock";
        UnixTestServer server(socket, reply_with("not http at all\r\n\r\n"));
        try {
            http_post_unix(socket, "/Plugin.Activate", "");
            FAIL("no exception");
        } catch (const HttpError& e) {
            CHECK(e.stage() == HttpError::Stage::Parse);
            CHECK(std::string(e.what()).starts_with("POST /Plugin.Activate on " + socket +
                                                    ": invalid response: malformed status line"));
        }
    }

    TEST_CASE("a socket path longer than sun_path is refused before connecting") {
        const std::string socket = "/tmp/" + std::string(120, 'x');
        try {
            http_post_unix(socket, "/X", "");
            FAIL("no exception");
        } catch (const HttpError& e) {
            CHECK(e.err() == ENAMETOOLONG);
            CHECK(std::string(e.what()).find("the limit is 107") != std::string::npos);
        }
    }
}
