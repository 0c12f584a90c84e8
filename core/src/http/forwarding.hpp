// Header rules of a forwarding proxy: hop-by-hop removal, X-Forwarded-*, routing paths.
#pragma once

#include <string>
#include <string_view>

#include "http/messages.hpp"

namespace sluice::http {

namespace bhttp = boost::beast::http;

// Removes the hop-by-hop set and every field named in Connection. With `keep_upgrade`,
// Upgrade survives and Connection becomes "upgrade" (a tunnel the peer may grant).
void strip_hop_by_hop(fields& fields, bool keep_upgrade);

struct forwarding_facts {
    std::string_view client_ip;
    bool trusted = false;          // the peer is a trusted proxy: keep its X-Forwarded-* values
    bool websocket = false;
    std::string_view proxy_hostname;
};

// Removes untrusted X-Forwarded-* / X-Real-Ip (and underscore variants) and Forwarded (RFC 7239), then sets
// X-Forwarded-For (appended), -Proto, -Host, -Port, -Server and X-Real-Ip.
void set_forwarded_headers(fields& fields, const forwarding_facts& facts);

// True when the request asks for a protocol upgrade the proxy tunnels (Connection: upgrade +
// Upgrade, and not h2c).
bool wants_upgrade(const fields& fields);

// True when the comma-separated header value holds the token (case-insensitive).
bool has_token(std::string_view value, std::string_view token);

}  // namespace sluice::http
