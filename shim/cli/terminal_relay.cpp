#include "shim/cli/terminal_relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "runtime/error.hpp"
#include "runtime/exit_status.hpp"
#include "runtime/syscalls.hpp"

namespace plugrt::cli {
namespace {

// Raw mode on a terminal, undone by the destructor, however the relay ends.
class RawMode {
public:
    explicit RawMode(int fd) : fd_(fd) {
        if (::isatty(fd) == 0 || ::tcgetattr(fd, &saved_) != 0) {
            return;
        }
        termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(fd, TCSADRAIN, &raw) == 0;
    }
    ~RawMode() {
        if (active_) {
            ::tcsetattr(fd_, TCSADRAIN, &saved_);
        }
    }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

// SIGWINCH as readable events for the poll loop rather than a handler; our mask is restored at
// the end (nothing forked later inherits the block).
class WindowChanges {
public:
    WindowChanges() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGWINCH);
        if (::sigprocmask(SIG_BLOCK, &set, &saved_) != 0) {
            throw_errno("sigprocmask(SIGWINCH)");
        }
        fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
        if (!fd_) {
            int err = errno;
            ::sigprocmask(SIG_SETMASK, &saved_, nullptr);
            throw_errno(err, "signalfd(SIGWINCH)");
        }
    }
    ~WindowChanges() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }
    WindowChanges(const WindowChanges&) = delete;
    WindowChanges& operator=(const WindowChanges&) = delete;

    int fd() const { return fd_.get(); }
    void consume() {
        signalfd_siginfo info;
        while (::read(fd_.get(), &info, sizeof info) == sizeof info) {
        }
    }

private:
    UniqueFd fd_;
    sigset_t saved_{};
};

// SIGPIPE ignored for the relay's lifetime, then as it was.
class IgnoredSigpipe {
public:
    IgnoredSigpipe() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ignore, &saved_);
    }
    ~IgnoredSigpipe() { ::sigaction(SIGPIPE, &saved_, nullptr); }
    IgnoredSigpipe(const IgnoredSigpipe&) = delete;
    IgnoredSigpipe& operator=(const IgnoredSigpipe&) = delete;

private:
    struct sigaction saved_ {};
};

void copy_window_size(int from_terminal, int master) {
    winsize ws{};
    if (::ioctl(from_terminal, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        ::ioctl(master, TIOCSWINSZ, &ws);
    }
}

// All of `data` to stdout, waiting while it is full (a non-blocking stdout gives EAGAIN). A
// closed stdout (EPIPE) only means nobody reads any more: the output is dropped from then on,
// and the relay goes on until the process ends.
void write_out(const char* data, size_t size, bool& stdout_open) {
    while (stdout_open && size > 0) {
        ssize_t n = ::write(STDOUT_FILENO, data, size);
        if (n > 0) {
            data += n;
            size -= static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd out{STDOUT_FILENO, POLLOUT, 0};
            ::poll(&out, 1, -1);
            continue;
        }
        stdout_open = false;
    }
}

enum class MasterRead { Data, Empty, Closed };

// One read: a process that writes without pause must not keep the loop from stdin (a typed ^C)
// and from noticing that it ended.
MasterRead read_master_once(int master, bool& stdout_open) {
    char buf[16384];
    ssize_t n;
    do {
        n = ::read(master, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        write_out(buf, static_cast<size_t>(n), stdout_open);
        return MasterRead::Data;
    }
    // EIO: no slave is open any more; 0 should not happen on a pty master, but ends it too.
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? MasterRead::Empty
                                                              : MasterRead::Closed;
}

}  // namespace

int relay_terminal(UniqueFd master, pid_t pid) {
    UniqueFd pidfd(raw_pidfd_open(pid));
    if (!pidfd) {
        throw_errno("pidfd_open " + std::to_string(pid) + " for the terminal relay");
    }
    if (::fcntl(master.get(), F_SETFL, O_NONBLOCK) != 0) {
        throw_errno("make the pty master non-blocking");
    }
    // Our own stdin is left blocking: its open file description is shared with whoever started
    // us (a shell would find it non-blocking afterwards). poll says when a read will not wait.
    WindowChanges window_changes;
    const bool stdin_is_terminal = ::isatty(STDIN_FILENO) != 0;
    if (stdin_is_terminal) {
        copy_window_size(STDIN_FILENO, master.get());
    }
    RawMode raw(STDIN_FILENO);
    IgnoredSigpipe ignored_sigpipe;  // a closed stdout is an EPIPE, not our death

    bool stdin_open = true, stdout_open = true, master_open = true;
    std::string to_master;  // read from stdin, not yet accepted by the pty
    for (;;) {
        enum { kPid, kWinch, kMaster, kStdin };
        pollfd fds[4] = {
            {pidfd.get(), POLLIN, 0},
            {window_changes.fd(), POLLIN, 0},
            {master_open ? master.get() : -1,
             static_cast<short>(POLLIN | (to_master.empty() ? 0 : POLLOUT)), 0},
            {stdin_open && to_master.empty() ? STDIN_FILENO : -1, POLLIN, 0},
        };
        if (::poll(fds, 4, -1) < 0) {
            if (errno == EINTR) {
                continue;  // a signal `run` forwards to the container
            }
            throw_errno("poll in the terminal relay");
        }
        if (fds[kWinch].revents != 0) {
            window_changes.consume();
            if (stdin_is_terminal) {
                copy_window_size(STDIN_FILENO, master.get());
            }
        }
        if (fds[kMaster].revents & (POLLIN | POLLHUP | POLLERR)) {
            master_open = read_master_once(master.get(), stdout_open) != MasterRead::Closed;
        }
        if ((fds[kMaster].revents & POLLOUT) && master_open) {
            ssize_t n = ::write(master.get(), to_master.data(), to_master.size());
            if (n > 0) {
                to_master.erase(0, static_cast<size_t>(n));
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                to_master.clear();
                stdin_open = false;  // nobody will read it
            }
        }
        if (fds[kStdin].revents != 0) {
            char buf[4096];
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n > 0) {
                to_master.append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                stdin_open = false;  // EOF: the process keeps running, as with runc
            }
        }
        if (fds[kPid].revents != 0) {
            // Ended: what it wrote before is in the pty; take that, then stop, even if something
            // it left behind still holds the slave (and may write on: hence the bound).
            for (int round = 0; master_open && round < 256; ++round) {
                if (read_master_once(master.get(), stdout_open) != MasterRead::Data) {
                    break;
                }
            }
            break;
        }
    }
    return wait_exit_status(pid);
}

}  // namespace plugrt::cli
