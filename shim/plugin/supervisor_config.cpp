#include "shim/plugin/supervisor_config.hpp"

#include <nlohmann/json.hpp>

#include "runtime/error.hpp"

namespace plugrt::shim {
namespace {

using Json = nlohmann::ordered_json;

class Reader {
public:
    Reader(const Json& document, const std::string& file) : document_(document), file_(file) {}

    const Json& field(const char* key, Json::value_t type) const {
        const auto it = document_.find(key);
        if (it == document_.end()) fail(key, "is missing");
        const bool ok =
            type == Json::value_t::number_unsigned ? it->is_number_unsigned() : it->type() == type;
        if (!ok) fail(key, std::string("must be ") + type_name(type));
        return *it;
    }
    std::string string(const char* key) const {
        return field(key, Json::value_t::string).get<std::string>();
    }
    std::chrono::milliseconds millis(const char* key) const {
        return std::chrono::milliseconds{
            field(key, Json::value_t::number_unsigned).get<long long>()};
    }
    [[noreturn]] void fail(const char* key, const std::string& what) const {
        throw Error(Error::Kind::Invalid, file_ + ": " + key + " " + what);
    }

private:
    static const char* type_name(Json::value_t type) {
        switch (type) {
            case Json::value_t::string:
                return "a string";
            case Json::value_t::array:
                return "an array";
            case Json::value_t::object:
                return "an object";
            default:
                return "a non-negative integer";
        }
    }
    const Json& document_;
    const std::string& file_;
};

}  // namespace

std::string supervisor_config_to_json(const SupervisorConfig& c) {
    Json doc = {
        {"pluginId", c.plugin_id},
        {"pluginName", c.plugin_name},
        {"runtime", c.runtime},
        {"runtimeRoot", c.runtime_root},
        {"bundle", c.bundle_dir},
        {"stateDir", c.state_dir},
        {"socket", c.socket_path},
        {"socketDir", c.socket_dir},
        {"propagatedMount", c.propagated_mount},
        {"interfaceTypes", c.interface_types},
        {"log", c.log_destination},
        {"logFormat", c.log_format == LogFormat::Json ? "json" : "text"},
        {"stopTimeoutMs", c.stop_timeout.count()},
        {"readyTimeoutMs", c.ready_timeout.count()},
        {"restart",
         {{"max", c.restart.max_restarts},
          {"initialDelayMs", c.restart.initial_delay.count()},
          {"maxDelayMs", c.restart.max_delay.count()},
          {"healthyAfterMs", c.restart.healthy_after.count()}}},
    };
    return doc.dump(2) + "\n";
}

SupervisorConfig supervisor_config_from_json(std::string_view text, const std::string& file) {
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const Json::exception& e) {
        throw Error(Error::Kind::Invalid, file + ": not valid JSON: " + e.what());
    }
    if (!doc.is_object()) throw Error(Error::Kind::Invalid, file + ": must be a JSON object");
    const Reader r(doc, file);
    SupervisorConfig c;
    c.plugin_id = r.string("pluginId");
    c.plugin_name = r.string("pluginName");
    c.runtime = r.string("runtime");
    c.runtime_root = r.string("runtimeRoot");
    c.bundle_dir = r.string("bundle");
    c.state_dir = r.string("stateDir");
    c.socket_path = r.string("socket");
    c.socket_dir = r.string("socketDir");
    c.propagated_mount = r.string("propagatedMount");
    for (const auto& type : r.field("interfaceTypes", Json::value_t::array)) {
        if (!type.is_string()) r.fail("interfaceTypes", "must hold strings");
        c.interface_types.push_back(type.get<std::string>());
    }
    c.log_destination = r.string("log");
    const std::string format = r.string("logFormat");
    if (format != "text" && format != "json") r.fail("logFormat", "must be \"text\" or \"json\"");
    c.log_format = format == "json" ? LogFormat::Json : LogFormat::Text;
    c.stop_timeout = r.millis("stopTimeoutMs");
    c.ready_timeout = r.millis("readyTimeoutMs");
    const Reader restart(r.field("restart", Json::value_t::object), file);
    c.restart.max_restarts = restart.field("max", Json::value_t::number_unsigned).get<unsigned>();
    c.restart.initial_delay = restart.millis("initialDelayMs");
    c.restart.max_delay = restart.millis("maxDelayMs");
    c.restart.healthy_after = restart.millis("healthyAfterMs");
    if (c.plugin_id.empty()) r.fail("pluginId", "must not be empty");
    if (c.runtime.empty() || c.runtime[0] != '/') r.fail("runtime", "must be an absolute path");
    return c;
}

}  // namespace plugrt::shim
