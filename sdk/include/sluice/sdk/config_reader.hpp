// config_reader: typed access to a plugin's configuration table, with the coercions that
// container labels need and the error reports the host shows to users.
//
// Configuration still crosses the plugin boundary as TOML text; this reader lives entirely
// on the plugin's side (it parses with toml++, which the SDK's CMake package brings along),
// and no toml++ type appears in its interface.
//
//     sdk::config_reader config(text, errors);
//     const auto prefixes = config.required_string_list("prefixes", "a list of path prefixes");
//     const bool secure = config.boolean_or("secure", false);
//     const auto max_age = config.integer_or("maxAge", 0, {0, 86400 * 365});
//     if (!config.finish()) return nullptr;   // every error, unknown keys included, is reported
//
// Key paths, and the record of read keys from which finish() reports the unknown ones, are
// in config_keys.hpp.
#pragma once

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "sluice/sdk/config_keys.hpp"
#include "sluice/sdk/host.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::sdk {

// Inclusive bounds for integer options.
struct integer_range {
    std::int64_t min = std::numeric_limits<std::int64_t>::min();
    std::int64_t max = std::numeric_limits<std::int64_t>::max();
};

// Reads one plugin configuration table (the text a plugin type's create() receives).
//
// Keys and key paths ("cookie.name") match case-insensitively, as in Traefik. Values from
// container labels arrive as strings and are coerced: "true"/"false" in any case for a
// boolean, "42" for an integer, "10s" for a duration, "a, b" for a list. Every getter comes
// in three forms: `x(path)` (nullopt when absent), `x_or(path, fallback)` and
// `required_x(path, hint)` (absent: reports "missing: <hint>"). A value of the wrong type is
// reported with its key path ("expected a boolean, found an integer") and gives nullopt or
// the fallback. After reading, finish() reports every key that nothing asked for, with a
// "did you mean" suggestion when one is close.
//
// Ownership: the reader parses the text into its own document; `config` need not outlive the
// constructor. Sub-readers from table() and tables() share that document (shared ownership),
// so any of them may outlive the others. Values returned are copies.
// Lifetime: `errors` is referenced, not owned, and must outlive every reader made from it;
// the host's sink is valid only during the create() call that received it, so use readers
// only inside create().
// Threading: none. A reader belongs to the thread running create(); it is meant for
// creation time, never for the request path.
// Lines: the host maps each reported key path to the line of that key in the user's file,
// so messages carry none (only a text that is not TOML at all says where, in the text).
class config_reader {
public:
    config_reader(std::string_view config, error_sink& errors)
        : state_(std::make_shared<shared_state>(errors)), table_(&state_->document) {
#if TOML_EXCEPTIONS
        try {
            state_->document = toml::parse(config);
        } catch (const toml::parse_error& e) {
            parse_failed(e);
        }
#else
        if (auto parsed = toml::parse(config)) state_->document = std::move(parsed).table();
        else parse_failed(parsed.error());
#endif
    }

    // False once any error was reported through this reader or any reader sharing its document.
    bool ok() const noexcept { return !state_->failed; }

    // Reports a plugin's own finding about a key ("a prefix may not be empty"). An empty
    // path means the table as a whole.
    void error(std::string_view path, std::string_view message) {
        const auto at = locate(path);
        report(at ? at->shown : detail::join_key_path(prefix_, std::string(path)), std::string(message));
    }

    // Whether `path` is present, whatever its value; it counts as read (finish() does not
    // report it). For keys a plugin refuses with a message of its own.
    bool has(std::string_view path) { return locate_and_mark(path).has_value(); }

    std::optional<std::string> string(std::string_view path) {
        return read<std::string>(path, "a string", [](const toml::node& n) -> std::optional<std::string> {
            if (const auto* s = n.as_string()) return s->get();
            return std::nullopt;
        });
    }
    std::string string_or(std::string_view path, std::string_view fallback) {
        return string(path).value_or(std::string(fallback));
    }
    std::optional<std::string> required_string(std::string_view path, std::string_view hint) {
        return present(path, hint) ? string(path) : std::nullopt;
    }

