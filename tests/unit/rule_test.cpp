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
        {"Host(`demo.localhost`)", {"demo.localhost", "/", "GET"}, true},
        {"Host(`demo.localhost`)", {"other.localhost", "/", "GET"}, false},
        {"Host(`Demo.LocalHost.`)", {"demo.localhost", "/", "GET"}, true},
        {"Host(`demo.localhost`)", {"", "/", "GET"}, false},
        {"Host(`*.example.com`)", {"a.example.com", "/", "GET"}, true},
        {"Host(`*.example.com`)", {"a.b.example.com", "/", "GET"}, false},
        {"Host(`*.example.com`)", {"example.com", "/", "GET"}, false},
        {"PathPrefix(`/api`)", {"x", "/apiary", "GET"}, true},
        {"PathPrefix(`/api/`)", {"x", "/api", "GET"}, false},
        {"Path(`/a`)", {"x", "/a/", "GET"}, false},
        {"Host(`a`) && PathPrefix(`/api/`)", {"a", "/api/x", "GET"}, true},
        {"Host(`a`) && PathPrefix(`/api/`)", {"b", "/api/x", "GET"}, false},
        {"Host(`a`) || Host(`b`) && Path(`/x`)", {"a", "/y", "GET"}, true},
        {"Host(`a`) || Host(`b`) && Path(`/x`)", {"b", "/y", "GET"}, false},
        {"(Host(`a`) || Host(`b`)) && Path(`/x`)", {"a", "/y", "GET"}, false},
        {"!Host(`a`)", {"b", "/", "GET"}, true},
        {"!(Host(`a`) || Host(`b`))", {"b", "/", "GET"}, false},
        {"host(\"a\") && METHOD(`post`)", {"a", "/", "POST"}, true},
    };
    for (const auto& c : cases) EXPECT_EQ(matches(c.rule, c.in), c.expected) << c.rule << " host=" << c.in.host;
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
