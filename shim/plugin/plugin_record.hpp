// The on-disk description of one stored plugin: <store>/<id>/plugin.json.
//
//   {"Id": "<64 hex>", "Name": "rclone:latest", "Enabled": false, "Created": "<RFC 3339>",
//    "SettingArgs": ["RCLONE_VERBOSE=2", "config.source=/srv/rclone"],
//    "Settings": {"Args": [...], "Devices": [...], "Env": [...], "Mounts": [...]},
//    "Config": <config.json as given>}
//
// SettingArgs — the `plugrt plugin set` arguments in the order they were accepted — is the
// source of truth: effective settings are always recomputed from config.json plus these, with
// oci::apply_settings(), so they follow Docker's rules exactly. "Settings" is a snapshot in
// Docker's inspect shape, for humans and tools that read the file directly.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/plugin_config.hpp"
#include "oci/plugin_settings.hpp"
#include "runtime/text_file.hpp"

namespace plugrt::shim {

struct PluginRecord {
    std::string id;
    std::string name;
    bool enabled = false;
    std::string created;
    std::vector<std::string> setting_args;
    std::string description;  // from the config, for `ls`
};

// Config + settings after replaying setting_args; what the spec generator gets.
struct EffectivePlugin {
    oci::PluginConfig config;
    oci::PluginSettings settings;
};

// Reads config.json text and replays the setting arguments. Throws oci::ParseError or
// oci::SettingError.
EffectivePlugin effective_plugin(std::string_view config_json,
                                 const std::vector<std::string>& setting_args);

// Docker's inspect shape for Settings (keys sorted as Go's generated types are).
nlohmann::ordered_json settings_to_json(const oci::PluginSettings& settings);

nlohmann::ordered_json record_to_json(const PluginRecord& record,
                                      const nlohmann::ordered_json& settings,
                                      const nlohmann::ordered_json& config);

// Throws Error(Invalid) naming the file when fields are missing or of the wrong type.
PluginRecord record_from_json(const nlohmann::ordered_json& document, const std::string& file);

}  // namespace plugrt::shim
