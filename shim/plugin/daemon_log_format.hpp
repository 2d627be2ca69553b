// One plugin output line → one log record, formatted the way dockerd writes it.
//
// dockerd 20.10 hands each line of a plugin's stdout/stderr to a fresh logrus logger with the
// default TextFormatter (no TTY, so no colours) and a hook that sets the single field
// plugin=<id>. The text format below reproduces that byte for byte:
//
//   time="2023-02-16T11:08:51+01:00" level=error msg="2023/02/16 10:08:51 NOTICE: x" plugin=90e…
//
// - keys in the order time, level, msg, plugin;
// - a value is written bare if every character is in [A-Za-z0-9-._/@^+], otherwise quoted
//   with Go's strconv.Quote (go_quote.hpp); the empty plugin id is written bare (logrus only
//   quotes empty values with QuoteEmptyFields, which dockerd does not set);
// - an empty message drops `msg=` entirely (logrus only adds the msg key when the message is
//   non-empty);
// - stdout → level=info, stderr → level=error.
//
// The JSON-lines format is plugrt's own (dockerd never writes these lines as JSON): one object
// per line with the keys in the same order as the text format — time, level, msg, plugin —
// and strings escaped as Go's encoding/json does (HTML-safe \u003c \u003e \u0026, \u2028,
// \u2029, invalid UTF-8 → \ufffd), so that JSON consumers of dockerd logs parse it unchanged.
// logrus's own JSONFormatter would sort the keys alphabetically; plugrt keeps the text order.
#pragma once

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

namespace plugrt::shim {

enum class PluginStream { Stdout, Stderr };
enum class LogFormat { Text, Json };

struct PluginLogEntry {
    std::string_view time;  // already formatted, see rfc3339_seconds()
    PluginStream stream;
    std::string_view message;  // one line, without its newline
    std::string_view plugin_id;
};

// "info" for stdout, "error" for stderr.
std::string_view level_name(PluginStream stream) noexcept;

// Go's time.RFC3339 layout at second precision: 2006-01-02T15:04:05-07:00, with "Z" whenever
// the offset is zero (Go prints Z for any zero offset, not only for the UTC zone). Offsets are
// printed to the minute, as Go does.
std::string rfc3339_seconds(std::time_t seconds, long utc_offset_seconds);

// The same for "now"-style timestamps in the process's local time zone (TZ, /etc/localtime).
std::string rfc3339_seconds_local(std::chrono::system_clock::time_point when);

// logrus TextFormatter.needsQuoting with dockerd's settings.
bool logrus_needs_quoting(std::string_view value) noexcept;

// The record as one line ending in '\n'.
std::string format_text_line(const PluginLogEntry& entry);
std::string format_json_line(const PluginLogEntry& entry);
std::string format_log_line(LogFormat format, const PluginLogEntry& entry);

// Go encoding/json string encoding, including the surrounding quotes.
std::string go_json_quote(std::string_view text);

}  // namespace plugrt::shim
