#include "api/views.hpp"

#include <cmath>
#include <sstream>

#include <boost/json/parse.hpp>

#include "health/registry.hpp"

namespace sluice::api {

namespace json = boost::json;

namespace {

std::string provider_of(const std::string& name) {
    const auto at = name.find('@');
    return at == std::string::npos ? "" : name.substr(at + 1);
}

json::array errors_json(const config::error_list& errors) {
    json::array out;
    for (const auto& e : errors) out.emplace_back(e.to_string());
    return out;
}

json::array strings(const std::vector<std::string>& v) {
    json::array out;
    for (const auto& s : v) out.emplace_back(s);
    return out;
}

// "status": disabled with its errors, or enabled (and stale with the new errors when its
// newest definition is invalid).
void set_status(json::object& o, const std::map<std::string, config::error_list>& disabled,
                const std::map<std::string, config::error_list>& stale, const std::string& name) {
    if (auto it = disabled.find(name); it != disabled.end()) {
        o["status"] = "disabled";
        o["error"] = errors_json(it->second);
    } else {
        o["status"] = "enabled";
        views::mark_stale(o, stale, name);
    }
}

}  // namespace

json::object views::router(const std::string& name) const {
    json::object o{{"name", name}, {"provider", provider_of(name)}};
    const config::router_config* rc = nullptr;
    if (auto it = cfg.routers.find(name); it != cfg.routers.end()) rc = &it->second;
    if (rc) {
        o["rule"] = rc->rule;
        o["service"] = rc->service;
        o["middlewares"] = strings(rc->middlewares);
        o["entryPoints"] = strings(rc->entry_points.empty() ? entry_points : rc->entry_points);
        o["priority"] = rc->priority != 0 ? rc->priority : static_cast<std::int64_t>(rc->rule.size());
    }
    set_status(o, snap.disabled.routers, snap.stale.routers, name);
    return o;
}

// An object serving its last valid definition: enabled, marked stale, with the new errors.
// A plugin's table as JSON. The text was printed by the configuration parser and parses.
json::value views::options_json(const config::plugin_table& options) {
    std::ostringstream out;
    out << toml::json_formatter(config::parse_toml_text(options.text, options.source));
    return json::parse(out.str());
}

void views::mark_stale(json::object& o, const std::map<std::string, config::error_list>& stale,
                       const std::string& name) {
    if (auto it = stale.find(name); it != stale.end()) {
        o["stale"] = true;
        o["error"] = errors_json(it->second);
    }
}

json::object views::service(const std::string& name) const {
    json::object o{{"name", name}, {"provider", provider_of(name)}, {"type", "loadbalancer"}};
    if (auto it = cfg.services.find(name); it != cfg.services.end() && it->second.type != config::service_config::kind::load_balancer) {
        // Traefik's shapes: "weighted": {"services": [...]}, "failover": {"service", "fallback"},
        // "mirroring": {"service", "mirrors": [...], "mirrorBody", "maxBodySize"}.
        const auto& sc = it->second;
        if (sc.type == config::service_config::kind::weighted) {
            json::array children;
            for (const auto& c : sc.children) children.push_back(json::object{{"name", c.service}, {"weight", c.weight}});
            o["type"] = "weighted";
            json::object weighted{{"services", std::move(children)}};
            if (sc.sticky) {
                const auto& a = sc.sticky->attributes;
                weighted["sticky"] = json::object{
                    {"cookie", json::object{{"name", sc.sticky->name.empty() ? sdk::default_sticky_cookie_name(name)
                                                                             : sc.sticky->name},
                                            {"path", a.path}, {"domain", a.domain}, {"secure", a.secure},
                                            {"httpOnly", a.http_only}, {"sameSite", a.same_site},
                                            {"maxAge", a.max_age}}}};
            }
            o["weighted"] = std::move(weighted);
        } else if (sc.type == config::service_config::kind::failover) {
            o["type"] = "failover";
            o["failover"] = json::object{{"service", sc.children.at(0).service}, {"fallback", sc.children.at(1).service}};
        } else {
            json::array mirrors;
            for (std::size_t i = 1; i < sc.children.size(); ++i)
                mirrors.push_back(json::object{{"name", sc.children[i].service}, {"percent", sc.children[i].weight}});
            o["type"] = "mirroring";
            o["mirroring"] = json::object{{"service", sc.children.empty() ? "" : sc.children.front().service},
                                          {"mirrors", std::move(mirrors)},
                                          {"mirrorBody", sc.mirror_body},
                                          {"maxBodySize", sc.max_body_size}};
        }
    } else if (it != cfg.services.end()) {
        const auto& sc = it->second;
        json::array servers;
        for (const auto& s : sc.servers) servers.push_back(json::object{{"url", s.url}, {"weight", s.weight}});
        json::object lb{{"servers", servers}, {"strategy", sc.strategy}, {"passHostHeader", sc.pass_host_header},
                        {"retries", sc.retries}};
        // Each wrapping balancer under its own key, with its options, as Traefik shows
        // "sticky": {"cookie": {...}}; 
        // "wrappers" lists them, outermost last.
        json::array wrappers;
        for (const auto& w : sc.wrappers) {
            wrappers.emplace_back(w.name);
            lb[w.name] = options_json(w);
        }
        lb["wrappers"] = std::move(wrappers);
        if (sc.slow_start.count() > 0) lb["slowStart"] = config::format_duration(sc.slow_start);
        if (sc.health_check)
            lb["healthCheck"] = json::object{{"path", sc.health_check->path},
                                             {"interval", config::format_duration(sc.health_check->interval)}};
        o["loadBalancer"] = lb;
    }
    json::array used_by;
    for (const auto& [rname, rc] : cfg.routers)
        if (rc.service == name) used_by.emplace_back(rname);
    o["usedBy"] = used_by;
    if (auto it = snap.services.find(name); it != snap.services.end()) {
        const auto& svc = *it->second;
        json::object status, requests;
        for (std::size_t i = 0; i < svc.servers.size(); ++i)
            status[svc.servers[i].url] = health::server_status(svc, i);
        o["serverStatus"] = status;
        // What the host sees of each server's load: attempts in flight, and the moving
        // average of the durations of the requests it served.
        json::object load;
        for (std::size_t i = 0; i < svc.servers.size(); ++i) {
            const auto& l = svc.health[i]->load;
            load[svc.servers[i].url] =
                json::object{{"inFlight", l.in_flight.load(std::memory_order_relaxed)},
                             {"averageMs", std::round(l.average_us.load(std::memory_order_relaxed) / 10) / 100}};
        }
        o["serverLoad"] = std::move(load);
        // Servers in their slow start, with how far into it (0 to 1).
        json::object starting;
        const std::int64_t now = runtime::steady_now_ms();
        for (std::size_t i = 0; i < svc.servers.size(); ++i) {
            const double r = svc.health[i]->ramp(now, svc.slow_start_ms);
            if (r < 1.0 && svc.health[i]->available(now))  // an ejection still running: not started yet
                starting[svc.servers[i].url] = std::floor(r * 100) / 100;
        }
        if (!starting.empty()) o["serverSlowStart"] = std::move(starting);
        if (metrics) {
            for (const auto& s : svc.servers) requests[s.url] = 0;
            for (const auto& [key, stats] : metrics->requests)
                if (key.service == name && requests.contains(key.server))
                    requests[key.server] = requests[key.server].as_int64() + static_cast<std::int64_t>(stats.count);
            o["serverRequests"] = requests;
        }
        o["status"] = "enabled";
        mark_stale(o, snap.stale.services, name);
    } else {
        o["status"] = "disabled";
        if (auto d = snap.disabled.services.find(name); d != snap.disabled.services.end())
            o["error"] = errors_json(d->second);
    }
    return o;
}

namespace {

// The key Traefik's API shows a middleware's options under: its type as Traefik spells it
// ("stripPrefix"), whatever case the configuration used; other plugins' names as written.
std::string options_key(const std::string& type) {
    static const char* const traefik[] = {"addPrefix",     "stripPrefix",   "stripPrefixRegex", "replacePath",
                                          "replacePathRegex", "redirectScheme", "redirectRegex", "headers",
                                          "basicAuth",     "digestAuth",    "ipAllowList",      "ipWhiteList",
                                          "contentType",   "chain"};
    for (const char* name : traefik)
        if (config::iequals(name, type)) return name;
    return type;
}

// Users' secrets stay out of the API: "name:hash" and "name:realm:hash" show as far as the
// last ':'. Any plugin's `users` list, as an array or a label's comma-separated string.
void hide_user_secrets(json::value& options) {
    auto* table = options.if_object();
    if (!table) return;
    for (auto& [key, value] : *table) {
        if (!config::iequals(key, "users")) continue;
        std::vector<std::string> items;
        if (const auto* list = value.if_array()) {
            for (const auto& item : *list)
                if (const auto* text = item.if_string()) items.emplace_back(*text);
        } else if (const auto* text = value.if_string()) {
            std::string_view rest = *text;
            for (auto comma = rest.find(','); !rest.empty(); comma = rest.find(',')) {
                items.emplace_back(sdk::trim(rest.substr(0, comma)));
                rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            }
        }
        json::array shown;
        for (const auto& item : items) {
            const auto colon = item.rfind(':');
            shown.emplace_back(colon == std::string::npos ? std::string("(hidden)") : item.substr(0, colon) + ":(hidden)");
        }
        value = std::move(shown);
    }
}

}  // namespace

json::object views::middleware(const std::string& name) const {
    json::object o{{"name", name}, {"provider", provider_of(name)}};
    if (auto it = cfg.middlewares.find(name); it != cfg.middlewares.end()) {
        const auto& plugin = it->second.plugin;
        o["type"] = config::to_lower(plugin.name);
        json::value options = options_json(plugin);
        hide_user_secrets(options);
        o[options_key(plugin.name)] = std::move(options);
    }
    json::array used_by;
    for (const auto& [rname, rc] : cfg.routers)
        if (std::find(rc.middlewares.begin(), rc.middlewares.end(), name) != rc.middlewares.end())
            used_by.emplace_back(rname);
    for (const auto& [mname, mc] : cfg.middlewares)
        if (std::find(mc.chain.begin(), mc.chain.end(), name) != mc.chain.end()) used_by.emplace_back(mname);
    o["usedBy"] = std::move(used_by);
    set_status(o, snap.disabled.middlewares, snap.stale.middlewares, name);
    return o;
}

std::vector<std::string> views::router_names() const {
    std::vector<std::string> names;
    for (const auto& [n, r] : cfg.routers) names.push_back(n);
    for (const auto& [n, e] : cfg.invalid.routers) names.push_back(n);
    return names;
}

std::vector<std::string> views::service_names() const {
    std::vector<std::string> names;
    for (const auto& [n, s] : cfg.services) names.push_back(n);
    for (const auto& [n, e] : cfg.invalid.services) names.push_back(n);
    return names;
}

std::vector<std::string> views::middleware_names() const {
    std::vector<std::string> names;
    for (const auto& [n, m] : cfg.middlewares) names.push_back(n);
    for (const auto& [n, e] : cfg.invalid.middlewares) names.push_back(n);
    return names;
}

}  // namespace sluice::api