    std::optional<bool> boolean(std::string_view path) {
        return read<bool>(path, "a boolean", [](const toml::node& n) -> std::optional<bool> {
            if (const auto* b = n.as_boolean()) return b->get();
            if (const auto* s = n.as_string()) {
                if (iequals(s->get(), "true")) return true;
                if (iequals(s->get(), "false")) return false;
            }
            return std::nullopt;
        });
    }
    bool boolean_or(std::string_view path, bool fallback) { return boolean(path).value_or(fallback); }
    std::optional<bool> required_boolean(std::string_view path, std::string_view hint) {
        return present(path, hint) ? boolean(path) : std::nullopt;
    }

    // Out of `range`: "value 70000 is out of range [1, 65535]".
    std::optional<std::int64_t> integer(std::string_view path, integer_range range = {}) {
        auto value = read<std::int64_t>(path, "an integer", [](const toml::node& n) -> std::optional<std::int64_t> {
            if (const auto* i = n.as_integer()) return i->get();
            if (const auto* s = n.as_string()) return parse_integer(s->get());
            return std::nullopt;
        });
        if (value && (*value < range.min || *value > range.max)) {
            const auto at = locate(path);
            report(at->shown, "value " + std::to_string(*value) + " is out of range [" + std::to_string(range.min) +
                                  ", " + std::to_string(range.max) + "]");
            return std::nullopt;
        }
        return value;
    }
    std::int64_t integer_or(std::string_view path, std::int64_t fallback, integer_range range = {}) {
        return integer(path, range).value_or(fallback);
    }
    std::optional<std::int64_t> required_integer(std::string_view path, std::string_view hint,
                                                 integer_range range = {}) {
        return present(path, hint) ? integer(path, range) : std::nullopt;
    }

    // A number: a TOML float or integer, or a label's "1.25".
    std::optional<double> number(std::string_view path) {
        return read<double>(path, "a number", [](const toml::node& n) -> std::optional<double> {
            if (const auto* f = n.as_floating_point(); f && std::isfinite(f->get())) return f->get();
            if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
            if (const auto* s = n.as_string()) return parse_number(s->get());
            return std::nullopt;
        });
    }
    double number_or(std::string_view path, double fallback) { return number(path).value_or(fallback); }

    // "10s", "250ms", "1m30s", "2h"; a bare integer (TOML or label) is seconds, as in Traefik.
    std::optional<std::chrono::milliseconds> duration(std::string_view path) {
        return read<std::chrono::milliseconds>(
            path, "a duration such as \"10s\" or \"250ms\"",
            [](const toml::node& n) -> std::optional<std::chrono::milliseconds> {
                if (const auto* i = n.as_integer(); i && i->get() >= 0) return std::chrono::seconds(i->get());
                std::chrono::milliseconds d{};
                if (const auto* s = n.as_string(); s && parse_duration(s->get(), d)) return d;
                return std::nullopt;
            });
    }
    std::chrono::milliseconds duration_or(std::string_view path, std::chrono::milliseconds fallback) {
        return duration(path).value_or(fallback);
    }
    std::optional<std::chrono::milliseconds> required_duration(std::string_view path, std::string_view hint) {
        return present(path, hint) ? duration(path) : std::nullopt;
    }

