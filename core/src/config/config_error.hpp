// Configuration errors: each names where it came from (file, line, key path).
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// "1m30s", "500ms", "2h", or a bare integer meaning seconds (as Traefik accepts).
// Returns false on anything else.
bool parse_duration(std::string_view text, std::chrono::milliseconds& out);

std::string format_duration(std::chrono::milliseconds d);

// Case-insensitive edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

bool iequals(std::string_view a, std::string_view b) noexcept;
std::string to_lower(std::string_view s);

}  // namespace sluice::config
