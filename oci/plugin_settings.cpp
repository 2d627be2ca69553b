#include "oci/plugin_settings.hpp"

#include <algorithm>

namespace plugrt::oci {
namespace {

// Docker's error for a field that cannot be set: its name with the field, if one was given.
std::string pretty_name(const SettingArgument& s) {
    return s.field.empty() ? s.name : s.name + "." + s.field;
}

// settable.isSettable: with no field given, a single settable field is implied. Throws for an
// ambiguous argument; returns false for a field that is not allowed or not settable.
bool resolve_field(SettingArgument& s, std::string_view allowed,
                   const std::vector<std::string>& settable) {
    if (s.field.empty()) {
        if (settable.size() == 1) {
            s.field = settable.front();
        } else if (settable.size() > 1) {
            throw SettingError("multiple fields are settable, one must be specified");
        }
    }
    return s.field == allowed &&
           std::find(settable.begin(), settable.end(), s.field) != settable.end();
}

void require_settable(SettingArgument& s, std::string_view allowed,
                      const std::vector<std::string>& settable) {
    if (!resolve_field(s, allowed, settable)) {
        throw SettingError("\"" + pretty_name(s) + "\" is not settable");
    }
}

void update_env(std::vector<std::string>& env, const SettingArgument& s) {
    const std::string entry = s.name + "=" + s.value;
    for (auto& e : env) {
        if (e.substr(0, e.find('=')) == s.name) {
            e = entry;
            return;
        }
    }
    env.push_back(entry);
}

// strings.Split(value, " "): "" gives one empty argument, double spaces give empty ones.
std::vector<std::string> split_on_spaces(const std::string& value) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t space = value.find(' ', start);
        parts.push_back(value.substr(start, space - start));
        if (space == std::string::npos) return parts;
        start = space + 1;
    }
}

void apply_parsed(PluginConfig& config, PluginSettings& settings, SettingArgument s) {
    for (const auto& env : config.env) {
        if (env.name == s.name) {
            require_settable(s, "value", env.settable);
            update_env(settings.env, s);
            return;
        }
    }
    for (std::size_t i = 0; i < config.mounts.size(); ++i) {
        if (config.mounts[i].name == s.name) {
            require_settable(s, "source", config.mounts[i].settable);
            if (!config.mounts[i].source) throw SettingError("Plugin config has no mount source");
            config.mounts[i].source = s.value;
            if (settings.shares_config_pointers && i < settings.mounts.size()) {
                settings.mounts[i].source = s.value;
            }
            return;
        }
    }
    auto& devices = config.linux.devices;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (devices[i].name == s.name) {
            require_settable(s, "path", devices[i].settable);
            if (!devices[i].path) throw SettingError("Plugin config has no device path");
            devices[i].path = s.value;
            if (settings.shares_config_pointers && i < settings.devices.size()) {
                settings.devices[i].path = s.value;
            }
            return;
        }
    }
    if (config.args.name == s.name) {
        require_settable(s, "value", config.args.settable);
        settings.args = split_on_spaces(s.value);
        return;
    }
    throw SettingError("setting \"" + s.name + "\" not found in the plugin configuration");
}

}  // namespace

PluginSettings initial_plugin_settings(const PluginConfig& config) {
    PluginSettings settings;
    settings.mounts = config.mounts;
    settings.devices = config.linux.devices;
    for (const auto& env : config.env) {
        if (env.value) settings.env.push_back(env.name + "=" + *env.value);
    }
    settings.args = config.args.value;
    return settings;
}

SettingArgument parse_setting_argument(std::string_view arg) {
    SettingArgument s;
    const std::size_t eq = arg.find('=');
    if (eq == 0) throw SettingError("invalid format, must be <name>[.<field>][=<value>]");
    std::string_view name = arg.substr(0, eq);
    if (eq != std::string_view::npos) s.value = std::string(arg.substr(eq + 1));
    if (const std::size_t dot = name.rfind('.'); dot != std::string_view::npos && dot > 0) {
        s.field = std::string(name.substr(dot + 1));
        name = name.substr(0, dot);
    }
    s.name = std::string(name);
    return s;
}

void apply_settings(PluginConfig& config, PluginSettings& settings,
                    const std::vector<std::string>& args) {
    std::vector<SettingArgument> parsed;
    parsed.reserve(args.size());
    for (const auto& arg : args) parsed.push_back(parse_setting_argument(arg));
    for (auto& s : parsed) apply_parsed(config, settings, std::move(s));
}

void apply_setting(PluginConfig& config, PluginSettings& settings, std::string_view arg) {
    apply_parsed(config, settings, parse_setting_argument(arg));
}

}  // namespace plugrt::oci
