#include "oci/state.hpp"

#include <doctest/doctest.h>

#include "oci/errors.hpp"

using namespace plugrt::oci;

namespace {

State running_state() {
    State state;
    state.oci_version = "1.0.2-dev";
    state.id = "plugin1";
    state.status = kStatusRunning;
    state.pid = 4242;
    state.bundle = "/run/plugins/plugin1";
    state.rootfs = "/run/plugins/plugin1/rootfs";
    state.created = "2024-01-02T03:04:05.123456789Z";
    state.annotations["org.example"] = "yes";
    return state;
}

std::string parse_error_of(const std::string& text) {
    try {
        (void)parse_state(text);
    } catch (const ParseError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_SUITE("oci/state") {
    TEST_CASE("the runtime-spec state lists its members in specs.State order") {
        CHECK(state_to_json(running_state()).dump() ==
              R"({"ociVersion":"1.0.2-dev","id":"plugin1","status":"running","pid":4242,)"
              R"("bundle":"/run/plugins/plugin1","annotations":{"org.example":"yes"}})");
    }

    TEST_CASE("the runtime-spec state omits a zero pid and empty annotations") {
        auto state = running_state();
        state.status = kStatusStopped;
        state.pid = 0;
        state.annotations.clear();
        CHECK(state_to_json(state).dump() ==
              R"({"ociVersion":"1.0.2-dev","id":"plugin1","status":"stopped",)"
              R"("bundle":"/run/plugins/plugin1"})");
    }

    TEST_CASE("runc's state has runc's member order and always a pid and an owner") {
        auto state = running_state();
        CHECK(runc_state_to_json(state).dump() ==
              R"({"ociVersion":"1.0.2-dev","id":"plugin1","pid":4242,"status":"running",)"
              R"("bundle":"/run/plugins/plugin1","rootfs":"/run/plugins/plugin1/rootfs",)"
              R"("created":"2024-01-02T03:04:05.123456789Z","annotations":{"org.example":"yes"},)"
              R"("owner":""})");
        state.pid = 0;
        state.annotations.clear();
        const auto out = runc_state_to_json(state);
        CHECK(out["pid"] == 0);
        CHECK_FALSE(out.contains("annotations"));
    }

    TEST_CASE("both shapes read back into the same state") {
        const auto state = running_state();
        const auto from_runc = parse_state(runc_state_to_json(state).dump());
        CHECK(runc_state_to_json(from_runc) == runc_state_to_json(state));
        const auto from_oci = state_from_json(state_to_json(state));
        CHECK(from_oci.pid == 4242);
        CHECK(from_oci.annotations == state.annotations);
        CHECK(from_oci.rootfs.empty());
    }

    TEST_CASE("every status value is known and others are refused") {
        for (const char* status :
             {kStatusCreating, kStatusCreated, kStatusRunning, kStatusPaused, kStatusStopped}) {
            CHECK(is_known_status(status));
        }
        CHECK_FALSE(is_known_status("Running"));
        CHECK_FALSE(is_known_status(""));
        CHECK(parse_error_of(R"({"id":"x","status":"exploded"})") ==
              "status: unknown status \"exploded\"");
        CHECK(parse_error_of(R"({"id":"x"})") == "status: unknown status \"\"");
    }

    TEST_CASE("wrong member types are refused with the member's name") {
        CHECK(parse_error_of(R"({"status":"running","pid":"12"})") ==
              "pid: expected a non-negative 32-bit integer");
        CHECK(parse_error_of(R"({"status":"running","pid":-1})") ==
              "pid: expected a non-negative 32-bit integer");
        CHECK(parse_error_of(R"({"status":"running","pid":4294967296})") ==
              "pid: expected a non-negative 32-bit integer");
        CHECK(parse_error_of(R"({"status":"running","id":7})") == "id: expected a string");
        CHECK(parse_error_of(R"({"status":"running","annotations":{"a":1}})") ==
              "annotations[\"a\"]: expected a string");
        CHECK(parse_error_of("[]") == "expected an object");
        CHECK(parse_error_of("{").rfind("not valid JSON", 0) == 0);
    }

    TEST_CASE("created times are formatted like Go's RFC 3339 with nanoseconds") {
        CHECK(rfc3339_nano_utc(0, 0) == "1970-01-01T00:00:00Z");
        CHECK(rfc3339_nano_utc(1700000000, 0) == "2023-11-14T22:13:20Z");
        CHECK(rfc3339_nano_utc(1700000000, 123456789) == "2023-11-14T22:13:20.123456789Z");
        CHECK(rfc3339_nano_utc(1700000000, 120000000) == "2023-11-14T22:13:20.12Z");
        CHECK(rfc3339_nano_utc(1700000000, 1) == "2023-11-14T22:13:20.000000001Z");
        CHECK(rfc3339_nano_utc(951782400, 0) == "2000-02-29T00:00:00Z");
        CHECK(rfc3339_nano_utc(4107542399, 0) == "2100-02-28T23:59:59Z");
        CHECK(rfc3339_nano_utc(-1, 500000000) == "1969-12-31T23:59:59.5Z");
    }
}
