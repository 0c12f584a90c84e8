#include "config/generated_toml.hpp"

#include <cstdio>

#include "config/static_config.hpp"

namespace sluice::config {

std::string toml_quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string toml_key(const std::vector<std::string>& path) {
    std::string out;
    for (const auto& segment : path) {
        if (!out.empty()) out += '.';
        out += toml_quoted(segment);
    }
    return out;
}

void generated_toml::line(std::string_view text, const origin& from) {
    text_.append(text);
    text_ += '\n';
    origins_.push_back(from);
}

void generated_toml::table(const std::vector<std::string>& path, const origin& from) {
    line("[" + toml_key(path) + "]", from);
}

void generated_toml::assign(const std::vector<std::string>& path, std::string_view value, const origin& from) {
    line(toml_key(path) + " = " + std::string(value), from);
}

void generated_toml::open_array(const std::vector<std::string>& path, const origin& from) {
    line(toml_key(path) + " = [", from);
}

void generated_toml::array_item(std::string_view value, const origin& from) { line("  " + std::string(value) + ",", from); }

void generated_toml::close_array() {
    line("]", origins_.empty() ? origin{name_, 0} : origins_.back());
}

toml::table generated_toml::parse() const {
    try {
        return parse_toml_text(text_, name_);
    } catch (const config_exception& e) {
        error_list errors = e.errors();
        relocate(errors);
        throw config_exception(std::move(errors));
    }
}

origin generated_toml::origin_of(std::uint32_t line) const {
    if (line > 0 && line <= origins_.size()) return origins_[line - 1];
    return {name_, line};
}

void generated_toml::relocate(error_list& errors) const {
    for (auto& e : errors) {
        if (e.source != name_) continue;
        if (e.line > 0 && e.line <= origins_.size()) {
            const origin& o = origins_[e.line - 1];
            e.source = o.source;
            e.line = o.line;
        }
    }
}

}  // namespace sluice::config
