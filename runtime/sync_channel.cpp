#include "runtime/sync_channel.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace plugrt {

namespace {

// The wire format: a fixed header, then (Error frames only) the message text. Both ends are
// the same binary on the same host, so host byte order and layout are fine.
struct Frame {
    uint32_t type;
    int32_t err;
};

constexpr size_t kMaxFrame = 8192;

// One frame into `buf`; its length, 0 at EOF. Throws for a failed recv.
//
// ECONNRESET says the peer closed its end with a message of ours still unread (an init that
// failed before it took CgroupsReady). The kernel reports that error once, ahead of what is
// still queued for us, which is the init's Error frame: so receive again.
ssize_t receive_frame(int fd, char (&buf)[kMaxFrame]) {
    ssize_t n;
    do {
        n = ::recv(fd, buf, sizeof buf, 0);
    } while (n < 0 && (errno == EINTR || errno == ECONNRESET));
    if (n < 0) {
        throw_errno("recv on the sync channel");
    }
    return n;
}

}  // namespace

const char* sync_message_name(SyncMessage m) noexcept {
    switch (m) {
        case SyncMessage::Go:
            return "Go";
        case SyncMessage::HooksPlease:
            return "HooksPlease";
        case SyncMessage::HooksDone:
            return "HooksDone";
        case SyncMessage::Ready:
            return "Ready";
        case SyncMessage::Run:
            return "Run";
        case SyncMessage::Done:
            return "Done";
        case SyncMessage::Error:
            return "Error";
        case SyncMessage::RunAndStart:
            return "RunAndStart";
        case SyncMessage::CgroupsReady:
            return "CgroupsReady";
    }
    return "?";
}

std::pair<SyncChannel, SyncChannel> SyncChannel::make_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
        throw_errno("socketpair(AF_UNIX, SOCK_SEQPACKET) for the init sync channel");
    }
    return {SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

void SyncChannel::send(SyncMessage m) {
    Frame frame{static_cast<uint32_t>(m), 0};
    if (::send(fd_.get(), &frame, sizeof frame, MSG_NOSIGNAL) != sizeof frame) {
        throw_errno(std::string("send ") + sync_message_name(m) + " on the sync channel");
    }
}

void SyncChannel::send_error(const std::string& message, int err) noexcept {
    char buf[kMaxFrame];
    Frame frame{static_cast<uint32_t>(SyncMessage::Error), err};
    size_t len = std::min(message.size(), sizeof buf - sizeof frame);
    std::memcpy(buf, &frame, sizeof frame);
    std::memcpy(buf + sizeof frame, message.data(), len);
    [[maybe_unused]] ssize_t n = ::send(fd_.get(), buf, sizeof frame + len, MSG_NOSIGNAL);
}

void SyncChannel::send_with_fds(SyncMessage m, const std::vector<int>& fds,
                                const std::string& text) {
    if (fds.size() > kMaxFds) {
        throw Error(Error::Kind::System,
                    std::string("sync channel: too many fds for ") + sync_message_name(m));
    }
    Frame frame{static_cast<uint32_t>(m), 0};
    iovec iov[2] = {{&frame, sizeof frame}, {const_cast<char*>(text.data()), text.size()}};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    if (!fds.empty()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
    }
    if (::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL) < 0) {
        throw_errno(std::string("send ") + sync_message_name(m) + " on the sync channel");
    }
}

SyncChannel::WithFds SyncChannel::expect_with_fds(SyncMessage expected) {
    char buf[kMaxFrame];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        throw_errno("recvmsg on the sync channel");
    }
    WithFds out;
    // Taken into UniqueFds first, so that they are closed whatever is wrong with the message.
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                out.fds.emplace_back(fd);
            }
        }
    }
    if (n == 0) {
        throw PeerGone("container runtime closed the sync channel");
    }
    if ((msg.msg_flags & MSG_CTRUNC) != 0 || static_cast<size_t>(n) < sizeof(Frame)) {
        throw Error(Error::Kind::System, std::string("sync channel: malformed ") +
                                             sync_message_name(expected) + " message");
    }
    Frame frame;
    std::memcpy(&frame, buf, sizeof frame);
    if (static_cast<SyncMessage>(frame.type) != expected) {
        throw Error(Error::Kind::System,
                    std::string("sync channel: expected ") + sync_message_name(expected) +
                        ", got " + sync_message_name(static_cast<SyncMessage>(frame.type)));
    }
    out.text.assign(buf + sizeof frame, static_cast<size_t>(n) - sizeof frame);
    return out;
}

SyncMessage SyncChannel::receive() {
    char buf[kMaxFrame];
    const ssize_t n = receive_frame(fd_.get(), buf);
    if (n == 0) {
        throw PeerGone("container init exited during setup");
    }
    if (static_cast<size_t>(n) < sizeof(Frame)) {
        throw Error(Error::Kind::System, "short frame on the sync channel");
    }
    Frame frame;
    std::memcpy(&frame, buf, sizeof frame);
    auto type = static_cast<SyncMessage>(frame.type);
    if (type == SyncMessage::Error) {
        throw ChildError(std::string(buf + sizeof frame, static_cast<size_t>(n) - sizeof frame),
                         frame.err);
    }
    return type;
}

void SyncChannel::await_close() {
    char buf[kMaxFrame];
    if (receive_frame(fd_.get(), buf) > 0) {
        throw Error(Error::Kind::System,
                    "sync channel: a message where the init's execve should have closed it");
    }
}

void SyncChannel::expect(SyncMessage expected) {
    SyncMessage got = receive();
    if (got != expected) {
        throw Error(Error::Kind::System, std::string("sync channel: expected ") +
                                             sync_message_name(expected) + ", got " +
                                             sync_message_name(got));
    }
}

}  // namespace plugrt
