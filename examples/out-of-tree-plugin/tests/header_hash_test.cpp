// The headerhash strategy with the SDK's fakes: no Sluice process, no sockets.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "sluice/sdk/testing/fakes.hpp"

using namespace sluice::sdk::testing;

namespace {

int pick_for(const picker_object& p, const fake_server_set& set, const std::string& tenant,
             const std::vector<std::int32_t>& exclude = {}) {
    fake_request req;
    if (!tenant.empty()) req.headers.set("X-Tenant", tenant);
    return p.pick(req, set.accepting(exclude));
}

TEST(headerhash, is_a_strategy) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN()).is_strategy("headerhash"));
}

TEST(headerhash, a_tenant_stays_on_its_server_and_tenants_spread) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    std::map<int, int> counts;
    for (int t = 0; t < 3000; ++t) {
        const std::string tenant = "tenant-" + std::to_string(t);
        const int server = pick_for(p, set, tenant);
        ASSERT_EQ(pick_for(p, set, tenant), server);
        ++counts[server];
    }
    for (const auto& [server, n] : counts) EXPECT_NEAR(n, 1000, 150) << server;
}

TEST(headerhash, a_server_refused_moves_only_its_tenants) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}, {"http://d", 1}});
    auto p = f.picker(set);
    for (int t = 0; t < 1000; ++t) {
        const std::string tenant = "tenant-" + std::to_string(t);
        const int before = pick_for(p, set, tenant), after = pick_for(p, set, tenant, {1});
        if (before == 1) {
            EXPECT_NE(after, 1);
        } else {
            EXPECT_EQ(after, before);
        }
    }
    EXPECT_EQ(pick_for(p, set, "x", {0, 1, 2, 3}), -1);
}

TEST(headerhash, weights_set_the_shares) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 3}, {"http://b", 1}});
    auto p = f.picker(set);
    int on_a = 0;
    for (int t = 0; t < 4000; ++t) on_a += pick_for(p, set, "t" + std::to_string(t)) == 0;
    EXPECT_NEAR(on_a, 3000, 150);
}

TEST(headerhash, without_the_header_requests_go_round_robin) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    EXPECT_EQ((std::set<int>{pick_for(p, set, ""), pick_for(p, set, "")}), (std::set<int>{0, 1}));
}

TEST(headerhash, the_header_is_configurable_and_checked) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "header = \"X-User\"");
    ASSERT_TRUE(f.balancer);
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    std::set<int> seen;
    for (int i = 0; i < 20; ++i) {
        fake_request req;
        req.headers.set("X-User", "alice");
        seen.insert(p.pick(req, set.accepting()));
    }
    EXPECT_EQ(seen.size(), 1u);
    EXPECT_FALSE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN(), "header = \"\"").balancer);
    EXPECT_FALSE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN(), "hedaer = \"X\"").balancer);
}

}  // namespace
