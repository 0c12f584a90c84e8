// Reads one TOML table with typed accessors, collecting errors instead of throwing, and
// reports every key nobody asked for as unknown, with a "did you mean" suggestion.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/config_error.hpp"

namespace sluice::config {

class table_reader {
public:
    table_reader(const toml::table& table, std::string path, std::string source, error_list& errors);

    // Keys match case-insensitively, as in Traefik. Every accessor marks the key as known.
    const toml::node* get(std::string_view key);
    std::optional<std::string> get_string(std::string_view key);
    std::optional<std::int64_t> get_integer(std::string_view key, std::int64_t min, std::int64_t max);
    std::optional<bool> get_bool(std::string_view key);
    std::optional<std::chrono::milliseconds> get_duration(std::string_view key);
    // An array of strings, or one string with comma-separated items.
    std::optional<std::vector<std::string>> get_string_list(std::string_view key);
    const toml::table* get_table(std::string_view key);

    // Marks a key as known without reading it.
    void allow(std::string_view key) { known_.emplace_back(key); }

    void error(std::string_view key, std::string message, const toml::node* at = nullptr);
    // Reports unknown keys. Call once, after every accessor.
    void finish();

    std::string child_path(std::string_view key) const;
    const std::string& path() const noexcept { return path_; }
    const std::string& source() const noexcept { return source_; }
    const toml::table& table() const noexcept { return table_; }
    error_list& errors() noexcept { return errors_; }

private:
    std::string type_error(std::string_view expected, const toml::node& node) const;

    const toml::table& table_;
    std::string path_;
    std::string source_;
    error_list& errors_;
    std::vector<std::string> known_;
};

// Line of a node in its document, 0 when unknown.
std::uint32_t line_of(const toml::node* node);

}  // namespace sluice::config
