#include "config/plugin_table.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "config/table_reader.hpp"

namespace sluice::config {

namespace {

bool bare_key(std::string_view key) {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

// Checks the keys below `node` and records their lines, `at` being the node's key path
// (`shown` as the document spells it, for errors; `lower` for the index).
void index_keys(const toml::node& node, const std::string& shown, const std::string& lower, plugin_table& out,
                error_list& errors) {
    auto child = [](const std::string& parent, std::string_view key) {
        return parent.empty() ? std::string(key) : parent + "." + std::string(key);
    };
    if (const auto* t = node.as_table()) {
        for (auto&& [key, value] : *t) {
            const std::string key_shown = child(shown, key.str());
            if (!bare_key(key.str())) {
                errors.push_back({out.source, line_of(&value), out.path + "." + key_shown,
                                  "an option key is made of letters, digits, '-' and '_'"});
                continue;
            }
            const std::string key_lower = child(lower, to_lower(key.str()));
            out.key_lines[key_lower] = line_of(&value);
            index_keys(value, key_shown, key_lower, out, errors);
        }
    } else if (const auto* a = node.as_array()) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string index = "[" + std::to_string(i) + "]";
            out.key_lines[lower + index] = line_of(a->get(i));
            index_keys(*a->get(i), shown + index, lower + index, out, errors);
        }
    }
}

}  // namespace

std::uint32_t plugin_table::line_of(std::string_view key_path) const {
    std::string key = to_lower(key_path);
    for (;;) {
        if (auto it = key_lines.find(key); it != key_lines.end() && it->second > 0) return it->second;
        const auto cut = key.find_last_of(".[");
        if (cut == std::string::npos) return line;
        key.resize(cut);
    }
}

plugin_table read_plugin_table(std::string name, const toml::table& table, std::string path, std::string source,
                               error_list& errors, std::string_view leave_out) {
    plugin_table out{std::move(name), std::move(path), std::move(source), config::line_of(&table), {}, {}};
    index_keys(table, "", "", out, errors);
    std::ostringstream text;
    if (table.is_inline() || !leave_out.empty()) {
        // `stripPrefix = { prefixes = ["/a"] }` prints as "{ ... }", which is not a document
        // a plugin can parse: print it as a regular table.
        toml::table copy = table;
        copy.is_inline(false);
        for (auto it = copy.begin(); it != copy.end();)
            it = !leave_out.empty() && iequals(it->first.str(), leave_out) ? copy.erase(it) : std::next(it);
        text << toml::toml_formatter(copy);
    } else {
        text << toml::toml_formatter(table);
    }
    out.text = text.str();
    return out;
}

void plugin_error_sink::error(std::string_view key, std::string_view message) noexcept {
    try {
        out_.push_back({table_.source, table_.line_of(key),
                        key.empty() ? table_.path : table_.path + "." + std::string(key), std::string(message)});
    } catch (...) {
    }
}

}  // namespace sluice::config
