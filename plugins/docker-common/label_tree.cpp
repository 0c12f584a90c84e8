#include "label_tree.hpp"

#include <algorithm>
#include <cctype>

#include "sluice/sdk/text.hpp"

namespace sluice::docker {

namespace {

using sdk::iequals;

struct node {
    std::string name;  // as first written
    std::optional<std::string> value;
    std::string label;  // "key=value" of the label that set the value
    std::vector<node> children;

    node* child(std::string_view part) {
        for (auto& c : children)
            if (iequals(c.name, part)) return &c;
        return nullptr;
    }
};

// What the core accepts at a place in the tree.
enum class kind {
    value,     // a leaf: rule, port, ...
    group,     // options only; a value of its own is meaningless (loadBalancer, healthCheck)
    switched,  // options, and a value that switches it: "true" (or none) on, anything else off
    free,      // a plugin's own options, any keys: read as `switched` tables and values
    server,    // loadbalancer.server: this container's server, not an option of the service
};

struct field {
    std::string_view name;  // the spelling the core documents
    kind k;
    std::vector<field> children = {};
};

const field& router_schema() {
    static const field f{"router", kind::group,
                         {{"rule", kind::value},
                          {"service", kind::value},
                          {"middlewares", kind::value},
                          {"priority", kind::value},
                          {"entryPoints", kind::value},
                          // Passed on so that the core refuses the router rather than serve it in clear.
                          {"tls", kind::free}}};
    return f;
}

const field& service_schema() {
    static const field f{
        "service",
        kind::group,
        {{"loadBalancer",
          kind::group,
          {{"strategy", kind::value},
           {"passHostHeader", kind::value},
           {"retries", kind::value},
           {"slowStart", kind::value},
           {"server", kind::server},
           {"sticky",
            kind::switched,
            {{"cookie",
              kind::switched,
              {{"name", kind::value},
               {"secure", kind::value},
               {"httpOnly", kind::value},
               {"sameSite", kind::value},
               {"maxAge", kind::value},
               {"path", kind::value},
               {"domain", kind::value}}}}},
           {"healthCheck",
            kind::group,
            {{"path", kind::value},
             {"scheme", kind::value},
             {"hostname", kind::value},
             {"method", kind::value},
             {"port", kind::value},
             {"status", kind::value},
             {"interval", kind::value},
             {"timeout", kind::value},
             {"unhealthyThreshold", kind::value},
             {"healthyThreshold", kind::value},
             {"headers", kind::free}}},
           {"passiveHealthCheck", kind::group, {{"maxFailedAttempts", kind::value}, {"failureWindow", kind::value}}}}}}};
    return f;
}

class reader {
public:
    reader(const std::string& container, std::vector<std::string>& warnings)
        : container_(container), warnings_(warnings) {}

    void warn(const node& n, const std::string& why) {
        for_each_label(n, [&](const std::string& label) {
            warnings_.push_back("container " + container_ + ": label " + label + " ignored: " + why);
        });
    }

    // Whether a switched node is on; warns about values other than true and false.
    bool switched_on(const node& n) {
        if (!n.value || n.value->empty() || iequals(*n.value, "true")) return true;
        if (!iequals(*n.value, "false"))
            warnings_.push_back("container " + container_ + ": label " + n.label +
                                " is neither true nor false; taken as false");
        return false;
    }

