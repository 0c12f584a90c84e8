// sticky: pins a client to a server with a cookie, wrapping the service's own strategy.
// Configured as Traefik's loadBalancer.sticky: the host hands it that table, whose `cookie`
// (a table of attributes, or `true` for the defaults) switches the cookie on.
#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/cookies.hpp"
#include "sluice/sdk/declare.hpp"

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

struct cookie_settings {
    bool enabled = false;    // without a cookie the picker only hands picks to the strategy
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
        if (pinned >= 0 && filter.accept_pinned(pinned)) return pinned;  // a slow start does not unpin
        return set_.inner.pick(req, filter);
    }

    void on_response(const sdk::request& req, sdk::response& resp, std::int32_t server) {
        const std::int32_t pinned = pinned_server(req);
        if (server != pinned) set_.inner.on_response(req, resp, server);
        if (server < 0 || server == pinned || !cookie_.enabled) return;
        resp.add_header("Set-Cookie", cookie_.name + "=" + values_[static_cast<std::size_t>(server)] + cookie_.attributes);
    }

    // The wrapped strategy hears only of attempts on servers its own pick returned: the
    // pinned ones never went through it, and a strategy that counts what it started (least
    // requests, say) would otherwise see attempts end that never began. A server the request
    // is pinned to was this picker's choice, because pick proposes the pin first and, once
    // the filter has refused it, the filter refuses it to the strategy too. on_response
    // follows the same rule.
    void on_attempt(const sdk::request& req, const sdk::attempt& attempt) {
        if (attempt.server != pinned_server(req)) set_.inner.on_attempt(req, attempt);
    }

private:
    // The server the request's cookie pins, or -1 (also when the cookie is off).
    std::int32_t pinned_server(const sdk::request& req) const noexcept {
        if (!cookie_.enabled) return -1;
        const auto value = sdk::cookie_value(req.header("Cookie"), cookie_.name);
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
        sdk::config_reader sticky(config, errors);
        auto b = std::make_unique<sticky_balancer>();
        auto options = sticky.switched_table("cookie");
        if (!options) return sticky.finish() ? std::move(b) : nullptr;
        const auto name = options->string("name");
        if (name && name->empty()) options->error("name", "expected a non-empty string");
        b->cookie_.name = name.value_or("");
        const std::string path = options->string_or("path", "/");
        const std::string domain = options->string_or("domain", "");
        const bool secure = options->boolean_or("secure", false);
        const bool http_only = options->boolean_or("httpOnly", false);
        const std::string same_site = sdk::to_lower(options->string_or("sameSite", ""));
        const std::int64_t max_age = options->integer_or("maxAge", 0);
        if (!sticky.finish()) return nullptr;
        b->cookie_.enabled = true;
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

SLUICE_DECLARE_WRAPPING_BALANCER(sluice::sticky::sticky_balancer, "sticky", "1.2.0",
                                 "Pins clients to a server with a cookie, over the service's strategy",
                                 "[cookie]\nname = \"session\"\nhttpOnly = true\nsameSite = \"lax\"\nmaxAge = 3600\n")
