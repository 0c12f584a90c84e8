// The Engine's JSON answers read into containers and events (engine_api.hpp).
#include "engine_api.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine_json.hpp"

namespace sluice::docker {

namespace {

// A container from the parsed answer of GET /containers/{id}/json.
container from_inspect(const json::value& doc) {
    container c;
    const auto& o = doc.as_object();
    c.id = json_string(o.if_contains("Id"));
    c.name = json_string(o.if_contains("Name"));
    if (c.name.starts_with('/')) c.name.erase(0, 1);
    if (const auto* state = object_at(o, "State")) {
        c.state = json_string(state->if_contains("Status"));
        c.started = start_order(json_string(state->if_contains("StartedAt")));
        if (const auto* h = object_at(*state, "Health")) c.health = json_string(h->if_contains("Status"));
    }
    if (const auto* config = object_at(o, "Config")) {
        if (const auto* labels = object_at(*config, "Labels"))
            for (const auto& [k, v] : *labels) c.labels[std::string(k)] = json_string(&v);
        if (const auto* ports = object_at(*config, "ExposedPorts"))
            for (const auto& [k, v] : *ports) {
                const std::string key(k);  // "80/tcp"
                if (!key.ends_with("/tcp")) continue;
                try {
                    c.exposed_ports.push_back(static_cast<std::uint16_t>(std::stoi(key)));
                } catch (...) {
                }
            }
        std::sort(c.exposed_ports.begin(), c.exposed_ports.end());
    }
    if (const auto* host = object_at(o, "HostConfig")) c.network_mode = json_string(host->if_contains("NetworkMode"));
    if (const auto* settings = object_at(o, "NetworkSettings"))
        if (const auto* nets = object_at(*settings, "Networks"))
            for (const auto& [name, net] : *nets)
                if (net.is_object()) c.networks[std::string(name)] = json_string(net.as_object().if_contains("IPAddress"));
    return c;
}

}  // namespace

container parse_inspect(const std::string& body) { return from_inspect(json::parse(body)); }

std::vector<std::string> container_ids(const std::string& body) {
    std::vector<std::string> ids;
    const json::value list = json::parse(body);
    if (!list.is_array()) throw engine_error("listing containers did not answer with an array");
    for (const auto& item : list.as_array())
        if (item.is_object()) ids.push_back(json_string(item.as_object().if_contains("Id")));
    return ids;
}

engine_event parse_event(const std::string& line) {
    engine_event e;
    json::value event;
    try {
        event = json::parse(line);
    } catch (...) {
        return e;
    }
    if (!event.is_object()) return e;
    const auto& o = event.as_object();
    e.action = json_string(o.if_contains("Action"));
    const bool network = json_string(o.if_contains("Type")) == "network";
    if (const auto* actor = object_at(o, "Actor")) {
        e.id = json_string(actor->if_contains("ID"));
        if (const auto* attrs = object_at(*actor, "Attributes")) {
            e.signal = json_string(attrs->if_contains("signal"));
            if (network) e.id = json_string(attrs->if_contains("container"));
        }
    }
    if (network && e.action != "connect" && e.action != "disconnect") e.id.clear();
    return e;
}

}  // namespace sluice::docker
