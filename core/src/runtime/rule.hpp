// Router rules in Traefik v3's language: matchers joined by &&, || and !, with parentheses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::runtime {

// What rules look at, prepared once per request.
struct route_input {
    std::string_view host;    // lower-case, without port or trailing dot
    std::string_view path;    // routing form
    std::string_view method;
};

class rule {
public:
    // Returns nullopt and sets `error` ("position 12: expected ')'") when the text is not a rule.
    static std::optional<rule> parse(std::string_view text, std::string& error);

    bool matches(const route_input& in) const noexcept { return eval(root_, in); }

    enum class op : std::uint8_t { all_of, any_of, negate, host, path, path_prefix, method };
    struct node {
        op kind;
        std::string arg;                 // matcher argument (normalised)
        std::vector<std::uint32_t> kids;  // for all_of / any_of / negate
    };

private:
    friend class rule_parser;
    bool eval(std::uint32_t index, const route_input& in) const noexcept;

    std::vector<node> nodes_;
    std::uint32_t root_ = 0;
};

// Host canonical form: lower-case, port and IPv6 brackets removed, one trailing dot removed.
std::string canonical_host(std::string_view host_header);

}  // namespace sluice::runtime
