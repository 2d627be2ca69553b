// A minimal blocking HTTP/1.1 client over AF_UNIX sockets, for the Docker plugin protocol.
//
// One request per connection: POST <path>, read the response, close. Requests carry the
// headers dockerd's plugin client sends, in Go's order:
//
//   POST /VolumeDriver.Mount HTTP/1.1
//   Host: plugin.moby.localhost
//   User-Agent: plugrt/<version>
//   Content-Length: <n>
//   Accept: application/vnd.docker.plugins.v1.2+json
//
// Host: dockerd >= 20.10.26 / 23.0.7 sends the dummy name "plugin.moby.localhost"; older
// releases derived it from the socket path, with bytes that depended on the Go release. The
// newest behaviour is the only stable one, so plugrt uses it. Go's "Accept-Encoding: gzip" is
// not sent: plugrt does not decode gzip, and without the header servers do not compress.
// Content-Length is sent even for an empty body, as Go does for POST.
//
// Timeouts: `connect_timeout` bounds connect() (which only blocks when the listener's backlog
// is full); `total_timeout` bounds the whole exchange from the call to the last body byte,
// like Go's http.Client.Timeout. Zero means no limit.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "runtime/error.hpp"
#include "shim/common/http_response_parser.hpp"

namespace plugrt::shim {

// "plugrt/<version>".
std::string default_user_agent();

struct HttpOptions {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds total_timeout{30000};
    std::string host = "plugin.moby.localhost";
    std::string accept = "application/vnd.docker.plugins.v1.2+json";
    std::string user_agent = default_user_agent();
    std::size_t max_response_bytes = 16 * 1024 * 1024;
};

// Every failure of a request. The message names the method, the socket and the step:
//   POST /Plugin.Activate on /run/docker/plugins/<id>/rclone.sock: connect: No such file or
//   directory (ENOENT)
class HttpError : public Error {
public:
    enum class Stage { Connect, Send, Receive, Parse, Timeout };

    HttpError(Stage stage, int err, const std::string& message)
        : Error(Kind::System, message, err), stage_(stage) {}

    Stage stage() const noexcept { return stage_; }

private:
    Stage stage_;
};

// The exact request bytes (exposed for tests and for `plugrt plugin call --dry-run`).
// Throws Error(Invalid) for a path that is not of the form /Name with no spaces or controls.
std::string build_post_request(std::string_view path, std::string_view body,
                               const HttpOptions& options);

// POSTs `body` to `path` (e.g. "/Plugin.Activate") on the unix socket and returns the response,
// whatever its status. Throws HttpError.
HttpResponse http_post_unix(const std::string& socket_path, std::string_view path,
                            std::string_view body, const HttpOptions& options = {});

}  // namespace plugrt::shim
