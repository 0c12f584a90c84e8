// Router rules in Traefik v3's language: matchers joined by &&, || and !, with parentheses.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/sdk/ip_network.hpp"
#include "runtime/fields.hpp"

namespace re2 {
class RE2;
}

namespace sluice::runtime {

// What rules look at, prepared once per request.
struct route_input {
    std::string_view host;    // canonical_host() of the request's host; empty when it has none
    std::string_view path;    // routing form: http::request_target::routing_path
    std::string_view method;
    std::string_view query;   // as forwarded, without '?': http::request_target::query()
    std::string_view client_ip;
    const fields* headers = nullptr;
};

class rule {
public:
    // Returns nullopt and sets `error` ("position 12: expected ')'") when the text is not a rule.
    static std::optional<rule> parse(std::string_view text, std::string& error);

    bool matches(const route_input& in) const noexcept { return eval(root_, in); }
    // The one exact host every match requires (for indexing routes by host), if any.
    const std::optional<std::string>& required_host() const noexcept { return required_host_; }

    enum class op : std::uint8_t {
        all_of, any_of, negate,
        host, host_regexp, path, path_prefix, path_regexp, method,
        header, header_regexp, query, query_regexp, client_ip
    };
    struct node {
        op kind;
        std::vector<std::string> args;              // normalised arguments
        std::shared_ptr<const re2::RE2> re;         // for the *Regexp matchers
        std::vector<sdk::ip_network> networks;  // for ClientIP
        std::vector<std::uint32_t> kids;            // for all_of / any_of / negate
    };

private:
    friend class rule_parser;
    bool eval(std::uint32_t index, const route_input& in) const noexcept;

    std::vector<node> nodes_;
    std::uint32_t root_ = 0;
    std::optional<std::string> required_host_;
};

// Host canonical form: lower-case, port and IPv6 brackets removed, one trailing dot removed.
std::string canonical_host(std::string_view host_header);

}  // namespace sluice::runtime
