// The OCI state document: what `plugrt state` and `plugrt list --format json` print and what
// hooks read on stdin. Two shapes share one struct:
//   - the runtime-spec state (ociVersion, id, status, pid, bundle, annotations), for hooks;
//   - runc's superset (adds rootfs, created, owner, and always prints pid), which containerd's
//     go-runc decodes, so `state` and `list` must use it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "oci/spec.hpp"

namespace plugrt::oci {

// Status values. The runtime-spec defines the first four; runc adds "paused".
inline constexpr const char* kStatusCreating = "creating";
inline constexpr const char* kStatusCreated = "created";
inline constexpr const char* kStatusRunning = "running";
inline constexpr const char* kStatusPaused = "paused";
inline constexpr const char* kStatusStopped = "stopped";

bool is_known_status(std::string_view status);

struct State {
    std::string oci_version;
    std::string id;
    std::string status;  // one of the kStatus* values
    int pid = 0;         // 0 when there is no process (stopped)
    std::string bundle;  // absolute path
    std::map<std::string, std::string> annotations;
    // runc's additions.
    std::string rootfs;
    std::string created;  // RFC 3339 with nanoseconds, UTC; see rfc3339_nano_utc
    std::string owner;    // "" for `state`; the state dir's owner name for `list`
};

// The runtime-spec document (pid and annotations omitted when empty, like Go's specs.State).
Json state_to_json(const State& state);

// runc's document, in runc's member order: ociVersion, id, pid, status, bundle, rootfs,
// created, annotations (omitted when empty), owner.
Json runc_state_to_json(const State& state);

// Reads either shape. Throws ParseError naming the member (`pid: expected ...`), also for an
// unknown status.
State state_from_json(const Json& document);
State parse_state(std::string_view text);

// Formats a UTC instant the way Go marshals time.Time: "2023-04-05T06:07:08.123456789Z" with
// trailing zeros of the fraction dropped (and no fraction at all when it is zero).
std::string rfc3339_nano_utc(int64_t unix_seconds, uint32_t nanoseconds);

}  // namespace plugrt::oci
