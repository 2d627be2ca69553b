// The typed member readers of json_reader.hpp, and parse_json_text (oci/spec.hpp): the one place
// where the size and depth limits for untrusted JSON are enforced.
#include "oci/json_reader.hpp"

#include "oci/errors.hpp"

namespace plugrt::oci {
namespace json_reader {

// ---------------------------------------------------------------------------------------------
// Paths

std::string member_path(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

std::string map_key_path(const std::string& parent, const std::string& key) {
    return parent + "[\"" + key + "\"]";
}

// ---------------------------------------------------------------------------------------------
// Scalars

[[noreturn]] void fail(const std::string& path, const std::string& message) {
    throw ParseError(path, message);
}

std::string read_string(const Json& value, const std::string& path) {
    if (!value.is_string()) {
        fail(path, "expected a string");
    }
    return value.get<std::string>();
}

bool read_bool(const Json& value, const std::string& path) {
    if (!value.is_boolean()) {
        fail(path, "expected a boolean");
    }
    return value.get<bool>();
}

std::vector<std::string> read_strings(const Json& value, const std::string& path) {
    if (!value.is_array()) {
        fail(path, "expected an array of strings");
    }
    std::vector<std::string> out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        out.push_back(read_string(value[i], index_path(path, i)));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Objects

Members::Members(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) {
        fail(path_, "expected an object");
    }
}

const Json* Members::find(std::string_view key) {
    known_.emplace(key);
    const auto it = object_.find(std::string(key));
    if (it == object_.end() || it->is_null()) {
        return nullptr;
    }
    return &*it;
}

Json Members::unknown() const {
    Json extra = Json::object();
    for (const auto& [name, value] : object_.items()) {
        if (!known_.contains(name)) {
            extra[name] = value;
        }
    }
    return extra;
}

// ---------------------------------------------------------------------------------------------
// Messages

std::string without_exception_id(const std::string& what) {
    if (!what.empty() && what.front() == '[') {
        if (const auto end = what.find("] "); end != std::string::npos) {
            return what.substr(end + 2);
        }
    }
    return what;
}

}  // namespace json_reader

Json parse_json_text(std::string_view text) {
    using json_reader::fail;
    if (text.size() > kMaxDocumentBytes) {
        fail("", "document is too large (" + std::to_string(text.size()) + " bytes, the limit is " +
                     std::to_string(kMaxDocumentBytes) + ")");
    }
    // The callback sees every container before it is built, so a hostile document is rejected
    // at the first level too deep instead of being materialised (and later destroyed) in full.
    const Json::parser_callback_t limit_depth = [](int depth, Json::parse_event_t event, Json&) {
        if ((event == Json::parse_event_t::object_start ||
             event == Json::parse_event_t::array_start) &&
            depth >= kMaxJsonDepth) {
            fail("", "document is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        }
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), limit_depth);
    } catch (const Json::parse_error& e) {
        fail("", "not valid JSON: " + json_reader::without_exception_id(e.what()));
    }
}

}  // namespace plugrt::oci
