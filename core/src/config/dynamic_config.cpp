#include "config/dynamic_config.hpp"

#include <limits>
#include <optional>

#include <boost/url/parse.hpp>

#include "config/table_reader.hpp"

namespace sluice::config {

std::string qualify(std::string_view name, std::string_view provider) {
    if (name.find('@') != std::string_view::npos) return std::string(name);
    return std::string(name) + "@" + std::string(provider);
}

namespace {

// A strategy's plugin name. Strategies are named case-insensitively, and Traefik's names are
// Sluice's: its default weighted round robin is roundrobin (the same shares; Traefik orders
// turns by earliest deadline, Sluice by nginx's smooth order), and its highest random weight
// is hash (rendezvous on the client's address by default, as Traefik's).
std::string strategy_name(std::string_view configured) {
    std::string name = to_lower(configured);
    if (name == "wrr") return "roundrobin";
    if (name == "hrw") return "hash";
    return name;
}

struct object_parser {
    const std::string& provider;
    const std::string& source;
    const std::vector<std::string>& balancer_wrappers;
    dynamic_config& out;

    object_origin origin(const toml::node& node) const { return {provider, source, line_of(&node)}; }

    bool valid_name(const std::string& path, std::string_view name, const toml::node& node, error_list& errors) {
        if (name.find('@') == std::string_view::npos && !name.empty()) return true;
        errors.push_back({source, line_of(&node), path, "a name may not be empty or contain '@'"});
        return false;
    }

    void parse_router(std::string_view name, const toml::table& t) {
        const std::string path = "http.routers." + std::string(name);
        error_list errors;
        router_config rc;
        rc.name = qualify(name, provider);
        rc.origin = origin(t);
        valid_name(path, name, t, errors);
        table_reader r(t, path, source, errors);
        if (auto rule = r.get_string("rule")) rc.rule = *rule;
        else if (!r.get("rule")) r.error("rule", "missing: a router needs a rule such as \"Host(`example.com`)\"");
        if (auto service = r.get_string("service")) rc.service = qualify(*service, provider);
        else if (!r.get("service")) r.error("service", "missing: a router needs the name of a service");
        if (auto mws = r.get_string_list("middlewares"))
            for (const auto& m : *mws) rc.middlewares.push_back(qualify(m, provider));
        if (auto p = r.get_integer("priority", 0, std::int64_t{1} << 53)) rc.priority = *p;
        if (auto eps = r.get_string_list("entryPoints")) rc.entry_points = *eps;
        // Not silently ignored: a router that asks for TLS would otherwise serve plain HTTP.
        if (const toml::node* tls = r.get("tls"))
            r.error("tls", "TLS termination is not supported; terminate TLS in front of sluice", tls);
        r.finish();
        commit(out.routers, out.invalid.routers, rc.name, std::move(rc), std::move(errors));
    }

