// The key bookkeeping behind config_reader (config_reader.hpp): dotted key paths looked up
// case-insensitively, a record of the keys the getters read, walked into or asked for, and
// from that record the report of every key nothing asked for ("unknown key (did you mean
// \"prefixes\"?)"). One record serves a document and every reader sharing it. Plugin code
// uses config_reader; this header is its detail.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sluice/sdk/text.hpp"

namespace sluice::sdk::detail {

// "a string", "an integer", ...: what a message says was found. Shared with the host's reader.
inline std::string_view toml_type_name(const toml::node& node) noexcept {
    switch (node.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        default: return "a date or time";
    }
}

// "cookie" under "sticky" is "sticky.cookie"; an empty part leaves the other as it is.
inline std::string join_key_path(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : key.empty() ? prefix : prefix + "." + key;
}

// A key found: its node, and its path as the document spells it.
struct located_key {
    const toml::node* node;
    std::string shown;
};

// What the readers of one document did with its keys, by lower-cased key path. Errors go to
// the caller's `report(key, message)`.
class config_keys {
public:
    // Walks a dotted path from `from`, the table at key path `prefix`; nullopt when a key is
    // missing or a step is not a table (then reported when `asking`). Records the keys asked
    // for and walked through.
    template <class Report>
    std::optional<located_key> walk(const toml::table& from, const std::string& prefix, std::string_view path,
                                    bool asking, Report&& report) {
        const toml::table* table = &from;
        std::string shown = prefix;
        for (;;) {
            const auto dot = path.find('.');
            const std::string_view name = path.substr(0, dot);
            if (asking) asked_[to_lower(shown)].emplace_back(name);
            const toml::key* key = nullptr;
            const toml::node* node = nullptr;
            for (auto&& [k, v] : *table)
                if (iequals(k.str(), name)) key = &k, node = &v;
            if (!node) return std::nullopt;
            shown = join_key_path(shown, std::string(key->str()));
            if (dot == std::string_view::npos) {
                if (asking) marks_.emplace(to_lower(shown), mark::read);
                return located_key{node, shown};
            }
            if (asking) marks_.emplace(to_lower(shown), mark::entered);
            table = node->as_table();
            if (!table) {
                if (asking) report(shown, "expected a table, found " + std::string(toml_type_name(*node)));
                return std::nullopt;
            }
            path.remove_prefix(dot + 1);
        }
    }

    // A table, or an element of an array of tables, that a reader reads key by key: its keys
    // are checked by report_unread.
    void enter(const std::string& shown) { marks_[to_lower(shown)] = mark::entered; }

    // Reports every key of `table` (at key path `shown`), and of the tables entered below it,
    // that nothing asked for.
    template <class Report>
    void report_unread(const toml::table& table, const std::string& shown, Report&& report) {
        for (auto&& [k, v] : table) {
            const std::string path = join_key_path(shown, std::string(k.str()));
            const auto found = marks_.find(to_lower(path));
            if (found == marks_.end()) {
                report(path, unknown_key_message(k.str(), asked_[to_lower(shown)]));
                // Reported once, even when a reader above finishes too.
                marks_.emplace(to_lower(path), mark::read);
            } else if (found->second == mark::entered) {
                if (const auto* t = v.as_table()) report_unread(*t, path, report);
                else if (const auto* list = v.as_array())
                    for (std::size_t i = 0; i < list->size(); ++i) {
                        const std::string element = path + "[" + std::to_string(i) + "]";
                        const auto* t = list->get(i)->as_table();
                        if (t && marks_.count(to_lower(element))) report_unread(*t, element, report);
                    }
            }
        }
    }

private:
    enum class mark { entered, read };

    static std::string unknown_key_message(std::string_view name, const std::vector<std::string>& asked) {
        if (asked.empty()) return "unknown key: this table takes no options";
        if (auto best = closest_spelling(name, asked)) return "unknown key (did you mean \"" + *best + "\"?)";
        std::vector<std::string_view> names;
        std::string list;
        for (const auto& a : asked) {
            if (std::any_of(names.begin(), names.end(), [&](std::string_view n) { return iequals(n, a); })) continue;
            names.push_back(a);
            list += (list.empty() ? "" : ", ") + a;
        }
        return "unknown key (this table takes: " + list + ")";
    }

    // Read whole, or walked into (a table read key by key).
    std::map<std::string, mark> marks_;
    // By table path: the keys getters asked for, for "did you mean".
    std::map<std::string, std::vector<std::string>> asked_;
};

}  // namespace sluice::sdk::detail
