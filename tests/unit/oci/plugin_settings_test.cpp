#include "oci/plugin_settings.hpp"

#include <doctest/doctest.h>

using namespace plugrt::oci;

namespace {

PluginConfig sample() {
    return parse_plugin_config(R"({
        "entrypoint": ["/p"],
        "env": [{"name": "DEBUG", "value": "0", "settable": ["value"]},
                {"name": "FIXED", "value": "1"},
                {"name": "UNSET", "value": null, "settable": ["value"]},
                {"name": "a.b", "value": "x", "settable": ["value"]}],
        "mounts": [{"name": "state", "source": "/var/state", "destination": "/state",
                    "settable": ["source"]},
                   {"name": "nosrc", "source": null, "destination": "/n", "settable": ["source"]},
                   {"name": "DEBUG", "source": "/m", "destination": "/m", "settable": ["source"]}],
        "linux": {"devices": [{"name": "dev", "path": "/dev/fuse", "settable": ["path"]},
                              {"name": "both", "path": "/dev/x", "settable": ["path", "value"]}]},
        "args": {"name": "args", "value": ["-v"], "settable": ["value"]}
    })");
}

std::string set_error(std::vector<std::string> args) {
    PluginConfig config = sample();
    PluginSettings settings = initial_plugin_settings(config);
    try {
        apply_settings(config, settings, args);
    } catch (const SettingError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_SUITE("oci/plugin_settings") {
    TEST_CASE("initial settings copy the config and export only non-null env values") {
        const PluginConfig config = sample();
        const PluginSettings s = initial_plugin_settings(config);
        CHECK(s.env == std::vector<std::string>{"DEBUG=0", "FIXED=1", "a.b=x"});
        CHECK(s.args == std::vector<std::string>{"-v"});
        CHECK(s.mounts.size() == 3);
        CHECK(s.devices.size() == 2);
    }

    TEST_CASE("arguments split into name, field after the last dot, and value") {
        auto s = parse_setting_argument("a.b.c=x=y");
        CHECK(s.name == "a.b");
        CHECK(s.field == "c");
        CHECK(s.value == "x=y");
        s = parse_setting_argument("name");
        CHECK(s.name == "name");
        CHECK(s.field.empty());
        CHECK(s.value.empty());
        s = parse_setting_argument(".hidden=1");
        CHECK(s.name == ".hidden");
        CHECK(s.field.empty());
        CHECK_THROWS_WITH_AS(parse_setting_argument("=x"),
                             "invalid format, must be <name>[.<field>][=<value>]", SettingError);
    }

    TEST_CASE("env settings replace in place or append, with or without the field") {
        PluginConfig config = sample();
        PluginSettings s = initial_plugin_settings(config);
        apply_settings(config, s, {"DEBUG=1", "UNSET.value=now", "DEBUG.value=2"});
        CHECK(s.env == std::vector<std::string>{"DEBUG=2", "FIXED=1", "a.b=x", "UNSET=now"});
    }

    TEST_CASE("env is looked up before mounts with the same name") {
        PluginConfig config = sample();
        PluginSettings s = initial_plugin_settings(config);
        apply_setting(config, s, "DEBUG=/elsewhere");
        CHECK(config.mounts[2].source == "/m");
        CHECK(s.env[0] == "DEBUG=/elsewhere");
    }

    TEST_CASE("mount sources and device paths are written to the config and the shared settings") {
        PluginConfig config = sample();
        PluginSettings s = initial_plugin_settings(config);
        apply_settings(config, s, {"state=/srv", "dev.path=/dev/net/tun"});
        CHECK(config.mounts[0].source == "/srv");
        CHECK(s.mounts[0].source == "/srv");
        CHECK(config.linux.devices[0].path == "/dev/net/tun");
        CHECK(s.devices[0].path == "/dev/net/tun");
    }

    TEST_CASE("after a daemon restart only the config copy changes") {
        PluginConfig config = sample();
        PluginSettings s = initial_plugin_settings(config);
        s.shares_config_pointers = false;
        apply_settings(config, s, {"state=/srv", "dev=/dev/null"});
        CHECK(config.mounts[0].source == "/srv");
        CHECK(s.mounts[0].source == "/var/state");
        CHECK(s.devices[0].path == "/dev/fuse");
    }

    TEST_CASE("args are split on single spaces") {
        PluginConfig config = sample();
        PluginSettings s = initial_plugin_settings(config);
        apply_setting(config, s, "args=-a  b");
        CHECK(s.args == std::vector<std::string>{"-a", "", "b"});
        apply_setting(config, s, "args");
        CHECK(s.args == std::vector<std::string>{""});
    }

    TEST_CASE("Docker's error messages") {
        CHECK(set_error({"nope=1"}) == "setting \"nope\" not found in the plugin configuration");
        CHECK(set_error({"FIXED=2"}) == "\"FIXED\" is not settable");
        CHECK(set_error({"DEBUG.source=2"}) == "\"DEBUG.source\" is not settable");
        CHECK(set_error({"state.destination=/x"}) == "\"state.destination\" is not settable");
        CHECK(set_error({"both=/dev/y"}) == "multiple fields are settable, one must be specified");
        CHECK(set_error({"nosrc=/x"}) == "Plugin config has no mount source");
        CHECK(set_error({"a.b=1"}) == "setting \"a\" not found in the plugin configuration");
        CHECK(set_error({"DEBUG=1", "=bad"}) ==
              "invalid format, must be <name>[.<field>][=<value>]");
    }

    TEST_CASE("a null device path cannot be set") {
        PluginConfig config = parse_plugin_config(
            R"({"linux":{"devices":[{"name":"d","path":null,"settable":["path"]}]}})");
        PluginSettings s = initial_plugin_settings(config);
        CHECK_THROWS_WITH_AS(apply_setting(config, s, "d=/dev/x"),
                             "Plugin config has no device path", SettingError);
    }

    TEST_CASE("a malformed argument changes nothing, a refused one keeps earlier changes") {
        PluginConfig config = sample();
        PluginSettings s = initial_plugin_settings(config);
        CHECK_THROWS(apply_settings(config, s, {"DEBUG=5", "=x"}));
        CHECK(s.env[0] == "DEBUG=0");
        CHECK_THROWS(apply_settings(config, s, {"DEBUG=5", "FIXED=x"}));
        CHECK(s.env[0] == "DEBUG=5");
    }
}
