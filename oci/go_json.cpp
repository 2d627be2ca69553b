#include "oci/go_json.hpp"

#include <limits>

#include "oci/errors.hpp"

namespace plugrt::oci::gojson {
namespace {

constexpr char32_t kKelvinSign = 0x212A;
constexpr char32_t kLongS = 0x017F;

// Decodes one UTF-8 sequence at `text[i]`; returns U+FFFD for anything malformed (nlohmann has
// already rejected invalid UTF-8, so that only guards against misuse).
char32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : 4;
    if (i + length > text.size()) {
        i = text.size();
        return 0xFFFD;
    }
    char32_t cp = length == 1   ? lead
                  : length == 2 ? lead & 0x1F
                  : length == 3 ? lead & 0x0F
                                : lead & 0x07;
    for (std::size_t k = 1; k < length; ++k) {
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    i += length;
    return cp;
}

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string_view type_name(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::number_float:
            return "a fractional number";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "an integer";
        default:
            return "an unsupported value";
    }
}

// Builds the DOM from SAX events, appending object members instead of looking them up, so that
// repeated keys survive. Every open container is the last element of its parent, so the
// pointers on the stack stay valid while children are added.
class DuplicateKeepingBuilder {
public:
    explicit DuplicateKeepingBuilder(Json& root) : root_(root) {}

    bool null() { return put(Json(nullptr)); }
    bool boolean(bool v) { return put(Json(v)); }
    bool number_integer(Json::number_integer_t v) { return put(Json(v)); }
    bool number_unsigned(Json::number_unsigned_t v) { return put(Json(v)); }
    bool number_float(Json::number_float_t v, const Json::string_t&) { return put(Json(v)); }
    bool string(Json::string_t& v) { return put(Json(std::move(v))); }
    bool binary(Json::binary_t&) { return fail_with("binary values are not JSON"); }
    bool start_object(std::size_t) { return open(Json::object()); }
    bool start_array(std::size_t) { return open(Json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(Json::string_t& k) {
        auto& members =
            static_cast<Json::object_t::Container&>(stack_.back()->get_ref<Json::object_t&>());
        members.emplace_back(std::move(k), nullptr);
        slot_ = &members.back().second;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        std::string what = e.what();
        if (const auto end = what.find("] ");
            !what.empty() && what[0] == '[' && end != std::string::npos) {
            what = what.substr(end + 2);
        }
        return fail_with("not valid JSON: " + what);
    }

    const std::string& error() const { return error_; }

private:
    Json* place(Json value) {
        if (stack_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        Json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(value));
            return &parent.back();
        }
        *slot_ = std::move(value);
        return slot_;
    }
    bool put(Json value) {
        place(std::move(value));
        return true;
    }
    bool open(Json container) {
        if (stack_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
            return fail_with("document is nested deeper than " + std::to_string(kMaxJsonDepth) +
                             " levels");
        }
        stack_.push_back(place(std::move(container)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }
    bool fail_with(std::string message) {
        error_ = std::move(message);
        return false;
    }

    Json& root_;
    std::vector<Json*> stack_;
    Json* slot_ = nullptr;
    std::string error_;
};

}  // namespace

Json parse_keeping_duplicates(std::string_view text) {
    if (text.size() > kMaxDocumentBytes) {
        throw ParseError("", "document is too large (" + std::to_string(text.size()) +
                                 " bytes, the limit is " + std::to_string(kMaxDocumentBytes) + ")");
    }
    Json root;
    DuplicateKeepingBuilder builder(root);
    if (!Json::sax_parse(text.begin(), text.end(), &builder)) {
        throw ParseError("", builder.error().empty() ? "not valid JSON" : builder.error());
    }
    return root;
}

bool key_matches(std::string_view key, std::string_view field) {
    std::size_t i = 0;
    for (const char f : field) {
        if (i >= key.size()) {
            return false;
        }
        const char32_t k = next_code_point(key, i);
        if (k < 0x80) {
            if (ascii_upper(static_cast<char>(k)) != ascii_upper(f)) {
                return false;
            }
        } else if (k == kKelvinSign) {
            if (ascii_upper(f) != 'K') return false;
        } else if (k == kLongS) {
            if (ascii_upper(f) != 'S') return false;
        } else {
            return false;
        }
    }
    return i == key.size();
}

std::string member_path(const std::string& parent, std::string_view name) {
    return parent.empty() ? std::string(name) : parent + "." + std::string(name);
}

std::string element_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

void throw_type_error(const std::string& path, std::string_view expected, const Json& found) {
    throw ParseError(
        path, "expected " + std::string(expected) + ", found " + std::string(type_name(found)));
}

void decode(const Json& value, const std::string& path, std::string& out) {
    if (value.is_null()) return;
    if (!value.is_string()) throw_type_error(path, "a string", value);
    out = value.get<std::string>();
}

void decode(const Json& value, const std::string& path, bool& out) {
    if (value.is_null()) return;
    if (!value.is_boolean()) throw_type_error(path, "a boolean", value);
    out = value.get<bool>();
}

void decode(const Json& value, const std::string& path, uint32_t& out) {
    if (value.is_null()) return;
    // Go parses the literal with ParseUint: no sign, no fraction, no exponent, within range.
    if (!value.is_number_unsigned() ||
        value.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
        throw ParseError(path, "expected an unsigned 32-bit integer");
    }
    out = static_cast<uint32_t>(value.get<uint64_t>());
}

void decode(const Json& value, const std::string& path, std::optional<std::string>& out) {
    if (value.is_null()) {
        out.reset();
        return;
    }
    if (!value.is_string()) throw_type_error(path, "a string", value);
    out = value.get<std::string>();
}

void decode(const Json& value, const std::string& path, std::vector<std::string>& out) {
    decode_slice(value, path, out, [](const Json& v, const std::string& p, std::string& s) {
        // Go keeps the previous element for a null entry; a fresh element is "".
        decode(v, p, s);
    });
}

void decode_struct(const Json& value, const std::string& path,
                   std::initializer_list<Field> fields) {
    if (value.is_null()) return;
    if (!value.is_object()) throw_type_error(path, "an object", value);
    for (const auto& [key, member] : value.items()) {
        for (const Field& field : fields) {
            if (key_matches(key, field.name)) {
                field.decode(member, member_path(path, field.name));
                break;
            }
        }
    }
}

}  // namespace plugrt::oci::gojson
