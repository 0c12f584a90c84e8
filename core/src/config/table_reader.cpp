#include "config/table_reader.hpp"

#include <algorithm>

#include "sluice/sdk/config_reader.hpp"

namespace sluice::config {

std::uint32_t line_of(const toml::node* node) { return node ? node->source().begin.line : 0; }


table_reader::table_reader(const toml::table& table, std::string path, std::string source, error_list& errors)
    : table_(table), path_(std::move(path)), source_(std::move(source)), errors_(errors) {}

std::string table_reader::child_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const toml::node* table_reader::get(std::string_view key) {
    known_.emplace_back(key);
    for (auto&& [k, v] : table_)
        if (iequals(k.str(), key)) return &v;
    return nullptr;
}

std::string table_reader::type_error(std::string_view expected, const toml::node& node) const {
    return "expected " + std::string(expected) + ", found " + std::string(sdk::detail::toml_type_name(node));
}

void table_reader::error(std::string_view key, std::string message, const toml::node* at) {
    errors_.push_back({source_, at ? line_of(at) : line_of(&table_), child_path(key), std::move(message)});
}

std::optional<std::string> table_reader::get_string(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (auto s = n->as_string()) return s->get();
    error(key, type_error("a string", *n), n);
    return std::nullopt;
}

std::optional<std::int64_t> table_reader::get_integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    std::optional<std::int64_t> value;
    if (auto i = n->as_integer()) value = i->get();
    // Labels arrive as strings; accept digits there too.
    else if (auto s = n->as_string()) {
        try {
            std::size_t used = 0;
            const long long v = std::stoll(s->get(), &used);
            if (used == s->get().size()) value = v;
        } catch (...) {
        }
    }
    if (!value) {
        error(key, type_error("an integer", *n), n);
        return std::nullopt;
    }
    if (*value < min || *value > max) {
        error(key, "value " + std::to_string(*value) + " is out of range [" + std::to_string(min) + ", " +
                       std::to_string(max) + "]",
              n);
        return std::nullopt;
    }
    return value;
}

std::optional<bool> table_reader::get_bool(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (auto b = n->as_boolean()) return b->get();
    if (auto s = n->as_string()) {
        if (iequals(s->get(), "true")) return true;
        if (iequals(s->get(), "false")) return false;
    }
    error(key, type_error("a boolean", *n), n);
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> table_reader::get_duration(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    std::chrono::milliseconds d{};
    if (auto i = n->as_integer(); i && i->get() >= 0) return std::chrono::seconds(i->get());
    if (auto s = n->as_string(); s && parse_duration(s->get(), d)) return d;
    error(key, "expected a duration such as \"30s\", \"500ms\" or \"1m30s\"", n);
    return std::nullopt;
}

std::optional<std::vector<std::string>> table_reader::get_string_list(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    std::vector<std::string> out;
    if (auto s = n->as_string()) {
        std::string_view rest = s->get();
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string_view item = rest.substr(0, comma);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
            if (!item.empty()) out.emplace_back(item);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        return out;
    }
    if (auto a = n->as_array()) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const toml::node& item = *a->get(i);
            if (auto s = item.as_string()) out.push_back(s->get());
            else {
                error(std::string(key) + "[" + std::to_string(i) + "]", type_error("a string", item), &item);
                return std::nullopt;
            }
        }
        return out;
    }
    error(key, type_error("an array of strings", *n), n);
    return std::nullopt;
}

const toml::table* table_reader::get_table(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return nullptr;
    if (auto t = n->as_table()) return t;
    error(key, type_error("a table", *n), n);
    return nullptr;
}

void table_reader::finish() {
    for (auto&& [k, v] : table_) {
        const std::string_view name = k.str();
        const bool is_known =
            std::any_of(known_.begin(), known_.end(), [&](const std::string& known) { return iequals(known, name); });
        if (is_known) continue;
        std::string message = "unknown key";
        if (const auto best = closest_spelling(name, known_)) message += " (did you mean \"" + *best + "\"?)";
        errors_.push_back({source_, line_of(&v), child_path(name), message});
    }
}

}  // namespace sluice::config
