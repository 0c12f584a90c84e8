#include <gtest/gtest.h>

#include <memory>

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

}  // namespace
