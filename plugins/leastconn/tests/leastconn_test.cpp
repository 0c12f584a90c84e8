#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

TEST(leastconn, is_the_strategy_named_leastconn) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN()).is_strategy("leastconn"));
}

// Requests that end before the next starts: every server is idle at each pick.
TEST(leastconn, idle_servers_take_turns_by_weight) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    std::vector<int> seen;
    for (int i = 0; i < 6; ++i) {
        seen.push_back(f.pick(p, set));
        f.ended(p, seen.back());
    }
    EXPECT_EQ(seen, (std::vector<std::int32_t>{0, 1, 2, 0, 1, 2}));

    fake_server_set weighted({{"http://a", 3}, {"http://b", 1}});
    auto q = f.picker(weighted);
    std::map<int, int> counts;
    for (int i = 0; i < 400; ++i) {
        const int s = f.pick(q, weighted);
        ++counts[s];
        f.ended(q, s);
    }
    EXPECT_EQ(counts[0], 300);
    EXPECT_EQ(counts[1], 100);
}

TEST(leastconn, the_least_loaded_server_takes_the_next_request) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    // Three requests held: one on each server.
    std::vector<int> held{f.pick(p, set), f.pick(p, set), f.pick(p, set)};
    std::sort(held.begin(), held.end());
    EXPECT_EQ(held, (std::vector<std::int32_t>{0, 1, 2}));
    // Server 1 finishes its request: the next two go to it, then to anyone.
    f.ended(p, 1);
    EXPECT_EQ(f.pick(p, set), 1);
    f.ended(p, 0);
    EXPECT_EQ(f.pick(p, set), 0);
}

TEST(leastconn, a_heavier_server_holds_more_before_counting_as_busier) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 2}, {"http://b", 1}});
    auto p = f.picker(set);
    // Held requests: loads settle at 2:1, in proportion to the weights.
    std::map<int, int> counts;
    for (int i = 0; i < 30; ++i) ++counts[f.pick(p, set)];
    EXPECT_EQ(counts[0], 20);
    EXPECT_EQ(counts[1], 10);
}

TEST(leastconn, a_busy_or_refused_servers_turn_is_shared_evenly_by_the_rest) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}, {"http://d", 1}});
    auto p = f.picker(set);
    const int busy = f.pick(p, set);  // held: one request in flight
    set.set_up(3, false);
    std::map<int, int> counts;
    for (int i = 0; i < 60; ++i) {
        const int s = f.pick(p, set);
        ++counts[s];
        f.ended(p, s);
    }
    EXPECT_EQ(counts[busy], 0);
    EXPECT_EQ(counts[3], 0);
    for (int s : {0, 1, 2}) {
        if (s == busy) continue;
        EXPECT_EQ(counts[s], 30) << s;
    }
}

TEST(leastconn, refused_servers_are_skipped_even_when_idle) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    const int first = f.pick(p, set);  // held
    set.set_up(static_cast<std::size_t>(1 - first), false);
    EXPECT_EQ(f.pick(p, set), first);  // the idle one is down
    EXPECT_EQ(f.pick(p, set, {first}), -1);  // and the loaded one already failed this request
}

TEST(leastconn, none_up_and_empty_sets_yield_minus_one) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}});
    auto p = f.picker(set);
    set.set_up(0, false);
    EXPECT_EQ(f.pick(p, set), -1);
    fake_server_set empty({});
    auto q = f.picker(empty);
    EXPECT_EQ(f.pick(q, empty), -1);
}

TEST(leastconn, counts_stay_exact_under_picks_from_several_threads) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    std::vector<std::thread> threads;
    std::atomic<int> failed{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                const int s = f.pick(p, set);
                if (s < 0) ++failed;
                else f.ended(p, s);
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed, 0);
    // Every attempt ended: all servers idle again, so the next three picks take turns.
    std::vector<int> held{f.pick(p, set), f.pick(p, set), f.pick(p, set)};
    std::sort(held.begin(), held.end());
    EXPECT_EQ(held, (std::vector<std::int32_t>{0, 1, 2}));
}

TEST(leastconn, an_attempt_reported_without_its_pick_does_not_wrap_the_count) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    f.ended(p, 0);  // never picked: server 0 stays at zero, not at 2^32 - 1
    std::map<int, int> counts;
    for (int i = 0; i < 4; ++i) ++counts[f.pick(p, set)];  // held
    EXPECT_EQ(counts[0], 2);
    EXPECT_EQ(counts[1], 2);
}

TEST(leastconn, options_are_refused) {
    fake_host host;
    collecting_errors errors;
    const auto plugin = SLUICE_TESTING_LINKED_PLUGIN();
    EXPECT_FALSE(plugin.create_balancer(host, "test", "slots = 2\n", errors));
    ASSERT_EQ(errors.errors.size(), 1u);
}

}  // namespace
