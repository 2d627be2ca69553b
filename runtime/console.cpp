#include "runtime/console.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "runtime/error.hpp"

namespace plugrt {

UniqueFd connect_console_socket(const std::string& path) {
    UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) {
        throw_errno("socket(AF_UNIX) for --console-socket");
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string target = path;
    UniqueFd dir;
    if (target.size() >= sizeof addr.sun_path) {
        // Too long for sun_path: go through an fd of the directory (youki does the same with a
        // relative symlink, tty.rs).
        std::filesystem::path p(path);
        dir.reset(::open(p.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!dir) {
            throw_errno("open directory of --console-socket " + path);
        }
        target = "/proc/self/fd/" + std::to_string(dir.get()) + "/" + p.filename().string();
    }
    std::strncpy(addr.sun_path, target.c_str(), sizeof addr.sun_path - 1);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        throw_errno("connect --console-socket " + path);
    }
    return sock;
}

void send_fd(int socket_fd, int fd, const std::string& payload) {
    char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{const_cast<char*>(payload.data()), payload.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    if (::sendmsg(socket_fd, &msg, MSG_NOSIGNAL) < 0) {
        throw_errno("sendmsg pty master on --console-socket");
    }
}

// runc's mountConsole: the pty slave also appears as /dev/console, which programs that write to
// "the console" (init systems, some daemons' fatal messages) open by name. Runs after
// pivot_root, inside the container's /dev; the file is created as the bind target if missing.
void mount_console(const char* slave) {
    UniqueFd target(::open("/dev/console", O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!target) {
        throw_errno("create /dev/console in the container as the console's mountpoint");
    }
    target.reset();
    if (::mount(slave, "/dev/console", nullptr, MS_BIND, nullptr) != 0) {
        throw_errno(std::string("bind-mount the pty slave ") + slave + " onto /dev/console");
    }
}

ConsoleSocketPair ConsoleSocketPair::make() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        throw_errno("socketpair for the terminal relay");
    }
    return ConsoleSocketPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

UniqueFd ConsoleSocketPair::take_master() {
    sender.reset();
    char payload[256];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{payload, sizeof payload};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (::recvmsg(receiver.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0) {
        throw_errno("receive the pty master for the terminal relay");
    }
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg == nullptr || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
        throw Error(Error::Kind::System, "terminal relay: the message carried no pty master");
    }
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    return UniqueFd(fd);
}

void setup_console(int socket_fd, const oci::Process& process, DevConsole dev_console) {
    UniqueFd sock(socket_fd);
    UniqueFd master(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master) {
        throw_errno("open /dev/pts/ptmx (the container's devpts) for the console");
    }
    if (::unlockpt(master.get()) != 0) {
        throw_errno("unlockpt");
    }
    char name[64];
    if (::ptsname_r(master.get(), name, sizeof name) != 0) {
        throw_errno("ptsname");
    }
    if (process.console_size) {
        winsize ws{};
        ws.ws_row = static_cast<unsigned short>(process.console_size->height);
        ws.ws_col = static_cast<unsigned short>(process.console_size->width);
        ::ioctl(master.get(), TIOCSWINSZ, &ws);
    }
    UniqueFd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) {
        throw_errno(std::string("open pty slave ") + name);
    }
    if (dev_console == DevConsole::Mount) {
        mount_console(name);
    }
    send_fd(sock.get(), master.get(), name);
    for (int fd = 0; fd <= 2; ++fd) {
        if (::dup2(slave.get(), fd) < 0) {
            throw_errno("dup2 pty slave onto stdio");
        }
    }
    if (::ioctl(0, TIOCSCTTY, 0) != 0) {
        throw_errno("ioctl(TIOCSCTTY) on the pty slave");
    }
}

}  // namespace plugrt
