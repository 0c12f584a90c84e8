// Containers and their labels -> the provider's dynamic configuration (Traefik's grammar).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "constraints.hpp"

namespace sluice::docker {

struct container {
    std::string id;
    std::string name;  // without the leading '/'
    std::map<std::string, std::string> labels;
    std::string state;   // created | running | paused | restarting | exited | dead
    std::string health;  // empty without a healthcheck; starting | healthy | unhealthy
    std::vector<std::uint16_t> exposed_ports;      // tcp ports from Config.ExposedPorts
    std::string network_mode;                      // "host", "bridge", a network name, ...
    std::map<std::string, std::string> networks;   // network name -> IP address ("" when none yet)
    bool stopping = false;                         // a kill or stop is under way
    std::string started;  // State.StartedAt as start_order() makes it: later starts compare greater
    // Set by a provider that chose them from labels of its own (the swarm provider's):
    std::string service_name;  // the default service's name, normalized ("" : from compose labels or the name)
    std::string network;       // the network to reach it on ("" : the docker.network label or the option)
};

// An Engine time ("2026-12-07T07:13:01.12Z", RFC 3339 in UTC, fraction trimmed) as a string
// that orders as the times do: the fraction padded to nanoseconds.
std::string start_order(std::string_view rfc3339);

struct options {
    std::string label_prefix = "sluice";
    bool exposed_by_default = true;
    constraints only;  // containers whose labels do not match are not looked at
    // A container that is not serving (its health check starting or failing, or stopping)
    // still defines its routers and services, with no server of its own: with no server
    // left, the service answers 503 instead of its router disappearing (404).
    bool allow_empty_services = false;
    std::string network;  // preferred network, when a container has several
    std::string default_rule = "Host(`{{ normalize .Name }}`)";
    std::vector<std::string> own_networks;  // networks of the container sluice runs in, if any
};

struct document {
    std::string toml;
    std::vector<std::string> warnings;
};

// Builds the whole document for the current containers. Deterministic: the same containers
// give the same text whatever their order.
document build_document(std::vector<container> containers, const options& opts);

// The value of the label named `key`, matched case-insensitively as Traefik does.
std::optional<std::string> label_value(const std::map<std::string, std::string>& labels, std::string_view key);

// "web_1.x" -> "web-1-x": every run of characters other than letters and digits becomes '-'.
std::string normalize(std::string_view name);

}  // namespace sluice::docker
