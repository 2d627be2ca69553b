#include "shim/plugin/socket_waiter.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/error.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt::shim {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint32_t kWatchMask =
    IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

// The deepest existing directory on the way to `path`'s parent (at worst "/").
// Plain string handling, not std::filesystem, which would pull iostreams and locales into the
// statically linked supervisor.
std::string deepest_existing_dir(const std::string& socket_path) {
    std::string dir = socket_path;
    struct stat st {};
    for (;;) {
        const auto slash = dir.find_last_of('/');
        if (slash == std::string::npos) return ".";
        if (slash == 0) return "/";
        dir.resize(slash);
        if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return dir;
    }
}

void drain(int inotify_fd) {
    alignas(inotify_event) char buffer[4096];
    while (::read(inotify_fd, buffer, sizeof buffer) > 0) {
    }
}

}  // namespace

int try_connect_unix(const std::string& socket_path) noexcept {
    sockaddr_un address{};
    if (socket_path.size() >= sizeof address.sun_path) {
        return ENAMETOOLONG;
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) {
        return errno;
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        return 0;
    }
    // EAGAIN: the listener exists and its backlog is full, so it is listening.
    return errno == EAGAIN ? 0 : errno;
}

SocketWaitResult wait_for_socket(const std::string& socket_path, milliseconds timeout,
                                 int exit_fd) {
    const auto start = Clock::now();
    const auto deadline = start + timeout;
    SocketWaitResult result;
    auto finish = [&](SocketWaitResult::Outcome outcome) {
        result.outcome = outcome;
        result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
        return result;
    };

    UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify) {
        throw_errno("inotify_init1 to wait for " + socket_path);
    }
    std::string watched;
    int watch = -1;
    milliseconds refused_backoff{1};

    for (;;) {
        // Watch first, then look: an event between the two is then never lost.
        const std::string dir = deepest_existing_dir(socket_path);
        if (dir != watched) {
            if (watch >= 0) {
                ::inotify_rm_watch(inotify.get(), watch);
            }
            watch = ::inotify_add_watch(inotify.get(), dir.c_str(), kWatchMask);
            watched = watch >= 0 ? dir : std::string();
            if (watch < 0 && errno != ENOENT && errno != ENOTDIR) {
                throw_errno("inotify_add_watch " + dir + " to wait for " + socket_path);
            }
        }

        bool refused = false;
        struct stat st {};
        if (::lstat(socket_path.c_str(), &st) == 0) {
            result.socket_seen = true;
            const int err = try_connect_unix(socket_path);
            if (err == 0) {
                result.last_connect_errno = 0;
                return finish(SocketWaitResult::Outcome::Connectable);
            }
            result.last_connect_errno = err;
            refused = true;
        } else {
            refused_backoff = milliseconds{1};
        }

        const auto now = Clock::now();
        if (now >= deadline) {
            return finish(SocketWaitResult::Outcome::TimedOut);
        }
        auto wait = std::chrono::ceil<milliseconds>(deadline - now);
        if (refused) {
            wait = std::min(wait, refused_backoff);
            refused_backoff = std::min(refused_backoff * 2, milliseconds{100});
        } else if (watch < 0) {
            wait = std::min(wait, milliseconds{100});  // nothing to watch (e.g. EACCES): poll
        }

        pollfd fds[2] = {{inotify.get(), POLLIN, 0}, {exit_fd, POLLIN, 0}};
        const int rc = ::poll(fds, exit_fd >= 0 ? 2 : 1, static_cast<int>(wait.count()));
        if (rc < 0 && errno != EINTR) {
            throw_errno("poll while waiting for " + socket_path);
        }
        if (rc > 0 && exit_fd >= 0 && fds[1].revents != 0) {
            return finish(SocketWaitResult::Outcome::ProcessExited);
        }
        if (rc > 0 && fds[0].revents != 0) {
            drain(inotify.get());
        }
    }
}

}  // namespace plugrt::shim
