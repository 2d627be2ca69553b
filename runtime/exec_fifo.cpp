#include "runtime/exec_fifo.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "runtime/error.hpp"

namespace plugrt {

UniqueFd create_exec_fifo(const std::string& state_dir) {
    std::string path = state_dir + "/" + kExecFifoName;
    // 0622 as runc: only root (the runtime) reads; the init may run as another uid later but
    // opens through its inherited fd, so the mode does not have to grant it anything.
    mode_t old = ::umask(0);
    int rc = ::mkfifo(path.c_str(), 0622);
    ::umask(old);
    if (rc != 0) {
        throw_errno("mkfifo " + path);
    }
    UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
    if (!fd) {
        throw_errno("open " + path);
    }
    return fd;
}

int wait_for_start(int fifo_opath_fd) noexcept {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fifo_opath_fd);
    int fd;
    do {
        fd = ::open(path, O_WRONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return errno;
    }
    int err = ::write(fd, "0", 1) == 1 ? 0 : errno;
    ::close(fifo_opath_fd);
    return err;  // `fd` is left open on purpose: execve closes it (see the header)
}

void release_init(const std::string& state_dir, int init_pidfd, AwaitExec await_exec) {
    std::string path = state_dir + "/" + kExecFifoName;
    // Non-blocking open: a blocking one would hang forever if the init died after create.
    UniqueFd fifo(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fifo) {
        throw_errno("open " + path);
    }
    while (true) {
        pollfd pfds[2] = {{fifo.get(), POLLIN, 0}, {init_pidfd, POLLIN, 0}};
        if (::poll(pfds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll " + path);
        }
        if (pfds[0].revents & (POLLIN | POLLHUP)) {
            char byte;
            ssize_t n = ::read(fifo.get(), &byte, 1);
            if (n == 1) {
                break;
            }
            if (n == 0 && (pfds[0].revents & POLLHUP)) {
                throw Error(Error::Kind::WrongState,
                            "container init closed " + path + " without being started");
            }
        }
        if (pfds[1].revents & POLLIN) {
            throw Error(Error::Kind::WrongState,
                        "cannot start a container that has stopped (its init exited)");
        }
    }
    if (::unlink(path.c_str()) != 0) {
        throw_errno("unlink " + path);
    }
    if (await_exec == AwaitExec::No) {
        return;
    }
    // Until the last writer is gone: the init's end closes at its execve (or when it dies).
    while (true) {
        pollfd pfd{fifo.get(), POLLIN, 0};
        if (::poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll " + path + " for the init's execve");
        }
        char byte;
        const ssize_t n = ::read(fifo.get(), &byte, 1);
        if (n == 0) {
            return;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            throw_errno("read " + path + " while waiting for the init's execve");
        }
    }
}

}  // namespace plugrt
