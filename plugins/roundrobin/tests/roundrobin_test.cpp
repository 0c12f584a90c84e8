#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

TEST(roundrobin, is_the_strategy_named_roundrobin) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN()).is_strategy("roundrobin"));
}

TEST(roundrobin, equal_weights_cycle_in_order) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    EXPECT_EQ(f.picks(p, set, 7), (std::vector<std::int32_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(roundrobin, smooth_weights_interleave) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 5}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    // nginx's smooth sequence for 5/1/1: a a b a c a a.
    EXPECT_EQ(f.picks(p, set, 7), (std::vector<std::int32_t>{0, 0, 1, 0, 2, 0, 0}));
}

TEST(roundrobin, weights_share_traffic_proportionally) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 3}, {"http://b", 2}});
    auto p = f.picker(set);
    std::map<int, int> counts;
    for (int i : f.picks(p, set, 500)) ++counts[i];
    EXPECT_EQ(counts[0], 300);
    EXPECT_EQ(counts[1], 200);
}

TEST(roundrobin, down_servers_are_skipped_and_return) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    set.set_up(1, false);
    for (int i : f.picks(p, set, 10)) EXPECT_NE(i, 1);
    set.set_up(1, true);
    auto again = f.picks(p, set, 3);
    EXPECT_NE(std::find(again.begin(), again.end(), 1), again.end());
}

TEST(roundrobin, none_up_yields_minus_one) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    set.set_up(0, false);
    set.set_up(1, false);
    EXPECT_EQ(f.picks(p, set, 2), (std::vector<std::int32_t>{-1, -1}));
}

TEST(roundrobin, excluded_servers_are_not_picked) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    EXPECT_EQ(f.picks(p, set, 4, {0}), (std::vector<std::int32_t>{1, 1, 1, 1}));
    EXPECT_EQ(f.picks(p, set, 1, {0, 1}), (std::vector<std::int32_t>{-1}));
}

TEST(roundrobin, rejects_options) {
    fake_host host;
    collecting_errors errors;
    EXPECT_FALSE(SLUICE_TESTING_LINKED_PLUGIN().create_balancer(host, "test", "fast = true", errors));
    ASSERT_EQ(errors.errors.size(), 1u);
    EXPECT_NE(errors.errors[0].second.find("no options"), std::string::npos);
}

// roundrobin keeps no per-request state: it has no response or attempt hooks, and the host
// skips those calls.
TEST(roundrobin, declares_no_optional_hooks) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}});
    auto p = f.picker(set);
    EXPECT_FALSE(p.has_on_response());
    EXPECT_FALSE(p.has_on_attempt());
}

}  // namespace
