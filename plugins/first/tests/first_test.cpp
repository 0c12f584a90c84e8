#include <gtest/gtest.h>

#include <vector>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

TEST(first, is_the_strategy_named_first) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN()).is_strategy("first"));
}

TEST(first, always_the_first_while_it_is_up) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 5}, {"http://c", 1}});
    auto p = f.picker(set);
    EXPECT_EQ(f.picks(p, set, 4), (std::vector<std::int32_t>{0, 0, 0, 0}));
}

TEST(first, the_next_in_order_takes_over_and_gives_back) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    set.set_up(0, false);
    EXPECT_EQ(f.picks(p, set, 2), (std::vector<std::int32_t>{1, 1}));
    set.set_up(1, false);
    EXPECT_EQ(f.picks(p, set, 2), (std::vector<std::int32_t>{2, 2}));
    set.set_up(0, true);
    EXPECT_EQ(f.picks(p, set, 2), (std::vector<std::int32_t>{0, 0}));
}

TEST(first, a_retry_goes_to_the_next_server) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    EXPECT_EQ(f.picks(p, set, 1, {0}), (std::vector<std::int32_t>{1}));
}

TEST(first, none_up_and_empty_sets_yield_minus_one) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    set.set_up(0, false);
    set.set_up(1, false);
    EXPECT_EQ(f.picks(p, set, 1), (std::vector<std::int32_t>{-1}));
    fake_server_set empty({});
    auto q = f.picker(empty);
    EXPECT_EQ(f.picks(q, empty, 1), (std::vector<std::int32_t>{-1}));
}

TEST(first, options_are_refused) {
    fake_host host;
    collecting_errors errors;
    const auto plugin = SLUICE_TESTING_LINKED_PLUGIN();
    EXPECT_FALSE(plugin.create_balancer(host, "test", "standby = 2\n", errors));
    ASSERT_EQ(errors.errors.size(), 1u);
    EXPECT_NE(errors.errors[0].second.find("unknown key"), std::string::npos) << errors.errors[0].second;
}

}  // namespace
