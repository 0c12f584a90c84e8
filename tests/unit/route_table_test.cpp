#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "http/request_target.hpp"
#include "runtime/snapshot.hpp"

namespace rt = sluice::runtime;

namespace {

struct table {
    std::vector<std::unique_ptr<rt::route>> routes;
    rt::route_table t;
    void add(std::string name, std::string rule_text, std::int64_t priority = 0) {
        auto r = std::make_unique<rt::route>();
        r->name = std::move(name);
        std::string error;
        r->matcher = *rt::rule::parse(rule_text, error);
        r->priority = priority ? priority : static_cast<std::int64_t>(rule_text.size());
        t.add(r.get());
        routes.push_back(std::move(r));
    }
    std::string match(std::string_view host, std::string_view path) {
        t.sort();
        const auto* r = t.match({host, path, "GET", "", "127.0.0.1", nullptr});
        return r ? r->name : "-";
    }
};

TEST(route_table, longer_rule_wins_by_default) {
    table t;
    t.add("host", "Host(`demo.api.ch`)");                               // 19
    t.add("api", "Host(`demo.api.ch`) && PathPrefix(`/api/`)");         // 42
    EXPECT_EQ(t.match("demo.api.ch", "/api/x"), "api");
    EXPECT_EQ(t.match("demo.api.ch", "/other"), "host");
}

TEST(route_table, explicit_priority_wins) {
    table t;
    t.add("catchall", "PathPrefix(`/`)", 1000);
    t.add("api", "Host(`a`) && PathPrefix(`/api/`)");
    EXPECT_EQ(t.match("a", "/api/x"), "catchall");
}

TEST(route_table, indexed_and_any_host_routes_merge_in_priority_order) {
    table t;
    t.add("any-high", "PathPrefix(`/x`)", 50);
    t.add("host-mid", "Host(`a`)", 40);
    t.add("any-low", "PathPrefix(`/`)", 1);
    EXPECT_EQ(t.match("a", "/x"), "any-high");
    EXPECT_EQ(t.match("a", "/y"), "host-mid");
    EXPECT_EQ(t.match("b", "/y"), "any-low");
    EXPECT_EQ(t.match("", "/y"), "any-low");
}

TEST(route_table, ties_are_broken_by_name) {
    table t;
    t.add("zeta", "Host(`a`)", 5);
    t.add("alpha", "Host(`a`)", 5);
    EXPECT_EQ(t.match("a", "/"), "alpha");
}

TEST(route_table, no_match) {
    table t;
    t.add("a", "Host(`a`)");
    EXPECT_EQ(t.match("b", "/"), "-");
}

// Traefik mux_test Test_addRoutePriority (the cases without provider precedence, which only
// orders Kubernetes providers): explicit priority first, else the longer rule.
TEST(route_table, traefik_priority_cases) {
    struct route_case {
        const char* name;
        const char* rule;
        std::int64_t priority;
    };
    struct {
        const char* path;
        std::vector<route_case> routes;
        const char* expected;
    } cases[] = {
        {"/my", {{"header1", "PathPrefix(`/my`)", 10}, {"header2", "PathPrefix(`/my`)", 20}}, "header2"},
        {"/my", {{"header1", "PathPrefix(`/my`)", 20}, {"header2", "PathPrefix(`/my`)", 10}}, "header1"},
        {"/mypath", {{"header1", "PathPrefix(`/mypath`)", 10}, {"header2", "PathPrefix(`/my`)", 20}}, "header2"},
        {"/mypath", {{"header1", "PathPrefix(`/mypath`)", 0}, {"header2", "PathPrefix(`/my`)", 0}}, "header1"},
        {"/mypath", {{"header1", "PathPrefix(`/my`)", 0}, {"header2", "PathPrefix(`/mypath`)", 0}}, "header2"},
        {"/mypath",
         {{"header1", "PathPrefix(`/my`)", 0}, {"header2", "PathPrefix(`/mypa`)", 0}, {"header3", "PathPrefix(`/mypath`)", 0}},
         "header3"},
        // Negative priorities are valid and rank below every rule length.
        {"/my", {{"header1", "PathPrefix(`/my`)", -5}, {"header2", "PathPrefix(`/`)", 0}}, "header2"},
    };
    for (const auto& c : cases) {
        table t;
        for (const auto& r : c.routes) t.add(r.name, r.rule, r.priority);
        EXPECT_EQ(t.match("", c.path), c.expected) << c.path << " " << c.routes[0].rule;
    }
}

// Traefik GetRulePriority: the rule's length in bytes.
TEST(route_table, default_priority_is_the_rule_length_in_bytes) {
    table t;
    t.add("short", "Host(`example.org`)");                  // 19
    t.add("explicit", "PathPrefix(`/`)", 19);               // same priority: name decides
    EXPECT_EQ(t.match("example.org", "/"), "explicit");
    t.add("longer", "Host(`example.org`) || Path(`/x`)");  // 33
    EXPECT_EQ(t.match("example.org", "/"), "longer");
}

// Traefik mux_test TestEmptyHost: an absolute-form target's host replaces the Host header;
// an empty one leaves the Host header in charge.
TEST(route_table, absolute_form_host_overrides_the_host_header) {
    struct {
        const char* target;
        const char* host_header;
        const char* rule;
        bool matches;
    } cases[] = {
        {"http://@/", "example.com", "HostRegexp(`example.com`)", true},
        {"http://@/", "example.com", "Host(`example.com`)", true},
        {"http://example.com/", "example.org", "HostRegexp(`example.com`)", true},
        {"http://example.com/", "example.org", "Host(`example.com`)", true},
        {"http://example.com/", "example.org", "HostRegexp(`example.org`)", false},
        {"http://example.com/", "example.org", "Host(`example.org`)", false},
        {"/", "example.org", "Host(`example.org`)", true},
    };
    for (const auto& c : cases) {
        sluice::http::request_target target;
        ASSERT_TRUE(sluice::http::parse_request_target(c.target, target)) << c.target;
        const std::string host = rt::canonical_host(target.authority.empty() ? std::string_view(c.host_header)
                                                                             : std::string_view(target.authority));
        table t;
        t.add("r", c.rule);
        EXPECT_EQ(t.match(host, target.routing_path), c.matches ? "r" : "-") << c.target << " " << c.rule;
    }
}

}  // namespace
