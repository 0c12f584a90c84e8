// What redirectScheme and redirectRegex share: the URL the client asked for, and the answer
// that sends it elsewhere, as Traefik's redirect middlewares give it.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/sdk/http.hpp"
#include "sluice/sdk/middleware.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::redirect {

// A Host header split into its name and its port (":8080", empty when none): "[::1]:80" is
// "[::1]" and ":80".
struct host_port {
    std::string_view host, port;
};
inline host_port split_host(std::string_view host) noexcept {
    const auto colon = host.rfind(':');
    const auto bracket = host.rfind(']');
    if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) return {host, {}};
    return {host.substr(0, colon), host.substr(colon)};
}

// The scheme of the client's connection. Every entry point is plain HTTP until TLS
// termination exists; X-Forwarded-Proto is not this (redirectScheme reads it on purpose).
inline std::string_view connection_scheme(const sdk::request&) noexcept { return "http"; }

// The status of a redirect, as Traefik chooses it: 302 for GET, 307 for any other method
// (which must be repeated as it was); 301 and 308 when permanent.
inline std::uint16_t redirect_status(std::string_view method, bool permanent) noexcept {
    const bool get = method == "GET";
    if (permanent) return get ? 301 : 308;
    return get ? 302 : 307;
}

inline std::string_view status_text(std::uint16_t status) noexcept {
    switch (status) {
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        default: return "Bad Gateway";
    }
}

// A Location a client can follow, or why not (Go's url.Parse refusals that Traefik answers
// with 502): a control character, a broken escape, an escape of an ASCII character in the
// host. Bytes past ASCII and spaces are escaped, as Go prints a URL.
inline bool valid_location(std::string_view url, std::string& out) {
    auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    const auto scheme_end = url.find("://");
    const std::size_t host_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    const std::size_t host_end =
        scheme_end == std::string_view::npos ? 0 : std::min(url.find_first_of("/?#", host_begin), url.size());
    static constexpr char digits[] = "0123456789ABCDEF";
    out.clear();
    for (std::size_t i = 0; i < url.size(); ++i) {
        const auto c = static_cast<unsigned char>(url[i]);
        if (c < 0x20 || c == 0x7F) return false;
        if (c == '%') {
            if (i + 2 >= url.size() || !hex(url[i + 1]) || !hex(url[i + 2])) return false;
            const bool in_host = i >= host_begin && i < host_end;
            if (in_host && url.substr(i, 3) != "%25" && std::string_view("01234567").find(url[i + 1]) != std::string_view::npos)
                return false;
        }
        if (c >= 0x80 || c == ' ') {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 0xF];
        } else {
            out += static_cast<char>(c);
        }
    }
    return true;
}

// Answers the request with a redirect to `url` (the status as the method and `permanent`
// choose), or 502 when `url` is not one a client can follow.
inline sdk::verdict answer(sdk::local_reply& reply, std::string_view method, std::string_view url, bool permanent) {
    std::string location;
    const std::uint16_t status = valid_location(url, location) ? redirect_status(method, permanent) : 502;
    reply.set_status(status);
    if (status != 502) reply.set_header("Location", location);
    reply.set_header("Content-Type", "text/plain; charset=utf-8");
    reply.set_body(std::string(status_text(status)));
    return sdk::verdict::respond;
}

}  // namespace sluice::redirect
