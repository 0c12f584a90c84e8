// The runtime snapshot: an immutable, fully built configuration. Workers read it; the
// control thread replaces it as a whole. A request keeps the snapshot it started with.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/dynamic_config.hpp"
#include "plugin/plugin_registry.hpp"
#include "runtime/rule.hpp"

namespace sluice::runtime {

struct upstream_endpoint {
    std::string host;       // name or IP literal, without brackets
    std::uint16_t port = 80;
    std::string authority;  // host[:port] as written in the URL, for a rewritten Host header
    std::string key;        // identifies a connection pool: "host:port"
};

struct server {
    std::string url;
    upstream_endpoint endpoint;
    std::uint32_t weight = 1;
};

// Health of one server, by service name and URL. health::registry hands the same object to
// every snapshot that serves the server, so active verdicts and passive ejections survive a
// reload. Written by the active checker (control thread) and by passive checks (workers);
// read by every pick (available()), so a verdict or an ejection takes effect in every
// snapshot at once, and an ejection ends by itself when its time has passed.
struct server_health {
    std::atomic<bool> active_up{true};
    std::atomic<std::int64_t> ejected_until_ms{0};  // passive ejection, steady-clock milliseconds
    std::atomic<std::uint32_t> failures{0};         // passive failures in the current window
    std::atomic<std::int64_t> window_start_ms{0};
    // When the server came up: added to a service already serving, or its active check
    // passed again (0: it has served from the start). Its slow start runs from the later of
    // this and the end of its last ejection.
    std::atomic<std::int64_t> up_since_ms{0};

    bool available(std::int64_t now_ms) const noexcept {
        return active_up.load(std::memory_order_relaxed) &&
               now_ms >= ejected_until_ms.load(std::memory_order_relaxed);
    }

    // What the host sees of the server's load, for the API and /metrics: the attempts on it
    // in flight (from the pick to the end of the exchange with it) and a moving average of
    // the durations of the requests it served. On a cache line of their own: every request
    // writes them, every pick reads the fields above.
    struct alignas(64) load_stats {
        std::atomic<std::uint32_t> in_flight{0};
        std::atomic<double> average_us{0};  // exponentially weighted (alpha 0.2); 0 until a request ends

        // Counts one attempt in flight for its life, however it ends (an exception or a
        // dropped coroutine included).
        class hold {
        public:
            explicit hold(load_stats& s) noexcept : s_(s) { s_.in_flight.fetch_add(1, std::memory_order_relaxed); }
            ~hold() { s_.in_flight.fetch_sub(1, std::memory_order_relaxed); }
            hold(const hold&) = delete;
            hold& operator=(const hold&) = delete;

        private:
            load_stats& s_;
        };

        void served(double us) noexcept {
            double old = average_us.load(std::memory_order_relaxed);
            while (!average_us.compare_exchange_weak(old, old == 0 ? us : old + 0.2 * (us - old),
                                                     std::memory_order_relaxed)) {
            }
        }
    } load;

    // How far the server is into a slow start of `window_ms`: 0 when it has just come up, 1
    // when the window has passed (or there is none). New placements on it are accepted with
    // this probability, so its share of new requests grows linearly over the window.
    double ramp(std::int64_t now_ms, std::int64_t window_ms) const noexcept {
        if (window_ms <= 0) return 1.0;
        const std::int64_t since = std::max(up_since_ms.load(std::memory_order_relaxed),
                                            ejected_until_ms.load(std::memory_order_relaxed));
        if (since <= 0 || now_ms - since >= window_ms) return 1.0;
        return static_cast<double>(std::max<std::int64_t>(now_ms - since, 0)) / static_cast<double>(window_ms);
    }
};

std::int64_t steady_now_ms() noexcept;

struct service;
// A mirror a request is copied to, and the mirroring service that chose it (its settings
// say whether the body goes too).
struct mirror_target {
    const service* svc;
    const service* via;
};
using mirror_list = std::vector<mirror_target>;

// What the composite services on a request's way need of it, and chose for it besides the
// load balancer that serves it.
struct request_choices {
    std::string_view cookies;              // the request's Cookie field, for sticky weighted services
    mirror_list mirrors;                   // the mirrors it is copied to
    std::vector<std::string> set_cookies;  // Set-Cookie values for its response: the pins it got
};

struct service {
    std::string name;
    // A load balancer over its servers, or a composite (weighted, failover, mirroring) that
    // chooses one of its children for each request and has no servers, picker or health of
    // its own.
    config::service_config::kind type = config::service_config::kind::load_balancer;
    struct child {
        const service* svc;  // in the same snapshot
        std::uint32_t weight;  // weighted: its share; mirroring: the percentage copied to a mirror
    };
    // weighted: by weight; failover: main, fallback; mirroring: main, then the mirrors
    std::vector<child> children;
    std::vector<std::uint32_t> schedule;  // weighted: indexes of children in smooth weighted order
    mutable std::atomic<std::uint64_t> turn{0};  // weighted: the schedule's; mirroring: requests seen
    bool mirror_body = true;                     // mirroring: bodies are copied too
    std::int64_t max_body_size = -1;             // mirroring: a larger body is not copied (-1: any)
    // weighted: the cookie that pins a client to the service it got (Traefik's sticky.cookie)
    struct sticky_pin {
        std::string name;
        std::string attributes;           // what follows name=value in the Set-Cookie
        std::vector<std::string> values;  // per child: the value that stands for it
    };
    std::optional<sticky_pin> sticky;
    // A composite on the way from here needs the request or chooses more than a load
    // balancer (a mirroring service, a sticky weighted one): resolve it with request_choices.
    bool needs_choices = false;

