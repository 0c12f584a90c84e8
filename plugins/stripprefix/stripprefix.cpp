// stripprefix: removes the first matching prefix from the request path (Traefik semantics).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::stripprefix {
namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The reserved characters of RFC 3986 2.2 and '%': the routing path keeps their escapes.
bool stays_escaped(char c) { return std::string_view(":/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos; }

// Length of the encoded path that spells the first `count` characters of its routing form,
// where every escape is decoded (one character) except those of reserved characters and
// '%' (kept: three characters).
std::size_t encoded_length(std::string_view encoded, std::size_t count) {
    std::size_t at = 0;
    for (std::size_t seen = 0; seen < count && at < encoded.size(); ++seen) {
        if (encoded[at] == '%' && at + 2 < encoded.size() && hex(encoded[at + 1]) >= 0 && hex(encoded[at + 2]) >= 0) {
            if (stays_escaped(static_cast<char>(hex(encoded[at + 1]) * 16 + hex(encoded[at + 2])))) seen += 2;
            at += 3;
        } else {
            ++at;
        }
    }
    return at;
}

// Labels arrive as strings: "true".
std::optional<bool> boolean(const toml::node& node) {
    if (auto b = node.value<bool>()) return b;
    if (auto s = node.value<std::string>()) {
        if (sdk::iequals(*s, "true")) return true;
        if (sdk::iequals(*s, "false")) return false;
    }
    return std::nullopt;
}

bool has_dot_segment(std::string_view path) {
    while (!path.empty()) {
        const auto slash = path.find('/');
        const std::string_view segment = path.substr(0, slash);
        if (segment == "." || segment == "..") return true;
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return false;
}

class strip_prefix {
public:
    static std::unique_ptr<strip_prefix> create(sdk::host& host, std::string_view name, std::string_view config,
                                                sdk::error_sink& errors) {
        const toml::table table = toml::parse(config);
        auto mw = std::make_unique<strip_prefix>();
        bool ok = true;
        const toml::node* prefixes = nullptr;
        for (auto&& [key, node] : table) {
            if (sdk::iequals(key.str(), "prefixes")) {
                prefixes = &node;
                continue;
            }
            if (sdk::iequals(key.str(), "forceSlash")) {
                // Deprecated in Traefik v3 but valid. Its only effect there is an empty
                // stripped path becoming "/", which is what the upstream receives anyway.
                if (!boolean(node)) {
                    errors.error(key.str(), "expected a boolean");
                    ok = false;
                } else {
                    host.log(sdk::log_level::warn, "middleware " + std::string(name) +
                                                       ": stripPrefix option forceSlash is deprecated and has no "
                                                       "effect; remove it");
                }
                continue;
            }
            errors.error(key.str(), "unknown key (stripPrefix takes: prefixes, forceSlash)");
            ok = false;
        }
        if (!prefixes) {
            errors.error("prefixes", "missing: a list of path prefixes such as [\"/api\"]");
            return nullptr;
        }
        auto add = [&](std::string_view prefix, const std::string& key) {
            // Labels give one comma-separated string; surrounding spaces are not part of a prefix.
            while (!prefix.empty() && prefix.front() == ' ') prefix.remove_prefix(1);
            while (!prefix.empty() && prefix.back() == ' ') prefix.remove_suffix(1);
            if (prefix.empty()) {
                errors.error(key, "a prefix may not be empty");
                ok = false;
            } else {
                mw->prefixes_.emplace_back(prefix);
            }
        };
        if (const auto* list = prefixes->as_array()) {
            for (std::size_t i = 0; i < list->size(); ++i) {
                const std::string key = "prefixes[" + std::to_string(i) + "]";
                if (const auto* s = list->get(i)->as_string()) add(s->get(), key);
                else errors.error(key, "expected a string"), ok = false;
            }
        } else if (const auto* s = prefixes->as_string()) {
            std::string_view rest = s->get();
            for (std::size_t comma; (comma = rest.find(',')) != std::string_view::npos; rest.remove_prefix(comma + 1))
                add(rest.substr(0, comma), "prefixes");
            add(rest, "prefixes");
        } else {
            errors.error("prefixes", "expected an array of strings");
            ok = false;
        }
        return ok ? std::move(mw) : nullptr;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        const std::string_view path = req.routing_path();
        for (const auto& prefix : prefixes_) {
            if (!path.starts_with(prefix)) continue;
            try {
                const std::string_view target = req.target();
                const std::size_t query_at = target.find('?');
                const std::string_view encoded = target.substr(0, query_at);
                const std::string_view query = query_at == std::string_view::npos ? "" : target.substr(query_at);
                std::string rest(encoded.substr(encoded_length(encoded, prefix.size())));
                if (!rest.empty() && rest.front() != '/') rest.insert(rest.begin(), '/');
                if (has_dot_segment(path.substr(prefix.size()))) {
                    reply.set_status(400);
                    reply.set_header("Content-Type", "text/plain; charset=utf-8");
                    reply.set_body("invalid path after stripping the prefix\n");
                    return sdk::verdict::respond;
                }
                // An empty rest stays empty: the upstream request line still needs "/".
                req.set_target((rest.empty() ? std::string("/") : rest) + std::string(query));
                req.set_header("X-Forwarded-Prefix", prefix);
            } catch (...) {
                reply.set_status(500);
                return sdk::verdict::respond;
            }
            return sdk::verdict::proceed;
        }
        return sdk::verdict::proceed;
    }

private:
    std::vector<std::string> prefixes_;
};

}  // namespace
}  // namespace sluice::stripprefix

SLUICE_DECLARE_MIDDLEWARE(sluice::stripprefix::strip_prefix, "stripprefix", "1.0.0",
                          "Removes the first matching path prefix and sets X-Forwarded-Prefix",
                          "prefixes = [\"/api\"]\n")
