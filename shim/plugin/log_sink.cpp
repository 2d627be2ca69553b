#include "shim/plugin/log_sink.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/error.hpp"

namespace plugrt::shim {
namespace {

std::string describe_errno(const std::string& what, int err) {
    return what + ": " + std::strerror(err) + " (" + errno_name(err) + ")";
}

// Writes all of `data`, retrying short writes and EINTR. Returns 0 or the errno.
int write_all(int fd, std::string_view data) noexcept {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

}  // namespace

void LogSink::write(const PluginLogEntry& entry) noexcept {
    try {
        const std::string line = format_log_line(format_, entry);
        if (!deliver(entry, line)) {
            ++dropped_;
        }
    } catch (...) {  // std::bad_alloc from formatting: lose this record, not the supervisor
        ++dropped_;
        set_error("formatting a log record failed");
    }
}

void LogSink::set_error(std::string message) noexcept { last_error_ = std::move(message); }

bool FdLogSink::deliver(const PluginLogEntry&, std::string_view line) noexcept {
    if (const int err = write_all(fd_, line)) {
        set_error(describe_errno("write log to fd " + std::to_string(fd_), err));
        return false;
    }
    return true;
}

FileLogSink::FileLogSink(LogFormat format, std::string path)
    : LogSink(format), path_(std::move(path)) {
    if (!open_file()) {
        throw_errno("open log file " + path_);
    }
}

bool FileLogSink::open_file() noexcept {
    const int fd =
        ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0) {
        return false;
    }
    fd_.reset(fd);
    return true;
}

bool FileLogSink::rotated() const noexcept {
    struct stat by_path {};
    struct stat by_fd {};
    if (::stat(path_.c_str(), &by_path) != 0 || ::fstat(fd_.get(), &by_fd) != 0) {
        return true;
    }
    return by_path.st_dev != by_fd.st_dev || by_path.st_ino != by_fd.st_ino;
}

void FileLogSink::reopen() noexcept {
    if (!open_file()) {
        set_error(describe_errno("reopen log file " + path_, errno));
    }
}

bool FileLogSink::deliver(const PluginLogEntry&, std::string_view line) noexcept {
    if (!fd_ || rotated()) {
        if (!open_file()) {
            set_error(describe_errno("reopen log file " + path_, errno));
            return false;
        }
    }
    if (const int err = write_all(fd_.get(), line)) {
        set_error(describe_errno("write log file " + path_, err));
        return false;
    }
    return true;
}

SyslogLogSink::SyslogLogSink(LogFormat format, std::string socket_path, std::string tag)
    : LogSink(format), socket_path_(std::move(socket_path)), tag_(std::move(tag)) {
    if (socket_path_.size() >= sizeof(sockaddr_un{}.sun_path)) {
        throw Error(Error::Kind::Invalid, "syslog socket path too long: " + socket_path_);
    }
    connect_socket();
}

bool SyslogLogSink::connect_socket() noexcept {
    fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd_) {
        set_error(describe_errno("socket for syslog", errno));
        return false;
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
    if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        set_error(describe_errno("connect to syslog socket " + socket_path_, errno));
        fd_.reset();
        return false;
    }
    return true;
}

void SyslogLogSink::reopen() noexcept { connect_socket(); }

bool SyslogLogSink::deliver(const PluginLogEntry& entry, std::string_view line) noexcept {
    if (!line.empty() && line.back() == '\n') {
        line.remove_suffix(1);
    }
    std::string datagram;
    try {
        datagram = format_syslog_datagram(syslog_priority(entry.stream), std::time(nullptr), tag_,
                                          ::getpid(), line);
    } catch (...) {
        set_error("formatting a syslog datagram failed");
        return false;
    }
    if (datagram.size() > kMaxDatagram) {
        datagram.resize(kMaxDatagram);
    }
    // Two attempts: the second after reconnecting, for a syslog daemon that was restarted
    // (its new socket is a new inode; our connected one now refuses).
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!fd_ && !connect_socket()) {
            return false;
        }
        // MSG_DONTWAIT: a stalled journald must not stall the supervisor; the record is dropped.
        if (::send(fd_.get(), datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
            return true;
        }
        const int err = errno;
        set_error(describe_errno("send to syslog socket " + socket_path_, err));
        if (err != ECONNREFUSED && err != ENOTCONN && err != ENOENT) {
            return false;
        }
        fd_.reset();
    }
    return false;
}

std::string format_syslog_datagram(int priority, std::time_t when, std::string_view tag, pid_t pid,
                                   std::string_view message) {
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm local{};
    localtime_r(&when, &local);
    char header[64];
    std::snprintf(header, sizeof header, "<%d>%s %2d %02d:%02d:%02d ", priority,
                  kMonths[local.tm_mon % 12], local.tm_mday, local.tm_hour, local.tm_min,
                  local.tm_sec);
    std::string out = header;
    out += tag;
    out += '[';
    out += std::to_string(pid);
    out += "]: ";
    out += message;
    return out;
}

int syslog_priority(PluginStream stream) noexcept {
    return LOG_DAEMON | (stream == PluginStream::Stdout ? LOG_INFO : LOG_ERR);
}

LogFormat parse_log_format(std::string_view name) {
    if (name == "text") {
        return LogFormat::Text;
    }
    if (name == "json") {
        return LogFormat::Json;
    }
    throw Error(Error::Kind::Invalid,
                "unknown log format \"" + std::string(name) + "\" (expected text or json)");
}

LogDestination parse_log_destination(std::string_view spec, LogFormat format) {
    LogDestination destination;
    destination.format = format;
    if (spec == "stderr") {
        destination.kind = LogDestination::Kind::Stderr;
    } else if (spec == "syslog") {
        destination.kind = LogDestination::Kind::Syslog;
        destination.path = SyslogLogSink::kDefaultSocket;
    } else if (spec.starts_with("syslog:") && spec.size() > 7) {
        destination.kind = LogDestination::Kind::Syslog;
        destination.path = spec.substr(7);
    } else if (spec.starts_with("file:") && spec.size() > 5) {
        destination.kind = LogDestination::Kind::File;
        destination.path = spec.substr(5);
    } else if (spec.starts_with("/")) {
        destination.kind = LogDestination::Kind::File;
        destination.path = spec;
    } else {
        throw Error(
            Error::Kind::Invalid,
            "unknown log destination \"" + std::string(spec) +
                "\" (expected stderr, syslog, syslog:SOCKET, file:PATH or an absolute path)");
    }
    return destination;
}

std::unique_ptr<LogSink> open_log_sink(const LogDestination& destination) {
    switch (destination.kind) {
        case LogDestination::Kind::File:
            return std::make_unique<FileLogSink>(destination.format, destination.path);
        case LogDestination::Kind::Syslog:
            return std::make_unique<SyslogLogSink>(destination.format, destination.path);
        case LogDestination::Kind::Stderr:
            break;
    }
    return std::make_unique<FdLogSink>(destination.format, 2);
}

}  // namespace plugrt::shim