    // Reads `n` as field `f` into `out`. Returns whether any label was accepted.
    bool read(const node& n, const field& f, toml::table& out, server_labels* server) {
        switch (f.k) {
            case kind::value:
                for (const auto& c : n.children) warn(c, std::string(f.name) + " takes a value, not options");
                if (!n.value) return false;
                out.insert_or_assign(f.name, *n.value);
                return true;
            case kind::free:
                return read_plugin(n, f.name, out);
            case kind::server:
                if (n.value) warnings_.push_back("container " + container_ + ": label " + n.label +
                                                 " ignored: server takes options (port, scheme, weight, url)");
                return server && read_server(n, *server);
            case kind::group:
            case kind::switched: break;
        }
        if (f.k == kind::switched && !switched_on(n)) return true;  // off: its options do not matter
        if (f.k == kind::group && n.value)
            warnings_.push_back("container " + container_ + ": label " + n.label + " ignored: " +
                                std::string(f.name) + " is a group of options, not a value");
        toml::table table;
        bool accepted = f.k == kind::switched;
        // The balancer's own options sit in a table named after it (loadbalancer.<strategy>.*).
        std::string strategy;
        for (const auto& c : n.children)
            if (iequals(c.name, "strategy") && c.value) strategy = *c.value;
        for (const auto& c : n.children) {
            const auto it = std::find_if(f.children.begin(), f.children.end(),
                                         [&](const field& sub) { return iequals(sub.name, c.name); });
            if (it != f.children.end()) {
                accepted = read(c, *it, table, server) || accepted;
            } else if (!strategy.empty() && iequals(c.name, strategy)) {
                accepted = read_plugin(c, c.name, table) || accepted;
            } else {
                warn(c, "unknown option \"" + c.name + "\" of " + std::string(f.name) + " (known: " + known(f) + ")");
            }
        }
        if (f.k == kind::switched || !table.empty()) out.insert_or_assign(f.name, std::move(table));
        return accepted;
    }

    // A plugin's table (a middleware, tls, headers): `true` alone turns it on with no options.
    bool read_plugin(const node& n, std::string_view name, toml::table& out) {
        if (!switched_on(n)) return true;
        toml::table table;
        for (const auto& c : n.children) read_free(c, c.name, table);
        out.insert_or_assign(name, std::move(table));
        return true;
    }

    // A plugin's options: values as written; a part with options is a table, switched.
    bool read_free(const node& n, std::string_view name, toml::table& out) {
        if (n.children.empty()) {
            if (!n.value) return false;
            out.insert_or_assign(name, *n.value);
            return true;
        }
        if (!switched_on(n)) return true;
        toml::table table;
        for (const auto& c : n.children) read_free(c, c.name, table);
        out.insert_or_assign(name, std::move(table));
        return true;
    }

    bool read_server(const node& n, server_labels& server) {
        bool accepted = false;
        for (const auto& c : n.children) {
            std::optional<labelled_value>* slot = iequals(c.name, "port")     ? &server.port
                                                  : iequals(c.name, "scheme") ? &server.scheme
                                                  : iequals(c.name, "weight") ? &server.weight
                                                  : iequals(c.name, "url")    ? &server.url
                                                                              : nullptr;
            if (!slot) {
                warn(c, "unknown option \"" + c.name + "\" of server (known: port, scheme, weight, url)");
                continue;
            }
            for (const auto& g : c.children) warn(g, c.name + " takes a value, not options");
            if (!c.value) continue;
            *slot = labelled_value{*c.value, c.label};
            accepted = true;
        }
        return accepted;
    }

private:
    template <class Fn>
    static void for_each_label(const node& n, Fn fn) {
        if (n.value) fn(n.label);
        for (const auto& c : n.children) for_each_label(c, fn);
    }

    static std::string known(const field& f) {
        std::string out;
        for (const auto& c : f.children) out += (out.empty() ? "" : ", ") + std::string(c.name);
        return out;
    }

    const std::string& container_;
    std::vector<std::string>& warnings_;
};

std::vector<std::string> split(std::string_view s) {
    std::vector<std::string> out;
    for (std::size_t at = 0;;) {
        const auto next = s.find('.', at);
        out.emplace_back(s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
        if (next == std::string_view::npos) return out;
        at = next + 1;
    }
}

}  // namespace

decoded_labels decode_labels(const std::map<std::string, std::string>& labels, const std::string& prefix,
                             const std::string& container_name) {
    decoded_labels out;
    auto warn = [&](const std::string& label, const std::string& why) {
        out.warnings.push_back("container " + container_name + ": label " + label + " ignored: " + why);
    };

    // The tree, from labels in key order (deterministic first spellings).
    node root;
    for (const auto& [key, value] : labels) {
        if (key.size() < prefix.size() || !iequals(std::string_view(key).substr(0, prefix.size()), prefix)) continue;
        const auto parts = split(std::string_view(key).substr(prefix.size()));
        const std::string label = key + "=" + value;
        if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
            warn(label, "a part of its key is empty");
            continue;
        }
        // Names and options become TOML keys: only what a bare key may hold (a quote or a
        // control character in one would make the whole document unparsable).
        const auto bare = [](const std::string& p) {
            return std::all_of(p.begin(), p.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
            });
        };
        if (!std::all_of(parts.begin(), parts.end(), bare)) {
            warn(label, "a part of its key holds a character other than letters, digits, '-' and '_'");
            continue;
        }
        node* at = &root;
        for (const auto& part : parts) {
            node* next = at->child(part);
            if (!next) next = &at->children.emplace_back(node{part, std::nullopt, {}, {}});
            at = next;
        }
        at->value = value;
        at->label = label;
    }

