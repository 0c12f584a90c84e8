// sticky: pins a client to a server with a cookie, wrapping the service's own strategy.
// Configured as Traefik's loadBalancer.sticky: the host hands it that table, whose `cookie`
// (a table of attributes, or `true` for the defaults) switches the cookie on.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/cookies.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/sticky_cookie.hpp"

namespace sluice::sticky {
namespace {

struct cookie_settings {
    bool enabled = false;    // without a cookie the picker only hands picks to the strategy
    std::string name;
    std::string attributes;  // "; Path=/; HttpOnly..." appended to every Set-Cookie
};

class sticky_picker {
public:
    sticky_picker(const sdk::server_set& set, const cookie_settings& cookie) : set_(set), cookie_(cookie) {
        // Opaque and stable: the same URL gives the same value in every configuration.
        for (const auto& s : set.servers) values_.push_back(sdk::sticky_cookie_value(s.url));
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
        sdk::cookie_attributes attributes;
        attributes.path = options->string_or("path", "/");
        attributes.domain = options->string_or("domain", "");
        attributes.secure = options->boolean_or("secure", false);
        attributes.http_only = options->boolean_or("httpOnly", false);
        attributes.same_site = options->string_or("sameSite", "");
        attributes.max_age = options->integer_or("maxAge", 0);
        if (!sticky.finish()) return nullptr;
        b->cookie_.enabled = true;
        if (b->cookie_.name.empty()) b->cookie_.name = sdk::default_sticky_cookie_name(instance);
        b->cookie_.attributes = attributes.suffix();
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
