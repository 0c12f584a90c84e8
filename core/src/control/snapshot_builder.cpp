#include "control/snapshot_builder.hpp"

#include <algorithm>

#include "sluice/sdk/smooth_schedule.hpp"

namespace sluice::control {

using runtime::middleware;
using runtime::route;
using runtime::rule;
using runtime::server;
using runtime::service;
using runtime::snapshot;

namespace {

std::string object_path(std::string_view section, const std::string& qualified) {
    return "http." + std::string(section) + "." + qualified.substr(0, qualified.find('@'));
}

const plugin::loaded_plugin* find_plugin(const plugin::plugin_registry& plugins, std::string_view name,
                                         std::uint32_t kind, std::string_view role, std::string& error) {
    const plugin::loaded_plugin* p = plugins.find(name);
    if (!p) {
        error = std::string(role) + " \"" + std::string(name) + "\" is not a loaded plugin";
        std::string names;
        for (const auto& candidate : plugins.plugins())
            if (candidate.kind() == kind) names += (names.empty() ? "" : ", ") + std::string(candidate.name());
        error += names.empty() ? " (no " + std::string(plugin::kind_name(kind)) + " plugin is loaded)"
                               : " (available: " + names + ")";
        return nullptr;
    }
    if (p->kind() != kind) {
        error = std::string(role) + " \"" + std::string(name) + "\" is a " + std::string(p->kind_name()) +
                " plugin (" + p->file.string() + "), not a " + std::string(plugin::kind_name(kind));
        return nullptr;
    }
    return p;
}

// Adds the layer of plugin `p` configured by `options` around the service's outermost
// picker (none for the strategy). False after reporting to `errors`.
bool add_layer(service& svc, const plugin::loaded_plugin& p, const config::plugin_table& options,
               plugin::plugin_services& services, config::error_list& errors) {
    config::plugin_error_sink sink(options, errors);
    const std::size_t reported = errors.size();
    auto layer = std::make_unique<service::balancer_layer>();
    layer->plugin = std::string(p.name());
    layer->balancer = plugin::create_balancer(p, services, svc.name, options.text, sink);
    if (!layer->balancer) {
        if (errors.size() == reported) sink.error("", "the balancer plugin refused its configuration");
        return false;
    }
    sluice_inner_picker* inner = svc.layers.empty() ? nullptr : &svc.layers.back()->as_inner;
    layer->picker = plugin::create_picker(layer->balancer, p, svc.infos, inner, sink);
    if (!layer->picker) {
        if (errors.size() == reported) sink.error("", "the balancer plugin could not build a picker for these servers");
        return false;
    }
    layer->as_inner = {layer->picker.ops(), layer->picker.get()};
    svc.pick_ops = layer->picker.ops();
    svc.picker = layer->picker.get();
    svc.layers.push_back(std::move(layer));
    return true;
}

std::shared_ptr<service> build_service(const config::service_config& sc, const plugin::plugin_registry& plugins,
                                       plugin::plugin_services& services, config::error_list& errors) {
    const std::string path = object_path("services", sc.name) + ".loadBalancer";
    auto svc = std::make_shared<service>();
    svc->name = sc.name;
    svc->strategy = sc.strategy;
    svc->pass_host_header = sc.pass_host_header;
    svc->retries = sc.retries;
    svc->slow_start_ms = sc.slow_start.count();
    svc->health_check = sc.health_check;
    svc->passive_health_check = sc.passive_health_check;
    for (std::size_t i = 0; i < sc.servers.size(); ++i) {
        server s{sc.servers[i].url, {}, sc.servers[i].weight};
        if (!runtime::parse_upstream_url(s.url, s.endpoint))
            errors.push_back({sc.origin.source, sc.origin.line, path + ".servers[" + std::to_string(i) + "].url",
                              "\"" + s.url + "\" is not an http:// URL with a host and a valid port"});
        svc->servers.push_back(std::move(s));
    }
    std::string error;
    const auto* strategy = find_plugin(plugins, sc.strategy, SLUICE_KIND_BALANCER, "strategy", error);
    if (!strategy) {
        errors.push_back({sc.origin.source, sc.origin.line, path + ".strategy", error});
    } else if (strategy->wraps()) {
        errors.push_back({sc.origin.source, sc.origin.line, path + ".strategy",
                          "\"" + sc.strategy + "\" wraps a strategy rather than being one: switch it on with a [" +
                              path + "." + std::string(strategy->name()) + "] table, beside a strategy such as roundrobin"});
    }
    if (!errors.empty()) return nullptr;

    for (const auto& s : svc->servers) svc->infos.push_back({plugin::to_str(s.url), s.weight});
    // Fresh states; health::registry swaps in the known ones before the snapshot serves.
    for (std::size_t i = 0; i < svc->servers.size(); ++i) svc->health.push_back(std::make_shared<runtime::server_health>());
    if (!add_layer(*svc, *strategy, sc.strategy_options, services, errors)) return nullptr;
    // The parser kept only the tables named after the wrappers it was told of, in their order.
    for (const auto& options : sc.wrappers) {
        const auto* wrapper = plugins.find(options.name);
        if (!wrapper || !wrapper->wraps()) {
            errors.push_back({options.source, options.line, options.path,
                              "\"" + options.name + "\" is not a loaded wrapping balancer plugin"});
            return nullptr;
        }
        if (!add_layer(*svc, *wrapper, options, services, errors)) return nullptr;
    }
    return svc;
}

std::shared_ptr<middleware> build_middleware(const config::middleware_config& mc,
                                             const plugin::plugin_registry& plugins,
                                             plugin::plugin_services& services, config::error_list& errors) {
    std::string error;
    const auto* p = find_plugin(plugins, mc.plugin.name, SLUICE_KIND_MIDDLEWARE, "middleware", error);
    if (!p) {
        errors.push_back({mc.origin.source, mc.plugin.line, mc.plugin.path, error});
        return nullptr;
    }
    config::plugin_error_sink sink(mc.plugin, errors);
    auto mw = std::make_shared<middleware>();
    mw->name = mc.name;
    mw->plugin = std::string(p->name());
    mw->object = plugin::create_middleware(*p, services, mc.name, mc.plugin.text, sink);
    if (!mw->object) {
        if (errors.empty()) sink.error("", "the middleware plugin refused its configuration");
        return nullptr;
    }
    return mw;
}

std::string refer_error(std::string_view what, const std::string& name,
                        const std::map<std::string, config::error_list>& invalid) {
    if (invalid.count(name)) return std::string(what) + " \"" + name + "\" is invalid";
    return std::string(what) + " \"" + name + "\" does not exist";
}

// What `previous` built from the same definition of `name`, to serve again; null when it
// built none or the definition changed.
template <class Objects, class Config>
typename Objects::mapped_type kept(const Objects* built, const std::map<std::string, Config>* defined,
                                   const std::string& name, const Config& now) {
    if (!built || !defined) return nullptr;
    const auto object = built->find(name);
    const auto definition = defined->find(name);
    if (object == built->end() || definition == defined->end() || !config::same_definition(definition->second, now))
        return nullptr;
    return object->second;
}

// A composite's kind, as its table is named.
const char* composite_name(config::service_config::kind k) {
    using kind = config::service_config::kind;
    return k == kind::weighted ? "weighted" : k == kind::failover ? "failover" : "mirroring";
}

// Weighted, failover and mirroring services, once the services they choose among exist: in rounds,
// each building the composites whose children are all built, until none is left or a round
// builds nothing (the rest refer to each other, or to a service that is missing or invalid).
void build_composites(const config::dynamic_config& cfg, snapshot& snap, const snapshot* previous) {
    std::vector<const config::service_config*> waiting;
    for (const auto& [name, sc] : cfg.services)
        if (sc.type != config::service_config::kind::load_balancer) waiting.push_back(&sc);
    for (bool progress = true; progress && !waiting.empty();) {
        progress = false;
        std::erase_if(waiting, [&](const config::service_config* sc) {
            const auto ready = [&](const config::service_ref& c) { return snap.services.count(c.service) > 0; };
            if (!std::all_of(sc->children.begin(), sc->children.end(), ready)) return false;
            progress = true;
            // Kept when it would choose among the very same services (its turn goes on).
            if (auto old = kept(previous ? &previous->services : nullptr,
                                previous && previous->config ? &previous->config->services : nullptr, sc->name, *sc)) {
                bool same_children = old->children.size() == sc->children.size();
                for (std::size_t i = 0; same_children && i < sc->children.size(); ++i)
                    same_children = old->children[i].svc == snap.services.at(sc->children[i].service).get();
                if (same_children) {
                    snap.services.emplace(sc->name, std::move(old));
                    return true;
                }
            }
            auto svc = std::make_shared<service>();
            svc->name = sc->name;
            svc->type = sc->type;
            svc->strategy = composite_name(sc->type);
            std::vector<std::uint64_t> weights;
            for (const auto& c : sc->children) {
                const service* child = snap.services.at(c.service).get();
                svc->children.push_back({child, c.weight});
                weights.push_back(c.weight);
                svc->needs_choices = svc->needs_choices || child->needs_choices;
            }
            if (sc->type == config::service_config::kind::weighted) svc->schedule = sdk::smooth_schedule(weights);
            if (sc->sticky) {
                auto& pin = svc->sticky.emplace();
                pin.name = sc->sticky->name.empty() ? sdk::default_sticky_cookie_name(sc->name) : sc->sticky->name;
                pin.attributes = sc->sticky->attributes.suffix();
                for (const auto& c : sc->children) pin.values.push_back(sdk::sticky_cookie_value(c.service));
                svc->needs_choices = true;
            }
            if (sc->type == config::service_config::kind::mirroring) {
                svc->needs_choices = true;
                svc->mirror_body = sc->mirror_body;
                svc->max_body_size = sc->max_body_size;
            }
            snap.services.emplace(sc->name, std::move(svc));
            return true;
        });
    }
    for (const auto* sc : waiting) {
        const std::string path = object_path("services", sc->name) + "." + composite_name(sc->type);
        config::error_list errors;
        for (const auto& c : sc->children) {
            if (snap.services.count(c.service)) continue;
            const bool defined = cfg.services.count(c.service) && !snap.disabled.services.count(c.service);
            errors.push_back({sc->origin.source, sc->origin.line, path,
                              defined ? "service \"" + c.service +
                                                "\" is not available: it depends on a missing or invalid service, or "
                                                "back on this one (a cycle)"
                                      : refer_error("service", c.service, snap.disabled.services)});
        }
        snap.disabled.services[sc->name] = std::move(errors);
    }
}

// Chains, expanded into the plugin middlewares they run (a chain within a chain in its place),
// once those are built. A chain that leads back to itself is disabled with the cycle named,
// as is every chain on that cycle; one naming a missing or invalid middleware is disabled.
class chain_expander {
public:
    chain_expander(const config::dynamic_config& cfg, snapshot& snap) : cfg_(cfg), snap_(snap) {}

