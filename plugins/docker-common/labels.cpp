#include "labels.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <sstream>

#include <toml++/toml.h>

#include "default_rule.hpp"
#include "label_tree.hpp"
#include "merge.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::docker {

namespace {

std::optional<unsigned> to_number(std::string_view s, unsigned max) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

// Traefik's name for a container: `<service>-<project>` under compose, else its service's
// (swarm) or its own name.
std::string default_service_name(const container& c) {
    const auto project = c.labels.find("com.docker.compose.project");
    const auto service = c.labels.find("com.docker.compose.service");
    if (project != c.labels.end() && service != c.labels.end())
        return normalize(service->second + "-" + project->second);
    return normalize(c.service_name.empty() ? c.name : c.service_name);
}

std::string names(const std::map<std::string, toml::table>& objects) {
    std::string out;
    for (const auto& [name, t] : objects) out += (out.empty() ? "" : ", ") + name;
    return out;
}

// The address this container is reached at, "" when none (yet).
std::string address_of(const container& c, const std::string& network, const options& opts,
                       std::vector<std::string>& warnings) {
    if (c.network_mode == "host") return "127.0.0.1";
    if (!network.empty()) {
        auto it = c.networks.find(network);
        if (it == c.networks.end() || it->second.empty()) {
            warnings.push_back("container " + c.name + ": not on network " + network + " (or no address yet)");
            return {};
        }
        return it->second;
    }
    for (const auto& own : opts.own_networks)
        if (auto it = c.networks.find(own); it != c.networks.end() && !it->second.empty()) return it->second;
    // Otherwise the first network by name: deterministic, never random.
    for (const auto& [name, address] : c.networks)
        if (!address.empty()) return address;
    return {};
}

// One container's routers, services (each with this container's server) and middlewares,
// completed with Traefik's defaults; nothing when a label makes its server impossible.
// `serving`: false for a container kept only for its routers and services (allowEmptyServices).
void add_container(const container& c, const options& opts, const std::string& prefix, merger& out,
                   std::vector<std::string>& warnings, bool serving) {
    decoded_labels d = decode_labels(c.labels, prefix, c.name);
    warnings.insert(warnings.end(), d.warnings.begin(), d.warnings.end());
    bool enabled = opts.exposed_by_default;
    if (d.enable) {
        const std::string v = sdk::to_lower(d.enable->value);
        if (v != "true" && v != "false") {
            warnings.push_back("container " + c.name + ": label " + d.enable->label +
                               " is not true or false; container skipped");
            return;
        }
        enabled = v == "true";
    }
    if (!enabled) return;
    // As Traefik: a container labelled for TCP or UDP only gets no HTTP defaults.
    if (!d.has_http && d.has_tcp_or_udp) return;

    const std::string name = default_service_name(c);
    auto& services = d.services;
    if (services.empty()) services[name];
    auto& routers = d.routers;
    if (routers.empty()) {
        if (services.size() > 1)
            warnings.push_back("container " + c.name + ": no default router, the container has several services (" +
                               names(services) + ")");
        else
            routers[name];
    }
    for (auto it = routers.begin(); it != routers.end();) {
        auto& [router, t] = *it;
        std::string dropped;
        if (!t.contains("rule")) {
            const auto rule = expand_default_rule(opts.default_rule, {name, c.name, &c.labels});
            if (!rule.error.empty()) dropped = rule.error;
            else if (rule.rule.empty()) dropped = "the default rule is empty";
            else t.insert_or_assign("rule", rule.rule);
        }
        if (dropped.empty() && !t.contains("service")) {
            if (services.size() > 1)
                dropped = "it names no service and the container has several (" + names(services) + ")";
            else
                t.insert_or_assign("service", services.begin()->first);
        }
        if (dropped.empty()) {
            ++it;
            continue;
        }
        warnings.push_back("container " + c.name + ": router " + router + " left out: " + dropped);
        it = routers.erase(it);
    }

    // This container's server in each of its services.
    std::optional<std::string> ip;
    std::vector<std::optional<toml::table>> servers;
    if (!serving) servers.resize(services.size());
    for (const auto& [service, t] : services) {
        if (!serving) break;
        const server_labels& s = d.servers[service];
        auto skip = [&](const std::string& why) {
            warnings.push_back("container " + c.name + ": " + why + "; container skipped");
        };
        std::string url;
        if (s.url) {
            // As Traefik: url says where the server is; port and scheme would contradict it.
            if (s.port || s.scheme) {
                skip("label " + s.url->label + " cannot be combined with " + (s.port ? s.port->label : s.scheme->label));
                return;
            }
            url = s.url->value;
        } else {
            std::uint16_t port = 0;
            if (s.port && !s.port->value.empty()) {
                auto n = to_number(s.port->value, 65535);
                if (!n || *n == 0) return skip("label " + s.port->label + " is not a port number");
                port = static_cast<std::uint16_t>(*n);
            } else if (!c.exposed_ports.empty()) {
                port = *std::min_element(c.exposed_ports.begin(), c.exposed_ports.end());
            } else {
                return skip("no port for service " + service + " (expose one or set " + opts.label_prefix +
                            ".http.services." + service + ".loadbalancer.server.port)");
            }
            if (!ip) {
                const std::string network = !c.network.empty() ? c.network : d.network ? d.network->value : opts.network;
                ip = address_of(c, network, opts, warnings);
            }
            if (ip->empty()) return;  // not attached yet: a later event brings it in
            const std::string scheme = s.scheme && !s.scheme->value.empty() ? s.scheme->value : "http";
            const std::string host = ip->find(':') != std::string::npos ? "[" + *ip + "]" : *ip;
            url = scheme + "://" + host + ":" + std::to_string(port);
        }
        toml::table server{{"url", url}};
        if (s.weight) {
            auto n = to_number(s.weight->value, 1'000'000);
            if (!n || *n == 0) return skip("label " + s.weight->label + " is not a positive number");
            server.insert("weight", static_cast<std::int64_t>(*n));
        }
        servers.push_back(std::move(server));
    }

    auto server = servers.begin();
    const merger::source from{c.name, c.started};
    for (auto& [service, t] : services) out.add_service(service, from, std::move(t), std::move(*server++));
    for (auto& [router, t] : routers) out.add_router(router, from, std::move(t));
    for (auto& [middleware, t] : d.middlewares) out.add_middleware(middleware, from, std::move(t));
}

}  // namespace

