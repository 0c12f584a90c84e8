// A plugin's own table: the TOML text the plugin receives, and where each of its keys
// stands in the source, so that what the plugin reports names the file's line.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "config/config_error.hpp"
#include "sluice/abi.h"

// abi.h's error sink, completed on the host's side: what a plugin reports about its table.
struct sluice_error_sink {
    virtual void error(std::string_view key, std::string_view message) noexcept = 0;

protected:
    ~sluice_error_sink() = default;
};

namespace sluice::config {

struct plugin_table {
    std::string name;        // the key naming the plugin, as written: "stripPrefix", "roundrobin"
    std::string path;        // the table's key path: "http.middlewares.strip.stripPrefix"
    std::string source;      // file or provider, for errors
    std::uint32_t line = 0;  // of the table (of its parent when the table is absent)
    std::string text;        // empty when the table is absent
    std::map<std::string, std::uint32_t> key_lines;  // by lower-cased key path: "cookie.name", "list[1]"

    // The line of `key_path` (any case), else of its nearest enclosing key, else the table's.
    std::uint32_t line_of(std::string_view key_path) const;
};

// Reads `table` at `path` for a plugin. Option keys must be bare TOML keys (letters,
// digits, '-', '_'); any other is reported to `errors` (toml++ 3.3 prints some quoted keys
// as text that does not parse again). The key `leave_out` (any case) is the host's, not the
// plugin's: it is left out of the text. `table` must be the parsed one, not a copy: a copy
// keeps no source positions.
plugin_table read_plugin_table(std::string name, const toml::table& table, std::string path, std::string source,
                               error_list& errors, std::string_view leave_out = {});

// What a plugin reports about its table, as configuration errors: key paths under the
// table's path, lines from the source.
class plugin_error_sink final : public sluice_error_sink {
public:
    plugin_error_sink(const plugin_table& table, error_list& out) : table_(table), out_(out) {}
    void error(std::string_view key, std::string_view message) noexcept override;

private:
    const plugin_table& table_;
    error_list& out_;
};

}  // namespace sluice::config
