#include "shim/plugin/daemon_log_format.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <string>

using namespace plugrt::shim;

namespace {

constexpr std::string_view kId = "ccce444f10491c9b22fa4dc1d1237f9a51391faf56c78134266ea61c2926558f";
constexpr std::time_t k20230216_100851Z = 1676542131;

std::string text(PluginStream stream, std::string_view message) {
    return format_text_line({"2023-02-16T11:08:51+01:00", stream, message, kId});
}

}  // namespace

TEST_SUITE("shim/daemon_log_format") {
    TEST_CASE("a stderr line matches dockerd's journald output byte for byte") {
        CHECK(text(PluginStream::Stderr, "2023/02/16 10:08:51 NOTICE: Serving docker") ==
              "time=\"2023-02-16T11:08:51+01:00\" level=error "
              "msg=\"2023/02/16 10:08:51 NOTICE: Serving docker\" "
              "plugin=ccce444f10491c9b22fa4dc1d1237f9a51391faf56c78134266ea61c2926558f\n");
    }

    TEST_CASE("stdout lines are logged at level info") {
        CHECK(text(PluginStream::Stdout, "x y").find(" level=info msg=\"x y\" ") !=
              std::string::npos);
    }

    TEST_CASE("a one-word message made of safe characters is not quoted") {
        CHECK(text(PluginStream::Stdout, "ready") ==
              "time=\"2023-02-16T11:08:51+01:00\" level=info msg=ready plugin=" + std::string(kId) +
                  "\n");
        CHECK(text(PluginStream::Stdout, "a-b.c_d/e@f^g+h").find(" msg=a-b.c_d/e@f^g+h ") !=
              std::string::npos);
    }

    TEST_CASE("any character outside the safe set forces quoting") {
        for (std::string_view unsafe : {"a b", "a=b", "a:b", "a,b", "a\"b", "caf\xC3\xA9", "a~b"}) {
            CAPTURE(unsafe);
            CHECK(logrus_needs_quoting(unsafe));
        }
        CHECK_FALSE(logrus_needs_quoting("ABCxyz019-._/@^+"));
        CHECK_FALSE(logrus_needs_quoting(""));
    }

    TEST_CASE("an empty line leaves out the msg key entirely") {
        CHECK(text(PluginStream::Stderr, "") ==
              "time=\"2023-02-16T11:08:51+01:00\" level=error plugin=" + std::string(kId) + "\n");
    }

    TEST_CASE("control characters, unicode and invalid bytes are quoted the Go way") {
        CHECK(text(PluginStream::Stdout, "tab\there").find(R"( msg="tab\there" )") !=
              std::string::npos);
        CHECK(text(PluginStream::Stdout, "\x1b[31mred\x1b[0m")
                  .find(R"( msg="\x1b[31mred\x1b[0m" )") != std::string::npos);
        CHECK(text(PluginStream::Stdout, "\xE2\x9C\x93 ok").find(" msg=\"\xE2\x9C\x93 ok\" ") !=
              std::string::npos);
        CHECK(text(PluginStream::Stdout, "bad\xFF").find(R"( msg="bad\xff" )") !=
              std::string::npos);
    }

    TEST_CASE("a long line is written whole, with no truncation") {
        const std::string long_line(70000, 'a');
        const std::string line = text(PluginStream::Stdout, long_line);
        CHECK(line.find(" msg=" + long_line + " plugin=") != std::string::npos);
    }

    TEST_CASE("timestamps are RFC 3339 at second precision with the local offset") {
        CHECK(rfc3339_seconds(k20230216_100851Z, 3600) == "2023-02-16T11:08:51+01:00");
        CHECK(rfc3339_seconds(k20230216_100851Z, -5 * 3600 - 1800) == "2023-02-16T04:38:51-05:30");
        CHECK(rfc3339_seconds(k20230216_100851Z, 0) == "2023-02-16T10:08:51Z");
        CHECK(rfc3339_seconds(0, 0) == "1970-01-01T00:00:00Z");
    }

    TEST_CASE("the local timestamp follows TZ") {
        const char* saved = std::getenv("TZ");
        const std::string saved_tz = saved ? saved : "";
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        const auto when = std::chrono::system_clock::from_time_t(k20230216_100851Z);
        const std::string berlin = rfc3339_seconds_local(when);
        setenv("TZ", "UTC", 1);
        tzset();
        const std::string utc = rfc3339_seconds_local(when);
        if (saved) {
            setenv("TZ", saved_tz.c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
        CHECK(utc == "2023-02-16T10:08:51Z");
        // Without tzdata the zone silently falls back to UTC; that is the only accepted excuse.
        CHECK((berlin == "2023-02-16T11:08:51+01:00" || berlin == utc));
    }

    TEST_CASE("JSON lines keep the key order time, level, msg, plugin") {
        const std::string line = format_json_line(
            {"2023-02-16T10:08:51Z", PluginStream::Stderr, "a \"b\"\t<c>&\x01", "abc"});
        CHECK(line ==
              "{\"time\":\"2023-02-16T10:08:51Z\",\"level\":\"error\","
              "\"msg\":\"a \\\"b\\\"\\t\\u003cc\\u003e\\u0026\\u0001\",\"plugin\":\"abc\"}\n");
    }

    TEST_CASE("JSON lines keep an empty msg and replace invalid UTF-8") {
        CHECK(format_json_line({"t", PluginStream::Stdout, "", "p"}) ==
              "{\"time\":\"t\",\"level\":\"info\",\"msg\":\"\",\"plugin\":\"p\"}\n");
        CHECK(go_json_quote("x\xFFy\xE2\x80\xA8") == "\"x\\ufffdy\\u2028\"");
        CHECK(go_json_quote("\xC3\xA9") == "\"\xC3\xA9\"");
    }

    TEST_CASE("the format switch picks the matching formatter") {
        const PluginLogEntry entry{"t", PluginStream::Stdout, "m", "p"};
        CHECK(format_log_line(LogFormat::Text, entry) == format_text_line(entry));
        CHECK(format_log_line(LogFormat::Json, entry) == format_json_line(entry));
    }
}
