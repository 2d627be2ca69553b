#include "shim/common/http_response_parser.hpp"

#include <doctest/doctest.h>

#include <string>

using plugrt::shim::HttpParseError;
using plugrt::shim::HttpResponseParser;

namespace {

// Feeds one byte at a time, the harshest split a socket can produce.
bool feed_bytewise(HttpResponseParser& parser, std::string_view bytes) {
    bool done = false;
    for (const char c : bytes) {
        done = parser.feed(std::string_view(&c, 1));
    }
    return done;
}

std::string parse_error(std::string_view bytes, bool close = false) {
    HttpResponseParser parser(100);
    try {
        parser.feed(bytes);
        if (close) parser.finish();
    } catch (const HttpParseError& e) {
        return e.message;
    }
    return "";
}

}  // namespace

TEST_SUITE("shim/http_response_parser") {
    TEST_CASE("a Content-Length response completes exactly at its last byte") {
        HttpResponseParser parser;
        const std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\n"
            "Content-Length: 31\r\n\r\n";
        CHECK_FALSE(feed_bytewise(parser, head + "{\"Implements\":[\"VolumeDrive"));
        CHECK(parser.feed("r\"]}"));
        CHECK(parser.response().status == 200);
        CHECK(parser.response().reason == "OK");
        CHECK(parser.response().body == "{\"Implements\":[\"VolumeDriver\"]}");
        REQUIRE(parser.response().header("content-type") != nullptr);
        CHECK(*parser.response().header("CONTENT-TYPE") ==
              "application/vnd.docker.plugins.v1.1+json");
        CHECK(parser.response().header("X-Missing") == nullptr);
    }

    TEST_CASE("a chunked body is reassembled, with extensions and trailers ignored") {
        HttpResponseParser parser;
        const std::string reply =
            "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5;ext=1\r\n{\"Err\r\n"
            "A\r\n\":\"boom\"}\n\r\n"
            "0\r\nX-Trailer: y\r\n\r\n";
        CHECK(feed_bytewise(parser, reply));
        CHECK(parser.response().status == 500);
        CHECK(parser.response().body == "{\"Err\":\"boom\"}\n");
    }

    TEST_CASE("without framing headers the body runs until the connection closes") {
        HttpResponseParser parser;
        CHECK_FALSE(parser.feed("HTTP/1.0 200 OK\r\n\r\nhello "));
        CHECK_FALSE(parser.feed("world"));
        CHECK(parser.finish());
        CHECK(parser.response().body == "hello world");
    }

    TEST_CASE("interim 1xx responses are skipped and 204 has no body") {
        HttpResponseParser parser;
        CHECK(parser.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"));
        CHECK(parser.response().status == 204);
        CHECK(parser.response().body.empty());
    }

    TEST_CASE("a status line without a reason phrase is accepted") {
        HttpResponseParser parser;
        CHECK(parser.feed("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"));
        CHECK(parser.response().status == 404);
        CHECK(parser.response().reason.empty());
    }

    TEST_CASE("malformed responses are rejected with a reason") {
        CHECK(parse_error("SSH-2.0-OpenSSH\r\n\r\n").find("malformed status line") == 0);
        CHECK(parse_error("HTTP/1.1 2x0 OK\r\n\r\n").find("malformed status code") == 0);
        CHECK(parse_error("HTTP/1.1 200 OK\r\nno colon\r\n\r\n").find("malformed header line") ==
              0);
        CHECK(parse_error("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")
                  .find("malformed Content-Length") == 0);
        CHECK(parse_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
                  .find("malformed chunk size") == 0);
        CHECK(parse_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")
                  .find("unsupported Transfer-Encoding") == 0);
    }

    TEST_CASE("bodies over the limit are refused") {
        CHECK(parse_error("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n").find("exceeds") !=
              std::string::npos);
        CHECK(parse_error("HTTP/1.1 200 OK\r\n\r\n" + std::string(101, 'x')).find("exceeds") !=
              std::string::npos);
    }

    TEST_CASE("a connection closed early is an error that says where") {
        CHECK(parse_error("", true) == "connection closed before any response");
        CHECK(parse_error("HTTP/1.1 200 OK\r\nContent", true) ==
              "connection closed inside the response headers");
        CHECK(parse_error("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true) ==
              "connection closed after 3 body bytes, before the end of the body");
    }
}
