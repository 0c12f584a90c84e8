#include "labels.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <sstream>

#include <toml++/toml.h>

namespace sluice::docker {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    for (std::size_t at = 0;;) {
        const auto next = s.find(sep, at);
        out.emplace_back(s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
        if (next == std::string_view::npos) return out;
        at = next + 1;
    }
}

std::optional<unsigned> to_number(std::string_view s, unsigned max) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

// A label's path below the prefix, e.g. {"http", "routers", "api", "rule"}, and its value.
struct label {
    std::vector<std::string> path;
    std::string key;  // as written, for messages
    std::string value;
};

// Options of one router, service or middleware: path below its name -> value.
using option_map = std::map<std::vector<std::string>, std::pair<std::string, std::string>>;  // -> (value, label)

struct container_view {
    const container* c;
    std::string service_name;  // default service name
    std::map<std::string, option_map> routers, services, middlewares;
    std::map<std::string, std::string> server_scheme, server_weight;  // per service
    std::map<std::string, std::pair<std::string, std::string>> server_port;  // per service: value, label
};

std::string default_service_name(const container& c) {
    const auto project = c.labels.find("com.docker.compose.project");
    const auto service = c.labels.find("com.docker.compose.service");
    if (project != c.labels.end() && service != c.labels.end())
        return normalize(service->second + "-" + project->second);
    return normalize(c.name);
}

// Sets a nested key, reporting a clash between a value and a table at the same place.
void set_path(toml::table& table, const std::vector<std::string>& path, const std::string& value,
              const std::string& label, std::vector<std::string>& warnings) {
    toml::table* at = &table;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        toml::node* child = at->get(path[i]);
        if (!child) child = &at->insert_or_assign(path[i], toml::table{}).first->second;
        if (!child->is_table()) {
            warnings.push_back("label " + label + " ignored: " + path[i] + " already has a value");
            return;
        }
        at = child->as_table();
    }
    if (const toml::node* existing = at->get(path.back()); existing && existing->is_table()) {
        // "sticky.cookie=true" beside "sticky.cookie.name=x": the table says more.
        return;
    }
    at->insert_or_assign(path.back(), value);
}

}  // namespace

