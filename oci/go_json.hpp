// Decoding JSON into C++ structs with the rules of Go's encoding/json (v1), which is what dockerd
// uses for a plugin's config.json. Matching Go matters: a C++ reader that picks a different
// member than Docker would run a different program than the one the user accepted.
//
// The rules reproduced here:
//   - object keys match field names case-insensitively (ASCII folding, plus the Kelvin sign
//     U+212A for k and the long s U+017F for s, as bytes.EqualFold does);
//   - keys that match no field are ignored;
//   - every key is applied in document order, so a later duplicate overwrites an earlier one,
//     and a repeated object or array element is decoded *into* the previous value (Go merges);
//   - types are strict (no string-to-number coercion, no floats for integers);
//   - `null` clears pointers and slices and leaves strings, numbers, bools and structs alone.
// Errors are ParseError with the JSON path of the member, e.g.
// `linux.devices[0].path: expected a string`.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/spec.hpp"

namespace plugrt::oci::gojson {

// True if `key` (UTF-8, as found in the document) selects the ASCII field `field` under Go's
// case folding.
bool key_matches(std::string_view key, std::string_view field);

// Parses untrusted text within the limits of parse_json_text (size, depth; throws ParseError),
// but keeps every occurrence of a repeated key, in document order. nlohmann would keep only one
// (at the first position), which is not what Go applies: for
// {"Entrypoint":["a"],"entrypoint":["b"],"Entrypoint":["c"]} Go runs c.
Json parse_keeping_duplicates(std::string_view text);

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string member_path(const std::string& parent, std::string_view name);
// "a" + 3 -> "a[3]".
std::string element_path(const std::string& parent, std::size_t index);

[[noreturn]] void throw_type_error(const std::string& path, std::string_view expected,
                                   const Json& found);

void decode(const Json& value, const std::string& path, std::string& out);
void decode(const Json& value, const std::string& path, bool& out);
void decode(const Json& value, const std::string& path, uint32_t& out);
// A Go *string: null resets it, a string sets it.
void decode(const Json& value, const std::string& path, std::optional<std::string>& out);
void decode(const Json& value, const std::string& path, std::vector<std::string>& out);

// A Go slice of T: null empties it; otherwise element i is decoded into the existing element i
// (if any) and the slice is cut to the array's length.
template <class T, class DecodeElement>
void decode_slice(const Json& value, const std::string& path, std::vector<T>& out,
                  DecodeElement decode_element) {
    if (value.is_null()) {
        out.clear();
        return;
    }
    if (!value.is_array()) {
        throw_type_error(path, "an array", value);
    }
    const std::size_t count = value.size();
    if (out.size() < count) {
        out.resize(count);
    }
    for (std::size_t i = 0; i < count; ++i) {
        decode_element(value[i], element_path(path, i), out[i]);
    }
    out.resize(count);
}

// One member of a Go struct: its name (matched case-insensitively, also used in error paths)
// and how to decode a value into it.
struct Field {
    std::string_view name;
    std::function<void(const Json& value, const std::string& path)> decode;
};

// Decodes a JSON object into a struct described by `fields`. null is a no-op (Go leaves a
// struct untouched); anything else than an object is a type error.
void decode_struct(const Json& value, const std::string& path, std::initializer_list<Field> fields);

}  // namespace plugrt::oci::gojson
