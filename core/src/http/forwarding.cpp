#include "http/forwarding.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/container/small_vector.hpp>

#include "config/config_error.hpp"

namespace sluice::http {

using config::iequals;

namespace {
// Calls `f` with each item of a comma-separated field value, trimmed; stops when `f` says true.
template <class F>
bool any_token(std::string_view value, F f) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        std::string_view item = value.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (!item.empty() && f(item)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}
}  // namespace

bool has_token(std::string_view value, std::string_view token) {
    return any_token(value, [&](std::string_view item) { return iequals(item, token); });
}

bool wants_upgrade(const fields& fields) {
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

namespace {
// Erases the fields at `doomed` (collected during a pass, so that no value read in that pass
// is freed while it is read).
using doomed_fields = boost::container::small_vector<fields::const_iterator, 8>;
void erase_all(fields& fields, const doomed_fields& doomed) {
    for (const auto& it : doomed) fields.erase(it);
}

bool is_hop_by_hop(bhttp::field name) noexcept {
    switch (name) {
        case bhttp::field::connection:
        case bhttp::field::keep_alive:
        case bhttp::field::proxy_connection:
        case bhttp::field::te:
        case bhttp::field::trailer:
        case bhttp::field::transfer_encoding: return true;
        default: return false;
    }
}
}  // namespace

// One pass over the fields by their enum (Beast parsed each name once), not a lookup by
// name per field removed.
void strip_hop_by_hop(fields& fields, bool keep_upgrade) {
    // Names the Connection fields list: views into their values, erased only after the pass.
    boost::container::small_vector<std::string_view, 4> listed;
    for (const auto& f : fields) {
        if (f.name() != bhttp::field::connection) continue;
        any_token(f.value(), [&](std::string_view item) {
            if (!(keep_upgrade && iequals(item, "upgrade"))) listed.push_back(item);
            return false;
        });
    }
    doomed_fields doomed;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        const auto name = it->name();
        const std::string_view text = it->name_string();
        if (is_hop_by_hop(name) || (name == bhttp::field::upgrade && !keep_upgrade) ||
            // Belongs to an h2c upgrade, which is never forwarded.
            (name == bhttp::field::unknown && iequals(text, "HTTP2-Settings")) ||
            std::any_of(listed.begin(), listed.end(), [&](std::string_view n) { return iequals(n, text); }))
            doomed.push_back(it);
    }
    erase_all(fields, doomed);
    if (keep_upgrade) fields.insert(bhttp::field::connection, "upgrade");
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

// One pass: what the peer sent is removed (untrusted) or read (trusted); then the proxy's
// own fields are appended. Their names are unknown to Beast: inserted as such, with no name
// lookup.
void set_forwarded_headers(fields& fields, const forwarding_facts& facts) {
    static constexpr std::array<std::string_view, 4> kept_when_trusted{"X-Forwarded-Proto", "X-Forwarded-Host",
                                                                       "X-Forwarded-Port", "X-Real-Ip"};
    std::string forwarded_for;
    std::string_view host;
    std::array<bool, kept_when_trusted.size()> present{};
    doomed_fields doomed;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        if (it->name() == bhttp::field::host) host = it->value();
        if (it->name() != bhttp::field::unknown && it->name() != bhttp::field::forwarded) continue;
        const std::string_view name = it->name_string();
        if (!facts.trusted) {
            if (is_forwarding_field(name)) doomed.push_back(it);
            continue;
        }
        if (iequals(name, "X-Forwarded-For")) {
            if (!forwarded_for.empty()) forwarded_for += ", ";
            forwarded_for += it->value();
            doomed.push_back(it);
        } else if (iequals(name, "X-Forwarded-Server")) {
            doomed.push_back(it);
        } else {
            for (std::size_t i = 0; i < kept_when_trusted.size(); ++i)
                if (iequals(name, kept_when_trusted[i])) present[i] = true;
        }
    }
    // Read before the erasure: `host` stays (it is not a forwarding field).
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += facts.client_ip;
    erase_all(fields, doomed);
    fields.insert(bhttp::field::unknown, "X-Forwarded-For", forwarded_for);
    const std::string_view port = host_port(host);
    const std::array<std::string_view, kept_when_trusted.size()> values{
        facts.websocket ? "ws" : "http", host, port.empty() ? std::string_view("80") : port, facts.client_ip};
    for (std::size_t i = 0; i < kept_when_trusted.size(); ++i)
        if (!present[i]) fields.insert(bhttp::field::unknown, kept_when_trusted[i], values[i]);
    fields.insert(bhttp::field::unknown, "X-Forwarded-Server", facts.proxy_hostname);
}

}  // namespace sluice::http
