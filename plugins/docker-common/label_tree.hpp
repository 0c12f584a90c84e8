// One container's labels -> routers, services and middlewares in Traefik's label grammar.
//
// Labels are first read into a tree (one node per dotted part, names matched
// case-insensitively, the first spelling kept), where a node may carry a value and children
// at once, as in Traefik: `sticky.cookie=true` beside `sticky.cookie.name=x` is one cookie
// that is on and named x. The tree is then read against the shapes the core understands.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace sluice::docker {

// A `<p>.http.services.<s>.loadbalancer.server.*` value and the label that set it.
struct labelled_value {
    std::string value;
    std::string label;  // "key=value", for messages
};

// This container's own server of one service.
struct server_labels {
    std::optional<labelled_value> port, scheme, weight, url;
};

struct decoded_labels {
    std::optional<labelled_value> enable;
    std::optional<labelled_value> network, lbswarm;              // docker.network, docker.lbswarm
    std::optional<labelled_value> swarm_network, swarm_lbswarm;  // swarm.network, swarm.lbswarm
    bool has_http = false;        // any accepted label under <p>.http
    bool has_tcp_or_udp = false;  // <p>.tcp or <p>.udp labels (not supported, ignored)
    // Keyed by name as first written. Services carry their options without servers.
    std::map<std::string, toml::table> routers, services, middlewares;
    std::map<std::string, server_labels> servers;  // by service name
    std::vector<std::string> warnings;             // each names the container and the label
};

// Reads the labels under `prefix` (lower case, with its trailing dot). Labels that are not
// understood are reported in `warnings` and ignored; the rest still applies.
decoded_labels decode_labels(const std::map<std::string, std::string>& labels, const std::string& prefix,
                             const std::string& container_name);

}  // namespace sluice::docker