    void parse_service(std::string_view name, const toml::table& t) {
        const std::string path = "http.services." + std::string(name);
        error_list errors;
        service_config sc;
        sc.name = qualify(name, provider);
        sc.origin = origin(t);
        valid_name(path, name, t, errors);
        table_reader r(t, path, source, errors);
        if (const auto* lb = r.get_table("loadBalancer")) {
            table_reader l(*lb, r.child_path("loadBalancer"), source, errors);
            if (auto strategy = l.get_string("strategy")) sc.strategy = strategy_name(*strategy);
            if (auto phh = l.get_bool("passHostHeader")) sc.pass_host_header = *phh;
            if (const auto* servers = l.get("servers")) {
                if (const auto* arr = servers->as_array()) {
                    for (std::size_t i = 0; i < arr->size(); ++i) {
                        const std::string server_path = "servers[" + std::to_string(i) + "]";
                        const toml::node& item = *arr->get(i);
                        const auto* st = item.as_table();
                        if (!st) {
                            l.error(server_path, "expected a table such as { url = \"http://10.0.0.1:80\" }", &item);
                            continue;
                        }
                        table_reader s(*st, l.child_path(server_path), source, errors);
                        server_config server;
                        if (auto url = s.get_string("url")) {
                            server.url = *url;
                            auto parsed = boost::urls::parse_absolute_uri(*url);
                            if (!parsed || parsed->scheme() != "http" || parsed->host().empty())
                                s.error("url", "\"" + *url + "\" is not an http:// URL with a host", s.get("url"));
                        } else if (!s.get("url")) {
                            s.error("url", "missing: every server needs a url");
                        }
                        if (auto w = s.get_integer("weight", 1, 1'000'000)) server.weight = static_cast<std::uint32_t>(*w);
                        s.finish();
                        sc.servers.push_back(std::move(server));
                    }
                } else {
                    l.error("servers", "expected an array of tables", servers);
                }
            }
            if (auto retries = l.get_integer("retries", 0, 10)) sc.retries = static_cast<unsigned>(*retries);
            if (auto d = l.get_duration("slowStart")) sc.slow_start = *d;
            if (const auto* hc = l.get_table("healthCheck")) {
                table_reader h(*hc, l.child_path("healthCheck"), source, errors);
                sc.health_check = read_health_check(h);
            }
            if (const auto* pc = l.get_table("passiveHealthCheck")) {
                table_reader p(*pc, l.child_path("passiveHealthCheck"), source, errors);
                passive_health_config cfg;
                if (auto v = p.get_integer("maxFailedAttempts", 1, 1000)) cfg.max_failed_attempts = static_cast<unsigned>(*v);
                if (auto d = p.get_duration("failureWindow")) cfg.failure_window = *d;
                p.finish();
                sc.passive_health_check = cfg;
            }
            // A table named after the strategy carries that balancer's own options; one named
            // after a wrapping balancer switches it on.
            if (const auto* options = l.get_table(sc.strategy))
                sc.strategy_options = plugin_table_at(l, sc.strategy, *options);
            else
                sc.strategy_options = {sc.strategy, l.child_path(sc.strategy), source, line_of(lb), {}, {}};
            for (const auto& wrapper : balancer_wrappers)
                if (!iequals(wrapper, sc.strategy))
                    if (const auto* options = l.get_table(wrapper))
                        sc.wrappers.push_back(plugin_table_at(l, wrapper, *options));
            l.finish();
        } else if (const auto* w = r.get_table("weighted")) {
            sc.type = service_config::kind::weighted;
            table_reader wr(*w, r.child_path("weighted"), source, errors);
            if (auto refs = read_service_refs(wr, "services", "{ name = \"api-v2\", weight = 1 }",
                                              "the service to send a share to", "weight", 1, 1'000'000)) {
                // Weight 0: no share (Traefik drops it).
                for (auto& ref : *refs)
                    if (ref.weight > 0) sc.children.push_back(std::move(ref));
                if (sc.children.empty()) wr.error("services", "no service with a weight above 0");
            } else {
                const auto* list = wr.get("services");
                wr.error("services", list ? "expected an array of tables" : "missing: the services to share among", list);
            }
            if (const auto* st = wr.get_table("sticky")) {
                table_reader sr(*st, wr.child_path("sticky"), source, errors);
                sc.sticky = read_sticky_cookie(sr);
            }
            // Traefik's switch for passing health up; a weighted service here always skips
            // services with no server up.
            wr.allow("healthCheck");
            wr.finish();
        } else if (const auto* f = r.get_table("failover")) {
            sc.type = service_config::kind::failover;
            table_reader fr(*f, r.child_path("failover"), source, errors);
            for (const char* key : {"service", "fallback"}) {
                if (auto n = fr.get_string(key)) sc.children.push_back({qualify(*n, provider), 1});
                else if (!fr.get(key)) fr.error(key, std::string("missing: the ") + (key[0] == 's' ? "main service" : "service to fall back to"));
            }
            fr.allow("healthCheck");
            fr.finish();
        } else if (const auto* m = r.get_table("mirroring")) {
            sc.type = service_config::kind::mirroring;
            read_mirroring(table_reader(*m, r.child_path("mirroring"), source, errors), sc);
        } else if (!r.get("loadBalancer")) {
            r.error("", "missing [loadBalancer], [weighted], [failover] or [mirroring]: what the service is");
        }
        {
            int kinds = 0;
            for (const char* k : {"loadBalancer", "weighted", "failover", "mirroring"}) kinds += r.get(k) != nullptr;
            if (kinds > 1) r.error("", "a service is one of loadBalancer, weighted, failover and mirroring, not several");
        }
        r.finish();
        commit(out.services, out.invalid.services, sc.name, std::move(sc), std::move(errors));
    }

    // The services an array of tables at `key` names, each with its number at `number_key`
    // (weighted's weight, mirroring's percent; `fallback` when absent); those whose name is
    // missing are reported and left out. Nullopt when `key` is absent or not an array.
    std::optional<std::vector<service_ref>> read_service_refs(table_reader& r, std::string_view key,
                                                              std::string_view example, std::string_view what,
                                                              std::string_view number_key, std::uint32_t fallback,
                                                              std::int64_t max) {
        const auto* list = r.get(key);
        if (!list || !list->as_array()) return std::nullopt;
        std::vector<service_ref> refs;
        const auto& arr = *list->as_array();
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
            const auto* item = arr.get(i)->as_table();
            if (!item) {
                r.error(at, "expected a table such as " + std::string(example), arr.get(i));
                continue;
            }
            table_reader c(*item, r.child_path(at), source, r.errors());
            service_ref ref{"", fallback};
            if (auto n = c.get_string("name")) ref.service = qualify(*n, provider);
            else if (!c.get("name")) c.error("name", "missing: " + std::string(what));
            if (auto v = c.get_integer(number_key, 0, max)) ref.weight = static_cast<std::uint32_t>(*v);
            c.finish();
            if (!ref.service.empty()) refs.push_back(std::move(ref));
        }
        return refs;
    }

