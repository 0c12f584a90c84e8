#include "http/request_target.hpp"

#include <array>

#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>

namespace sluice::http {

namespace {

// What a byte of a path is, by RFC 3986: one table lookup per byte on the request path.
enum byte_class : std::uint8_t {
    other = 0,     // not allowed raw in a path: escaped when forwarded
    unreserved,    // ALPHA DIGIT - . _ ~
    reserved,      // gen-delims and sub-delims (RFC 3986 2.2) and '%': kept escaped for routing
};

constexpr std::array<std::uint8_t, 256> make_classes() {
    std::array<std::uint8_t, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[c] = unreserved;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = unreserved;
    for (int c = '0'; c <= '9'; ++c) t[c] = unreserved;
    for (char c : std::string_view("-._~")) t[static_cast<unsigned char>(c)] = unreserved;
    for (char c : std::string_view(":/?#[]@!$&'()*+,;=%")) t[static_cast<unsigned char>(c)] = reserved;
    return t;
}
constexpr auto classes = make_classes();

// Characters Go's net/url leaves raw in a path it forwards (its validEncoded): the others
// are escaped. '?' and '#' never reach here ('?' ends the path, '#' is refused).
constexpr bool raw_in_path(unsigned char c) { return classes[c] != other; }
// Copied into both the forwarded target and the routing path unchanged.
constexpr bool kept_as_is(unsigned char c) { return c != '%' && c != '#' && raw_in_path(c); }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr char upper_hex[] = "0123456789ABCDEF";

void append_escape(std::string& out, unsigned char c) {
    const char e[3] = {'%', upper_hex[c >> 4], upper_hex[c & 15]};
    out.append(e, 3);
}

// Normalises the path and query of an origin-form target (or the part of an absolute-form
// target after its authority) into `out`.
bool normalise(std::string_view rest, request_target& out) {
    const std::size_t question = rest.find('?');
    std::string_view path = rest.substr(0, question);
    // An absolute URI may have an empty path: its origin-form equivalent is "/" (RFC 9112 3.2.1).
    if (path.empty()) path = "/";
    out.forward_target.reserve(rest.size() + 1);
    out.routing_path.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        // A run of characters that stay as they are (most paths are one) is copied at once.
        std::size_t plain = i;
        while (plain < path.size() && kept_as_is(static_cast<unsigned char>(path[plain]))) ++plain;
        out.forward_target.append(path, i, plain - i);
        out.routing_path.append(path, i, plain - i);
        if (plain == path.size()) break;
        i = plain;
        const auto c = static_cast<unsigned char>(path[i]);
        if (c == '%') {
            if (i + 2 >= path.size()) return false;
            const int hi = hex_value(path[i + 1]), lo = hex_value(path[i + 2]);
            if (hi < 0 || lo < 0) return false;
            const auto d = static_cast<unsigned char>(hi * 16 + lo);
            i += 2;
            if (classes[d] == unreserved) {
                out.forward_target += static_cast<char>(d);
                out.routing_path += static_cast<char>(d);
                continue;
            }
            append_escape(out.forward_target, d);
            if (classes[d] == reserved) append_escape(out.routing_path, d);
            else out.routing_path += static_cast<char>(d);
            continue;
        }
        // A fragment is never sent; forwarding one would change the request's meaning
        // (Traefik refuses it too).
        if (c == '#') return false;
        if (raw_in_path(c)) out.forward_target += static_cast<char>(c);
        else append_escape(out.forward_target, c);
        out.routing_path += static_cast<char>(c);
    }
    out.path_size = out.forward_target.size();
    if (question != std::string_view::npos) {
        const std::string_view query = rest.substr(question);
        const std::size_t at = out.forward_target.size();
        out.forward_target += query;
        // Traefik (Go's AllowQuerySemicolons, then its forwarder) treats ';' as '&'.
        for (std::size_t i = at; i < out.forward_target.size(); ++i)
            if (out.forward_target[i] == ';') out.forward_target[i] = '&';
    }
    return true;
}

bool parse_absolute(std::string_view target, std::size_t scheme_end, request_target& out) {
    const std::size_t authority_end = target.find_first_of("/?#", scheme_end + 3);
    const std::string_view head = target.substr(0, authority_end);
    // Parsed from a terminated copy: Boost.URL 1.81 reads some views up to a NUL.
    const std::string head_copy(head);
    const auto uri = boost::urls::parse_absolute_uri(head_copy);
    if (!uri || !uri->has_authority()) return false;
    const std::string_view rest = authority_end == std::string_view::npos ? std::string_view() : target.substr(authority_end);
    if (!rest.empty() && rest.front() == '#') return false;
    // Go takes the URI's host as the request's host; an empty one leaves the Host header in
    // charge (Traefik's TestEmptyHost: "GET http://@/" routes by Host).
    if (!uri->encoded_host().empty()) out.authority = std::string_view(uri->encoded_host_and_port());
    out.form = target_form::absolute;
    out.rewritten = true;
    return normalise(rest, out);
}

}  // namespace

bool parse_request_target(std::string_view target, request_target& out) {
    out.form = target_form::origin;
    out.forward_target.clear();
    out.routing_path.clear();
    out.authority.clear();
    out.path_size = 0;
    out.rewritten = false;
    if (target.empty()) return false;
    if (target.front() == '/') {
        if (!normalise(target, out)) return false;
        out.rewritten = out.forward_target != target;
        return true;
    }
    if (target == "*") {
        out.form = target_form::asterisk;
        out.forward_target = "*";
        out.path_size = 1;
        return true;
    }
    if (const auto sep = target.find("://"); sep != std::string_view::npos && sep > 0 &&
                                              target.find_first_of("/?#") > sep)
        return parse_absolute(target, sep, out);
    // authority-form = uri-host ":" port (RFC 9112 3.2.3).
    const std::string copy(target);
    const auto authority = boost::urls::parse_authority(copy);
    if (!authority || authority->has_userinfo() || !authority->has_port() || authority->port().empty() ||
        authority->encoded_host().empty())
        return false;
    out.form = target_form::authority;
    out.authority = copy;
    return true;
}

}  // namespace sluice::http
