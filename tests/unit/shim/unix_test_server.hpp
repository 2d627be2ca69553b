// A one-thread HTTP-ish server on a unix socket for the client and activation tests.
//
// It accepts connections one at a time, reads one request (headers plus Content-Length body),
// records it (probes that send nothing are not recorded) and hands the connected fd to the test's
// responder, then closes the connection.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "runtime/unique_fd.hpp"

namespace plugrt::test {

inline void send_text(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Creates, binds and (unless listen == false) listens on a unix stream socket.
inline UniqueFd bind_unix_stream(const std::string& path, bool listen = true) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        (listen && ::listen(fd.get(), 16) != 0)) {
        throw std::runtime_error("cannot bind test socket " + path);
    }
    return fd;
}

class UnixTestServer {
public:
    using Responder = std::function<void(int fd, const std::string& request)>;

    UnixTestServer(const std::string& path, Responder responder)
        : listener_(bind_unix_stream(path)), responder_(std::move(responder)) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
        stop_read_.reset(fds[0]);
        stop_write_.reset(fds[1]);
        thread_ = std::thread([this] { serve(); });
    }
    ~UnixTestServer() {
        (void)!::write(stop_write_.get(), "x", 1);
        thread_.join();
    }

    std::vector<std::string> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void serve() {
        for (;;) {
            pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) continue;
            if (fds[1].revents) return;
            UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (!connection) continue;
            const std::string request = read_request(connection.get());
            if (request.empty()) {
                continue;  // a connect() probe: closed without a request
            }
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(request);
            }
            responder_(connection.get(), request);
        }
    }

    static std::string read_request(int fd) {
        std::string data;
        char buffer[4096];
        for (;;) {
            const std::size_t end = data.find("\r\n\r\n");
            if (end != std::string::npos) {
                const std::size_t cl = data.find("Content-Length: ");
                const std::size_t length =
                    cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
                if (data.size() >= end + 4 + length) return data;
            }
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) return data;
            data.append(buffer, static_cast<std::size_t>(n));
        }
    }

    UniqueFd listener_;
    UniqueFd stop_read_;
    UniqueFd stop_write_;
    Responder responder_;
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
    std::thread thread_;
};

// A responder that sends a fixed reply.
inline UnixTestServer::Responder reply_with(std::string reply) {
    return [reply = std::move(reply)](int fd, const std::string&) { send_text(fd, reply); };
}

}  // namespace plugrt::test