    // Traefik's sticky table: `cookie`, a table of attributes or true for the defaults.
    std::optional<sticky_cookie_config> read_sticky_cookie(table_reader& st) {
        std::optional<sticky_cookie_config> out;
        const auto* cookie = st.get("cookie");
        if (cookie && cookie->as_boolean()) {
            if (cookie->as_boolean()->get()) out.emplace();
        } else if (cookie && cookie->as_table()) {
            table_reader c(*cookie->as_table(), st.child_path("cookie"), source, st.errors());
            sticky_cookie_config cfg;
            if (auto v = c.get_string("name")) {
                if (v->empty()) c.error("name", "expected a non-empty string", c.get("name"));
                cfg.name = *v;
            }
            auto& a = cfg.attributes;
            if (auto v = c.get_string("path")) a.path = *v;
            if (auto v = c.get_string("domain")) a.domain = *v;
            if (auto v = c.get_bool("secure")) a.secure = *v;
            if (auto v = c.get_bool("httpOnly")) a.http_only = *v;
            if (auto v = c.get_string("sameSite")) a.same_site = *v;
            if (auto v = c.get_integer("maxAge", std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max()))
                a.max_age = *v;
            c.finish();
            out = std::move(cfg);
        } else if (cookie) {
            st.error("cookie", "expected a table of cookie attributes, or true", cookie);
        }
        st.finish();
        return out;
    }

    // Traefik's mirroring: the main service, then each mirror with its percentage.
    void read_mirroring(table_reader m, service_config& sc) {
        if (auto n = m.get_string("service")) sc.children.push_back({qualify(*n, provider), 100});
        else if (!m.get("service")) m.error("service", "missing: the service that answers the requests");
        // Traefik's default percentage: 0, no request copied.
        if (auto refs = read_service_refs(m, "mirrors", "{ name = \"shadow\", percent = 10 }",
                                          "the service to copy requests to", "percent", 0, 100)) {
            if (!sc.children.empty()) sc.children.insert(sc.children.end(), refs->begin(), refs->end());
        } else if (const auto* list = m.get("mirrors")) {
            m.error("mirrors", "expected an array of tables", list);
        }
        if (auto b = m.get_bool("mirrorBody")) sc.mirror_body = *b;
        if (auto v = m.get_integer("maxBodySize", -1, std::numeric_limits<std::int64_t>::max())) sc.max_body_size = *v;
        m.allow("healthCheck");  // Traefik's switch for passing health up: the main service's is used
        m.finish();
    }

    // The table under `r` at `key`, named as the document spells the key.
    plugin_table plugin_table_at(table_reader& r, std::string_view key, const toml::table& t) {
        std::string name(key);
        for (auto&& [k, v] : r.table())
            if (&v == &t) name = std::string(k.str());
        return read_plugin_table(name, t, r.child_path(name), source, r.errors());
    }

    health_check_config read_health_check(table_reader& h) {
        health_check_config hc;
        if (auto path = h.get_string("path")) {
            if (path->empty() || path->front() != '/') h.error("path", "expected a path starting with \"/\"", h.get("path"));
            hc.path = *path;
        } else if (!h.get("path")) {
            h.error("path", "missing: the path to probe, such as \"/health\"");
        }
        if (auto scheme = h.get_string("scheme")) {
            if (*scheme != "http") h.error("scheme", "only \"http\" is supported", h.get("scheme"));
        }
        if (auto v = h.get_string("hostname")) hc.hostname = *v;
        if (auto v = h.get_string("method")) hc.method = *v;
        if (auto v = h.get_integer("port", 0, 65535)) hc.port = static_cast<std::uint16_t>(*v);
        if (auto v = h.get_integer("status", 0, 599)) hc.status = static_cast<unsigned>(*v);
        if (auto d = h.get_duration("interval")) hc.interval = std::max(*d, std::chrono::milliseconds(10));
        if (auto d = h.get_duration("timeout")) hc.timeout = std::max(*d, std::chrono::milliseconds(1));
        if (auto v = h.get_integer("unhealthyThreshold", 1, 100)) hc.unhealthy_threshold = static_cast<unsigned>(*v);
        if (auto v = h.get_integer("healthyThreshold", 1, 100)) hc.healthy_threshold = static_cast<unsigned>(*v);
        if (const auto* headers = h.get_table("headers")) {
            for (auto&& [k, v] : *headers) {
                if (auto value = v.value<std::string>()) hc.headers.emplace_back(std::string(k.str()), *value);
                else h.error("headers." + std::string(k.str()), "expected a string", &v);
            }
        }
        h.finish();
        return hc;
    }

