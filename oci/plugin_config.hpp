// A Docker managed plugin's config.json (plugin config v1, media type
// application/vnd.docker.plugin.v1+json), read exactly as dockerd reads it (see go_json.hpp),
// and checked for what Docker never checks.
//
// Docker validates nothing in this file. plugrt must still run every config Docker runs, so
// validation splits findings in two: errors for configs Docker cannot run either (or that would
// let the plugin reach outside its rootfs or socket dir), warnings for things Docker silently
// does in a surprising way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/errors.hpp"
#include "oci/spec.hpp"

namespace plugrt::oci {

// One entry of interface.types, e.g. "docker.volumedriver/1.0" -> docker / volumedriver / 1.0.
// The prefix ends at the last '.' before the first '/' (moby's parser).
struct PluginInterfaceType {
    std::string prefix;
    std::string capability;
    std::string version;
    std::string to_string() const;  // prefix.capability/version, how moby compares types
};

PluginInterfaceType parse_plugin_interface_type(std::string_view text);

struct PluginInterface {
    std::vector<PluginInterfaceType> types;
    std::string socket;
    std::string protocol_scheme;  // "" means moby.plugins.http/v1
};

struct PluginUser {
    uint32_t uid = 0;
    uint32_t gid = 0;
};

struct PluginNetwork {
    std::string type;  // "", host, bridge, none, ...
};

// Settable lists the fields `docker plugin set` may change (mounts: source).
struct PluginMount {
    std::string name;
    std::string description;
    std::vector<std::string> settable;
    std::optional<std::string> source;  // Go *string: null and "" differ
    std::string destination;
    std::string type;
    std::vector<std::string> options;
};

struct PluginEnv {
    std::string name;
    std::string description;
    std::vector<std::string> settable;  // env: value
    std::optional<std::string> value;   // null: not in the environment at all
};

struct PluginArgs {
    std::string name;
    std::string description;
    std::vector<std::string> settable;  // args: value
    std::vector<std::string> value;
};

struct PluginDevice {
    std::string name;
    std::string description;
    std::vector<std::string> settable;  // devices: path
    std::optional<std::string> path;
};

struct PluginLinux {
    std::vector<std::string> capabilities;  // appended verbatim to the capability sets
    bool allow_all_devices = false;
    std::vector<PluginDevice> devices;
};

struct PluginRootfs {
    std::string type;                   // "layers"
    std::vector<std::string> diff_ids;  // written by the daemon, unused for the spec
};

struct PluginConfig {
    std::string description;
    std::string documentation;
    PluginInterface interface;
    std::vector<std::string> entrypoint;
    std::string workdir;
    PluginUser user;  // ignored by Docker: plugins always run as 0:0
    PluginNetwork network;
    std::vector<PluginMount> mounts;
    std::vector<PluginEnv> env;
    PluginArgs args;
    PluginLinux linux;
    std::string propagated_mount;
    bool ipc_host = false;
    bool pid_host = false;
    std::string docker_version;
    std::optional<PluginRootfs> rootfs;
};

// Decodes with Go's rules (case-insensitive keys, last duplicate wins, unknown keys ignored,
// strict types). Throws ParseError naming the member, e.g. `mounts[0].options: expected an
// array, found a string`.
PluginConfig plugin_config_from_json(const Json& document);
// Also rejects non-JSON, trailing data, too deep or too large documents.
PluginConfig parse_plugin_config(std::string_view text);

struct PluginValidationOptions {
    // Host directory holding the plugins' socket dirs; bounds the socket name's length.
    std::string plugins_run_dir = "/run/docker/plugins";
};

struct PluginConfigReport {
    std::vector<Issue> errors;    // the config must not be run
    std::vector<Issue> warnings;  // Docker runs it, but probably not as the author meant
    bool ok() const { return errors.empty(); }
};

// Checks a decoded config (errors AND warnings, nothing thrown). Every config Docker runs
// successfully passes (tests/fixtures/plugins/ are the witnesses).
PluginConfigReport validate_plugin_config(const PluginConfig& config,
                                          const PluginValidationOptions& options = {});

// Throws ValidationError with every error of the report; does nothing if it has none.
void throw_if_invalid(const PluginConfigReport& report);

}  // namespace plugrt::oci
