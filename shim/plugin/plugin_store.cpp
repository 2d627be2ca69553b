#include "shim/plugin/plugin_store.hpp"

#include <spawn.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "oci/errors.hpp"
#include "oci/plugin_spec.hpp"
#include "runtime/error.hpp"
#include "runtime/mountinfo.hpp"
#include "shim/plugin/daemon_log_format.hpp"

extern char** environ;

namespace plugrt::shim {
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

// `cp -a` keeps owners, modes, times, xattrs, hard links and device nodes; reimplementing that
// tree walk in-process would only add bugs.
void copy_tree(const fs::path& from, const fs::path& to) {
    const std::string src = from.string();
    const std::string dst = to.string();
    const char* argv[] = {"cp", "-a", "--", src.c_str(), dst.c_str(), nullptr};
    pid_t pid = 0;
    if (const int err =
            ::posix_spawnp(&pid, "cp", nullptr, nullptr, const_cast<char**>(argv), environ)) {
        throw_errno(err, "spawn cp -a " + src + " " + dst);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw_errno("wait for cp -a " + src);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw Error(Error::Kind::System, "cp -a " + src + " " + dst + " failed");
    }
}

bool is_dir(const fs::path& path) {
    std::error_code ec;
    return fs::is_directory(fs::symlink_status(path, ec));
}

// Where config.json + rootfs/ are inside an extracted archive: at its top, or in its only
// top-level directory (tar czf p.tgz plugin/).
fs::path find_plugin_layout(const fs::path& unpacked, const std::string& source) {
    if (fs::exists(unpacked / "config.json") && is_dir(unpacked / "rootfs")) return unpacked;
    std::vector<fs::path> top;
    for (const auto& entry : fs::directory_iterator(unpacked)) top.push_back(entry.path());
    if (top.size() == 1 && is_dir(top[0]) && fs::exists(top[0] / "config.json") &&
        is_dir(top[0] / "rootfs")) {
        return top[0];
    }
    std::sort(top.begin(), top.end());
    std::string found;
    for (const fs::path& p : top) found += (found.empty() ? "" : ", ") + p.filename().string();
    throw Error(Error::Kind::Invalid, source + " holds no config.json and rootfs/ (found: " +
                                          (found.empty() ? "nothing" : found) + ")");
}

// Removes the staging directory unless the create succeeded.
class StagingDir {
public:
    explicit StagingDir(fs::path path) : path_(std::move(path)) {
        if (::mkdir(path_.c_str(), 0700) != 0) throw_errno("mkdir " + path_.string());
    }
    ~StagingDir() {
        if (!committed_) {
            std::error_code ignored;
            fs::remove_all(path_, ignored);
        }
    }
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;
    const fs::path& path() const noexcept { return path_; }
    void commit() noexcept { committed_ = true; }

private:
    fs::path path_;
    bool committed_ = false;
};

void populate_rootfs(const std::string& source, const fs::path& rootfs, CreateResult& result,
                     const ArchiveExtractor& extract) {
    if (is_dir(source)) {
        copy_tree(source, rootfs);
        return;
    }
    if (::mkdir(rootfs.c_str(), 0755) != 0) throw_errno("mkdir " + rootfs.string());
    const ExtractReport report = extract(source, rootfs);
    for (const std::string& skipped : report.skipped) {
        result.warnings.push_back("device node not created (no permission): " + skipped);
    }
}

}  // namespace

std::string random_plugin_id() {
    unsigned char bytes[32];
    std::size_t filled = 0;
    while (filled < sizeof bytes) {
        const ssize_t n = ::getrandom(bytes + filled, sizeof bytes - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("getrandom for a plugin id");
        }
        filled += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (const unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 0xF];
    }
    return id;
}

std::string normalize_plugin_name(std::string_view name) {
    const bool bad = name.empty() || std::any_of(name.begin(), name.end(), [](char c) {
                         return static_cast<unsigned char>(c) <= ' ' || c == 0x7F;
                     });
    if (bad) {
        throw Error(Error::Kind::Invalid, "invalid plugin name \"" + std::string(name) + "\"");
    }
    const std::size_t last_slash = name.rfind('/');
    const std::string_view last = last_slash == name.npos ? name : name.substr(last_slash + 1);
    if (last.find(':') != last.npos || name.find('@') != name.npos) return std::string(name);
    return std::string(name) + ":latest";
}

