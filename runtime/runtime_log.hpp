// Runtime logging compatible with runc's `--log` / `--log-format`.
//
// containerd reads the --log file with a JSON decoder and reports the `msg` of the last object
// whose `level` is "error" (runtime-cli-contract §1.6); podman unmarshals the whole file as one
// object. So in json mode the file only ever receives complete one-line JSON objects
// {"level":...,"msg":...,"time":RFC3339}, appended with a single write(2) each, and warnings
// reach it only with --debug. Errors always go to stderr as well (conmon reads stderr).
#pragma once

#include <string>

namespace plugrt {

enum class LogFormat { Text, Json };

// Called once by the CLI before any command runs. An empty path means stderr only. The file is
// opened append-only, created 0644, O_CLOEXEC (it must not leak into the container).
void configure_runtime_log(const std::string& path, LogFormat format, bool debug);

// An error the command fails with: to the log file (if any) and to stderr.
void log_error(const std::string& message) noexcept;
// Something that did not stop the command (e.g. oom_score_adj could not be set).
void log_warning(const std::string& message) noexcept;
// Only with --debug.
void log_debug(const std::string& message) noexcept;

// "2026-05-01T10:00:00.123456789Z": RFC 3339 with nanoseconds, UTC (what Go's time parser and
// runc's `created` field use).
std::string rfc3339_now();

}  // namespace plugrt
