#include "oci/errors.hpp"

#include <doctest/doctest.h>

using plugrt::oci::Issue;
using plugrt::oci::ParseError;
using plugrt::oci::ValidationError;

TEST_SUITE("oci/errors") {
    TEST_CASE("a parse error puts the JSON path before the message") {
        const ParseError error("mounts[2].options", "expected an array of strings");
        CHECK(std::string(error.what()) == "mounts[2].options: expected an array of strings");
        CHECK(error.path() == "mounts[2].options");
    }

    TEST_CASE("a parse error without a path is just the message") {
        CHECK(std::string(ParseError("", "not valid JSON").what()) == "not valid JSON");
    }

    TEST_CASE("a validation error joins its issues with semicolons on one line") {
        const ValidationError error({{"ociVersion", "must be set"},
                                     {"mounts[0].destination", "must be an absolute path"},
                                     {"", "something global"}});
        CHECK(std::string(error.what()) ==
              "ociVersion: must be set; mounts[0].destination: must be an absolute path; "
              "something global");
        REQUIRE(error.issues().size() == 3);
        CHECK(error.issues()[1].path == "mounts[0].destination");
    }

    TEST_CASE("a validation error with no issues still says what it is") {
        CHECK(std::string(ValidationError({}).what()) == "invalid spec");
    }

    TEST_CASE("both errors are caught as std::runtime_error") {
        CHECK_THROWS_AS(throw ValidationError(std::vector<Issue>{{"a", "b"}}), std::runtime_error);
        CHECK_THROWS_AS(throw ParseError("a", "b"), std::runtime_error);
    }
}
