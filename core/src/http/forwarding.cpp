#include "http/forwarding.hpp"

#include <array>
#include <cctype>
#include <vector>

#include "config/config_error.hpp"

namespace sluice::http {

using config::iequals;

bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        std::string_view item = value.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (iequals(item, token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

bool wants_upgrade(const bhttp::fields& fields) {
    const auto upgrade = fields.find(bhttp::field::upgrade);
    if (upgrade == fields.end()) return false;
    // h2c is never tunnelled: a backend that accepts it would speak HTTP/2 past the proxy's
    // routing and access rules (request smuggling through the upgrade).
    for (auto it = upgrade; it != fields.end() && it->name() == bhttp::field::upgrade; ++it)
        if (has_token(it->value(), "h2c")) return false;
    for (auto it = fields.find(bhttp::field::connection); it != fields.end() && it->name() == bhttp::field::connection;
         ++it)
        if (has_token(it->value(), "upgrade")) return true;
    return false;
}

void strip_hop_by_hop(bhttp::fields& fields, bool keep_upgrade) {
    std::vector<std::string> listed;
    for (auto it = fields.find(bhttp::field::connection); it != fields.end() && it->name() == bhttp::field::connection;
         ++it) {
        std::string_view value = it->value();
        while (!value.empty()) {
            const auto comma = value.find(',');
            std::string_view item = value.substr(0, comma);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
            if (!item.empty()) listed.emplace_back(item);
            if (comma == std::string_view::npos) break;
            value.remove_prefix(comma + 1);
        }
    }
    for (const auto& name : listed)
        if (!(keep_upgrade && iequals(name, "upgrade"))) fields.erase(name);
    static constexpr std::array hop_by_hop{bhttp::field::connection, bhttp::field::keep_alive,
                                           bhttp::field::proxy_connection, bhttp::field::te,
                                           bhttp::field::trailer, bhttp::field::transfer_encoding};
    for (auto f : hop_by_hop) fields.erase(f);
    // Belongs to an h2c upgrade, which is never forwarded.
    fields.erase("HTTP2-Settings");
    if (keep_upgrade) fields.set(bhttp::field::connection, "upgrade");
    else fields.erase(bhttp::field::upgrade);
}

namespace {
// X-Forwarded-For, x_forwarded_for, X-Real-Ip... in any case and separator.
// Compares in place: this runs for every header field of every request.
bool is_forwarding_field(std::string_view name) {
    auto same = [](std::string_view text, std::string_view canonical) {
        return text.size() == canonical.size() &&
               std::equal(text.begin(), text.end(), canonical.begin(), [](char c, char want) {
                   return (c == '_' ? '-' : std::tolower(static_cast<unsigned char>(c))) == want;
               });
    };
    constexpr std::string_view prefix = "x-forwarded-";
    return (name.size() > prefix.size() && same(name.substr(0, prefix.size()), prefix)) || same(name, "x-real-ip") ||
           same(name, "forwarded");
}

std::string_view host_port(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        if (close != std::string_view::npos && close + 1 < host.size() && host[close + 1] == ':')
            return host.substr(close + 2);
        return {};
    }
    const auto colon = host.rfind(':');
    return colon == std::string_view::npos ? std::string_view{} : host.substr(colon + 1);
}
}  // namespace

void set_forwarded_headers(bhttp::fields& fields, const forwarding_facts& facts) {
    std::string forwarded_for;
    if (facts.trusted) {
        for (auto it = fields.find("X-Forwarded-For"); it != fields.end() && iequals(it->name_string(), "X-Forwarded-For");
             ++it) {
            if (!forwarded_for.empty()) forwarded_for += ", ";
            forwarded_for += it->value();
        }
    } else {
        std::vector<std::string> names;
        for (const auto& f : fields)
            if (is_forwarding_field(f.name_string())) names.emplace_back(f.name_string());
        for (const auto& n : names) fields.erase(n);
    }
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += facts.client_ip;
    fields.set("X-Forwarded-For", forwarded_for);

    auto set_unless_trusted = [&](std::string_view name, std::string_view value) {
        if (!facts.trusted || fields.find(name) == fields.end()) fields.set(name, value);
    };
    const std::string_view host = fields[bhttp::field::host];
    const std::string_view port = host_port(host);
    set_unless_trusted("X-Forwarded-Proto", facts.websocket ? "ws" : "http");
    set_unless_trusted("X-Forwarded-Host", host);
    set_unless_trusted("X-Forwarded-Port", port.empty() ? std::string_view("80") : port);
    set_unless_trusted("X-Real-Ip", facts.client_ip);
    fields.set("X-Forwarded-Server", facts.proxy_hostname);
}


}  // namespace sluice::http