    void expand_all() {
        for (const auto& [name, mc] : cfg_.middlewares)
            if (!mc.chain.empty()) expand(mc);
    }

private:
    bool expand(const config::middleware_config& mc) {
        if (const auto done = finished_.find(mc.name); done != finished_.end()) return done->second;
        path_.push_back(mc.name);
        std::vector<const middleware*> runs;
        std::vector<std::string> errors;
        for (const auto& m : mc.chain) {
            if (const auto built = snap_.middlewares.find(m); built != snap_.middlewares.end()) {
                runs.push_back(built->second.get());
                continue;
            }
            const auto defined = cfg_.middlewares.find(m);
            if (defined == cfg_.middlewares.end() || defined->second.chain.empty()) {
                errors.push_back(refer_error("middleware", m, snap_.disabled.middlewares));
            } else if (const auto back = std::find(path_.begin(), path_.end(), m); back != path_.end()) {
                std::string cycle;
                for (auto it = back; it != path_.end(); ++it) cycle += *it + " -> ";
                cycle = "a cycle of chains: " + cycle + m;
                for (auto it = back; it != path_.end(); ++it) cycles_.emplace(*it, cycle);
            } else if (expand(defined->second)) {
                const auto& inner = snap_.chains.at(m);
                runs.insert(runs.end(), inner.begin(), inner.end());
            } else if (!cycles_.count(mc.name) || !cycles_.count(m)) {
                errors.push_back("middleware \"" + m + "\" is invalid");
            }
        }
        path_.pop_back();
        if (const auto cycle = cycles_.find(mc.name); cycle != cycles_.end()) errors.insert(errors.begin(), cycle->second);
        if (!errors.empty()) {
            auto& list = snap_.disabled.middlewares[mc.name];
            for (auto& e : errors) list.push_back({mc.origin.source, mc.plugin.line, mc.plugin.path + ".middlewares", std::move(e)});
            return finished_[mc.name] = false;
        }
        snap_.chains[mc.name] = std::move(runs);
        return finished_[mc.name] = true;
    }

