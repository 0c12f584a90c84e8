// Reading cookies a request sent.
#pragma once

#include <optional>
#include <string_view>

namespace sluice::sdk {

// The value of cookie `name` in a Cookie header ("a=1; name=value"; the name is compared
// exactly, a quoted value is unquoted), or nullopt when the header does not hold it.
inline std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) noexcept {
    while (!header.empty()) {
        const auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            std::string_view value = pair.substr(eq + 1);
            while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
            return value;
        }
        if (semi == std::string_view::npos) break;
        header.remove_prefix(semi + 1);
    }
    return std::nullopt;
}

}  // namespace sluice::sdk
