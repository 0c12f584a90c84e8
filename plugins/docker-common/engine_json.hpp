// Reading the Engine's JSON answers (Boost.JSON, compiled once in json_impl.cpp): what the
// providers' parsers share.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace sluice::docker {

namespace json = boost::json;

// The string at `v`, "" when it is missing or not a string.
inline std::string json_string(const json::value* v) {
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The object or array at `key` of `o`, nullptr when it is missing or of another type.
inline const json::object* object_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_object() ? &v->as_object() : nullptr;
}
inline const json::array* array_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_array() ? &v->as_array() : nullptr;
}

}  // namespace sluice::docker