    reader r(container_name, out.warnings);
    for (const auto& top : root.children) {
        if (iequals(top.name, "enable")) {
            if (top.value) out.enable = labelled_value{*top.value, top.label};
            for (const auto& c : top.children) r.warn(c, "enable takes a value, not options");
        } else if (iequals(top.name, "docker") || iequals(top.name, "swarm")) {
            // docker.network, and the swarm provider's swarm.network and swarm.lbswarm
            // (docker.lbswarm their deprecated spelling there).
            const bool swarm = iequals(top.name, "swarm");
            if (top.value) warn(top.label, top.name + " takes options (network, lbswarm)");
            for (const auto& c : top.children) {
                const bool network = iequals(c.name, "network"), lbswarm = iequals(c.name, "lbswarm");
                if ((network || lbswarm) && c.children.empty()) {
                    if (!c.value) continue;
                    auto& slot = swarm ? (network ? out.swarm_network : out.swarm_lbswarm)
                                       : (network ? out.network : out.lbswarm);
                    slot = labelled_value{*c.value, c.label};
                } else {
                    r.warn(c, "the " + top.name + " options are network and lbswarm");
                }
            }
        } else if (iequals(top.name, "tcp") || iequals(top.name, "udp")) {
            out.has_tcp_or_udp = true;
            r.warn(top, "TCP and UDP routing are not supported");
        } else if (iequals(top.name, "http")) {
            if (top.value) warn(top.label, "http takes routers, services and middlewares");
            for (const auto& section : top.children) {
                const bool routers = iequals(section.name, "routers"), services = iequals(section.name, "services"),
                           middlewares = iequals(section.name, "middlewares");
                if (!routers && !services && !middlewares) {
                    r.warn(section, "http has routers, services and middlewares, not \"" + section.name + "\"");
                    continue;
                }
                if (section.value) warn(section.label, section.name + " takes names");
                for (const auto& object : section.children) {
                    toml::table holder;
                    bool accepted = false;
                    if (middlewares) {
                        if (object.value) warn(object.label, "a middleware is configured as <name>.<plugin>.<option>");
                        toml::table table;
                        for (const auto& plugin : object.children)
                            accepted = r.read_plugin(plugin, plugin.name, table) || accepted;
                        if (accepted && !table.empty()) out.middlewares[object.name] = std::move(table);
                    } else if (routers) {
                        accepted = r.read(object, router_schema(), holder, nullptr);
                        // A router named with no option read (`routers.app=true`) gets the defaults.
                        if (accepted) {
                            auto* t = holder["router"].as_table();
                            out.routers[object.name] = t ? std::move(*t) : toml::table{};
                        }
                    } else {
                        server_labels server;
                        accepted = r.read(object, service_schema(), holder, &server);
                        if (accepted) {
                            auto* t = holder["service"].as_table();
                            out.services[object.name] = t ? std::move(*t) : toml::table{};
                            out.servers[object.name] = std::move(server);
                        }
                    }
                    out.has_http = out.has_http || accepted;
                }
            }
        } else {
            r.warn(top, "\"" + top.name + "\" is not a Traefik v3 label (known: enable, docker, swarm, http)");
        }
    }
    return out;
}

}  // namespace sluice::docker