    // A TOML array of strings, or one comma-separated string (the label form: "/a, /b").
    // Items lose surrounding spaces in both forms, so both spell the same list; an empty item
    // is refused (at "key[i]" in an array, at "key" in a string).
    std::optional<std::vector<std::string>> string_list(std::string_view path) {
        const auto at = locate_and_mark(path);
        if (!at) return std::nullopt;
        std::vector<std::string> items;
        bool valid = true;
        auto add = [&](std::string_view item, const std::string& key) {
            item = trim(item);
            if (item.empty()) report(key, "expected a non-empty string"), valid = false;
            else items.emplace_back(item);
        };
        if (const auto* list = at->node->as_array()) {
            for (std::size_t i = 0; i < list->size(); ++i) {
                const toml::node& item = *list->get(i);
                const std::string key = at->shown + "[" + std::to_string(i) + "]";
                if (const auto* s = item.as_string()) add(s->get(), key);
                else report(key, "expected a string, found " + type_name(item)), valid = false;
            }
        } else if (const auto* s = at->node->as_string()) {
            std::string_view rest = s->get();
            for (std::size_t comma; (comma = rest.find(',')) != std::string_view::npos; rest.remove_prefix(comma + 1))
                add(rest.substr(0, comma), at->shown);
            add(rest, at->shown);
        } else {
            report(at->shown, "expected an array of strings, found " + type_name(*at->node));
            return std::nullopt;
        }
        if (!valid) return std::nullopt;
        return items;
    }
    std::vector<std::string> string_list_or(std::string_view path, std::vector<std::string> fallback) {
        auto list = string_list(path);
        return list ? std::move(*list) : std::move(fallback);
    }
    std::optional<std::vector<std::string>> required_string_list(std::string_view path, std::string_view hint) {
        return present(path, hint) ? string_list(path) : std::nullopt;
    }

    // A table of strings under names the user chooses (header fields: `X-Custom = "1"`; the
    // label form `...customrequestheaders.X-Custom=1`), the names as written, sorted by name.
    // A value that is not a string is reported at its own key.
    std::optional<std::vector<std::pair<std::string, std::string>>> string_map(std::string_view path) {
        const auto at = locate_and_mark(path);
        if (!at) return std::nullopt;
        const auto* t = at->node->as_table();
        if (!t) {
            report(at->shown, "expected a table of strings, found " + type_name(*at->node));
            return std::nullopt;
        }
        std::vector<std::pair<std::string, std::string>> entries;
        bool valid = true;
        for (auto&& [k, v] : *t) {
            if (const auto* s = v.as_string()) entries.emplace_back(std::string(k.str()), s->get());
            else report(detail::join_key_path(at->shown, std::string(k.str())), "expected a string, found " + type_name(v)), valid = false;
        }
        if (!valid) return std::nullopt;
        return entries;
    }

    // A nested table as a reader of its own; its unread keys are reported by its finish() or
    // by any finish() of a reader above it.
    std::optional<config_reader> table(std::string_view path) {
        const auto at = locate_and_mark(path);
        if (!at) return std::nullopt;
        const auto* t = at->node->as_table();
        if (!t) {
            report(at->shown, "expected a table, found " + type_name(*at->node));
            return std::nullopt;
        }
        state_->keys.enter(at->shown);
        return config_reader(state_, t, at->shown);
    }
    // A table that is also a switch, as Traefik's labels write one: `true` ("true" from a
    // label) reads as the table with every option left to its default; `false`, or no key
    // at all, is nullopt; a table is read as table() reads it.
    std::optional<config_reader> switched_table(std::string_view path) {
        const auto at = locate_and_mark(path);
        if (!at) return std::nullopt;
        if (at->node->is_table()) return table(path);
        std::optional<bool> on;
        if (const auto* b = at->node->as_boolean()) on = b->get();
        else if (const auto* s = at->node->as_string(); s && iequals(s->get(), "true")) on = true;
        else if (s && iequals(s->get(), "false")) on = false;
        if (!on) {
            report(at->shown, "expected a table, true or false, found " + type_name(*at->node));
            return std::nullopt;
        }
        if (!*on) return std::nullopt;
        static const toml::table defaults;
        return config_reader(state_, &defaults, at->shown);
    }
    // An array of tables ([[servers]]), one reader per element (key paths "servers[0]").
    std::vector<config_reader> tables(std::string_view path) {
        std::vector<config_reader> out;
        const auto at = locate_and_mark(path);
        if (!at) return out;
        const auto* list = at->node->as_array();
        if (!list) {
            report(at->shown, "expected an array of tables, found " + type_name(*at->node));
            return out;
        }
        state_->keys.enter(at->shown);
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string shown = at->shown + "[" + std::to_string(i) + "]";
            if (const auto* t = list->get(i)->as_table()) {
                state_->keys.enter(shown);
                out.push_back(config_reader(state_, t, shown));
            } else {
                report(shown, "expected a table, found " + type_name(*list->get(i)));
            }
        }
        return out;
    }

    // Reports every key of this table (and of the tables read through it) that no getter
    // asked for. Returns ok(). Call once, after the last getter.
    bool finish() {
        if (!state_->parse_failed) state_->keys.report_unread(*table_, prefix_, reporter{this});
        return ok();
    }

