// Configuration given in other forms than TOML (a YAML file, Traefik's command-line flags and
// environment variables) is written as TOML text, each value on a line of its own, and parsed
// by the one TOML parser: one reader of tables, one set of checks and messages. Each line
// remembers where its value came from, so that an error found on the generated text names
// the YAML file and line, the flag or the variable instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/config_error.hpp"

namespace sluice::config {

// Where a generated line's value came from: a file and line, or a flag or variable (line 0).
struct origin {
    std::string source;
    std::uint32_t line = 0;
};

class generated_toml {
public:
    // `name`: what the generated text is called in the parser's errors (never shown once they
    // are relocated).
    explicit generated_toml(std::string name) : name_(std::move(name)) {}

    // A table header: the keys assigned after it are relative to `path`.
    void table(const std::vector<std::string>& path, const origin& from);
    // path = value, where `value` is TOML text (a quoted string, a number, true, [..], {..}).
    void assign(const std::vector<std::string>& path, std::string_view value, const origin& from);
    // An array whose items follow, one per line (inline tables included), then its end.
    void open_array(const std::vector<std::string>& path, const origin& from);
    void array_item(std::string_view value, const origin& from);
    void close_array();

    // Parses the text; a syntax error is thrown relocated to where its line came from.
    toml::table parse() const;
    // Errors reported on the generated text, moved to where their lines came from.
    void relocate(error_list& errors) const;

    // Where generated line `line` came from ({name(), line} for a line it does not have).
    origin origin_of(std::uint32_t line) const;

    const std::string& text() const noexcept { return text_; }
    const std::string& name() const noexcept { return name_; }

private:
    void line(std::string_view text, const origin& from);

    std::string name_;
    std::string text_;
    std::vector<origin> origins_;  // per generated line
};

// `s` as a TOML basic string, quoted and escaped.
std::string toml_quoted(std::string_view s);
// A dotted TOML key of `path`, each segment quoted.
std::string toml_key(const std::vector<std::string>& path);

}  // namespace sluice::config