    // Whether a server of this service, or of a child it may choose, takes traffic now.
    bool available(std::int64_t now_ms) const noexcept;
    // The load balancer that serves a request sent here now: this one, or the one a
    // composite's choice leads to. With nothing available, the first child's way (it answers
    // 503 as a load balancer with no server up does). With `choices`, a sticky weighted
    // service on the way honours the request's cookie (or pins it, adding a Set-Cookie) and a
    // mirroring one adds the mirrors whose turn the request is.
    const service& resolve(std::int64_t now_ms, request_choices* choices = nullptr) const;
    // The load balancer, this one or one a composite chooses among, whose server `s` is.
    // (Found again after the exchange rather than kept in it: the exchange's coroutine frame
    // must stay small enough for Asio to recycle it.)
    const service* owner_of(const server* s) const noexcept;

    std::string strategy;
    bool pass_host_header = true;
    unsigned retries = 1;
    std::int64_t slow_start_ms = 0;  // loadBalancer.slowStart
    std::optional<config::health_check_config> health_check;
    std::optional<config::passive_health_config> passive_health_check;
    std::vector<server> servers;
    std::vector<sluice_server_info> infos;  // views into `servers`, for the balancers
    std::vector<std::shared_ptr<server_health>> health;  // per server, shared across snapshots
    // The strategy's balancer and picker first, then each wrapping balancer's around the
    // picker before it (each layer is the next one's inner picker, so layers do not move).
    // The destructor releases the outermost first; in each layer the picker goes before its
    // balancer.
    struct balancer_layer {
        std::string plugin;
        plugin::balancer_object balancer;
        plugin::picker_object picker;
        sluice_inner_picker as_inner;  // this layer, for the next one
    };
    std::vector<std::unique_ptr<balancer_layer>> layers;
    // The one the data path calls: the outermost layer's picker.
    const sluice_balancer_ops* pick_ops = nullptr;
    void* picker = nullptr;

    service() = default;
    service(const service&) = delete;
    service& operator=(const service&) = delete;
    ~service() {
        while (!layers.empty()) layers.pop_back();
    }
};

struct middleware {
    std::string name;
    std::string plugin;
    plugin::middleware_object object;
};

struct route {
    std::string name;
    std::string rule_text;
    rule matcher;
    std::int64_t priority = 0;  // effective: explicit, else the rule's length
    const service* target = nullptr;
    std::vector<const middleware*> chain;
};

// Routes of one entry point in match order: priority descending, then name ascending.
// Routes that need one exact host are indexed by it, so a request only tries the routes of
// its own host and those that may match any host, merged in that order.
class route_table {
    // Lets the index be searched with a string_view, without building a string per request.
    struct host_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

public:
    void add(const route* r);
    void sort();
    const route* match(const route_input& in) const noexcept;

private:
    std::unordered_map<std::string, std::vector<const route*>, host_hash, std::equal_to<>> by_host_;
    std::vector<const route*> any_host_;
};

struct snapshot {
    std::uint64_t generation = 0;
    std::shared_ptr<const config::dynamic_config> config;  // what it was built from, for the API
    // Shared with the snapshots before and after it that serve the same definitions: an
    // object whose definition did not change is not built again, so its plugin objects keep
    // their state (a balancer's position, its counts). Nothing in an object is written once
    // a snapshot serving it has been published (health::registry::adopt writes only to
    // servers that do not hold their carried state yet).
    std::map<std::string, std::shared_ptr<service>> services;
    std::map<std::string, std::shared_ptr<middleware>> middlewares;
    // Chains, by name: the plugin middlewares each runs, in order, chains within it expanded.
    std::map<std::string, std::vector<const middleware*>> chains;
    std::map<std::string, std::shared_ptr<route>> routes;
    std::map<std::string, route_table> tables;  // by entry point name
    // Routers, services and middlewares that are not serving, with why.
    config::disabled_objects disabled;
    // Objects whose newest definition is invalid and that serve their last valid one, with
    // the errors of the newest.
    config::disabled_objects stale;

    const route_table* table(const std::string& entry_point) const noexcept {
        auto it = tables.find(entry_point);
        return it == tables.end() ? nullptr : &it->second;
    }
};

// Parses "http://host:port/..." into an endpoint. Returns false when it is not one.
bool parse_upstream_url(std::string_view url, upstream_endpoint& out);

}  // namespace sluice::runtime
