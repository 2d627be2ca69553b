// Where plugin log records go: a file, a file descriptor (stderr) or the local syslog socket.
//
// Sinks are written from the supervisor's single-threaded event loop, so a failing destination
// must neither throw nor stall it: write() counts what it could not deliver (dropped()) and
// remembers the reason (last_error()). Only opening a destination at start-up throws.
//
// File sink and rotation: the file is opened O_APPEND (each record is one write(), so lines
// from several writers never interleave) and, before every record, the path is stat()ed and
// compared with the open file's device and inode. When logrotate has renamed or removed the
// file, the sink reopens (O_CREAT) the path, so no SIGHUP is needed; reopen() is there for a
// SIGHUP handler anyway. One stat() per line is cheap next to formatting it, and copytruncate
// rotation works as well because of O_APPEND.
//
// Syslog sink: RFC 3164 datagrams on /dev/log (AF_UNIX, SOCK_DGRAM), facility daemon, tag
// "plugrt[<pid>]", severity info for stdout and err for stderr. As glibc's syslog() and Go's
// log/syslog do for the local socket, the HOSTNAME field is left out: journald and rsyslog's
// imuxsock read the word after the timestamp as the tag. The message is the formatted record
// (text or JSON), i.e. the same line dockerd would have put in the journal.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/unique_fd.hpp"
#include "shim/plugin/daemon_log_format.hpp"

namespace plugrt::shim {

class LogSink {
public:
    explicit LogSink(LogFormat format) : format_(format) {}
    virtual ~LogSink() = default;
    LogSink(const LogSink&) = delete;
    LogSink& operator=(const LogSink&) = delete;

    // Formats and delivers one record; never throws.
    void write(const PluginLogEntry& entry) noexcept;

    // Re-opens the destination (SIGHUP). Never throws; failures show in last_error().
    virtual void reopen() noexcept {}

    LogFormat format() const noexcept { return format_; }
    std::size_t dropped() const noexcept { return dropped_; }
    const std::string& last_error() const noexcept { return last_error_; }

protected:
    // Delivers one formatted line (ending in '\n'); returns false and sets last_error on failure.
    virtual bool deliver(const PluginLogEntry& entry, std::string_view line) noexcept = 0;
    void set_error(std::string message) noexcept;

private:
    LogFormat format_;
    std::size_t dropped_ = 0;
    std::string last_error_;
};

// Writes to an fd it does not own (stderr by default).
class FdLogSink : public LogSink {
public:
    explicit FdLogSink(LogFormat format, int fd = 2) : LogSink(format), fd_(fd) {}

protected:
    bool deliver(const PluginLogEntry& entry, std::string_view line) noexcept override;

private:
    int fd_;
};

class FileLogSink : public LogSink {
public:
    // Opens (creating, mode 0640) the file now; throws SysError naming the path on failure.
    FileLogSink(LogFormat format, std::string path);
    void reopen() noexcept override;

protected:
    bool deliver(const PluginLogEntry& entry, std::string_view line) noexcept override;

private:
    bool open_file() noexcept;
    bool rotated() const noexcept;

    std::string path_;
    UniqueFd fd_;
};

class SyslogLogSink : public LogSink {
public:
    static constexpr const char* kDefaultSocket = "/dev/log";
    // Datagrams larger than this are truncated before sending (rsyslog's default maximum
    // message size is 8 KiB; journald accepts more but gains nothing from a 256 KiB line).
    static constexpr std::size_t kMaxDatagram = 8192;

    // Connects lazily: a missing syslog daemon at start-up only drops records until it appears.
    explicit SyslogLogSink(LogFormat format, std::string socket_path = kDefaultSocket,
                           std::string tag = "plugrt");
    void reopen() noexcept override;

protected:
    bool deliver(const PluginLogEntry& entry, std::string_view line) noexcept override;

private:
    bool connect_socket() noexcept;

    std::string socket_path_;
    std::string tag_;
    UniqueFd fd_;
};

// "<PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE" (RFC 3164 local form, day space-padded, local time).
std::string format_syslog_datagram(int priority, std::time_t when, std::string_view tag, pid_t pid,
                                   std::string_view message);

// LOG_DAEMON | LOG_INFO for stdout, LOG_DAEMON | LOG_ERR for stderr.
int syslog_priority(PluginStream stream) noexcept;

// The user's choice of destination, as given on the command line:
//   "stderr" | "syslog" | "syslog:/path/to/socket" | "file:/path" | "/absolute/path"
struct LogDestination {
    enum class Kind { Stderr, Syslog, File };
    Kind kind = Kind::Stderr;
    std::string path;  // file path or syslog socket
    LogFormat format = LogFormat::Text;
};

// Throws plugrt::Error (Invalid) for anything else, quoting the spec.
LogDestination parse_log_destination(std::string_view spec, LogFormat format);
LogFormat parse_log_format(std::string_view name);  // "text" | "json"
std::unique_ptr<LogSink> open_log_sink(const LogDestination& destination);

}  // namespace plugrt::shim