std::string normalize(std::string_view name) {
    std::string out;
    bool dash = false;
    for (char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            out += c;
            dash = false;
        } else if (!dash && !out.empty()) {
            out += '-';
            dash = true;
        }
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

document build_document(std::vector<container> containers, const options& opts) {
    document doc;
    auto& warnings = doc.warnings;
    std::sort(containers.begin(), containers.end(),
              [](const container& a, const container& b) { return std::tie(a.name, a.id) < std::tie(b.name, b.id); });
    const std::string prefix = lower(opts.label_prefix) + ".";

    toml::table routers, services, middlewares;
    // Which container set each option first, to explain disagreements between replicas.
    std::map<std::string, std::pair<std::string, std::string>> first_setter;  // "kind/name/path" -> (value, container)

    for (const auto& c : containers) {
        if (c.state != "running" || c.stopping) continue;
        if (c.health == "starting" || c.health == "unhealthy") continue;

        std::vector<label> labels;
        std::optional<bool> enable;
        std::string network = opts.network;
        bool bad = false;
        for (const auto& [key, value] : c.labels) {
            const std::string k = lower(key);
            if (!k.starts_with(prefix)) continue;
            auto path = split(key.substr(prefix.size()), '.');
            const std::string first = lower(path[0]);
            if (first == "enable") {
                if (lower(value) == "true") enable = true;
                else if (lower(value) == "false") enable = false;
                else warnings.push_back("container " + c.name + ": label " + key + "=" + value + " is not true or false"), bad = true;
            } else if (path.size() == 2 && first == "docker" && lower(path[1]) == "network") {
                network = value;
            } else if (first == "http" && path.size() >= 4) {
                labels.push_back({std::move(path), key, value});
            } else {
                warnings.push_back("container " + c.name + ": label " + key + " is not understood"), bad = true;
            }
        }
        if (bad) continue;
        if (!enable.value_or(opts.exposed_by_default)) continue;

        container_view v{&c, default_service_name(c), {}, {}, {}, {}, {}, {}};
        for (auto& l : labels) {
            const std::string kind = lower(l.path[1]);
            const std::string& name = l.path[2];
            // Keys are case-insensitive: one spelling, so that replicas and labels merge.
            std::vector<std::string> rest;
            for (auto it = l.path.begin() + 3; it != l.path.end(); ++it) rest.push_back(lower(*it));
            if (kind == "routers") {
                v.routers[name][rest] = {l.value, l.key};
            } else if (kind == "services") {
                const auto& low = rest;
                if (low.size() == 3 && low[0] == "loadbalancer" && low[1] == "server") {
                    if (low[2] == "port") v.server_port[name] = {l.value, l.key};
                    else if (low[2] == "scheme") v.server_scheme[name] = l.value;
                    else if (low[2] == "weight") v.server_weight[name] = l.value;
                    else warnings.push_back("container " + c.name + ": label " + l.key + " is not understood"), bad = true;
                    v.services[name];
                } else {
                    v.services[name][rest] = {l.value, l.key};
                }
            } else if (kind == "middlewares") {
                v.middlewares[name][rest] = {l.value, l.key};
            } else {
                warnings.push_back("container " + c.name + ": label " + l.key + " is not understood"), bad = true;
            }
        }
        if (bad) continue;
        if (v.services.empty()) v.services[v.service_name];
        // A router without a service uses the container's only service.
        for (auto& [name, opts_map] : v.routers) {
            const bool has_service = std::any_of(opts_map.begin(), opts_map.end(), [](const auto& o) {
                return o.first.size() == 1 && o.first[0] == "service";
            });
            if (has_service) continue;
            if (v.services.size() == 1) opts_map[{"service"}] = {v.services.begin()->first, "(default)"};
            else warnings.push_back("container " + c.name + ": router " + name +
                                    " names no service and the container has several");
        }
        if (v.routers.empty() && v.services.size() == 1) {
            std::string rule = opts.default_rule;
            for (const auto& [from, to] : {std::pair<std::string, std::string>{"{{ normalize .Name }}", normalize(v.services.begin()->first)},
                                           {"{{ .Name }}", v.services.begin()->first}})
                for (std::size_t at; (at = rule.find(from)) != std::string::npos;) rule.replace(at, from.size(), to);
            v.routers[v.services.begin()->first] = {{{"rule"}, {rule, "(default rule)"}},
                                                    {{"service"}, {v.services.begin()->first, "(default)"}}};
        }

        // Where this container is reached.
        std::string ip;
        if (c.network_mode == "host") {
            ip = "127.0.0.1";
        } else if (!network.empty()) {
            auto it = c.networks.find(network);
            if (it == c.networks.end() || it->second.empty()) {
                warnings.push_back("container " + c.name + ": not on network " + network + " (or no address yet)");
                continue;
            }
            ip = it->second;
        } else {
            for (const auto& own : opts.own_networks)
                if (auto it = c.networks.find(own); it != c.networks.end() && !it->second.empty()) {
                    ip = it->second;
                    break;
                }
            // Otherwise the first network by name: deterministic, never random.
            for (const auto& [name, address] : c.networks)
                if (ip.empty() && !address.empty()) ip = address;
        }
        if (ip.empty()) continue;  // not attached yet: a later event brings it in

        // Servers: one per service of this container.
        std::vector<std::pair<std::string, toml::table>> servers;
        for (const auto& [name, opts_map] : v.services) {
            std::uint16_t port = 0;
            if (auto p = v.server_port.find(name); p != v.server_port.end()) {
                auto n = to_number(p->second.first, 65535);
                if (!n || *n == 0) {
                    warnings.push_back("container " + c.name + ": label " + p->second.second + "=" + p->second.first +
                                       " is not a port number; container skipped");
                    bad = true;
                    break;
                }
                port = static_cast<std::uint16_t>(*n);
            } else if (!c.exposed_ports.empty()) {
                port = *std::min_element(c.exposed_ports.begin(), c.exposed_ports.end());
            } else {
                warnings.push_back("container " + c.name + ": no port for service " + name + " (expose one or set " +
                                   opts.label_prefix + ".http.services." + name + ".loadbalancer.server.port)");
                bad = true;
                break;
            }
            const std::string scheme = v.server_scheme.count(name) ? v.server_scheme[name] : "http";
            const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
            toml::table server{{"url", scheme + "://" + host + ":" + std::to_string(port)}};
            if (auto w = v.server_weight.find(name); w != v.server_weight.end()) {
                auto n = to_number(w->second, 1'000'000);
                if (!n || *n == 0) {
                    warnings.push_back("container " + c.name + ": weight " + w->second + " is not a positive number");
                    bad = true;
                    break;
                }
                server.insert("weight", static_cast<std::int64_t>(*n));
            }
            servers.emplace_back(name, std::move(server));
        }
        if (bad) continue;

        auto apply = [&](toml::table& section, std::string_view kind, const std::map<std::string, option_map>& objects,
                         std::vector<std::string> base) {
            for (const auto& [name, opts_map] : objects) {
                for (const auto& [path, value_label] : opts_map) {
                    std::vector<std::string> full{name};
                    full.insert(full.end(), base.begin(), base.end());
                    full.insert(full.end(), path.begin(), path.end());
                    std::string key = std::string(kind);
                    for (const auto& p : full) key += "." + p;
                    auto [it, fresh] = first_setter.try_emplace(key, value_label.first, c.name);
                    if (!fresh) {
                        if (it->second.first != value_label.first)
                            warnings.push_back(std::string(kind) + " " + name + ": replicas disagree on " + key + " (\"" +
                                               it->second.first + "\" from " + it->second.second + ", \"" +
                                               value_label.first + "\" from " + c.name + "); using the first");
                        continue;
                    }
                    set_path(section, full, value_label.first, value_label.second, warnings);
                }
            }
        };
        apply(routers, "router", v.routers, {});
        std::map<std::string, option_map> service_opts;
        for (const auto& [name, opts_map] : v.services) {
            option_map lb;
            for (const auto& [path, value] : opts_map) {
                if (!path.empty() && path[0] == "loadbalancer") {
                    std::vector<std::string> rest(path.begin() + 1, path.end());
                    if (!rest.empty()) lb[rest] = value;
                } else {
                    warnings.push_back("container " + c.name + ": label " + value.second + " is not understood");
                }
            }
            service_opts[name] = std::move(lb);
        }
        apply(services, "service", service_opts, {"loadBalancer"});
        apply(middlewares, "middleware", v.middlewares, {});
        for (auto& [name, server] : servers) {
            toml::node* svc = services.get(name);
            if (!svc) svc = &services.insert_or_assign(name, toml::table{}).first->second;
            toml::table& st = *svc->as_table();
            toml::node* lbn = st.get("loadBalancer");
            if (!lbn) lbn = &st.insert_or_assign("loadBalancer", toml::table{}).first->second;
            toml::table& lbt = *lbn->as_table();
            toml::node* list = lbt.get("servers");
            if (!list) list = &lbt.insert_or_assign("servers", toml::array{}).first->second;
            list->as_array()->push_back(std::move(server));
        }
    }

    toml::table http;
    if (!routers.empty()) http.insert("routers", std::move(routers));
    if (!services.empty()) http.insert("services", std::move(services));
    if (!middlewares.empty()) http.insert("middlewares", std::move(middlewares));
    toml::table root;
    root.insert("http", std::move(http));
    std::ostringstream out;
    out << toml::toml_formatter(root);
    doc.toml = out.str();
    return doc;
}

}  // namespace sluice::docker
