#include "shim/plugin/daemon_log_format.hpp"

#include <cstdio>
#include <cstdlib>

#include "shim/plugin/go_quote.hpp"

namespace plugrt::shim {
namespace {

void append_logrus_value(std::string& out, std::string_view value) {
    if (logrus_needs_quoting(value)) {
        out += go_quote(value);
    } else {
        out += value;
    }
}

void append_key_value(std::string& out, std::string_view key, std::string_view value) {
    // logrus writes a separating space before every key but the first.
    if (!out.empty()) {
        out += ' ';
    }
    out += key;
    out += '=';
    append_logrus_value(out, value);
}

}  // namespace

std::string_view level_name(PluginStream stream) noexcept {
    return stream == PluginStream::Stdout ? "info" : "error";
}

std::string rfc3339_seconds(std::time_t seconds, long utc_offset_seconds) {
    const std::time_t shifted = seconds + utc_offset_seconds;
    std::tm parts{};
    gmtime_r(&shifted, &parts);
    char date[64];
    std::snprintf(date, sizeof date, "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900,
                  parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
    std::string out = date;
    if (utc_offset_seconds == 0) {
        out += 'Z';
        return out;
    }
    const long minutes = std::labs(utc_offset_seconds) / 60;
    char zone[48];
    std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", utc_offset_seconds < 0 ? '-' : '+',
                  minutes / 60, minutes % 60);
    out += zone;
    return out;
}

std::string rfc3339_seconds_local(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    localtime_r(&seconds, &local);
    return rfc3339_seconds(seconds, local.tm_gmtoff);
}

bool logrus_needs_quoting(std::string_view value) noexcept {
    for (const char c : value) {
        const bool bare = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '/' ||
                          c == '@' || c == '^' || c == '+';
        if (!bare) {
            return true;
        }
    }
    return false;
}

std::string format_text_line(const PluginLogEntry& entry) {
    std::string out;
    out.reserve(entry.message.size() + entry.plugin_id.size() + 64);
    append_key_value(out, "time", entry.time);
    append_key_value(out, "level", level_name(entry.stream));
    if (!entry.message.empty()) {
        append_key_value(out, "msg", entry.message);
    }
    append_key_value(out, "plugin", entry.plugin_id);
    out += '\n';
    return out;
}

std::string go_json_quote(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    while (!text.empty()) {
        const DecodedRune decoded = decode_utf8_rune(text);
        const std::string_view encoded = text.substr(0, decoded.width);
        text.remove_prefix(decoded.width);
        const char32_t r = decoded.rune;
        if (r == 0xFFFD && decoded.width == 1) {
            out += "\\ufffd";
        } else if (r == '"' || r == '\\') {
            out += '\\';
            out += static_cast<char>(r);
        } else if (r == '\n') {
            out += "\\n";
        } else if (r == '\r') {
            out += "\\r";
        } else if (r == '\t') {
            out += "\\t";
        } else if (r < 0x20 || r == '<' || r == '>' || r == '&') {
            out += "\\u00";
            out += kHex[r >> 4];
            out += kHex[r & 0xF];
        } else if (r == 0x2028 || r == 0x2029) {
            out += r == 0x2028 ? "\\u2028" : "\\u2029";
        } else {
            out += encoded;
        }
    }
    out += '"';
    return out;
}

std::string format_json_line(const PluginLogEntry& entry) {
    std::string out;
    out.reserve(entry.message.size() + entry.plugin_id.size() + 64);
    out += "{\"time\":";
    out += go_json_quote(entry.time);
    out += ",\"level\":";
    out += go_json_quote(level_name(entry.stream));
    out += ",\"msg\":";
    out += go_json_quote(entry.message);
    out += ",\"plugin\":";
    out += go_json_quote(entry.plugin_id);
    out += "}\n";
    return out;
}

std::string format_log_line(LogFormat format, const PluginLogEntry& entry) {
    return format == LogFormat::Json ? format_json_line(entry) : format_text_line(entry);
}

}  // namespace plugrt::shim
