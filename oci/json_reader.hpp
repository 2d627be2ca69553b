// Internal to plugrt_oci (not part of the public API in oci/spec.hpp): the path-tracking,
// typed readers for JSON members that spec_reader.cpp builds on, plus the error helpers that
// spec_writer.cpp and parse_json_text share with it.
//
// Reading is strict about shapes (every mismatch names its JSON path) and lenient about presence,
// like Go's encoding/json: a missing or null member leaves the zero value. Unlike gojson (which
// reproduces Go's case-insensitive matching and merging for Docker plugin configs), keys match
// exactly and members the caller does not ask for are kept verbatim.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt::oci::json_reader {

// ---------------------------------------------------------------------------------------------
// Paths

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string member_path(const std::string& parent, std::string_view key);
// "a" + 3 -> "a[3]".
std::string index_path(const std::string& parent, std::size_t index);
// Map keys may contain dots ("net.ipv4.ip_forward"), so they are quoted to stay unambiguous.
std::string map_key_path(const std::string& parent, const std::string& key);

// ---------------------------------------------------------------------------------------------
// Scalars

// Throws ParseError(path, message).
[[noreturn]] void fail(const std::string& path, const std::string& message);

std::string read_string(const Json& value, const std::string& path);
bool read_bool(const Json& value, const std::string& path);
std::vector<std::string> read_strings(const Json& value, const std::string& path);

template <class Int>
const char* integer_expectation() {
    if constexpr (std::is_same_v<Int, uint32_t>) {
        return "expected an unsigned 32-bit integer";
    } else if constexpr (std::is_same_v<Int, uint64_t>) {
        return "expected an unsigned 64-bit integer";
    } else if constexpr (std::is_same_v<Int, int64_t>) {
        return "expected a 64-bit integer";
    } else {
        return "expected a 32-bit integer";
    }
}

// Go refuses floats (even 1.0) and out-of-range values for integer fields; so do we, rather than
// silently truncating a uid or a limit.
template <class Int>
Int read_integer(const Json& value, const std::string& path) {
    if (value.is_number_unsigned()) {
        const auto v = value.get<uint64_t>();
        if (v <= static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
            return static_cast<Int>(v);
        }
    } else if (value.is_number_integer()) {
        const auto v = value.get<int64_t>();
        if constexpr (std::is_signed_v<Int>) {
            if (v >= std::numeric_limits<Int>::min() && v <= std::numeric_limits<Int>::max()) {
                return static_cast<Int>(v);
            }
        } else if (v >= 0 && static_cast<uint64_t>(v) <= std::numeric_limits<Int>::max()) {
            return static_cast<Int>(v);
        }
    }
    fail(path, integer_expectation<Int>());
}

// ---------------------------------------------------------------------------------------------
// Objects

// Reads the members of one JSON object and remembers which ones were asked for, so that the
// rest can be kept verbatim in `extra`. A null member counts as absent, as in Go.
class Members {
public:
    Members(const Json& object, std::string path);

    const std::string& path() const { return path_; }
    std::string path(std::string_view key) const { return member_path(path_, key); }

    const Json* find(std::string_view key);

    void string(std::string_view key, std::string& out) {
        if (const auto* v = find(key)) out = read_string(*v, path(key));
    }
    void boolean(std::string_view key, bool& out) {
        if (const auto* v = find(key)) out = read_bool(*v, path(key));
    }
    void strings(std::string_view key, std::vector<std::string>& out) {
        if (const auto* v = find(key)) out = read_strings(*v, path(key));
    }
    template <class Int>
    void integer(std::string_view key, Int& out) {
        if (const auto* v = find(key)) out = read_integer<Int>(*v, path(key));
    }
    template <class Int>
    void integer(std::string_view key, std::optional<Int>& out) {
        if (const auto* v = find(key)) out = read_integer<Int>(*v, path(key));
    }
    template <class T, class Reader>
    void object(std::string_view key, std::optional<T>& out, Reader read) {
        if (const auto* v = find(key)) out = read(*v, path(key));
    }
    template <class T, class Reader>
    void array(std::string_view key, std::vector<T>& out, Reader read) {
        if (const auto* v = find(key)) {
            const auto p = path(key);
            if (!v->is_array()) {
                fail(p, "expected an array");
            }
            out.clear();
            out.reserve(v->size());
            for (std::size_t i = 0; i < v->size(); ++i) {
                out.push_back(read((*v)[i], index_path(p, i)));
            }
        }
    }
    template <class T, class Reader>
    void map(std::string_view key, std::map<std::string, T>& out, Reader read) {
        if (const auto* v = find(key)) {
            const auto p = path(key);
            if (!v->is_object()) {
                fail(p, "expected an object");
            }
            for (const auto& [name, item] : v->items()) {
                out[name] = read(item, map_key_path(p, name));
            }
        }
    }

    // Every member not read above, in document order.
    Json unknown() const;

private:
    const Json& object_;
    std::string path_;
    std::set<std::string, std::less<>> known_;
};

// ---------------------------------------------------------------------------------------------
// Messages

// nlohmann reports "[json.exception.parse_error.101] parse error at line 1, column 2: ...";
// the bracketed id means nothing to a user.
std::string without_exception_id(const std::string& what);

}  // namespace plugrt::oci::json_reader
