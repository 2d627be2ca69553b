// A plugin's Settings and `docker plugin set`, with Docker's exact grammar, lookup order and
// error messages (moby plugin/v2/settable.go and (*Plugin).Set).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "oci/plugin_config.hpp"

namespace plugrt::oci {

// Settings as Docker keeps them next to the config (`docker plugin inspect .Settings`).
struct PluginSettings {
    std::vector<PluginMount> mounts;    // copy of config.mounts
    std::vector<PluginDevice> devices;  // copy of config.linux.devices
    std::vector<std::string> env;       // NAME=value for every env entry with a non-null value
    std::vector<std::string> args;      // copy of config.args.value

    // Docker's Settings.Mounts/Devices share their Source/Path pointers with the config until
    // the daemon restarts and reloads both from JSON. While shared, `set mnt.source=` and
    // `set dev.path=` change both copies; once detached, only the config's. (Spec generation
    // reads mount sources from the config but device paths from the settings, so after a
    // daemon restart `set dev.path=` no longer reaches the spec. A store that reloads settings
    // from disk should set this to false to reproduce that.)
    bool shares_config_pointers = true;
};

// InitEmptySettings: what a freshly created or installed plugin has.
PluginSettings initial_plugin_settings(const PluginConfig& config);

// A refused `docker plugin set`; what() is Docker's message, e.g.
// `setting "FOO" not found in the plugin configuration`.
class SettingError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One `<name>[.<field>][=<value>]` argument, split as Docker splits it: the field follows the
// last '.' before the '=' (unless that '.' is the first character), no '=' means value "".
struct SettingArgument {
    std::string name;
    std::string field;
    std::string value;
};
SettingArgument parse_setting_argument(std::string_view arg);  // throws SettingError

// `docker plugin set` on a disabled plugin. All arguments are parsed first (a malformed one
// changes nothing); they are then applied in order, and the first refused one throws
// SettingError, leaving the earlier ones applied (as Docker does). Lookup order: env, mounts,
// devices, args. Mount sources and device paths are written into `config` (Docker writes
// through the shared pointers), env and args into `settings`.
void apply_settings(PluginConfig& config, PluginSettings& settings,
                    const std::vector<std::string>& args);
void apply_setting(PluginConfig& config, PluginSettings& settings, std::string_view arg);

}  // namespace plugrt::oci
