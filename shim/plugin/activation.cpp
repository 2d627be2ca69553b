#include "shim/plugin/activation.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>

#include "shim/plugin/socket_waiter.hpp"

namespace plugrt::shim {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string join_quoted(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        out += "\"" + items[i] + "\"";
    }
    return out + "]";
}

std::string errno_text(int err) {
    return std::string(std::strerror(err)) + " (" + errno_name(err) + ")";
}

}  // namespace

std::optional<std::string> implements_name_for(std::string_view interface_type) {
    // moby: the version follows the first '/', the prefix ends at the last '.' before it.
    const std::string_view name = interface_type.substr(0, interface_type.find('/'));
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || name.substr(0, dot) != "docker") {
        return std::nullopt;
    }
    static constexpr std::pair<const char*, const char*> kSubsystems[] = {
        {"volumedriver", "VolumeDriver"}, {"networkdriver", "NetworkDriver"},
        {"ipamdriver", "IpamDriver"},     {"authz", "authz"},
        {"logdriver", "LogDriver"},       {"metricscollector", "MetricsCollector"},
    };
    const std::string capability = lower(name.substr(dot + 1));
    for (const auto& [key, subsystem] : kSubsystems) {
        if (capability == key) return std::string(subsystem);
    }
    return std::nullopt;
}

std::string_view outcome_name(ActivationResult::Outcome outcome) noexcept {
    switch (outcome) {
        case ActivationResult::Outcome::Ready:
            return "ready";
        case ActivationResult::Outcome::SocketNeverAppeared:
            return "socket never appeared";
        case ActivationResult::Outcome::SocketRefused:
            return "socket refused connections";
        case ActivationResult::Outcome::ProcessExited:
            return "plugin process exited";
        case ActivationResult::Outcome::ActivateFailed:
            return "Plugin.Activate failed";
        case ActivationResult::Outcome::WrongImplements:
            return "wrong Implements";
    }
    return "?";
}

std::vector<std::string> parse_implements(std::string_view body) {
    const nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        throw Error(Error::Kind::Invalid, "Plugin.Activate response is not a JSON object");
    }
    const nlohmann::json* list = nullptr;
    for (const auto& [key, value] : document.items()) {
        if (lower(key) == "implements") list = &value;  // Go: the last case-folded match wins
    }
    if (!list || list->is_null()) {
        throw Error(Error::Kind::Invalid, "Plugin.Activate response has no Implements");
    }
    if (!list->is_array()) {
        throw Error(Error::Kind::Invalid, "Plugin.Activate Implements is not an array");
    }
    std::vector<std::string> names;
    for (const nlohmann::json& item : *list) {
        if (!item.is_string()) {
            throw Error(Error::Kind::Invalid, "Plugin.Activate Implements holds a non-string");
        }
        names.push_back(item.get<std::string>());
    }
    return names;
}

std::string ActivationResult::describe() const {
    const std::string took = " after " + std::to_string(elapsed.count()) + " ms";
    switch (outcome) {
        case Outcome::Ready:
            return "plugin ready" + took + ", implements " + join_quoted(implements);
        case Outcome::SocketNeverAppeared:
            return "plugin socket never appeared" + took;
        case Outcome::SocketRefused:
            return "plugin socket exists but refused connections" + took + ": " +
                   errno_text(connect_errno);
        case Outcome::ProcessExited:
            return "plugin process exited" + took + " before it was ready";
        case Outcome::ActivateFailed:
            if (http_status != 0) {
                return "Plugin.Activate answered HTTP " + std::to_string(http_status) + took +
                       ": " + body;
            }
            return "Plugin.Activate failed" + took + ": " + error;
        case Outcome::WrongImplements: {
            std::string text = "plugin implements " + join_quoted(implements) + ", expected " +
                               join_quoted(expected) + ": missing";
            for (const std::string& name : missing) text += " " + name;
            return text;
        }
    }
    return "?";
}

ActivationResult activate_plugin(const ActivationRequest& request) {
    const auto start = Clock::now();
    ActivationResult result;
    for (const std::string& type : request.interface_types) {
        if (auto name = implements_name_for(type)) {
            if (std::find(result.expected.begin(), result.expected.end(), *name) ==
                result.expected.end()) {
                result.expected.push_back(*name);
            }
        } else {
            result.unchecked.push_back(type);
        }
    }
    auto finish = [&](ActivationResult::Outcome outcome) {
        result.outcome = outcome;
        result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
        return result;
    };

    const SocketWaitResult wait =
        wait_for_socket(request.socket_path, request.timeout, request.exit_fd);
    result.connect_errno = wait.last_connect_errno;
    switch (wait.outcome) {
        case SocketWaitResult::Outcome::ProcessExited:
            return finish(ActivationResult::Outcome::ProcessExited);
        case SocketWaitResult::Outcome::TimedOut:
            return finish(wait.socket_seen ? ActivationResult::Outcome::SocketRefused
                                           : ActivationResult::Outcome::SocketNeverAppeared);
        case SocketWaitResult::Outcome::Connectable:
            break;
    }

    HttpOptions http = request.http;
    const auto left =
        request.timeout - std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    http.total_timeout = std::max(left, milliseconds{1});
    if (request.http.total_timeout.count() > 0) {
        http.total_timeout = std::min(http.total_timeout, request.http.total_timeout);
    }
    HttpResponse response;
    try {
        response = http_post_unix(request.socket_path, "/Plugin.Activate", "", http);
    } catch (const HttpError& e) {
        result.error = e.what();
        return finish(ActivationResult::Outcome::ActivateFailed);
    }
    result.body = response.body;
    if (response.status != 200) {
        result.http_status = response.status;
        return finish(ActivationResult::Outcome::ActivateFailed);
    }
    try {
        result.implements = parse_implements(response.body);
    } catch (const Error& e) {
        result.error = std::string(e.what()) + ": " + response.body.substr(0, 200);
        return finish(ActivationResult::Outcome::ActivateFailed);
    }
    for (const std::string& name : result.expected) {
        if (std::find(result.implements.begin(), result.implements.end(), name) ==
            result.implements.end()) {
            result.missing.push_back(name);
        }
    }
    return finish(result.missing.empty() ? ActivationResult::Outcome::Ready
                                         : ActivationResult::Outcome::WrongImplements);
}

}  // namespace plugrt::shim
