// The host's side of a pick: health, failures, the proposal cap and slow start.
#include <gtest/gtest.h>

#include <memory>

#include "http/server_selection.hpp"

namespace sluice::http {
namespace {

std::unique_ptr<runtime::service> service_of(int servers, std::int64_t slow_start_ms = 0) {
    auto svc = std::make_unique<runtime::service>();
    svc->name = "api@file";
    svc->slow_start_ms = slow_start_ms;
    for (int i = 0; i < servers; ++i) {
        svc->servers.push_back({"http://127.0.0.1:" + std::to_string(9001 + i), {}, 1});
        svc->health.push_back(std::make_shared<runtime::server_health>());
    }
    return svc;
}

constexpr std::int64_t now = 1'000'000;

TEST(server_selection, refuses_down_and_failed_servers_and_caps_proposals) {
    auto svc = service_of(2);
    svc->health[1]->active_up = false;
    server_selection s(*svc, now);
    EXPECT_TRUE(s.accept(0));
    EXPECT_FALSE(s.accept(1));
    EXPECT_FALSE(s.accept(2));
    s.fail(0);
    EXPECT_FALSE(s.accept(0));
    EXPECT_FALSE(s.accept_pinned(0));
    server_selection loop(*svc, now);
    int accepted = 0;
    for (int i = 0; i < 100; ++i) accepted += loop.accept(0);
    EXPECT_EQ(accepted, 4 * 2 + 4);
}

// A server into its slow start by a fraction r takes a new placement with probability r.
TEST(server_selection, slow_start_holds_back_new_placements_in_proportion) {
    auto svc = service_of(2, 10'000);
    int taken = 0;
    constexpr int trials = 20'000;
    svc->health[1]->up_since_ms = now - 2'500;  // a quarter of the way
    for (int i = 0; i < trials; ++i) taken += server_selection(*svc, now).accept(1);
    EXPECT_NEAR(taken, trials / 4, trials / 50);
    svc->health[1]->up_since_ms = now - 7'500;
    taken = 0;
    for (int i = 0; i < trials; ++i) taken += server_selection(*svc, now).accept(1);
    EXPECT_NEAR(taken, trials * 3 / 4, trials / 50);
    svc->health[1]->up_since_ms = now - 10'000;  // the window has passed
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(server_selection(*svc, now).accept(1));
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(server_selection(*svc, now).accept(0));  // never started
}

// A picker that proposes the same server again (random and p2c redraw) gets the same answer.
TEST(server_selection, a_request_draws_once_for_slow_start) {
    auto svc = service_of(1, 10'000);
    svc->health[0]->up_since_ms = now - 5'000;  // half way
    int taken = 0;
    constexpr int trials = 10'000;
    for (int i = 0; i < trials; ++i) {
        server_selection s(*svc, now);
        const bool first = s.accept(0);
        for (int again = 0; again < 3; ++again) ASSERT_EQ(s.accept(0), first);
        taken += first;
    }
    EXPECT_NEAR(taken, trials / 2, trials / 40);
}

TEST(server_selection, a_pinned_client_keeps_a_server_in_its_slow_start) {
    auto svc = service_of(2, 10'000);
    svc->health[1]->up_since_ms = now;  // just came up: every new placement held back
    server_selection s(*svc, now);
    EXPECT_FALSE(s.accept(1));
    EXPECT_TRUE(s.accept_pinned(1));
}

TEST(server_selection, when_slow_start_held_back_everything_a_second_pick_takes_it) {
    auto svc = service_of(1, 10'000);
    svc->health[0]->up_since_ms = now;
    server_selection s(*svc, now);
    EXPECT_FALSE(s.accept(0));
    ASSERT_TRUE(s.relax_slow_start());
    EXPECT_TRUE(s.accept(0));
    EXPECT_FALSE(s.relax_slow_start());  // once
    // Nothing held back (the server is down): no second pick.
    svc->health[0]->active_up = false;
    server_selection down(*svc, now);
    EXPECT_FALSE(down.accept(0));
    EXPECT_FALSE(down.relax_slow_start());
}

}  // namespace
}  // namespace sluice::http
