#include "shim/plugin/plugin_record.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt::shim {
namespace {

using Json = nlohmann::ordered_json;

Json optional_string(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

}  // namespace

EffectivePlugin effective_plugin(std::string_view config_json,
                                 const std::vector<std::string>& setting_args) {
    EffectivePlugin plugin{oci::parse_plugin_config(config_json), {}};
    plugin.settings = oci::initial_plugin_settings(plugin.config);
    oci::apply_settings(plugin.config, plugin.settings, setting_args);
    return plugin;
}

Json settings_to_json(const oci::PluginSettings& settings) {
    Json devices = Json::array();
    for (const oci::PluginDevice& d : settings.devices) {
        devices.push_back({{"Description", d.description},
                           {"Name", d.name},
                           {"Path", optional_string(d.path)},
                           {"Settable", d.settable}});
    }
    Json mounts = Json::array();
    for (const oci::PluginMount& m : settings.mounts) {
        mounts.push_back({{"Description", m.description},
                          {"Destination", m.destination},
                          {"Name", m.name},
                          {"Options", m.options},
                          {"Settable", m.settable},
                          {"Source", optional_string(m.source)},
                          {"Type", m.type}});
    }
    return Json{
        {"Args", settings.args}, {"Devices", devices}, {"Env", settings.env}, {"Mounts", mounts}};
}

Json record_to_json(const PluginRecord& record, const Json& settings, const Json& config) {
    return Json{{"Id", record.id},
                {"Name", record.name},
                {"Enabled", record.enabled},
                {"Created", record.created},
                {"SettingArgs", record.setting_args},
                {"Settings", settings},
                {"Config", config}};
}

PluginRecord record_from_json(const Json& document, const std::string& file) {
    try {
        PluginRecord record;
        record.id = document.at("Id").get<std::string>();
        record.name = document.at("Name").get<std::string>();
        record.enabled = document.at("Enabled").get<bool>();
        record.created = document.value("Created", std::string());
        record.setting_args = document.value("SettingArgs", std::vector<std::string>{});
        if (const auto config = document.find("Config");
            config != document.end() && config->is_object()) {
            for (const auto& [key, value] : config->items()) {
                // Go matches keys case-insensitively; "Description" and "description" both count.
                std::string lower = key;
                for (char& c : lower)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (lower == "description" && value.is_string()) record.description = value;
            }
        }
        return record;
    } catch (const nlohmann::json::exception& e) {
        throw Error(Error::Kind::Invalid, file + ": " + e.what());
    }
}

}  // namespace plugrt::shim
