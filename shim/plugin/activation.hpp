// Bringing a started plugin to "ready": its socket accepts connections and it answers the
// Plugin.Activate handshake with the subsystems its config.json declares.
//
// dockerd only dials managed plugins (no handshake, see moby-plugin-spec §c), so a plugin
// that listens but is broken shows up on first use. plugrt also sends the legacy handshake
// every go-plugins-helpers plugin implements — POST /Plugin.Activate, empty body, expecting
// {"Implements": ["VolumeDriver", ...]} — and checks it against interface.types, so that a
// wrong or half-started plugin is reported at enable time with a precise reason.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shim/common/http_unix.hpp"

namespace plugrt::shim {

// interface.types entry → the subsystem name a plugin puts in Implements:
//   docker.volumedriver/1.0 → VolumeDriver, docker.networkdriver → NetworkDriver,
//   docker.ipamdriver → IpamDriver, docker.authz → authz, docker.logdriver → LogDriver,
//   docker.metricscollector → MetricsCollector.
// The capability is compared case-insensitively; nullopt for other prefixes or capabilities
// (e.g. docker.csicontroller), which have no handshake name and are not checked.
std::optional<std::string> implements_name_for(std::string_view interface_type);

struct ActivationRequest {
    std::string socket_path;                   // host path of the plugin socket
    std::vector<std::string> interface_types;  // config.json interface.types, as written
    std::chrono::milliseconds timeout{30000};  // for the socket and the handshake together
    int exit_fd = -1;                          // pidfd (or pipe) that signals the plugin died
    HttpOptions http;                          // total_timeout is capped by what is left
};

struct ActivationResult {
    enum class Outcome {
        Ready,                // connectable and Implements covers the expected subsystems
        SocketNeverAppeared,  // no socket file before the deadline
        SocketRefused,        // the file existed but never accepted a connection
        ProcessExited,        // exit_fd fired before the plugin was ready
        ActivateFailed,       // transport error, non-200, or a body without Implements
        WrongImplements,      // Implements lacks an expected subsystem
    };
    Outcome outcome = Outcome::SocketNeverAppeared;
    std::chrono::milliseconds elapsed{0};
    int http_status = 0;                  // ActivateFailed: 0 for transport/parse errors
    std::string body;                     // the handshake response body, if any
    std::string error;                    // transport or JSON error text
    int connect_errno = 0;                // last connect() errno when the socket refused
    std::vector<std::string> expected;    // subsystem names derived from interface_types
    std::vector<std::string> implements;  // what the plugin answered
    std::vector<std::string> missing;     // expected \ implements
    std::vector<std::string> unchecked;   // interface types with no handshake name

    bool ready() const noexcept { return outcome == Outcome::Ready; }
    // One line for the user, e.g.
    //   "plugin activation failed: Implements [\"NetworkDriver\"] lacks VolumeDriver (expected
    //    from docker.volumedriver/1.0)"
    std::string describe() const;
};

std::string_view outcome_name(ActivationResult::Outcome outcome) noexcept;

// Parses a Plugin.Activate response body; throws Error(Invalid) naming what is wrong.
// Keys are matched case-insensitively, as Go's encoding/json does.
std::vector<std::string> parse_implements(std::string_view body);

// Waits for the socket, performs the handshake and checks Implements. Never throws for
// plugin-side failures; those are outcomes.
ActivationResult activate_plugin(const ActivationRequest& request);

}  // namespace plugrt::shim
