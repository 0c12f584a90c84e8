#include "config/yaml_document.hpp"

#include <algorithm>
#include <regex>

#include <yaml-cpp/yaml.h>

namespace sluice::config {

namespace {

std::uint32_t line_of(const YAML::Node& n) { return static_cast<std::uint32_t>(n.Mark().line + 1); }

// A scalar as TOML text: YAML 1.2's core schema for plain scalars, strings otherwise.
std::string scalar(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "?") {  // plain, not quoted
        static const std::regex integer("[-+]?[0-9]+");
        static const std::regex real("[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?");
        if (s == "true" || s == "True" || s == "TRUE") return "true";
        if (s == "false" || s == "False" || s == "FALSE") return "false";
        if (std::regex_match(s, integer)) {
            // TOML integers have no leading zeros or '+': written as written otherwise.
            std::string digits = s;
            if (digits.front() == '+') digits.erase(0, 1);
            const bool negative = !digits.empty() && digits.front() == '-';
            std::size_t first = negative ? 1 : 0;
            while (digits.size() > first + 1 && digits[first] == '0') digits.erase(first, 1);
            if (digits.size() <= 18) return digits;
        } else if (std::regex_match(s, real)) {
            std::string text = s;
            if (text.front() == '+') text.erase(0, 1);
            if (text.find('.') == 0 || text.find("-.") == 0) text.insert(text.find('.'), "0");
            if (text.back() == '.') text += '0';
            const auto dot = text.find('.');
            if (dot != std::string::npos && dot + 1 < text.size() && (text[dot + 1] == 'e' || text[dot + 1] == 'E'))
                text.insert(dot + 1, "0");
            return text;
        }
    }
    return toml_quoted(s);
}

// A value on one line: an inline table or array (inside an array of tables).
std::string inline_value(const YAML::Node& n, const std::string& file) {
    switch (n.Type()) {
        case YAML::NodeType::Map: {
            std::string out = "{ ";
            bool first = true;
            for (const auto& kv : n) {
                if (kv.second.IsNull()) continue;
                if (!first) out += ", ";
                first = false;
                out += toml_quoted(kv.first.Scalar()) + " = " + inline_value(kv.second, file);
            }
            return first ? "{}" : out + " }";
        }
        case YAML::NodeType::Sequence: {
            std::string out = "[";
            bool first = true;
            for (const auto& item : n) {
                if (item.IsNull()) continue;
                if (!first) out += ", ";
                first = false;
                out += inline_value(item, file);
            }
            return out + "]";
        }
        case YAML::NodeType::Scalar: return scalar(n);
        default: return "\"\"";
    }
}

// A mapping as a table of its own, its header at the line of its key (so that an error about
// the table names that line): its plain values and lists first, then its mappings, each
// under its own header.
void write_table(const YAML::Node& map, std::vector<std::string>& path, const origin& at, generated_toml& out,
                 const std::string& file) {
    if (!path.empty()) out.table(path, at);
    // Keys are matched without case: two spellings of one key would be one read, one lost.
    std::vector<std::string> seen;
    for (const auto& kv : map) {
        if (!kv.first.IsScalar()) continue;
        const std::string& key = kv.first.Scalar();
        if (key == "<<")
            throw config_exception({{file, line_of(kv.first), "", "merge keys (<<) are not supported: write the keys out"}});
        if (std::any_of(seen.begin(), seen.end(), [&](const std::string& s) { return iequals(s, key); }))
            throw config_exception({{file, line_of(kv.first), "", "\"" + key + "\" is given twice (keys are matched without case)"}});
        seen.push_back(key);
    }
    for (const auto& kv : map) {
        if (kv.second.IsNull() || kv.second.IsMap()) continue;
        if (!kv.first.IsScalar())
            throw config_exception({{file, line_of(kv.first), "", "a key must be a plain value, not a mapping or a list"}});
        const std::vector<std::string> key{kv.first.Scalar()};
        const origin here{file, line_of(kv.first)};
        if (kv.second.IsSequence()) {
            // One item per line, so that an error in one names its line.
            out.open_array(key, here);
            for (const auto& item : kv.second)
                if (!item.IsNull()) out.array_item(inline_value(item, file), {file, line_of(item)});
            out.close_array();
        } else if (kv.second.IsScalar()) {
            out.assign(key, scalar(kv.second), here);
        }
    }
    for (const auto& kv : map) {
        if (!kv.second.IsMap()) continue;
        if (!kv.first.IsScalar())
            throw config_exception({{file, line_of(kv.first), "", "a key must be a plain value, not a mapping or a list"}});
        path.push_back(kv.first.Scalar());
        write_table(kv.second, path, {file, line_of(kv.first)}, out, file);
        path.pop_back();
    }
}

}  // namespace

generated_toml yaml_as_toml(std::string_view text, const std::string& file) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        throw config_exception({{file, static_cast<std::uint32_t>(e.mark.line + 1), "", e.msg}});
    }
    generated_toml out(file);
    if (root.IsNull()) return out;  // an empty document: nothing configured
    if (!root.IsMap()) throw config_exception({{file, line_of(root), "", "expected a mapping of keys to values"}});
    std::vector<std::string> path;
    write_table(root, path, {file, 1}, out, file);
    return out;
}

}  // namespace sluice::config