    void parse_middleware(std::string_view name, const toml::table& t) {
        const std::string path = "http.middlewares." + std::string(name);
        error_list errors;
        middleware_config mc;
        mc.name = qualify(name, provider);
        mc.origin = origin(t);
        valid_name(path, name, t, errors);
        if (t.size() != 1 || !t.cbegin()->second.is_table()) {
            errors.push_back({source, line_of(&t), path,
                              "expected exactly one table named after a middleware plugin, such as [" + path +
                                  ".stripPrefix]"});
        } else {
            const std::string plugin(t.cbegin()->first.str());
            const toml::table& options = *t.cbegin()->second.as_table();
            mc.plugin = read_plugin_table(plugin, options, path + "." + plugin, source, errors);
            if (iequals(plugin, "chain")) read_chain(options, path + "." + plugin, mc, errors);
        }
        commit(out.middlewares, out.invalid.middlewares, mc.name, std::move(mc), std::move(errors));
    }

    // A chain's one key: the middlewares it runs, by name (this provider's unless qualified).
    void read_chain(const toml::table& t, const std::string& path, middleware_config& mc, error_list& errors) {
        table_reader r(t, path, source, errors);
        if (auto names = r.get_string_list("middlewares")) {
            for (const auto& m : *names) mc.chain.push_back(qualify(m, provider));
            if (mc.chain.empty()) r.error("middlewares", "a chain needs at least one middleware");
        } else if (!r.get("middlewares")) {
            r.error("middlewares", "missing: the middlewares the chain runs, such as [\"auth\", \"headers\"]");
        }
        r.finish();
    }

    template <class Map, class Value>
    void commit(Map& map, std::map<std::string, error_list>& invalid, const std::string& name, Value&& value,
                error_list errors) {
        if (errors.empty()) map.emplace(name, std::forward<Value>(value));
        else invalid[name] = std::move(errors);
    }

    template <class Fn>
    void each_table(table_reader& r, std::string_view key, Fn fn) {
        const auto* section = r.get_table(key);
        if (!section) return;
        for (auto&& [name, node] : *section) {
            if (const auto* t = node.as_table()) fn(name.str(), *t);
            else
                out.errors.push_back(
                    {source, line_of(&node), r.child_path(key) + "." + std::string(name.str()), "expected a table"});
        }
    }
};

}  // namespace

dynamic_config parse_dynamic_config(const toml::table& document, const std::string& provider,
                                    const std::string& source, bool allow_other_top_level_keys,
                                    const std::vector<std::string>& balancer_wrappers) {
    dynamic_config out;
    object_parser parser{provider, source, balancer_wrappers, out};
    const toml::table* http = nullptr;
    {
        table_reader top(document, "", source, out.errors);
        http = top.get_table("http");
        if (!allow_other_top_level_keys) top.finish();
    }
    if (!http) return out;
    table_reader h(*http, "http", source, out.errors);
    parser.each_table(h, "routers", [&](std::string_view n, const toml::table& t) { parser.parse_router(n, t); });
    parser.each_table(h, "services", [&](std::string_view n, const toml::table& t) { parser.parse_service(n, t); });
    parser.each_table(h, "middlewares",
                      [&](std::string_view n, const toml::table& t) { parser.parse_middleware(n, t); });
    h.finish();
    return out;
}

void relocate(dynamic_config& cfg, const generated_toml& text) {
    const auto line = [&](std::uint32_t& l) { l = text.origin_of(l).line; };
    const auto table = [&](plugin_table& t) {
        line(t.line);
        for (auto& [key, l] : t.key_lines) line(l);
    };
    text.relocate(cfg.errors);
    for (auto* kind : {&cfg.invalid.routers, &cfg.invalid.services, &cfg.invalid.middlewares})
        for (auto& [name, errors] : *kind) text.relocate(errors);
    for (auto& [name, r] : cfg.routers) line(r.origin.line);
    for (auto& [name, s] : cfg.services) {
        line(s.origin.line);
        table(s.strategy_options);
        for (auto& w : s.wrappers) table(w);
    }
    for (auto& [name, m] : cfg.middlewares) {
        line(m.origin.line);
        table(m.plugin);
    }
}

}  // namespace sluice::config
