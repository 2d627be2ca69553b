#include "shim/plugin/supervisor_status.hpp"

#include <cerrno>
#include <nlohmann/json.hpp>

#include "runtime/error.hpp"
#include "runtime/runtime_log.hpp"
#include "runtime/text_file.hpp"
#include "shim/plugin/supervisor_config.hpp"

namespace plugrt::shim {

using Json = nlohmann::ordered_json;

void write_supervisor_status(const std::string& path, const SupervisorStatus& s) {
    const Json doc = {{"state", s.state},
                      {"supervisorPid", s.supervisor_pid},
                      {"pluginPid", s.plugin_pid},
                      {"restarts", s.restarts},
                      {"readyMs", s.ready_ms},
                      {"message", s.message},
                      {"updated", s.updated.empty() ? rfc3339_now() : s.updated}};
    write_file_atomically(path, doc.dump(2) + "\n");
}

std::optional<SupervisorStatus> read_supervisor_status(const std::string& path) {
    std::string text;
    try {
        text = read_text_file(path);
    } catch (const SysError& e) {
        if (e.err() == ENOENT) return std::nullopt;
        throw;
    }
    try {
        const Json doc = Json::parse(text);
        SupervisorStatus s;
        s.state = doc.at("state").get<std::string>();
        s.supervisor_pid = doc.at("supervisorPid").get<pid_t>();
        s.plugin_pid = doc.at("pluginPid").get<pid_t>();
        s.restarts = doc.at("restarts").get<unsigned>();
        s.ready_ms = doc.at("readyMs").get<long long>();
        s.message = doc.at("message").get<std::string>();
        s.updated = doc.at("updated").get<std::string>();
        return s;
    } catch (const Json::exception& e) {
        throw Error(Error::Kind::Invalid, path + ": not a supervisor status file: " + e.what());
    }
}

std::optional<SupervisorStatus> running_supervisor(const std::string& state_dir) {
    auto status = read_supervisor_status(state_dir + "/" + kSupervisorStatusFile);
    if (!status || status->supervisor_pid <= 0) return std::nullopt;
    try {
        const std::string cmdline =
            read_text_file("/proc/" + std::to_string(status->supervisor_pid) + "/cmdline");
        if (cmdline.find(state_dir) != std::string::npos) return status;
    } catch (const SysError&) {
        // gone
    }
    return std::nullopt;
}

}  // namespace plugrt::shim