std::string start_order(std::string_view rfc3339) {
    // "YYYY-MM-DDTHH:MM:SS" [".fraction"] "Z": the fraction to nine digits.
    constexpr std::size_t seconds_end = 19;
    if (rfc3339.size() < seconds_end) return std::string(rfc3339);
    std::string out(rfc3339.substr(0, seconds_end));
    std::string_view rest = rfc3339.substr(seconds_end);
    std::string fraction;
    if (rest.starts_with('.')) {
        rest.remove_prefix(1);
        while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front()))) {
            fraction += rest.front();
            rest.remove_prefix(1);
        }
    }
    fraction.resize(9, '0');
    return out + "." + fraction + std::string(rest);
}

std::optional<std::string> label_value(const std::map<std::string, std::string>& labels, std::string_view key) {
    for (const auto& [k, v] : labels)
        if (sdk::iequals(k, key)) return v;
    return std::nullopt;
}

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
    std::sort(containers.begin(), containers.end(),
              [](const container& a, const container& b) { return std::tie(a.name, a.id) < std::tie(b.name, b.id); });
    const std::string prefix = sdk::to_lower(opts.label_prefix) + ".";
    merger merged;
    for (const auto& c : containers) {
        if (c.state != "running" || !opts.only.matches(c.labels)) continue;
        const bool serving = !c.stopping && c.health != "starting" && c.health != "unhealthy";
        if (serving || opts.allow_empty_services) add_container(c, opts, prefix, merged, doc.warnings, serving);
    }
    toml::table root;
    root.insert("http", merged.build(doc.warnings));
    std::ostringstream out;
    out << toml::toml_formatter(root);
    doc.toml = out.str();
    return doc;
}

}  // namespace sluice::docker
