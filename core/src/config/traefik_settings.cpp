#include "config/traefik_settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

namespace sluice::config {

namespace {

std::string to_upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

constexpr std::array<std::string_view, 19> traefik_roots{
    "global",  "serverstransport", "tcpserverstransport", "entrypoints", "providers", "api",   "metrics",
    "ping",    "log",              "accesslog",           "tracing",     "hostresolver", "certificatesresolvers",
    "experimental", "core",        "spiffe",              "ocsp",        "configfile",   "pilot"};

// A key path whose value `true` switches a section on with its defaults (Traefik's
// "allowEmpty" sections); lower-cased, "*" for any one segment.
bool is_section(const std::vector<std::string>& path) {
    // (Not an entry point, providers.file or experimental: Traefik refuses those alone.)
    static const std::vector<std::vector<std::string_view>> sections{
        {"api"}, {"ping"}, {"log"}, {"accesslog"}, {"tracing"}, {"hostresolver"}, {"ocsp"}, {"metrics", "*"},
        {"providers", "*"}, {"entrypoints", "*", "proxyprotocol"}, {"entrypoints", "*", "http", "tls"},
        {"entrypoints", "*", "http3"}};
    if (path.size() == 2 && iequals(path[0], "providers") && iequals(path[1], "file")) return false;
    for (const auto& s : sections) {
        if (s.size() != path.size()) continue;
        bool match = true;
        for (std::size_t i = 0; i < s.size() && match; ++i) match = s[i] == "*" || iequals(s[i], path[i]);
        if (match) return true;
    }
    return false;
}

// `key` cut at every `sep` (each part lower-cased when asked); empty when a part is empty.
std::vector<std::string> split_key(std::string_view key, char sep, bool lower) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const auto end = key.find(sep, start);
        const std::string_view part = key.substr(start, end - start);
        if (part.empty()) return {};
        parts.push_back(lower ? to_lower(part) : std::string(part));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

}  // namespace

bool is_traefik_root(std::string_view key) {
    return std::any_of(traefik_roots.begin(), traefik_roots.end(), [&](std::string_view r) { return iequals(r, key); });
}

std::vector<traefik_setting> traefik_flags(const std::vector<std::string>& args, error_list& errors) {
    std::vector<traefik_setting> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        const std::string flag(arg);
        if (arg.starts_with("--")) arg.remove_prefix(2);
        else if (arg.starts_with("-")) arg.remove_prefix(1);
        else {
            errors.push_back({"command line", 0, "", "\"" + flag + "\" is not a flag (--key=value)"});
            continue;
        }
        const auto eq = arg.find('=');
        const std::string_view key = arg.substr(0, eq);
        std::string value = eq == std::string_view::npos ? "" : std::string(arg.substr(eq + 1));
        std::string shown = flag;
        if (eq == std::string_view::npos) {
            // "--key value", unless the next argument is a flag: then a bare switch.
            if (i + 1 < args.size() && !args[i + 1].starts_with("-")) {
                value = args[++i];
                shown += " " + value;
            } else {
                value = "true";
            }
        }
        traefik_setting s{split_key(key, '.', false), std::move(value), {"flag " + shown, 0}};
        if (s.path.empty()) {
            errors.push_back({s.from.source, 0, "", "an empty key segment"});
            continue;
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<traefik_setting> traefik_environment(const std::vector<std::string>& environ, error_list& errors) {
    std::vector<traefik_setting> out;
    for (const auto& entry : environ) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos || !entry.starts_with("TRAEFIK_")) continue;
        const std::string name = entry.substr(0, eq);
        const std::string_view rest = std::string_view(name).substr(8);
        // Only Traefik's roots, spelt in capitals as Traefik matches them: TRAEFIK_PORT and the
        // like (service links) are not settings.
        const std::string_view root = rest.substr(0, rest.find('_'));
        if (!is_traefik_root(root) || root != to_upper(root)) continue;
        traefik_setting s{split_key(rest, '_', true), entry.substr(eq + 1), {"environment variable " + name, 0}};
        if (s.path.empty()) {
            errors.push_back({s.from.source, 0, "", "an empty level (two '_' in a row, or one at the end)"});
            continue;
        }
        out.push_back(std::move(s));
    }
    return out;
}

generated_toml traefik_settings_as_toml(const std::vector<traefik_setting>& settings, const std::string& name) {
    // Keys compared without case; the first spelling of each path is kept, the last value.
    std::map<std::string, std::size_t> by_key;  // lower-cased joined path -> index in `kept`
    std::vector<traefik_setting> kept;
    std::map<std::string, std::string> spelling;  // lower-cased path prefix -> first spelling
    for (const auto& s : settings) {
        traefik_setting k = s;
        std::string lowered;
        for (auto& segment : k.path) {
            lowered += (lowered.empty() ? "" : ".") + to_lower(segment);
            auto [it, added] = spelling.emplace(lowered, segment);
            segment = it->second;
        }
        if (auto it = by_key.find(lowered); it != by_key.end()) kept[it->second] = std::move(k);
        else {
            by_key.emplace(lowered, kept.size());
            kept.push_back(std::move(k));
        }
    }
    const auto lowered = [](const std::vector<std::string>& path) {
        std::string out;
        for (const auto& segment : path) out += (out.empty() ? "" : ".") + to_lower(segment);
        return out;
    };
    // A section switched off takes what is under it away; one switched on by its keys is implied.
    std::vector<std::string> off;
    for (const auto& s : kept)
        if (is_section(s.path) && !s.value.empty() && !iequals(s.value, "true")) off.push_back(lowered(s.path) + ".");
    generated_toml out(name);
    for (const auto& s : kept) {
        const std::string key = lowered(s.path);
        if (std::any_of(off.begin(), off.end(), [&](const std::string& o) { return (key + ".").starts_with(o); }))
            continue;
        const bool has_children = std::any_of(kept.begin(), kept.end(), [&](const traefik_setting& o) {
            const std::string other = lowered(o.path);
            return other.size() > key.size() && other.starts_with(key + ".");
        });
        if (has_children) continue;  // a table: its keys say what it holds
        if (is_section(s.path) && (s.value.empty() || iequals(s.value, "true"))) out.assign(s.path, "{}", s.from);
        else out.assign(s.path, toml_quoted(s.value), s.from);
    }
    return out;
}

}  // namespace sluice::config
