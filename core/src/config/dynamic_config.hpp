// Dynamic configuration: routers, services and middlewares from one provider's document.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/config_error.hpp"
#include "config/generated_toml.hpp"
#include "config/plugin_table.hpp"
#include "sluice/sdk/sticky_cookie.hpp"

namespace sluice::config {

struct object_origin {
    std::string provider;
    std::string source;
    std::uint32_t line = 0;
};

struct server_config {
    std::string url;
    std::uint32_t weight = 1;
};

// Active health checks: loadBalancer.healthCheck (Traefik's keys, plus thresholds).
struct health_check_config {
    std::string path;                 // required, relative: "/health"
    std::string scheme = "http";
    std::string hostname;             // Host header; default: the server's
    std::string method = "GET";
    std::uint16_t port = 0;           // 0: the server's own port
    unsigned status = 0;              // 0: any of 200-399
    std::chrono::milliseconds interval{30'000};
    std::chrono::milliseconds timeout{5'000};
    std::vector<std::pair<std::string, std::string>> headers;
    unsigned unhealthy_threshold = 1;  // consecutive failures before DOWN
    unsigned healthy_threshold = 1;    // consecutive successes before UP again
};

// Passive health checks: loadBalancer.passiveHealthCheck (Traefik 3.6's keys).
struct passive_health_config {
    unsigned max_failed_attempts = 1;
    std::chrono::milliseconds failure_window{10'000};  // failures counted within, and the ejection's length
};

// A service of a composite service: weighted's services, failover's main and fallback,
// mirroring's main service and mirrors.
struct service_ref {
    std::string service;  // qualified
    std::uint32_t weight = 1;  // weighted: its share; mirroring: the percentage of requests copied to it
};

// A sticky cookie (Traefik's sticky.cookie): its name (empty: Traefik's default for the
// service) and attributes.
struct sticky_cookie_config {
    std::string name;
    sdk::cookie_attributes attributes;
};

struct service_config {
    // Traefik's shapes: a load balancer over servers, or a choice among other services for
    // each request, by weight (canary releases) or by health (main, then fallback), or a
    // main service whose requests are also copied to mirrors (their answers discarded).
    enum class kind { load_balancer, weighted, failover, mirroring };
    std::string name;  // qualified: "api@file"
    object_origin origin;
    kind type = kind::load_balancer;
    std::vector<service_ref> children;  // weighted: its services; failover: main, fallback; mirroring: main, mirrors
    std::optional<sticky_cookie_config> sticky;  // weighted: pins a client to the service it got
    bool mirror_body = true;            // mirroring: copy request bodies too
    std::int64_t max_body_size = -1;    // mirroring: larger bodies are not copied (-1: no limit)
    std::string strategy = "roundrobin";
    plugin_table strategy_options;  // loadBalancer.<strategy>, handed to the strategy's plugin
    // loadBalancer.<wrapper> tables present, in the order of the wrapper names the parser
    // was given: each switches on the wrapping balancer plugin of that name.
    std::vector<plugin_table> wrappers;
    std::vector<server_config> servers;
    bool pass_host_header = true;
    std::optional<health_check_config> health_check;
    std::optional<passive_health_config> passive_health_check;
    unsigned retries = 1;  // idempotent requests that failed before any response byte, on another server
    std::chrono::milliseconds slow_start{0};  // a server that came up takes new clients gradually over this
};

struct router_config {
    std::string name;
    object_origin origin;
    std::string rule;
    std::string service;                   // qualified
    std::vector<std::string> middlewares;  // qualified, in order
    std::int64_t priority = 0;
    std::vector<std::string> entry_points;  // empty: every entry point
};

struct middleware_config {
    std::string name;
    object_origin origin;
    plugin_table plugin;  // the one table, named after the middleware plugin (or "chain")
    // A chain (Traefik's `chain` table): the middlewares it stands for, qualified, in order;
    // the host expands it, no plugin is involved. Empty for any other middleware.
    std::vector<std::string> chain;
};

// Objects left out because of their errors, by kind and qualified name (a router and a
// service may share a name), with those errors.
struct disabled_objects {
    std::map<std::string, error_list> routers, services, middlewares;

    std::size_t size() const noexcept { return routers.size() + services.size() + middlewares.size(); }
    // fn(kind, name, errors) for every disabled object: kind is "router", "service" or "middleware".
    template <class Fn>
    void for_each(Fn fn) const {
        for (const auto& [name, errors] : routers) fn("router", name, errors);
        for (const auto& [name, errors] : services) fn("service", name, errors);
        for (const auto& [name, errors] : middlewares) fn("middleware", name, errors);
    }
};

// Whether two definitions of an object say the same thing, wherever they were written (their
// origins and the lines of their options are not compared): an object whose definition did
// not change keeps what was built from it, its plugin objects and their state.
bool same_definition(const service_config& a, const service_config& b);
bool same_definition(const router_config& a, const router_config& b);
bool same_definition(const middleware_config& a, const middleware_config& b);

struct dynamic_config {
    std::map<std::string, router_config> routers;
    std::map<std::string, service_config> services;
    std::map<std::string, middleware_config> middlewares;
    disabled_objects invalid;
    // Errors not tied to one object (unknown top-level keys).
    error_list errors;
};

// "name" -> "name@provider"; an already qualified name is kept.
std::string qualify(std::string_view name, std::string_view provider);

// Parses the document's [http] table (absent: an empty configuration). Objects with
// errors are left out and listed in `invalid`; the rest are usable. `balancer_wrappers`
// names the loaded wrapping balancer plugins, whose tables a loadBalancer may hold.
dynamic_config parse_dynamic_config(const toml::table& document, const std::string& provider,
                                    const std::string& source, bool allow_other_top_level_keys,
                                    const std::vector<std::string>& balancer_wrappers = {});

// A configuration parsed from a generated text (a YAML file written as TOML): every line its
// errors and objects carry is moved to the line of the original it came from.
void relocate(dynamic_config& cfg, const generated_toml& text);

// Merges provider documents. Names are qualified by provider, so only the documents of one
// provider can collide (the files of the file provider's directory): the object merged
// first stays, as in Traefik, and each later definition is added to `duplicates`.
void merge_into(dynamic_config& into, const dynamic_config& from, error_list* duplicates = nullptr);

}  // namespace sluice::config
