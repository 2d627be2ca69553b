// plugrt's own plugin store, laid out like Docker's /var/lib/docker/plugins:
//
//   <root>/<64-hex id>/plugin.json   name, id, enabled, settings (plugin_record.hpp)
//   <root>/<64-hex id>/config.json   the plugin config as given
//   <root>/<64-hex id>/rootfs/       the plugin's root filesystem
//
// A plugin is created from a directory holding config.json and rootfs/ (what
// `docker plugin create` takes), from a tar/tar.gz holding the same (optionally under one
// top-level directory), or from a separate config file plus a rootfs directory or tarball
// (e.g. `docker export` output). Everything is assembled in <root>/.tmp-<id> and renamed into
// place at the end, so a failed create leaves nothing behind and readers never see half a
// plugin.
//
// Plugins are found by full id, then by name (a missing tag means ":latest", as in Docker),
// then by unique id prefix. Error texts are Docker's where Docker has one.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shim/plugin/extract_report.hpp"
#include "shim/plugin/plugin_record.hpp"

namespace plugrt::shim {

inline constexpr const char* kDefaultPluginStoreRoot = "/var/lib/plugrt/plugins";

// 32 bytes from getrandom(2) as 64 lowercase hex digits.
std::string random_plugin_id();

// "rclone" → "rclone:latest"; names with a tag or digest are kept. Throws Error(Invalid) for
// an empty name or one with whitespace or control characters.
std::string normalize_plugin_name(std::string_view name);

struct CreateResult {
    PluginRecord record;
    std::vector<std::string> warnings;  // config findings Docker would also accept, skipped devices
};

class PluginStore {
public:
    explicit PluginStore(std::filesystem::path root = kDefaultPluginStoreRoot,
                         ArchiveExtractor extract = {});

    // `source` is a directory or an archive (which needs the store's extractor); with
    // `config_file`, source is only the rootfs.
    CreateResult create(std::string_view name, const std::string& source,
                        const std::optional<std::string>& config_file = std::nullopt);

    std::vector<PluginRecord> list() const;  // sorted by name
    PluginRecord find(
        std::string_view reference) const;  // Error(NotFound) "plugin \"x\" not found"

    // Replays all earlier settings plus `args` on the config; refuses (and changes nothing)
    // while enabled or when any argument is refused (oci::SettingError).
    void set(std::string_view reference, const std::vector<std::string>& args);
    void set_enabled(std::string_view reference, bool enabled);

    // Refuses an enabled plugin unless `force`; always refuses while anything is mounted
    // below the plugin's directory (deleting through a live bind mount would delete host data).
    void remove(std::string_view reference, bool force = false);

    // Docker's inspect shape: Config, Enabled, Id, Name, Settings (+ SettingArgs, Created).
    nlohmann::ordered_json inspect(std::string_view reference) const;
    EffectivePlugin effective(const PluginRecord& record) const;

    std::filesystem::path plugin_dir(const PluginRecord& record) const { return root_ / record.id; }
    std::filesystem::path rootfs_dir(const PluginRecord& record) const {
        return plugin_dir(record) / "rootfs";
    }
    const std::filesystem::path& root() const noexcept { return root_; }

private:
    PluginRecord load(const std::string& id) const;
    void save(const PluginRecord& record) const;

    // Extracts an archive source; throws when the store was made without one.
    ExtractReport extract(const std::string& archive, const std::string& dest) const;

    std::filesystem::path root_;
    ArchiveExtractor extract_;
};

}  // namespace plugrt::shim
