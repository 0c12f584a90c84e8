// Configuration errors: each names where it came from (file, line, key path).
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/sdk/text.hpp"

namespace sluice::config {

struct config_error {
    std::string source;  // file path, or the provider that published the document
    std::uint32_t line = 0;
    std::string key;     // dotted key path, "http.routers.api.rule"
    std::string message;

    std::string to_string() const;
};

using error_list = std::vector<config_error>;

// Thrown for errors that make a whole configuration unusable (static config at start-up).
class config_exception : public std::runtime_error {
public:
    explicit config_exception(error_list errors);
    const error_list& errors() const noexcept { return errors_; }

private:
    error_list errors_;
};

// Shared with plugins (sluice/sdk/text.hpp): "1m30s", "500ms", "2h" or bare seconds;
// case-insensitive comparison and the closest spelling for "did you mean" suggestions.
using sdk::closest_spelling;
using sdk::iequals;
using sdk::parse_duration;
using sdk::to_lower;

std::string format_duration(std::chrono::milliseconds d);

}  // namespace sluice::config
