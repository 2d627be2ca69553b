#include "runtime/mountinfo.hpp"

#include <charconv>

#include "runtime/error.hpp"
#include "runtime/text_file.hpp"

namespace plugrt {
namespace {

std::vector<std::string_view> split_spaces(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t pos = 0;
    while (pos < line.size()) {
        while (pos < line.size() && line[pos] == ' ') {
            ++pos;
        }
        if (pos >= line.size()) {
            break;
        }
        size_t end = line.find(' ', pos);
        if (end == std::string_view::npos) {
            end = line.size();
        }
        fields.push_back(line.substr(pos, end - pos));
        pos = end;
    }
    return fields;
}

bool has_comma_option(std::string_view list, std::string_view option) {
    size_t pos = 0;
    while (pos <= list.size()) {
        size_t end = list.find(',', pos);
        if (end == std::string_view::npos) {
            end = list.size();
        }
        if (list.substr(pos, end - pos) == option) {
            return true;
        }
        pos = end + 1;
    }
    return false;
}

template <typename T>
T parse_number(std::string_view text, size_t line_no, const char* what) {
    T value{};
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        throw Error(Error::Kind::Invalid, "mountinfo line " + std::to_string(line_no) + ": bad " +
                                              what + " '" + std::string(text) + "'");
    }
    return value;
}

// True when `prefix` equals `path` or is a whole-component prefix of it ("/a" of "/a/b", not
// of "/ab"); "/" is a prefix of every absolute path.
bool is_path_prefix(std::string_view prefix, std::string_view path) {
    if (prefix == "/") {
        return !path.empty() && path[0] == '/';
    }
    if (path.substr(0, prefix.size()) != prefix) {
        return false;
    }
    return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

bool MountInfoEntry::is_shared() const {
    for (const auto& field : optional_fields) {
        if (field.rfind("shared:", 0) == 0) {
            return true;
        }
    }
    return false;
}

bool MountInfoEntry::is_slave() const {
    for (const auto& field : optional_fields) {
        if (field.rfind("master:", 0) == 0) {
            return true;
        }
    }
    return false;
}

bool MountInfoEntry::has_mount_option(std::string_view option) const {
    return has_comma_option(mount_options, option);
}

bool MountInfoEntry::has_super_option(std::string_view option) const {
    return has_comma_option(super_options, option);
}

std::string unescape_mountinfo_field(std::string_view field) {
    auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    out.reserve(field.size());
    for (size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && field.size() - i > 3 && is_octal(field[i + 1]) &&
            is_octal(field[i + 2]) && is_octal(field[i + 3])) {
            out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                            (field[i + 3] - '0')));
            i += 3;
            continue;
        }
        out.push_back(field[i]);
    }
    return out;
}

std::vector<MountInfoEntry> parse_mountinfo(std::string_view text) {
    std::vector<MountInfoEntry> entries;
    size_t line_no = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (line.empty()) {
            continue;
        }
        auto fields = split_spaces(line);
        // 6 fixed fields, 0+ optional fields, "-", 3 more fields.
        size_t dash = 6;
        while (dash < fields.size() && fields[dash] != "-") {
            ++dash;
        }
        if (dash >= fields.size() || fields.size() < dash + 3) {
            throw Error(Error::Kind::Invalid, "mountinfo line " + std::to_string(line_no) +
                                                  ": expected '-' separator and 3 trailing "
                                                  "fields: '" +
                                                  std::string(line) + "'");
        }
        MountInfoEntry entry;
        entry.mount_id = parse_number<int>(fields[0], line_no, "mount id");
        entry.parent_id = parse_number<int>(fields[1], line_no, "parent id");
        auto colon = fields[2].find(':');
        if (colon == std::string_view::npos) {
            throw Error(Error::Kind::Invalid, "mountinfo line " + std::to_string(line_no) +
                                                  ": bad major:minor '" + std::string(fields[2]) +
                                                  "'");
        }
        entry.major = parse_number<unsigned>(fields[2].substr(0, colon), line_no, "major");
        entry.minor = parse_number<unsigned>(fields[2].substr(colon + 1), line_no, "minor");
        entry.root = unescape_mountinfo_field(fields[3]);
        entry.mount_point = unescape_mountinfo_field(fields[4]);
        entry.mount_options = std::string(fields[5]);
        for (size_t i = 6; i < dash; ++i) {
            entry.optional_fields.emplace_back(fields[i]);
        }
        entry.fs_type = unescape_mountinfo_field(fields[dash + 1]);
        entry.source = unescape_mountinfo_field(fields[dash + 2]);
        // Super options may be missing on some very old kernels' special filesystems.
        if (dash + 3 < fields.size()) {
            entry.super_options = std::string(fields[dash + 3]);
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::vector<MountInfoEntry> read_mountinfo(const std::string& path) {
    return parse_mountinfo(read_text_file(path));
}

std::optional<MountInfoEntry> find_mount_containing(const std::vector<MountInfoEntry>& mounts,
                                                    std::string_view path) {
    const MountInfoEntry* best = nullptr;
    for (const auto& entry : mounts) {
        if (!is_path_prefix(entry.mount_point, path)) {
            continue;
        }
        if (best == nullptr || entry.mount_point.size() >= best->mount_point.size()) {
            best = &entry;
        }
    }
    if (best == nullptr) {
        return std::nullopt;
    }
    return *best;
}

}  // namespace plugrt
