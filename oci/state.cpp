#include "oci/state.hpp"

#include <array>
#include <climits>
#include <cstdio>

#include "oci/errors.hpp"

namespace plugrt::oci {
namespace {

constexpr std::array<std::string_view, 5> kStatuses = {
    kStatusCreating, kStatusCreated, kStatusRunning, kStatusPaused, kStatusStopped};

std::string read_string(const Json& doc, const char* key) {
    const auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return "";
    if (!it->is_string()) throw ParseError(key, "expected a string");
    return it->get<std::string>();
}

// Howard Hinnant's days-to-civil algorithm: proleptic Gregorian calendar, valid far beyond any
// timestamp a container can have, and with no dependence on the process time zone.
struct CivilDate {
    int64_t year;
    unsigned month;
    unsigned day;
};

CivilDate civil_from_days(int64_t days) {
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<uint64_t>(days - era * 146097);
    const uint64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const uint64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const uint64_t mp = (5 * day_of_year + 2) / 153;
    const auto day = static_cast<unsigned>(day_of_year - (153 * mp + 2) / 5 + 1);
    const auto month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    const int64_t year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

}  // namespace

bool is_known_status(std::string_view status) {
    for (const auto known : kStatuses) {
        if (known == status) return true;
    }
    return false;
}

Json state_to_json(const State& state) {
    Json out = {{"ociVersion", state.oci_version}, {"id", state.id}, {"status", state.status}};
    if (state.pid != 0) out["pid"] = state.pid;
    out["bundle"] = state.bundle;
    if (!state.annotations.empty()) out["annotations"] = state.annotations;
    return out;
}

Json runc_state_to_json(const State& state) {
    Json out = {
        {"ociVersion", state.oci_version}, {"id", state.id},         {"pid", state.pid},
        {"status", state.status},          {"bundle", state.bundle}, {"rootfs", state.rootfs},
        {"created", state.created}};
    if (!state.annotations.empty()) out["annotations"] = state.annotations;
    out["owner"] = state.owner;
    return out;
}

State state_from_json(const Json& document) {
    if (!document.is_object()) {
        throw ParseError("", "expected an object");
    }
    State state;
    state.oci_version = read_string(document, "ociVersion");
    state.id = read_string(document, "id");
    state.status = read_string(document, "status");
    if (!is_known_status(state.status)) {
        throw ParseError("status", "unknown status \"" + state.status.substr(0, 64) + "\"");
    }
    if (const auto it = document.find("pid"); it != document.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > INT_MAX) {
            throw ParseError("pid", "expected a non-negative 32-bit integer");
        }
        state.pid = it->get<int>();
    }
    state.bundle = read_string(document, "bundle");
    if (const auto it = document.find("annotations"); it != document.end() && !it->is_null()) {
        if (!it->is_object()) throw ParseError("annotations", "expected an object");
        for (const auto& [key, value] : it->items()) {
            if (!value.is_string()) {
                throw ParseError("annotations[\"" + key + "\"]", "expected a string");
            }
            state.annotations[key] = value.get<std::string>();
        }
    }
    state.rootfs = read_string(document, "rootfs");
    state.created = read_string(document, "created");
    state.owner = read_string(document, "owner");
    return state;
}

State parse_state(std::string_view text) { return state_from_json(parse_json_text(text)); }

std::string rfc3339_nano_utc(int64_t unix_seconds, uint32_t nanoseconds) {
    constexpr int64_t kSecondsPerDay = 86400;
    int64_t days = unix_seconds / kSecondsPerDay;
    int64_t second_of_day = unix_seconds % kSecondsPerDay;
    if (second_of_day < 0) {
        second_of_day += kSecondsPerDay;
        --days;
    }
    const auto date = civil_from_days(days);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                  static_cast<long long>(date.year), date.month, date.day,
                  static_cast<long long>(second_of_day / 3600),
                  static_cast<long long>(second_of_day / 60 % 60),
                  static_cast<long long>(second_of_day % 60));
    std::string out = buffer;
    nanoseconds %= 1000000000u;
    if (nanoseconds != 0) {
        std::snprintf(buffer, sizeof buffer, ".%09u", nanoseconds);
        std::string fraction = buffer;
        while (fraction.back() == '0') fraction.pop_back();
        out += fraction;
    }
    return out + "Z";
}

}  // namespace plugrt::oci
