#include <gtest/gtest.h>

#include <map>
#include <thread>
#include <vector>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

TEST(random, is_the_strategy_named_random) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN()).is_strategy("random"));
}

std::map<int, int> counts(const picker_object& p, const fake_server_set& set, int n,
                          std::vector<std::int32_t> exclude = {}) {
    fake_request req;
    std::map<int, int> out;
    for (int i = 0; i < n; ++i) ++out[p.pick(req, set.accepting(exclude))];
    return out;
}

// 40 000 draws: a share's standard deviation is under 0.25 %, so 2 % is far outside chance.
TEST(random, shares_follow_the_weights) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 3}, {"http://b", 1}, {"http://c", 4}});
    auto p = f.picker(set);
    auto c = counts(p, set, 40000);
    EXPECT_NEAR(c[0] / 40000.0, 3 / 8.0, 0.02);
    EXPECT_NEAR(c[1] / 40000.0, 1 / 8.0, 0.02);
    EXPECT_NEAR(c[2] / 40000.0, 4 / 8.0, 0.02);
}

TEST(random, refused_servers_share_out_evenly_by_weight) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 2}});
    auto p = f.picker(set);
    set.set_up(1, false);
    auto c = counts(p, set, 30000);
    EXPECT_EQ(c[1], 0);
    EXPECT_EQ(c[-1], 0);
    EXPECT_NEAR(c[0] / 30000.0, 1 / 3.0, 0.02);
    EXPECT_NEAR(c[2] / 30000.0, 2 / 3.0, 0.02);
}

TEST(random, a_set_mostly_down_still_finds_the_one_up) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    std::vector<std::pair<std::string, std::uint32_t>> servers;
    for (int i = 0; i < 50; ++i) servers.emplace_back("http://s" + std::to_string(i), 1);
    fake_server_set set(servers);
    auto p = f.picker(set);
    for (std::size_t i = 0; i < 50; ++i) set.set_up(i, i == 37);
    auto c = counts(p, set, 200);
    EXPECT_EQ(c[37], 200);
}

TEST(random, none_up_and_empty_sets_yield_minus_one) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    set.set_up(0, false);
    set.set_up(1, false);
    EXPECT_EQ(counts(p, set, 3)[-1], 3);
    fake_server_set empty({});
    auto q = f.picker(empty);
    EXPECT_EQ(counts(q, empty, 1)[-1], 1);
}

TEST(random, picks_from_several_threads_at_once) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    std::vector<std::thread> threads;
    std::vector<std::map<int, int>> seen(4);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            fake_request req;
            for (int i = 0; i < 5000; ++i) ++seen[t][p.pick(req, set.accepting({}))];
        });
    for (auto& t : threads) t.join();
    for (const auto& s : seen) {
        EXPECT_EQ(s.count(-1), 0u);
        EXPECT_NEAR(s.at(0) / 5000.0, 0.5, 0.05);
    }
}

}  // namespace
