// Small text helpers for plugins. Configuration keys are case-insensitive everywhere
// (labels arrive lower-cased), so plugins compare their keys with iequals.
#pragma once

#include <algorithm>
#include <cctype>
#include <string_view>

namespace sluice::sdk {

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace sluice::sdk
