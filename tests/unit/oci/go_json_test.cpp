#include "oci/go_json.hpp"

#include <doctest/doctest.h>

#include "oci/errors.hpp"

using namespace plugrt::oci;
using namespace plugrt::oci::gojson;

namespace {

struct Pair {
    std::string name;
    std::vector<std::string> list;
    std::optional<std::string> pointer;
    uint32_t number = 0;
};

Pair decode_pair(std::string_view text) {
    Pair p;
    p.pointer = "preset";
    decode_struct(
        parse_keeping_duplicates(text), "",
        {{"name", [&](const Json& v, const std::string& path) { decode(v, path, p.name); }},
         {"list", [&](const Json& v, const std::string& path) { decode(v, path, p.list); }},
         {"pointer", [&](const Json& v, const std::string& path) { decode(v, path, p.pointer); }},
         {"number", [&](const Json& v, const std::string& path) { decode(v, path, p.number); }}});
    return p;
}

}  // namespace

TEST_SUITE("oci/go_json") {
    TEST_CASE("keys match field names ignoring ASCII case") {
        CHECK(key_matches("propagatedmount", "propagatedMount"));
        CHECK(key_matches("PROPAGATEDMOUNT", "propagatedMount"));
        CHECK(key_matches("WorkDir", "workdir"));
        CHECK_FALSE(key_matches("work_dir", "workdir"));
        CHECK_FALSE(key_matches("workdirs", "workdir"));
        CHECK_FALSE(key_matches("workdi", "workdir"));
    }

    TEST_CASE("the Kelvin sign folds to k and the long s to s, nothing else non-ASCII does") {
        CHECK(
            key_matches("\xE2\x84\xAA"
                        "ey",
                        "key"));  // U+212A KELVIN SIGN
        CHECK(
            key_matches("\xC5\xBF"
                        "ocket",
                        "socket"));  // U+017F LATIN SMALL LETTER LONG S
        CHECK_FALSE(
            key_matches("\xC4\xB1"
                        "pchost",
                        "ipchost"));  // U+0131 dotless i
        CHECK_FALSE(key_matches("\xC3\xA9", "e"));
    }

    TEST_CASE("the last of several case variants of a key wins") {
        CHECK(decode_pair(R"({"Name":"a","name":"b","NAME":"c"})").name == "c");
        // nlohmann alone would fold the third occurrence into the first position.
        CHECK(decode_pair(R"({"Name":"a","name":"b","Name":"c"})").name == "c");
    }

    TEST_CASE("unknown keys are ignored") {
        CHECK(decode_pair(R"({"nam":"x","name":"y","other":{"deep":[1,2]}})").name == "y");
    }

    TEST_CASE("null clears pointers and slices and leaves strings and numbers alone") {
        const Pair p = decode_pair(R"({"name":"a","number":7,"list":["x"],
                                      "name":null,"number":null,"list":null,"pointer":null})");
        CHECK(p.name == "a");
        CHECK(p.number == 7);
        CHECK(p.list.empty());
        CHECK_FALSE(p.pointer.has_value());
        CHECK(decode_pair(R"({})").pointer == "preset");
    }

    TEST_CASE("wrong types fail with the member's path") {
        CHECK_THROWS_WITH_AS(decode_pair(R"({"name":1})"),
                             "name: expected a string, found an integer", ParseError);
        CHECK_THROWS_WITH_AS(decode_pair(R"({"list":["a",2]})"),
                             "list[1]: expected a string, found an integer", ParseError);
        CHECK_THROWS_WITH_AS(decode_pair(R"({"list":"a"})"),
                             "list: expected an array, found a string", ParseError);
        CHECK_THROWS_AS(decode_pair(R"([])"), ParseError);
    }

    TEST_CASE("integers must be unsigned 32-bit literals") {
        CHECK(decode_pair(R"({"number":4294967295})").number == 4294967295u);
        for (const char* bad : {R"({"number":4294967296})", R"({"number":-1})", R"({"number":1.0})",
                                R"({"number":"1"})", R"({"number":1e2})"}) {
            CAPTURE(bad);
            CHECK_THROWS_WITH_AS(decode_pair(bad), "number: expected an unsigned 32-bit integer",
                                 ParseError);
        }
    }

    TEST_CASE("non-JSON, trailing data and excessive depth are parse errors") {
        CHECK_THROWS_AS(parse_keeping_duplicates("{"), ParseError);
        CHECK_THROWS_AS(parse_keeping_duplicates("{} x"), ParseError);
        CHECK_THROWS_AS(parse_keeping_duplicates(""), ParseError);
        const std::string deep = std::string(10000, '[') + std::string(10000, ']');
        CHECK_THROWS_WITH_AS(parse_keeping_duplicates(deep), doctest::Contains("nested deeper"),
                             ParseError);
        const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
        CHECK_NOTHROW(parse_keeping_duplicates(ok));
    }

    TEST_CASE("paths are built from members and indices") {
        CHECK(member_path("", "linux") == "linux");
        CHECK(element_path(member_path("linux", "devices"), 0) == "linux.devices[0]");
    }
}
