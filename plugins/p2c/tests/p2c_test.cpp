#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <vector>

#include "peak_ewma.hpp"
#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;
using sluice::p2c::peak_ewma;
using std::chrono::milliseconds;

using namespace std::chrono_literals;

namespace {

constexpr peak_ewma::nanos second = 1'000'000'000;

std::vector<std::pair<std::string, std::uint32_t>> ten_servers() {
    std::vector<std::pair<std::string, std::uint32_t>> servers;
    for (int i = 0; i < 10; ++i) servers.emplace_back("http://s" + std::to_string(i), 1);
    return servers;
}

TEST(p2c, is_the_strategy_named_p2c) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN()).is_strategy("p2c"));
}

// Finagle's PeakEwma cases, in microseconds and a decay of 10 s.
TEST(peak_ewma, the_first_answer_is_the_estimate) {
    peak_ewma e(10 * second);
    EXPECT_FALSE(e.measured());
    EXPECT_EQ(e.cost(0), 0.0);
    e.observe(500, 0);
    EXPECT_TRUE(e.measured());
    EXPECT_DOUBLE_EQ(e.cost(0), 500);
}

TEST(peak_ewma, a_slower_answer_is_taken_at_once) {
    peak_ewma e(10 * second);
    e.observe(500, 0);
    e.observe(5000, 1000);  // a microsecond later
    EXPECT_DOUBLE_EQ(e.cost(1000), 5000);
}

TEST(peak_ewma, faster_answers_pull_it_down_by_the_time_between_them) {
    peak_ewma e(10 * second);
    e.observe(5000, 0);
    e.observe(1000, 10 * second);  // one decay later: the past keeps 1/e
    const double w = std::exp(-1.0);
    EXPECT_NEAR(e.cost(10 * second), 5000 * w + 1000 * (1 - w), 1e-6);
    // Answers close together move it little.
    peak_ewma f(10 * second);
    f.observe(5000, 0);
    f.observe(1000, second / 1000);
    EXPECT_GT(f.cost(second / 1000), 4999);
}

TEST(peak_ewma, without_answers_it_decays_toward_zero) {
    peak_ewma e(10 * second);
    e.observe(5000, 0);
    EXPECT_NEAR(e.cost(10 * second), 5000 * std::exp(-1.0), 1e-6);
    EXPECT_NEAR(e.cost(100 * second), 5000 * std::exp(-10.0), 1e-6);
    EXPECT_DOUBLE_EQ(e.cost(-5), 5000);  // a clock read before the answer: no decay, no growth
}

TEST(peak_ewma, answers_from_many_threads_stay_within_their_range) {
    peak_ewma e(second);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20000; ++i) e.observe(100 + 100 * t, i);
        });
    for (auto& th : threads) th.join();
    EXPECT_GE(e.cost(20000), 100 * std::exp(-20000.0 / second) - 1e-9);
    EXPECT_LE(e.cost(20000), 400);
}

TEST(p2c, of_two_servers_the_faster_takes_the_requests) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {50ms, 5ms}, 3));
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(f.pick(p, set), 1);
        f.ended(p, 1, milliseconds(5));
    }
}

TEST(p2c, one_slow_answer_turns_traffic_away_at_once) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {5ms, 5ms}, 3));
    ASSERT_EQ(f.pick_only(p, set, 0), 0);
    f.ended(p, 0, milliseconds(200));  // the peak: a's cost is 200 ms from now on
    for (int i = 0; i < 10; ++i) {
        ASSERT_EQ(f.pick(p, set), 1);
        f.ended(p, 1, milliseconds(5));
    }
}

TEST(p2c, requests_in_flight_move_load_to_the_slower_server) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {50ms, 5ms}, 3));
    // Held requests: b's load is 5 x (1 + k), a's 50 x (1 + j). b takes the first nine
    // (5 x 10 = 50 ties a's 50 at the tenth: either may take that one).
    std::map<int, int> counts;
    for (int i = 0; i < 9; ++i) ++counts[f.pick(p, set)];
    EXPECT_EQ(counts[1], 9);
    for (int i = 0; i < 11; ++i) ++counts[f.pick(p, set)];
    EXPECT_GE(counts[0], 1);
    EXPECT_LE(counts[0], 2);
}

TEST(p2c, weights_divide_the_load) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 3}, {"http://b", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {10ms, 10ms}, 3));
    // The same time: a (weight 3) carries a third of b's load per request. Held, a takes
    // three for b's one (ties go either way: one off at most).
    std::map<int, int> counts;
    for (int i = 0; i < 40; ++i) ++counts[f.pick(p, set)];
    EXPECT_NEAR(counts[0], 30, 1);
    EXPECT_NEAR(counts[1], 10, 1);
}

TEST(p2c, a_new_server_is_tried_once_then_waits_for_its_answer) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://new", 1}});
    auto p = f.picker(set);
    ASSERT_TRUE(f.teach_times(p, set, {10ms}, 3));  // a known at 10 ms, the new one never answered
    EXPECT_EQ(f.pick(p, set), 1);  // idle and unknown: costs nothing, tried at once
    for (int i = 0; i < 10; ++i) EXPECT_EQ(f.pick(p, set), 0);  // not a burst before it answers
    f.ended(p, 1, milliseconds(1));
    EXPECT_EQ(f.pick(p, set), 1);  // its answer was fast
}