PluginStore::PluginStore(fs::path root, ArchiveExtractor extract)
    : root_(std::move(root)), extract_(std::move(extract)) {}

ExtractReport PluginStore::extract(const std::string& archive, const std::string& dest) const {
    if (!extract_) {
        throw Error(Error::Kind::Invalid, "cannot extract " + archive + ": no archive extractor");
    }
    return extract_(archive, dest);
}

CreateResult PluginStore::create(std::string_view name_arg, const std::string& source,
                                 const std::optional<std::string>& config_file) {
    const std::string name = normalize_plugin_name(name_arg);
    for (const PluginRecord& existing : list()) {
        if (existing.name == name) {
            throw Error(Error::Kind::Exists, "plugin \"" + name + "\" already exists");
        }
    }
    if (!fs::exists(source)) {
        throw Error(Error::Kind::NotFound, "plugin source " + source + " does not exist");
    }
    fs::create_directories(root_);
    CreateResult result;
    PluginRecord& record = result.record;
    record.id = random_plugin_id();
    record.name = name;
    record.created = rfc3339_seconds_local(std::chrono::system_clock::now());
    StagingDir staging(root_ / (".tmp-" + record.id));

    std::string config_text;
    if (config_file) {
        config_text = read_text_file(*config_file);
        populate_rootfs(
            source, staging.path() / "rootfs", result,
            [this](const std::string& a, const std::string& d) { return extract(a, d); });
    } else if (is_dir(source)) {
        if (!fs::exists(fs::path(source) / "config.json") || !is_dir(fs::path(source) / "rootfs")) {
            throw Error(Error::Kind::Invalid, source + " holds no config.json and rootfs/");
        }
        config_text = read_text_file(source + "/config.json");
        copy_tree(fs::path(source) / "rootfs", staging.path() / "rootfs");
    } else {
        const fs::path unpacked = staging.path() / "unpacked";
        fs::create_directory(unpacked);
        const ExtractReport report = extract(source, unpacked);
        for (const std::string& skipped : report.skipped) {
            result.warnings.push_back("device node not created (no permission): " + skipped);
        }
        const fs::path layout = find_plugin_layout(unpacked, source);
        config_text = read_text_file((layout / "config.json").string());
        fs::rename(layout / "rootfs", staging.path() / "rootfs");
        fs::remove_all(unpacked);
    }

    Json config_json;
    try {
        const EffectivePlugin plugin = effective_plugin(config_text, {});
        const oci::PluginConfigReport report = oci::validate_plugin_config(plugin.config);
        oci::throw_if_invalid(report);
        for (const oci::Issue& w : report.warnings)
            result.warnings.push_back(w.path + ": " + w.message);
        record.description = plugin.config.description;
        config_json = Json::parse(config_text);
        write_file_atomically((staging.path() / "config.json").string(), config_text);
        write_file_atomically(
            (staging.path() / "plugin.json").string(),
            record_to_json(record, settings_to_json(plugin.settings), config_json).dump(4) + "\n");
    } catch (const std::runtime_error& e) {
        if (dynamic_cast<const Error*>(&e)) throw;
        throw Error(Error::Kind::Invalid, "config.json of plugin " + name + ": " + e.what());
    }
    fs::rename(staging.path(), plugin_dir(record));
    staging.commit();
    return result;
}

PluginRecord PluginStore::load(const std::string& id) const {
    const std::string file = (root_ / id / "plugin.json").string();
    const Json document = Json::parse(read_text_file(file), nullptr, false);
    if (document.is_discarded()) throw Error(Error::Kind::Invalid, file + ": not valid JSON");
    PluginRecord record = record_from_json(document, file);
    if (record.id != id)
        throw Error(Error::Kind::Invalid, file + ": Id does not match its directory");
    return record;
}

