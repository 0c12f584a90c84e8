// Reading the Engine's JSON answers (Boost.JSON, compiled once in json_impl.cpp): what the
// providers' parsers share.
#pragma once

#include <string>

#include <boost/json.hpp>

namespace sluice::docker {

namespace json = boost::json;

// The string at `v`, "" when it is missing or not a string.
inline std::string json_string(const json::value* v) {
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace sluice::docker