TEST(p2c, a_server_once_slow_is_tried_again_as_its_cost_decays) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN(), "decay = \"20ms\"");
    ASSERT_TRUE(f.balancer) << f.errors.text();
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    const auto start = std::chrono::steady_clock::now();  // before a's answer: the wait is at least 60 ms
    ASSERT_TRUE(f.teach_times(p, set, {100ms, 5ms}, 1));
    // b keeps answering in 5 ms; a's 100 ms decays with nothing to refresh it, below 5 ms
    // after 20 ms x ln 20 = 60 ms.
    EXPECT_EQ(f.pick(p, set), 1);
    f.ended(p, 1, milliseconds(5));
    int s = 1;
    while (s == 1 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
        std::this_thread::sleep_for(milliseconds(2));
        s = f.pick(p, set);
        f.ended(p, s, milliseconds(5));
    }
    EXPECT_EQ(s, 0);
    EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(40));
}

TEST(p2c, many_servers_share_the_requests_evenly) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set(ten_servers());
    auto p = f.picker(set);
    std::map<int, int> counts;
    for (int i = 0; i < 20000; ++i) {
        const int s = f.pick(p, set);
        ++counts[s];
        f.ended(p, s, milliseconds(1));
    }
    ASSERT_EQ(counts.size(), 10u);
    for (const auto& [server, n] : counts) EXPECT_NEAR(n, 2000, 300) << "server " << server;
}

TEST(p2c, refused_servers_are_never_returned) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set(ten_servers());
    auto p = f.picker(set);
    for (int i = 0; i < 200; ++i) {
        const int s = f.pick(p, set, {0, 1, 2});
        EXPECT_GE(s, 3);
        f.ended(p, s, milliseconds(1));
    }
    // Only one accepted, among ten: the draws seldom find it, the fallback does.
    for (int i = 0; i < 50; ++i) {
        ASSERT_EQ(f.pick(p, set, {0, 1, 2, 3, 4, 5, 6, 8, 9}), 7);
        f.ended(p, 7, milliseconds(1));
    }
    EXPECT_EQ(f.pick(p, set, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), -1);
    set.set_up(3, false);
    for (int i = 0; i < 50; ++i) EXPECT_NE(f.pick(p, set), 3);
}

TEST(p2c, empty_and_single_sets) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set none({});
    EXPECT_EQ(f.pick(f.picker(none), none), -1);
    fake_server_set one({{"http://a", 1}});
    auto p = f.picker(one);
    EXPECT_EQ(f.pick(p, one), 0);
    EXPECT_EQ(f.pick(p, one, {0}), -1);
}

TEST(p2c, picks_from_many_threads_count_every_request_out) {
    strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
    fake_server_set set({{"http://a", 1}, {"http://b", 1}});
    auto p = f.picker(set);
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                const int s = strategy_fixture::pick(p, set);
                if (s < 0 || s > 1) ++bad;
                else strategy_fixture::ended(p, s, milliseconds(1));
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(bad.load(), 0);
    // Nothing in flight was left counted: two held requests at the same cost go one to
    // each server.
    std::map<int, int> counts;
    for (int i = 0; i < 2; ++i) ++counts[f.pick(p, set)];
    EXPECT_EQ(counts.size(), 2u);
}

TEST(p2c, a_failed_attempt_counts_out_and_makes_its_server_costly) {
    for (const auto how : {sdk::attempt_outcome::refused, sdk::attempt_outcome::reset}) {
        strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());
        fake_server_set set({{"http://a", 1}, {"http://b", 1}});
        auto p = f.picker(set);
        ASSERT_TRUE(f.teach_times(p, set, {10ms, 10ms}, 3));
        ASSERT_EQ(f.pick_only(p, set, 0), 0);
        f.ended(p, 0, milliseconds(0), how);  // failed at once: not fast, failing
        // a counts as a second now: b at 10 ms takes every request while fewer than a
        // hundred are held on it.
        for (int i = 0; i < 30; ++i) EXPECT_EQ(f.pick(p, set), 1) << static_cast<int>(how);
    }
}

TEST(p2c, options_are_checked) {
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN(), "decay = \"250ms\"").balancer);
    EXPECT_TRUE(strategy_fixture(SLUICE_TESTING_LINKED_PLUGIN(), "decay = 30").balancer);  // seconds, as labels
    strategy_fixture zero(SLUICE_TESTING_LINKED_PLUGIN(), "decay = \"0s\"");
    EXPECT_FALSE(zero.balancer);
    EXPECT_NE(zero.errors.text().find("decay"), std::string::npos) << zero.errors.text();
    strategy_fixture word(SLUICE_TESTING_LINKED_PLUGIN(), "decay = \"soon\"");
    EXPECT_FALSE(word.balancer);
    strategy_fixture typo(SLUICE_TESTING_LINKED_PLUGIN(), "decy = \"1s\"");
    EXPECT_FALSE(typo.balancer);
    EXPECT_NE(typo.errors.text().find("did you mean"), std::string::npos) << typo.errors.text();
}

}  // namespace
