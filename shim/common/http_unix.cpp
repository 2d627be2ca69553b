#include "shim/common/http_unix.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "runtime/unique_fd.hpp"

#ifndef PLUGRT_VERSION
#define PLUGRT_VERSION "0.1.0"
#endif

namespace plugrt::shim {
namespace {

using Clock = std::chrono::steady_clock;

// Remaining time of the total deadline, in poll() milliseconds (-1: none).
class Deadline {
public:
    explicit Deadline(std::chrono::milliseconds limit)
        : end_(limit.count() > 0 ? std::optional(Clock::now() + limit) : std::nullopt) {}

    int poll_timeout() const {
        if (!end_) return -1;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*end_ - Clock::now());
        return left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }
    bool expired() const { return end_ && Clock::now() >= *end_; }

private:
    std::optional<Clock::time_point> end_;
};

class Exchange {
public:
    Exchange(const std::string& socket_path, std::string_view path, const HttpOptions& options)
        : prefix_("POST " + std::string(path) + " on " + socket_path + ": "),
          socket_path_(socket_path),
          options_(options),
          deadline_(options.total_timeout) {}

    [[noreturn]] void fail(HttpError::Stage stage, int err, const std::string& what) const {
        std::string message = prefix_ + what;
        if (err != 0) {
            message += std::string(": ") + std::strerror(err) + " (" + errno_name(err) + ")";
        }
        throw HttpError(stage, err, message);
    }

    void connect() {
        sockaddr_un address{};
        if (socket_path_.size() >= sizeof address.sun_path) {
            fail(HttpError::Stage::Connect, ENAMETOOLONG,
                 "connect: socket path is " + std::to_string(socket_path_.size()) +
                     " bytes, the limit is " + std::to_string(sizeof address.sun_path - 1));
        }
        fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd_) fail(HttpError::Stage::Connect, errno, "socket");
        // A blocking connect honours SO_SNDTIMEO on AF_UNIX; it only waits when the
        // listener's backlog is full, and then fails with EAGAIN at the timeout.
        auto limit = options_.connect_timeout;
        if (options_.total_timeout.count() > 0) limit = std::min(limit, options_.total_timeout);
        if (limit.count() > 0) {
            const timeval tv{static_cast<time_t>(limit.count() / 1000),
                             static_cast<suseconds_t>((limit.count() % 1000) * 1000)};
            ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        }
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
        int rc;
        do {
            rc = ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
        } while (rc != 0 && errno == EINTR);
        if (rc != 0) fail(HttpError::Stage::Connect, errno, "connect");
        if (::fcntl(fd_.get(), F_SETFL, O_NONBLOCK) != 0)
            fail(HttpError::Stage::Connect, errno, "fcntl");
    }

    // Waits until the socket is ready for `events` or the deadline passes.
    void wait_for(short events, HttpError::Stage stage, const char* what) const {
        pollfd p{fd_.get(), events, 0};
        for (;;) {
            const int rc = ::poll(&p, 1, deadline_.poll_timeout());
            if (rc > 0) return;
            if (rc == 0) {
                fail(HttpError::Stage::Timeout, 0,
                     std::string(what) + ": timed out after " +
                         std::to_string(options_.total_timeout.count()) + " ms");
            }
            if (errno != EINTR) fail(stage, errno, "poll");
        }
    }

    void send_all(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
            if (n >= 0) {
                data.remove_prefix(static_cast<std::size_t>(n));
            } else if (errno == EAGAIN) {
                wait_for(POLLOUT, HttpError::Stage::Send, "send request");
            } else if (errno != EINTR) {
                fail(HttpError::Stage::Send, errno, "send request");
            }
        }
    }

    HttpResponse receive() {
        HttpResponseParser parser(options_.max_response_bytes);
        char buffer[16384];
        try {
            for (;;) {
                const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
                if (n > 0) {
                    if (parser.feed(std::string_view(buffer, static_cast<std::size_t>(n)))) break;
                } else if (n == 0) {
                    parser.finish();
                    break;
                } else if (errno == EAGAIN) {
                    wait_for(POLLIN, HttpError::Stage::Receive, "read response");
                } else if (errno != EINTR) {
                    fail(HttpError::Stage::Receive, errno, "read response");
                }
            }
        } catch (const HttpParseError& e) {
            fail(HttpError::Stage::Parse, 0, "invalid response: " + e.message);
        }
        return std::move(parser.response());
    }

private:
    std::string prefix_;
    const std::string& socket_path_;
    const HttpOptions& options_;
    Deadline deadline_;
    UniqueFd fd_;
};

void check_request_path(std::string_view path) {
    const bool bad_char = path.find_first_of(std::string_view(" \t\r\n\0", 5)) != path.npos;
    if (!path.starts_with('/') || bad_char) {
        throw Error(Error::Kind::Invalid, "invalid plugin request path \"" + std::string(path) +
                                              "\": it must start with / and hold no whitespace");
    }
}

}  // namespace

std::string default_user_agent() { return std::string("plugrt/") + PLUGRT_VERSION; }

std::string build_post_request(std::string_view path, std::string_view body,
                               const HttpOptions& options) {
    check_request_path(path);
    std::string request;
    request.reserve(256 + body.size());
    request.append("POST ").append(path).append(" HTTP/1.1\r\n");
    request.append("Host: ").append(options.host).append("\r\n");
    request.append("User-Agent: ").append(options.user_agent).append("\r\n");
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    request.append("Accept: ").append(options.accept).append("\r\n");
    request.append("\r\n");
    request.append(body);
    return request;
}

HttpResponse http_post_unix(const std::string& socket_path, std::string_view path,
                            std::string_view body, const HttpOptions& options) {
    const std::string request = build_post_request(path, body, options);
    Exchange exchange(socket_path, path, options);
    exchange.connect();
    exchange.send_all(request);
    return exchange.receive();
}

}  // namespace plugrt::shim