    const config::dynamic_config& cfg_;
    snapshot& snap_;
    std::vector<std::string> path_;  // the chains being expanded, outermost first
    std::map<std::string, bool> finished_;
    std::map<std::string, std::string> cycles_;  // chain -> the cycle it is on
};

}  // namespace

std::unique_ptr<snapshot> build_snapshot(const config::dynamic_config& cfg, const plugin::plugin_registry& plugins,
                                         plugin::plugin_services& services,
                                         const std::vector<std::string>& entry_points,
                                         std::uint64_t generation, const snapshot* previous) {
    auto snap = std::make_unique<snapshot>();
    snap->generation = generation;
    snap->disabled = cfg.invalid;
    const config::dynamic_config* before = previous ? previous->config.get() : nullptr;

    for (const auto& [name, sc] : cfg.services) {
        if (sc.type != config::service_config::kind::load_balancer) continue;
        if (auto old = kept(previous ? &previous->services : nullptr, before ? &before->services : nullptr, name, sc)) {
            snap->services.emplace(name, std::move(old));
            continue;
        }
        config::error_list errors;
        if (auto svc = build_service(sc, plugins, services, errors)) snap->services.emplace(name, std::move(svc));
        else snap->disabled.services[name] = std::move(errors);
    }
    build_composites(cfg, *snap, previous);
    for (const auto& [name, mc] : cfg.middlewares) {
        if (!mc.chain.empty()) continue;  // expanded below, once what it runs is built
        if (auto old = kept(previous ? &previous->middlewares : nullptr, before ? &before->middlewares : nullptr, name, mc)) {
            snap->middlewares.emplace(name, std::move(old));
            continue;
        }
        config::error_list errors;
        if (auto mw = build_middleware(mc, plugins, services, errors)) snap->middlewares.emplace(name, std::move(mw));
        else snap->disabled.middlewares[name] = std::move(errors);
    }
    chain_expander(cfg, *snap).expand_all();
    for (const auto& ep : entry_points) snap->tables[ep];

    auto serve = [&](const std::string& name, const config::router_config& rc, std::shared_ptr<route> r) {
        const auto& eps = rc.entry_points.empty() ? entry_points : rc.entry_points;
        for (const auto& ep : eps) snap->tables[ep].add(r.get());
        snap->routes.emplace(name, std::move(r));
    };
    for (const auto& [name, rc] : cfg.routers) {
        // The middlewares it runs, chains expanded; the names that lead to none.
        std::vector<const middleware*> chain;
        std::vector<std::string> unresolved;
        for (const auto& m : rc.middlewares) {
            if (auto it = snap->middlewares.find(m); it != snap->middlewares.end()) chain.push_back(it->second.get());
            else if (auto c = snap->chains.find(m); c != snap->chains.end()) chain.insert(chain.end(), c->second.begin(), c->second.end());
            else unresolved.push_back(m);
        }
        // Kept when it leads to the very same service through the very same middlewares.
        if (auto old = kept(previous ? &previous->routes : nullptr, before ? &before->routers : nullptr, name, rc)) {
            const auto target = snap->services.find(rc.service);
            if (unresolved.empty() && target != snap->services.end() && target->second.get() == old->target &&
                old->chain == chain) {
                serve(name, rc, std::move(old));
                continue;
            }
        }
        const std::string path = object_path("routers", name);
        config::error_list errors;
        // (Not capturing the structured binding itself: clang before 16 cannot.)
        auto add_error = [&, &origin = rc.origin](std::string key, std::string message) {
            errors.push_back({origin.source, origin.line, path + "." + key, std::move(message)});
        };
        auto r = std::make_shared<route>();
        r->name = name;
        r->rule_text = rc.rule;
        std::string rule_error;
        if (auto parsed = rule::parse(rc.rule, rule_error)) r->matcher = std::move(*parsed);
        else add_error("rule", rule_error + " in " + rc.rule);
        r->priority = rc.priority != 0 ? rc.priority : static_cast<std::int64_t>(rc.rule.size());
        if (auto it = snap->services.find(rc.service); it != snap->services.end()) r->target = it->second.get();
        else add_error("service", refer_error("service", rc.service, snap->disabled.services));
        r->chain = std::move(chain);
        for (const auto& m : unresolved) add_error("middlewares", refer_error("middleware", m, snap->disabled.middlewares));
        for (const auto& ep : rc.entry_points)
            if (std::find(entry_points.begin(), entry_points.end(), ep) == entry_points.end())
                add_error("entryPoints", "entry point \"" + ep + "\" does not exist");
        if (!errors.empty()) {
            snap->disabled.routers[name] = std::move(errors);
            continue;
        }
        serve(name, rc, std::move(r));
    }
    for (auto& [ep, table] : snap->tables) table.sort();
    return snap;
}

}  // namespace sluice::control
