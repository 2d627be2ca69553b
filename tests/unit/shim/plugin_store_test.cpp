#include "shim/plugin/plugin_store.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/error.hpp"
#include "shim/plugin/plugin_table.hpp"
#include "shim/plugin/unpack_helper.hpp"
#include "shim/unpack/archive_extract.hpp"
#include "tar_builder.hpp"
#include "temp_dir.hpp"

using namespace plugrt::shim;
using plugrt::test::TarBuilder;
using plugrt::test::TempDir;
namespace fs = std::filesystem;

namespace {

// The store as plugrt uses it extracts through plugrt-unpack; here the same code runs
// in-process.
ExtractReport extract_in_process(const std::string& archive, const std::string& dest) {
    return extract_archive(archive, dest);
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

const std::string& rclone_config() {
    static const std::string text = slurp(PLUGRT_FIXTURES_DIR "/plugins/rclone.json");
    return text;
}

// <dir>/src/{config.json, rootfs/bin/hello}
std::string make_plugin_dir(const TempDir& dir) {
    fs::create_directories(dir / "src/rootfs/bin");
    std::ofstream(dir / "src/config.json") << rclone_config();
    std::ofstream(dir / "src/rootfs/bin/hello") << "hello";
    return dir / "src";
}

std::vector<std::string> store_entries(const fs::path& root) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root)) names.push_back(e.path().filename());
    return names;
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_SUITE("shim/plugin_store") {
    TEST_CASE("plugin ids are 64 random hex digits") {
        const std::string a = random_plugin_id();
        CHECK(a.size() == 64);
        CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
        CHECK(a != random_plugin_id());
    }

    TEST_CASE("names without a tag get :latest, as in Docker") {
        CHECK(normalize_plugin_name("rclone") == "rclone:latest");
        CHECK(normalize_plugin_name("rclone/docker-volume-rclone:amd64") ==
              "rclone/docker-volume-rclone:amd64");
        CHECK(normalize_plugin_name("localhost:5000/rclone") == "localhost:5000/rclone:latest");
        CHECK_THROWS_AS(normalize_plugin_name("two words"), plugrt::Error);
        CHECK_THROWS_AS(normalize_plugin_name(""), plugrt::Error);
    }

    TEST_CASE("a plugin directory is stored under a new id with its record") {
        TempDir dir;
        PluginStore store(dir / "store", extract_in_process);
        const CreateResult created = store.create("rclone", make_plugin_dir(dir));
        const PluginRecord& record = created.record;
        CHECK(record.name == "rclone:latest");
        CHECK_FALSE(record.enabled);
        CHECK(record.description == "Rclone volume plugin for Docker");
        const fs::path plugin = fs::path(dir / "store") / record.id;
        CHECK(slurp(plugin / "config.json") == rclone_config());
        CHECK(slurp(plugin / "rootfs/bin/hello") == "hello");
        const auto json = nlohmann::json::parse(slurp(plugin / "plugin.json"));
        CHECK(json["Id"] == record.id);
        CHECK(json["Name"] == "rclone:latest");
        CHECK(json["Enabled"] == false);
        CHECK(json["Config"]["interface"]["socket"] == "rclone.sock");
        CHECK(store_entries(dir / "store") == std::vector<std::string>{record.id});
    }

    TEST_CASE("a tar.gz with the plugin under one top-level directory is accepted") {
        TempDir dir;
        const std::string tar = dir / "plugin.tgz";
        TarBuilder(tar, true)
            .dir("rclone/")
            .file("rclone/config.json", rclone_config())
            .dir("rclone/rootfs")
            .file("rclone/rootfs/etc-hello", "hi")
            .close();
        PluginStore store(dir / "store", extract_in_process);
        const PluginRecord record = store.create("r", tar).record;
        CHECK(slurp(store.rootfs_dir(record) / "etc-hello") == "hi");
        CHECK(store_entries(dir / "store") == std::vector<std::string>{record.id});
    }

    TEST_CASE("a separate config file plus a docker-export rootfs tarball is accepted") {
        TempDir dir;
        std::ofstream(dir / "config.json") << rclone_config();
        const std::string tar = dir / "export.tar";
        TarBuilder(tar).dir("usr").dir("usr/bin").file("usr/bin/rclone", "bin", 0755).close();
        PluginStore store(dir / "store", extract_in_process);
        const PluginRecord record = store.create("r", tar, dir / "config.json").record;
        CHECK(fs::exists(store.rootfs_dir(record) / "usr/bin/rclone"));
    }

    TEST_CASE("a hostile archive fails the create and leaves nothing behind") {
        TempDir dir;
        const std::string tar = dir / "evil.tar";
        TarBuilder(tar)
            .file("config.json", rclone_config())
            .dir("rootfs")
            .file("rootfs/../../x", "x")
            .close();
        PluginStore store(dir / "store", extract_in_process);
        CHECK(error_of([&] { store.create("evil", tar); }).find("contains \"..\"") !=
              std::string::npos);
        CHECK(store_entries(dir / "store").empty());
        CHECK(store.list().empty());
    }

    TEST_CASE("an archive without config.json and rootfs/ says what it found") {
        TempDir dir;
        const std::string tar = dir / "wrong.tar";
        TarBuilder(tar).file("a", "x").file("b", "y").close();
        PluginStore store(dir / "store", extract_in_process);
        CHECK(error_of([&] { store.create("w", tar); }) ==
              tar + " holds no config.json and rootfs/ (found: a, b)");
        CHECK(store_entries(dir / "store").empty());
    }

    TEST_CASE("an invalid config fails the create and leaves nothing behind") {
        TempDir dir;
        const std::string src = make_plugin_dir(dir);
        std::ofstream(src + "/config.json") << "{\"mounts\": \"not a list\"}";
        PluginStore store(dir / "store", extract_in_process);
        CHECK(error_of([&] {
                  store.create("bad", src);
              }).starts_with("config.json of plugin bad:latest: "));
        CHECK(store_entries(dir / "store").empty());
    }

    TEST_CASE("a second plugin with the same name is refused") {
        TempDir dir;
        PluginStore store(dir / "store", extract_in_process);
        store.create("rclone", make_plugin_dir(dir));
        CHECK(error_of([&] { store.create("rclone:latest", dir / "src"); }) ==
              "plugin \"rclone:latest\" already exists");
    }

    TEST_CASE("plugins are found by full id, name and unique id prefix") {
        TempDir dir;
        PluginStore store(dir / "store", extract_in_process);
        const PluginRecord record = store.create("rclone", make_plugin_dir(dir)).record;
        CHECK(store.find(record.id).name == "rclone:latest");
        CHECK(store.find("rclone").id == record.id);
        CHECK(store.find("rclone:latest").id == record.id);
        CHECK(store.find(record.id.substr(0, 5)).id == record.id);
        CHECK(error_of([&] { store.find("nope"); }) == "plugin \"nope\" not found");
    }

    TEST_CASE("settings are replayed on the config and refused while enabled") {
        TempDir dir;
        PluginStore store(dir / "store", extract_in_process);
        store.create("rclone", make_plugin_dir(dir));
        store.set("rclone", {"RCLONE_VERBOSE=2", "config.source=/srv/rclone"});
        const auto inspect = store.inspect("rclone");
        const auto& env = inspect["Settings"]["Env"];
        CHECK(std::find(env.begin(), env.end(), "RCLONE_VERBOSE=2") != env.end());
        CHECK(inspect["Settings"]["Mounts"][0]["Source"] == "/srv/rclone");
        CHECK(inspect["SettingArgs"].size() == 2);
        const EffectivePlugin effective = store.effective(store.find("rclone"));
        CHECK(effective.config.mounts[0].source == "/srv/rclone");

        CHECK(error_of([&] { store.set("rclone", {"RCLONE_CONFIG=/x"}); }).find("not settable") !=
              std::string::npos);
        CHECK(store.find("rclone").setting_args.size() == 2);

        store.set_enabled("rclone", true);
        CHECK(error_of([&] { store.set("rclone", {"RCLONE_VERBOSE=1"}); }) ==
              "cannot set on an active plugin, disable plugin before setting");
    }

    TEST_CASE("an enabled plugin is only removed with force") {
        TempDir dir;
        PluginStore store(dir / "store", extract_in_process);
        const PluginRecord record = store.create("rclone", make_plugin_dir(dir)).record;
        store.set_enabled("rclone", true);
        CHECK(error_of([&] { store.remove("rclone"); }) == "plugin rclone:latest is enabled");
        store.set_enabled("rclone", false);
        store.remove(record.id.substr(0, 12));
        CHECK(store_entries(dir / "store").empty());
    }

    TEST_CASE("ls prints docker's columns with a 12-character id") {
        PluginRecord a{
            std::string(64, 'a'), "rclone:latest", true, "", {}, "Rclone volume plugin for Docker"};
        PluginRecord b{std::string(64, 'b'),
                       "x:latest",
                       false,
                       "",
                       {},
                       "A description that is much longer than forty-five characters\nok"};
        CHECK(
            format_plugin_table({a, b}) ==
            "ID             NAME            DESCRIPTION                                     "
            "ENABLED\n"
            "aaaaaaaaaaaa   rclone:latest   Rclone volume plugin for Docker                 true\n"
            "bbbbbbbbbbbb   x:latest        A description that is much longer than "
            "forty\xE2\x80\xA6   false\n");
        CHECK(format_plugin_table({}) == "ID        NAME      DESCRIPTION   ENABLED\n");
        CHECK(ellipsis("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "\xC3\xA9\xE2\x80\xA6");
    }

    TEST_CASE("an archive without an extractor is refused by name; the report survives JSON") {
        TempDir dir;
        const std::string tar = dir / "plugin.tar";
        TarBuilder(tar).file("config.json", rclone_config()).dir("rootfs").close();
        PluginStore store(dir / "store");
        CHECK(error_of([&] { store.create("r", tar); }) ==
              "cannot extract " + tar + ": no archive extractor");
        CHECK(store_entries(dir / "store").empty());

        ExtractReport report;
        report.entries = 3;
        report.skipped = {"dev/null"};
        report.warnings = {"xattr \"user.x\" not restored"};
        const ExtractReport back = report_from_json(report_to_json(report));
        CHECK(back.entries == 3);
        CHECK(back.skipped == report.skipped);
        CHECK(back.warnings == report.warnings);
        CHECK_THROWS_AS(report_from_json("not json"), plugrt::Error);
    }
}
