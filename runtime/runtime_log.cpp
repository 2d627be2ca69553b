#include "runtime/runtime_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "oci/state.hpp"
#include "runtime/unique_fd.hpp"

namespace plugrt {

namespace {

struct LogSink {
    UniqueFd file;  // invalid: stderr only
    LogFormat format = LogFormat::Text;
    bool debug = false;
};

LogSink& sink() {
    static LogSink s;
    return s;
}

void write_all(int fd, const std::string& text) noexcept {
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n <= 0) {
            return;  // a log that cannot be written must not turn into a second error
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

std::string format_line(const char* level, const std::string& message) {
    if (sink().format == LogFormat::Json) {
        // Keys in logrus' (sorted) order; dump() replaces invalid UTF-8 instead of throwing.
        nlohmann::ordered_json line = {{"level", level}, {"msg", message}, {"time", rfc3339_now()}};
        return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    return rfc3339_now() + " " + level + ": " + message + "\n";
}

void emit(const char* level, const std::string& message, bool also_stderr) noexcept {
    try {
        if (sink().file) {
            write_all(sink().file.get(), format_line(level, message));
        }
        if (also_stderr || !sink().file) {
            write_all(STDERR_FILENO, "plugrt: " + message + "\n");
        }
    } catch (...) {
        // Out of memory while formatting a log line: nothing sensible is left to do.
    }
}

}  // namespace

void configure_runtime_log(const std::string& path, LogFormat format, bool debug) {
    sink().format = format;
    sink().debug = debug;
    if (!path.empty()) {
        int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            std::perror(("plugrt: open log " + path).c_str());
        }
        sink().file.reset(fd);
    }
}

void log_error(const std::string& message) noexcept { emit("error", message, true); }

void log_warning(const std::string& message) noexcept {
    // In json mode a warning line would break podman's single-object read of the log file.
    if (sink().format == LogFormat::Json && !sink().debug) {
        return;
    }
    emit("warning", message, false);
}

void log_debug(const std::string& message) noexcept {
    if (sink().debug) {
        emit("debug", message, false);
    }
}

std::string rfc3339_now() {
    // Not gmtime_r: glibc would load /etc/localtime (tzset) for it, an open+read+parse on
    // every `create` for a UTC timestamp that needs no zone.
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return oci::rfc3339_nano_utc(ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec));
}

}  // namespace plugrt
