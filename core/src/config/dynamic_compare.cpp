// Definitions compared without their origins (dynamic_config.hpp).
#include <tuple>

#include "config/dynamic_config.hpp"

namespace sluice::config {

namespace {

// A plugin's options as the plugin reads them: its name and its text.
bool same(const plugin_table& a, const plugin_table& b) { return a.name == b.name && a.text == b.text; }

bool same(const std::vector<plugin_table>& a, const std::vector<plugin_table>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

auto fields(const server_config& s) { return std::tie(s.url, s.weight); }
auto fields(const service_ref& r) { return std::tie(r.service, r.weight); }
auto fields(const health_check_config& h) {
    return std::tie(h.path, h.scheme, h.hostname, h.method, h.port, h.status, h.interval, h.timeout, h.headers,
                    h.unhealthy_threshold, h.healthy_threshold);
}
auto fields(const passive_health_config& p) { return std::tie(p.max_failed_attempts, p.failure_window); }

template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (fields(a[i]) != fields(b[i])) return false;
    return true;
}

template <class T>
bool same(const std::optional<T>& a, const std::optional<T>& b) {
    return a.has_value() == b.has_value() && (!a || fields(*a) == fields(*b));
}

bool same(const std::optional<sticky_cookie_config>& a, const std::optional<sticky_cookie_config>& b) {
    return a.has_value() == b.has_value() &&
           (!a || (a->name == b->name && a->attributes.suffix() == b->attributes.suffix()));
}

}  // namespace

bool same_definition(const service_config& a, const service_config& b) {
    return a.name == b.name && a.type == b.type && same(a.children, b.children) && same(a.sticky, b.sticky) &&
           a.mirror_body == b.mirror_body && a.max_body_size == b.max_body_size && a.strategy == b.strategy &&
           same(a.strategy_options, b.strategy_options) && same(a.wrappers, b.wrappers) &&
           same(a.servers, b.servers) && a.pass_host_header == b.pass_host_header &&
           same(a.health_check, b.health_check) && same(a.passive_health_check, b.passive_health_check) &&
           a.retries == b.retries && a.slow_start == b.slow_start;
}

bool same_definition(const router_config& a, const router_config& b) {
    return std::tie(a.name, a.rule, a.service, a.middlewares, a.priority, a.entry_points) ==
           std::tie(b.name, b.rule, b.service, b.middlewares, b.priority, b.entry_points);
}

bool same_definition(const middleware_config& a, const middleware_config& b) {
    return a.name == b.name && same(a.plugin, b.plugin) && a.chain == b.chain;
}

}  // namespace sluice::config
