#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "moving_average.hpp"
#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

using namespace std::chrono_literals;

namespace {

TEST(leasttime, is_the_strategy_named_leasttime) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN()).is_strategy("leasttime"));
}

// Traefik's ring buffer cases (leasttime_test.go), in microseconds.
TEST(leasttime, the_mean_is_of_the_last_hundred_times) {
    sluice::leasttime::moving_average<100> m;
    EXPECT_TRUE(m.empty());
    EXPECT_EQ(m.mean(), 0.0);
    for (std::uint32_t t : {10u, 20u, 30u}) m.add(t);
    EXPECT_DOUBLE_EQ(m.mean(), 20.0);
    sluice::leasttime::moving_average<100> n;
    for (int i = 0; i < 100; ++i) n.add(10);
    n.add(20);
    EXPECT_DOUBLE_EQ(n.mean(), 10.1);
    for (int i = 0; i < 10; ++i) n.add(30);
    EXPECT_DOUBLE_EQ(n.mean(), 12.1);
    sluice::leasttime::moving_average<100> o;
    for (std::uint32_t t = 1; t <= 150; ++t) o.add(t);
    EXPECT_DOUBLE_EQ(o.mean(), 100.5);
}

TEST(leasttime, cold_servers_take_turns_by_weight) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto p = f.picker(set);
    std::vector<int> seen;
    for (int i = 0; i < 6; ++i) {
        seen.push_back(f.pick(p, set));
        f.ended(p, seen.back());  // too fast to measure: every mean stays at the floor
    }
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 0, 1, 2}));
}

TEST(leasttime, the_faster_server_takes_the_requests) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {50ms, 5ms}, 5));
    std::map<int, int> counts;
    for (int i = 0; i < 20; ++i) {
        const int s = f.pick(p, set);
        ++counts[s];
        f.ended(p, s, std::chrono::milliseconds(s == 0 ? 50 : 5));
    }
    EXPECT_EQ(counts[1], 20);
}

TEST(leasttime, requests_in_flight_move_load_to_the_slower_server) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {50ms, 5ms}, 5));
    // Held requests: b's score is 5 x (1 + k), a's 50 x (1 + j). b takes the first nine
    // (5 x 10 = 50 ties a's 50 at the tenth), then they share.
    std::map<int, int> counts;
    for (int i = 0; i < 9; ++i) ++counts[f.pick(p, set)];
    EXPECT_EQ(counts[1], 9);
    for (int i = 0; i < 11; ++i) ++counts[f.pick(p, set)];
    EXPECT_EQ(counts[0], 1);
    EXPECT_EQ(counts[1], 19);
}

TEST(leasttime, weights_divide_the_score) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 3}, {"http://b", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {10ms, 10ms}, 5));
    // The same time: a (weight 3) scores a third of b. Held, a takes three for b's one.
    std::map<int, int> counts;
    for (int i = 0; i < 40; ++i) ++counts[f.pick(p, set)];
    EXPECT_EQ(counts[0], 30);
    EXPECT_EQ(counts[1], 10);
}

TEST(leasttime, a_new_server_gets_a_share_not_every_request) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}, {"http://new", 1}});
    auto p = f.picker(set);
    // a and b are known at 10 ms; the new one has no time yet. Twelve requests held.
    ASSERT_TRUE(f.teach_times(p, set, {10ms, 10ms}, 5));
    std::map<int, int> counts;
    for (int i = 0; i < 12; ++i) ++counts[f.pick(p, set)];
    // Counted as fast as the fastest known: a third each, not all twelve (Traefik's cold
    // server scores zero and takes them all until its first answer).
    EXPECT_EQ(counts[2], 4);
    EXPECT_EQ(counts[0], 4);
    EXPECT_EQ(counts[1], 4);
}

TEST(leasttime, failures_end_a_request_but_are_no_time) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {5ms, 5ms}, 5));
    // A timed out attempt after 10 s on a: no sample, so a stays as fast as b.
    const int s = f.pick(p, set);
    f.ended(p, s, std::chrono::seconds(10), sdk::attempt_outcome::timeout);
    std::map<int, int> counts;
    for (int i = 0; i < 10; ++i) {
        const int t = f.pick(p, set);
        ++counts[t];
        f.ended(p, t, std::chrono::milliseconds(5));
    }
    EXPECT_EQ(counts[0], 5);
    EXPECT_EQ(counts[1], 5);
}

TEST(leasttime, none_up_yields_minus_one) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}});
    auto p = f.picker(set);
    set.set_up(0, false);
    EXPECT_EQ(f.pick(p, set), -1);
}

TEST(leasttime, picks_and_answers_from_several_threads_at_once) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    std::vector<std::thread> threads;
    std::atomic<int> failed{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                const int s = f.pick(p, set);
                if (s < 0) ++failed;
                else f.ended(p, s, std::chrono::milliseconds(s == 0 ? 2 : 20));
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed, 0);
    // Every request ended: with nothing in flight the faster server takes the next ones.
    EXPECT_EQ(f.pick(p, set), 0);
}

}  // namespace
