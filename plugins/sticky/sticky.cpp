// sticky: pins a client to a server with a cookie, wrapping the service's own strategy.
#include <openssl/evp.h>

#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::sticky {
namespace {

std::string hex_digest(const EVP_MD* md, std::string_view data, std::size_t chars) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size && out.size() < chars; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 0xf];
    }
    out.resize(std::min(out.size(), chars));
    return out;
}

// The value of cookie `name` in a Cookie header ("a=1; name=value"), if present.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            std::string_view value = pair.substr(eq + 1);
            while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
            return value;
        }
        if (semi == std::string_view::npos) break;
        header.remove_prefix(semi + 1);
    }
    return std::nullopt;
}

// Labels arrive as strings: "true", "3600".
std::optional<bool> boolean(const toml::node& node) {
    if (auto b = node.value<bool>()) return b;
    if (auto s = node.value<std::string>()) {
        if (sdk::iequals(*s, "true")) return true;
        if (sdk::iequals(*s, "false")) return false;
    }
    return std::nullopt;
}

std::optional<std::int64_t> integer(const toml::node& node) {
    if (auto i = node.value_exact<std::int64_t>()) return i;
    if (auto s = node.value<std::string>()) {
        try {
            std::size_t used = 0;
            const long long v = std::stoll(*s, &used);
            if (used == s->size()) return v;
        } catch (...) {
        }
    }
    return std::nullopt;
}

struct cookie_settings {
    std::string name;
    std::string attributes;  // "; Path=/; HttpOnly..." appended to every Set-Cookie
};

class sticky_picker {
public:
    sticky_picker(const sdk::server_set& set, const cookie_settings& cookie) : set_(set), cookie_(cookie) {
        // Opaque and stable: the same URL gives the same value in every configuration.
        for (const auto& s : set.servers) values_.push_back(hex_digest(EVP_sha256(), s.url, 16));
    }

    // The pinned server while the host accepts it; otherwise the wrapped strategy's choice.
    std::int32_t pick(const sdk::request& req, const sdk::server_filter& filter) {
        const std::int32_t pinned = pinned_server(req);
        if (pinned >= 0 && filter.accept(pinned)) return pinned;
        return set_.inner->pick(req, filter);
    }

    void on_response(const sdk::request& req, sdk::response& resp, std::int32_t server) {
        set_.inner->on_response(req, resp, server);
        if (server < 0 || pinned_server(req) == server) return;
        resp.add_header("Set-Cookie", cookie_.name + "=" + values_[static_cast<std::size_t>(server)] + cookie_.attributes);
    }

private:
    std::int32_t pinned_server(const sdk::request& req) const noexcept {
        const auto value = cookie_value(req.header("Cookie"), cookie_.name);
        if (!value) return -1;
        for (std::size_t i = 0; i < values_.size(); ++i)
            if (values_[i] == *value) return static_cast<std::int32_t>(i);
        return -1;
    }

    sdk::server_set set_;
    const cookie_settings& cookie_;
    std::vector<std::string> values_;
};

class sticky_balancer {
public:
    static std::unique_ptr<sticky_balancer> create(sdk::host&, std::string_view instance, std::string_view config,
                                                   sdk::error_sink& errors) {
        const toml::table table = toml::parse(config);
        auto b = std::make_unique<sticky_balancer>();
        bool ok = true;
        auto fail = [&](std::string_view key, std::string_view message) {
            errors.error(key, message);
            ok = false;
        };
        std::string path = "/", domain, same_site;
        bool secure = false, http_only = false;
        std::int64_t max_age = 0;
        for (auto&& [key, node] : table) {
            const std::string k(key.str());
            auto is = [&](std::string_view want) { return sdk::iequals(k, want); };
            if (is("name")) {
                if (auto v = node.value<std::string>(); v && !v->empty()) b->cookie_.name = *v;
                else fail(k, "expected a non-empty string");
            } else if (is("path")) {
                if (auto v = node.value<std::string>()) path = *v;
                else fail(k, "expected a string");
            } else if (is("domain")) {
                if (auto v = node.value<std::string>()) domain = *v;
                else fail(k, "expected a string");
            } else if (is("secure") || is("httpOnly")) {
                auto v = boolean(node);
                if (!v) fail(k, "expected a boolean");
                else (is("secure") ? secure : http_only) = *v;
            } else if (is("sameSite")) {
                auto v = node.value<std::string>();
                if (!v) fail(k, "expected a string");
                else same_site = *v;
                for (char& ch : same_site) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            } else if (is("maxAge")) {
                if (auto v = integer(node)) max_age = *v;
                else fail(k, "expected an integer number of seconds");
            } else {
                fail(k, "unknown key (sticky.cookie takes: name, path, domain, secure, httpOnly, sameSite, maxAge)");
            }
        }
        if (!ok) return nullptr;
        // Traefik's default name: "_" and the start of SHA-1 of a fixed string and the service.
        if (b->cookie_.name.empty())
            b->cookie_.name = "_" + hex_digest(EVP_sha1(), "_TRAEFIK_BACKEND_" + std::string(instance), 5);
        std::string& a = b->cookie_.attributes;
        a += "; Path=" + path;
        if (!domain.empty()) a += "; Domain=" + domain;
        if (max_age > 0) a += "; Max-Age=" + std::to_string(max_age);
        else if (max_age < 0) a += "; Max-Age=0";
        if (http_only) a += "; HttpOnly";
        if (secure) a += "; Secure";
        // Only the three values browsers know; anything else leaves the attribute out.
        if (same_site == "none") a += "; SameSite=None";
        else if (same_site == "lax") a += "; SameSite=Lax";
        else if (same_site == "strict") a += "; SameSite=Strict";
        return b;
    }

    std::unique_ptr<sticky_picker> create_picker(const sdk::server_set& set, sdk::error_sink& errors) {
        if (!set.inner) {
            errors.error("", "sticky sessions wrap a strategy, and none was given");
            return nullptr;
        }
        return std::make_unique<sticky_picker>(set, cookie_);
    }

private:
    cookie_settings cookie_;
};

}  // namespace
}  // namespace sluice::sticky

SLUICE_DECLARE_BALANCER(sluice::sticky::sticky_balancer, "sticky", "1.0.0",
                        "Pins clients to a server with a cookie, over the service's strategy",
                        "name = \"session\"\nhttpOnly = true\nsameSite = \"lax\"\nmaxAge = 3600\n")