void PluginStore::save(const PluginRecord& record) const {
    const fs::path dir = plugin_dir(record);
    const std::string config_text = read_text_file((dir / "config.json").string());
    const EffectivePlugin plugin = effective_plugin(config_text, record.setting_args);
    write_file_atomically(
        (dir / "plugin.json").string(),
        record_to_json(record, settings_to_json(plugin.settings), Json::parse(config_text))
                .dump(4) +
            "\n");
}

std::vector<PluginRecord> PluginStore::list() const {
    std::vector<PluginRecord> records;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_, ec)) {
        const std::string id = entry.path().filename().string();
        if (oci::is_plugin_id(id) && fs::exists(entry.path() / "plugin.json"))
            records.push_back(load(id));
    }
    std::sort(records.begin(), records.end(),
              [](const PluginRecord& a, const PluginRecord& b) { return a.name < b.name; });
    return records;
}

PluginRecord PluginStore::find(std::string_view reference) const {
    const std::vector<PluginRecord> records = list();
    const std::string quoted = "\"" + std::string(reference) + "\"";
    if (reference.empty()) throw Error(Error::Kind::NotFound, "plugin " + quoted + " not found");
    for (const PluginRecord& r : records) {
        if (r.id == reference) return r;
    }
    std::string name;
    try {
        name = normalize_plugin_name(reference);
    } catch (const Error&) {
        throw Error(Error::Kind::NotFound, "plugin " + quoted + " not found");
    }
    for (const PluginRecord& r : records) {
        if (r.name == name) return r;
    }
    const PluginRecord* match = nullptr;
    for (const PluginRecord& r : records) {
        if (r.id.starts_with(reference)) {
            if (match) throw Error(Error::Kind::Invalid, "multiple plugins found for " + quoted);
            match = &r;
        }
    }
    if (!match) throw Error(Error::Kind::NotFound, "plugin " + quoted + " not found");
    return *match;
}

EffectivePlugin PluginStore::effective(const PluginRecord& record) const {
    return effective_plugin(read_text_file((plugin_dir(record) / "config.json").string()),
                            record.setting_args);
}

void PluginStore::set(std::string_view reference, const std::vector<std::string>& args) {
    PluginRecord record = find(reference);
    if (record.enabled) {
        throw Error(Error::Kind::WrongState,
                    "cannot set on an active plugin, disable plugin before setting");
    }
    std::vector<std::string> all = record.setting_args;
    all.insert(all.end(), args.begin(), args.end());
    try {
        effective_plugin(read_text_file((plugin_dir(record) / "config.json").string()), all);
    } catch (const oci::SettingError& e) {
        throw Error(Error::Kind::Invalid, e.what());
    }
    record.setting_args = std::move(all);
    save(record);
}

void PluginStore::set_enabled(std::string_view reference, bool enabled) {
    PluginRecord record = find(reference);
    record.enabled = enabled;
    save(record);
}

void PluginStore::remove(std::string_view reference, bool force) {
    const PluginRecord record = find(reference);
    if (record.enabled && !force) {
        throw Error(Error::Kind::WrongState, "plugin " + record.name + " is enabled");
    }
    const fs::path dir = plugin_dir(record);
    const std::string prefix = fs::weakly_canonical(dir).string() + "/";
    for (const MountInfoEntry& mount : read_mountinfo()) {
        if (mount.mount_point.starts_with(prefix)) {
            throw Error(Error::Kind::WrongState, "plugin " + record.name + " still has " +
                                                     mount.mount_point +
                                                     " mounted; stop it before removing");
        }
    }
    // Rename first: the plugin disappears at once, even if deleting a large rootfs fails halfway.
    const fs::path doomed = root_ / (".rm-" + record.id);
    fs::rename(dir, doomed);
    fs::remove_all(doomed);
}

Json PluginStore::inspect(std::string_view reference) const {
    const PluginRecord record = find(reference);
    const std::string config_text = read_text_file((plugin_dir(record) / "config.json").string());
    const EffectivePlugin plugin = effective_plugin(config_text, record.setting_args);
    return Json{{"Config", Json::parse(config_text)},
                {"Created", record.created},
                {"Enabled", record.enabled},
                {"Id", record.id},
                {"Name", record.name},
                {"SettingArgs", record.setting_args},
                {"Settings", settings_to_json(plugin.settings)}};
}

}  // namespace plugrt::shim
