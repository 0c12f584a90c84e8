// The request target (RFC 9112 3.2) in the forms the proxy needs: the origin-form target
// sent upstream and the path that routing rules see.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::http {

enum class target_form : std::uint8_t {
    origin,     // "/path?query"
    absolute,   // "http://host:port/path?query": routed like origin-form, its host overrides Host
    authority,  // "host:port", CONNECT only
    asterisk,   // "*", OPTIONS only
};

// Filled once per request by parse_request_target; reusing one object keeps its buffers.
struct request_target {
    target_form form = target_form::origin;
    // Origin-form target for the upstream: the normalised path (unreserved escapes decoded,
    // other escapes upper-cased, bytes not allowed in a path escaped), then '?' and the query
    // when the request had one (';' becomes '&', as Traefik forwards it). "*" for asterisk-form,
    // empty for authority-form.
    std::string forward_target;
    // What Path, PathPrefix and PathRegexp see: every escape decoded except those of the
    // reserved characters of RFC 3986 2.2 and %25 (kept, upper-cased).
    std::string routing_path;
    // host[:port] (no userinfo) of an absolute-form or authority-form target. Empty for the
    // other forms and for an absolute URI with an empty host: the Host header applies then.
    std::string authority;
    // forward_target[0, path_size) is the path.
    std::size_t path_size = 0;
    // False when forward_target is the received target byte for byte (no rewrite needed).
    bool rewritten = false;

    std::string_view path() const noexcept { return std::string_view(forward_target).substr(0, path_size); }
    // The query without '?', empty when there is none; a view into forward_target.
    std::string_view query() const noexcept {
        const std::string_view t = forward_target;
        return path_size < t.size() ? t.substr(path_size + 1) : std::string_view();
    }
};

// Parses and normalises a request target. Returns false (answer 400) for a malformed
// percent-encoding, a fragment ('#') in the path, or a target in none of the four forms.
bool parse_request_target(std::string_view target, request_target& out);

}  // namespace sluice::http
