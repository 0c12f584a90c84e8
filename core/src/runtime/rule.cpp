// Rule evaluation: what each matcher of a parsed rule looks at in a request.
#include "runtime/rule.hpp"

#include <algorithm>

#include <re2/re2.h>

#include "config/config_error.hpp"

namespace sluice::runtime {

std::string canonical_host(std::string_view h) {
    if (!h.empty() && h.front() == '[') {
        const auto close = h.find(']');
        h = close == std::string_view::npos ? h.substr(1) : h.substr(1, close - 1);
    } else if (const auto colon = h.rfind(':'); colon != std::string_view::npos && h.find(':') == colon) {
        h = h.substr(0, colon);
    }
    if (!h.empty() && h.back() == '.') h.remove_suffix(1);
    return config::to_lower(h);
}

namespace {

// Traefik's DomainMatchHostExpression: a pattern starting with '*' matches a host whose
// first label, replaced by '*', gives the pattern ("*.example.com": "a.example.com", not
// "example.com", not "a.b.example.com").
bool host_matches(std::string_view pattern, std::string_view host) noexcept {
    if (pattern.starts_with('*')) {
        const auto dot = host.find('.');
        return pattern.substr(1) == (dot == std::string_view::npos ? std::string_view() : host.substr(dot));
    }
    return pattern == host;
}

bool any_header_value(const route_input& in, std::string_view name, auto&& pred) {
    if (!in.headers) return false;
    for (auto it = in.headers->find(name); it != in.headers->end() && config::iequals(it->name_string(), name); ++it)
        if (pred(std::string_view(it->value()))) return true;
    return false;
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Go's url.QueryUnescape accepts a component when every '%' starts a valid escape.
bool valid_component(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == '%') {
            if (i + 2 >= s.size() || hex_digit(s[i + 1]) < 0 || hex_digit(s[i + 2]) < 0) return false;
            i += 2;
        }
    return true;
}

// The decoded form of a valid component ('+' is a space, as in HTML forms), one byte at a time.
template <class Fn>
bool for_each_decoded(std::string_view s, Fn&& fn) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') c = ' ';
        else if (c == '%') {
            c = static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        }
        if (!fn(c)) return false;
    }
    return true;
}

// Compares without decoding into a buffer: rules run on every request.
bool decoded_equals(std::string_view encoded, std::string_view want) noexcept {
    std::size_t at = 0;
    const bool same = for_each_decoded(encoded, [&](char c) { return at < want.size() && want[at++] == c; });
    return same && at == want.size();
}

// Go's url.ParseQuery, which Traefik's Query matchers read: pairs split on '&', a pair
// holding ';' or a malformed escape is skipped, key and value are unescaped. Raw bytes
// such as '{' are taken as they are.
template <class Pred>
bool any_query_value(const route_input& in, std::string_view key, Pred&& pred) {
    std::string_view rest = in.query;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
        const auto eq = pair.find('=');
        const std::string_view k = pair.substr(0, eq);
        const std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        if (!valid_component(k) || !valid_component(v) || !decoded_equals(k, key)) continue;
        if (pred(v)) return true;
    }
    return false;
}

bool re_search(const re2::RE2& re, std::string_view text) { return re2::RE2::PartialMatch(text, re); }

}  // namespace

bool rule::eval(std::uint32_t index, const route_input& in) const noexcept {
    const node& n = nodes_[index];
    switch (n.kind) {
        case op::all_of:
            return std::all_of(n.kids.begin(), n.kids.end(), [&](std::uint32_t k) { return eval(k, in); });
        case op::any_of:
            return std::any_of(n.kids.begin(), n.kids.end(), [&](std::uint32_t k) { return eval(k, in); });
        case op::negate: return !eval(n.kids[0], in);
        case op::host: return n.args[0] == "*" || (!in.host.empty() && host_matches(n.args[0], in.host));
        case op::host_regexp: return !in.host.empty() && re_search(*n.re, in.host);
        case op::path: return in.path == n.args[0];
        case op::path_prefix: return in.path.starts_with(n.args[0]);
        case op::path_regexp: return re_search(*n.re, in.path);
        case op::method: return in.method == n.args[0];
        case op::header:
            return any_header_value(in, n.args[0], [&](std::string_view v) { return v == n.args[1]; });
        case op::header_regexp:
            return any_header_value(in, n.args[0], [&](std::string_view v) { return re_search(*n.re, v); });
        case op::query: {
            const std::string_view want = n.args.size() == 2 ? std::string_view(n.args[1]) : std::string_view();
            return any_query_value(in, n.args[0], [&](std::string_view v) { return decoded_equals(v, want); });
        }
        case op::query_regexp:
            return any_query_value(in, n.args[0], [&](std::string_view encoded) {
                // Decoded into a buffer only when there is something to decode.
                if (encoded.find_first_of("%+") == std::string_view::npos) return re_search(*n.re, encoded);
                std::string value;
                value.reserve(encoded.size());
                for_each_decoded(encoded, [&](char c) {
                    value += c;
                    return true;
                });
                return re_search(*n.re, value);
            });
        case op::client_ip: return n.networks[0].contains(in.client_ip);
    }
    return false;
}

}  // namespace sluice::runtime