private:
    struct shared_state {
        explicit shared_state(error_sink& e) : errors(&e) {}
        error_sink* errors;
        toml::table document;
        bool failed = false;
        bool parse_failed = false;  // getters then stay silent: one error says it all
        detail::config_keys keys;
    };

    using located = detail::located_key;

    config_reader(std::shared_ptr<shared_state> state, const toml::table* table, std::string prefix)
        : state_(std::move(state)), table_(table), prefix_(std::move(prefix)) {}

    template <class E>
    void parse_failed(const E& e) {
        state_->parse_failed = true;
        const auto& where = e.source().begin;
        report("", "not valid TOML: " + std::string(e.description()) + " (line " + std::to_string(where.line) +
                       ", column " + std::to_string(where.column) + " of the table)");
    }

    // The host knows where each key of the table stands in its source and adds the line.
    void report(const std::string& key, const std::string& message) {
        state_->failed = true;
        state_->errors->error(key, message);
    }
    // report() for config_keys, which finds some errors on the way.
    struct reporter {
        config_reader* reader;
        void operator()(const std::string& key, const std::string& message) const { reader->report(key, message); }
    };
    static std::string_view trim(std::string_view s) {
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
    }
    static std::optional<std::int64_t> parse_integer(std::string_view text) {
        text = trim(text);
        if (text.starts_with('+')) text.remove_prefix(1);
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
        return value;
    }
    static std::optional<double> parse_number(std::string_view text) {
        text = trim(text);
        if (text.starts_with('+')) text.remove_prefix(1);
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(value))
            return std::nullopt;
        return value;
    }
    static std::string type_name(const toml::node& node) { return std::string(detail::toml_type_name(node)); }

    // Walks a dotted path from this table (config_keys::walk); nothing after a parse error.
    std::optional<located> walk(std::string_view path, bool asking) {
        if (state_->parse_failed) return std::nullopt;
        return state_->keys.walk(*table_, prefix_, path, asking, reporter{this});
    }
    std::optional<located> locate(std::string_view path) { return walk(path, false); }
    std::optional<located> locate_and_mark(std::string_view path) { return walk(path, true); }

    // Whether `path` is present; reports it missing otherwise (once, not after a parse error).
    bool present(std::string_view path, std::string_view hint) {
        if (state_->parse_failed) return false;
        if (locate(path)) return true;
        locate_and_mark(path);  // still an accepted key, for "did you mean"
        report(detail::join_key_path(prefix_, std::string(path)), "missing: " + std::string(hint));
        return false;
    }

    template <class T, class Convert>
    std::optional<T> read(std::string_view path, std::string_view expected, Convert convert) {
        const auto at = locate_and_mark(path);
        if (!at) return std::nullopt;
        if (auto value = convert(*at->node)) return value;
        report(at->shown, "expected " + std::string(expected) + ", found " + type_name(*at->node));
        return std::nullopt;
    }

    std::shared_ptr<shared_state> state_;
    const toml::table* table_;
    std::string prefix_;  // key path of this table as the document spells it, "" at the top
};

}  // namespace sluice::sdk
