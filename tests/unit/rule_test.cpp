#include <gtest/gtest.h>

#include "runtime/rule.hpp"

using sluice::runtime::rule;
using sluice::runtime::route_input;

namespace {

bool matches(std::string_view text, route_input in) {
    std::string error;
    auto r = rule::parse(text, error);
    EXPECT_TRUE(r) << text << ": " << error;
    return r && r->matches(in);
}

TEST(rule, host_and_path_prefix) {
    struct {
        const char* rule;
        route_input in;
        bool expected;
    } cases[] = {
        {"Host(`demo.localhost`)", {"demo.localhost", "/", "GET", "", "", nullptr}, true},
        {"Host(`demo.localhost`)", {"other.localhost", "/", "GET", "", "", nullptr}, false},
        {"Host(`Demo.LocalHost.`)", {"demo.localhost", "/", "GET", "", "", nullptr}, true},
        {"Host(`demo.localhost`)", {"", "/", "GET", "", "", nullptr}, false},
        {"Host(`*.example.com`)", {"a.example.com", "/", "GET", "", "", nullptr}, true},
        {"Host(`*.example.com`)", {"a.b.example.com", "/", "GET", "", "", nullptr}, false},
        {"Host(`*.example.com`)", {"example.com", "/", "GET", "", "", nullptr}, false},
        {"PathPrefix(`/api`)", {"x", "/apiary", "GET", "", "", nullptr}, true},
        {"PathPrefix(`/api/`)", {"x", "/api", "GET", "", "", nullptr}, false},
        {"Path(`/a`)", {"x", "/a/", "GET", "", "", nullptr}, false},
        {"Host(`a`) && PathPrefix(`/api/`)", {"a", "/api/x", "GET", "", "", nullptr}, true},
        {"Host(`a`) && PathPrefix(`/api/`)", {"b", "/api/x", "GET", "", "", nullptr}, false},
        {"Host(`a`) || Host(`b`) && Path(`/x`)", {"a", "/y", "GET", "", "", nullptr}, true},
        {"Host(`a`) || Host(`b`) && Path(`/x`)", {"b", "/y", "GET", "", "", nullptr}, false},
        {"(Host(`a`) || Host(`b`)) && Path(`/x`)", {"a", "/y", "GET", "", "", nullptr}, false},
        {"!Host(`a`)", {"b", "/", "GET", "", "", nullptr}, true},
        {"!(Host(`a`) || Host(`b`))", {"b", "/", "GET", "", "", nullptr}, false},
        {"host(\"a\") && METHOD(`post`)", {"a", "/", "POST", "", "", nullptr}, true},
    };
    for (const auto& c : cases) EXPECT_EQ(matches(c.rule, c.in), c.expected) << c.rule << " host=" << c.in.host;
}

TEST(rule, every_matcher) {
    boost::beast::http::fields h;
    h.insert("X-Env", "staging");
    h.insert("X-Env", "prod");
    h.insert("Accept", "application/json");
    auto in = [&](std::string_view host, std::string_view path, std::string_view query = "",
                  std::string_view ip = "10.1.2.3", std::string_view method = "GET") {
        return route_input{host, path, method, query, ip, &h};
    };
    struct {
        const char* rule;
        route_input in;
        bool expected;
    } cases[] = {
        {"HostRegexp(`^[a-z]+\\.example\\.com$`)", in("api.example.com", "/"), true},
        {"HostRegexp(`^[a-z]+\\.example\\.com$`)", in("a.b.example.com", "/"), false},
        {"HostRegexp(`example`)", in("www.example.org", "/"), true},  // unanchored
        {"PathRegexp(`^/v[0-9]+/`)", in("x", "/v2/users"), true},
        {"PathRegexp(`^/v[0-9]+/`)", in("x", "/vx/users"), false},
        {"Header(`X-Env`, `prod`)", in("x", "/"), true},  // any value
        {"Header(`x-env`, `prod`)", in("x", "/"), true},  // names are case-insensitive
        {"Header(`X-Env`, `pro`)", in("x", "/"), false},  // values exact
        {"Header(`X-Missing`, `a`)", in("x", "/"), false},
        {"HeaderRegexp(`Accept`, `json$`)", in("x", "/"), true},
        {"Query(`debug`)", in("x", "/", "debug"), true},
        {"Query(`debug`)", in("x", "/", "debug="), true},
        {"Query(`debug`)", in("x", "/", "debug=1"), false},
        {"Query(`q`, `a b`)", in("x", "/", "q=a+b"), true},
        {"Query(`q`, `a/b`)", in("x", "/", "x=1&q=a%2Fb"), true},
        {"Query(`q`, `2`)", in("x", "/", "q=1&q=2"), true},
        {"Query(`beta`, `yes`)", in("x", "/api/x", "beta=yes"), true},
        {"Header(`X-Beta`, `1`) || Query(`beta`, `yes`)", in("x", "/api/x", "beta=yes"), true},
        {"QueryRegexp(`id`, `^[0-9]+$`)", in("x", "/", "id=42"), true},
        {"QueryRegexp(`id`, `^[0-9]+$`)", in("x", "/", "id=4x"), false},
        {"ClientIP(`10.0.0.0/8`)", in("x", "/"), true},
        {"ClientIP(`10.1.2.3`)", in("x", "/"), true},
        {"ClientIP(`192.168.0.0/16`)", in("x", "/"), false},
        {"ClientIP(`::1`)", in("x", "/", "", "::1"), true},
        {"Method(`POST`) && Header(`X-Env`, `prod`)", in("x", "/", "", "1.1.1.1", "POST"), true},
        {"!Method(`GET`)", in("x", "/"), false},
        {"QUERY(`debug`) || PATH(`/x`)", in("x", "/x"), true},
    };
    for (const auto& c : cases) EXPECT_EQ(matches(c.rule, c.in), c.expected) << c.rule;
}

TEST(rule, query_view_inside_a_longer_buffer_is_read_to_its_end_only) {
    // The query is a view into the request head: the bytes after it belong to others.
    const std::string head = "beta=yes HTTP/1.1\r\nHost: d";
    const route_input in{"d", "/api/x", "GET", std::string_view(head).substr(0, 8), "127.0.0.1", nullptr};
    EXPECT_TRUE(matches("Query(`beta`, `yes`)", in));
}

TEST(rule, required_host_is_found_for_indexing) {
    struct {
        const char* rule;
        const char* host;
    } cases[] = {
        {"Host(`A.example.com`)", "a.example.com"},
        {"PathPrefix(`/x`) && Host(`b`)", "b"},
        {"Host(`a`) || Host(`b`)", nullptr},
        {"!Host(`a`)", nullptr},
        {"Host(`*.a`)", nullptr},
        {"PathPrefix(`/`)", nullptr},
    };
    for (const auto& c : cases) {
        std::string error;
        auto r = rule::parse(c.rule, error);
        ASSERT_TRUE(r) << error;
        if (c.host) EXPECT_EQ(r->required_host(), std::optional<std::string>(c.host)) << c.rule;
        else EXPECT_FALSE(r->required_host()) << c.rule;
    }
}

TEST(rule, errors_point_at_the_position) {
    struct {
        const char* rule;
        const char* error;
    } cases[] = {
        {"", "the rule is empty"},
        {"Host(`a`", "position 9: expected \")\""},
        {"Host(`a`) &&", "unexpected end of rule"},
        {"Hots(`a`)", "position 1: unknown matcher \"Hots\""},
        {"Host(``)", "empty value"},
        {"Host(a)", "expected a value in backticks or double quotes"},
        {"PathPrefix(`api`)", "must start with \"/\""},
        {"Host(`a`, `b`)", "Host takes 1 argument(s), got 2"},
        {"Host(`a`) Host(`b`)", "position 11: unexpected"},
        {"HoSt(`a`)", "unknown matcher"},
        {"HostRegexp(`(`)", "HostRegexp: invalid regular expression"},
        {"ClientIP(`10.0.0.0/40`)", "is not an IP address or CIDR range"},
        {"Header(`a`)", "Header takes 2 argument(s), got 1"},
        {"Query(`a`, `b`, `c`)", "Query takes 1 or 2 argument(s), got 3"},
        {"Host(`a`) && && Path(`/`)", "position 14: expected a matcher"},
        {"!", "unexpected end of rule"},
    };
    for (const auto& c : cases) {
        std::string error;
        EXPECT_FALSE(rule::parse(c.rule, error)) << c.rule;
        EXPECT_NE(error.find(c.error), std::string::npos) << c.rule << " gave: " << error;
    }
}

TEST(canonical_host, strips_port_brackets_and_trailing_dot) {
    using sluice::runtime::canonical_host;
    EXPECT_EQ(canonical_host("Demo.Localhost:8000"), "demo.localhost");
    EXPECT_EQ(canonical_host("demo.localhost."), "demo.localhost");
    EXPECT_EQ(canonical_host("[::1]:80"), "::1");
    EXPECT_EQ(canonical_host(""), "");
}

}  // namespace
