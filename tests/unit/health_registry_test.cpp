// Health state is carried by service name and server URL from one snapshot to the next.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "health/active_checker.hpp"
#include "health/passive_health.hpp"
#include "health/registry.hpp"

namespace sluice::health {
namespace {

using namespace std::chrono_literals;

// What the snapshot builder makes of one service, without its balancer: every server UP,
// with fresh health state.
std::shared_ptr<runtime::snapshot> snapshot_of(const std::string& name, const std::vector<std::string>& urls,
                                               std::chrono::milliseconds failure_window = 60s) {
    auto svc = std::make_unique<runtime::service>();
    svc->name = name;
    svc->passive_health_check = config::passive_health_config{1, failure_window};
    for (std::size_t i = 0; i < urls.size(); ++i) {
        runtime::server s{urls[i], {}, 1};
        EXPECT_TRUE(runtime::parse_upstream_url(s.url, s.endpoint));
        svc->servers.push_back(std::move(s));
        svc->health.push_back(std::make_shared<runtime::server_health>());
    }
    auto snap = std::make_shared<runtime::snapshot>();
    snap->services.emplace(name, std::move(svc));
    return snap;
}

const runtime::service& service_of(const std::shared_ptr<runtime::snapshot>& snap, const std::string& name) {
    return *snap->services.at(name);
}

// A loopback port nothing listens on: connecting to it is refused at once.
std::uint16_t closed_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

// Runs `control` until `done` holds (bounded).
template <class Condition>
bool run_until(boost::asio::io_context& control, Condition done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) control.run_one_for(10ms);
    control.restart();
    return done();
}

const std::string a = "http://127.0.0.1:9001";
const std::string b = "http://127.0.0.1:9002";

TEST(health_registry, a_passive_ejection_survives_a_reload) {
    boost::asio::io_context control;
    registry states;
    auto first = snapshot_of("api@file", {a, b});
    states.adopt(first);
    record_passive_failure(service_of(first, "api@file"), 0, control);
    EXPECT_FALSE(server_up(service_of(first, "api@file"), 0));

    auto second = snapshot_of("api@file", {a, b});
    states.adopt(second);
    const auto& svc = service_of(second, "api@file");
    EXPECT_FALSE(server_up(svc, 0)) << "the ejected server came back with the new snapshot";
    EXPECT_TRUE(server_up(svc, 1));
    EXPECT_EQ(svc.health[0], service_of(first, "api@file").health[0]);
    EXPECT_EQ(server_status(svc, 0), "DOWN");
}

TEST(health_registry, an_ejection_through_an_older_snapshot_reaches_the_newest_and_ends_there) {
    boost::asio::io_context control;
    registry states;
    auto first = snapshot_of("api@file", {a}, 50ms);
    states.adopt(first);
    auto second = snapshot_of("api@file", {a}, 50ms);
    states.adopt(second);
    // A request that started before the reload fails.
    record_passive_failure(service_of(first, "api@file"), 0, control);
    const auto& newest = service_of(second, "api@file");
    EXPECT_TRUE(run_until(control, [&] { return !server_up(newest, 0); }));
    EXPECT_TRUE(run_until(control, [&] { return server_up(newest, 0); })) << "not readmitted after its window";
    EXPECT_TRUE(server_up(service_of(first, "api@file"), 0));
}

TEST(health_registry, an_active_down_verdict_survives_a_reload) {
    boost::asio::io_context control;
    registry states;
    active_checker checker(control);
    const std::string dead = "http://127.0.0.1:" + std::to_string(closed_port());
    auto with_check = [&] {
        auto snap = snapshot_of("api@file", {dead, a});
        config::health_check_config check;
        check.path = "/health";
        snap->services.at("api@file")->health_check = check;
        return snap;
    };
    auto first = with_check();
    states.adopt(first);
    checker.watch(first);
    const auto& svc1 = service_of(first, "api@file");
    ASSERT_TRUE(run_until(control, [&] { return !server_up(svc1, 0); })) << "the first probe did not fail";

    auto second = with_check();
    states.adopt(second);
    checker.watch(second);
    // Before any probe of the new snapshot has run.
    EXPECT_FALSE(server_up(service_of(second, "api@file"), 0));
    EXPECT_EQ(server_status(service_of(second, "api@file"), 0), "DOWN");
}

// A service kept by the next snapshot (its definition did not change) keeps its probes:
// a stream of changes elsewhere neither restarts them nor cuts them short. A new service
// object is probed at once.
TEST(health_registry, a_kept_service_keeps_its_probes) {
    boost::asio::io_context control;
    boost::asio::ip::tcp::acceptor listener(control, {boost::asio::ip::make_address("127.0.0.1"), 0});
    int probes = 0;
    std::function<void()> accept = [&] {
        listener.async_accept([&](boost::system::error_code ec, boost::asio::ip::tcp::socket) {
            if (ec) return;
            ++probes;  // the connection closes unanswered: a failed probe, which is all this counts
            accept();
        });
    };
    accept();
    const std::string url = "http://127.0.0.1:" + std::to_string(listener.local_endpoint().port());
    registry states;
    active_checker checker(control);
    auto first = snapshot_of("api@file", {url});
    config::health_check_config check;
    check.path = "/health";
    check.interval = 3600s;
    first->services.at("api@file")->health_check = check;
    states.adopt(first);
    checker.watch(first);
    ASSERT_TRUE(run_until(control, [&] { return probes == 1; }));

    auto second = std::make_shared<runtime::snapshot>();
    second->services = first->services;  // the same service object
    second->services.merge(snapshot_of("web@file", {a})->services);
    states.adopt(second);
    checker.watch(second);
    EXPECT_FALSE(run_until(control, [&] { return probes > 1; })) << "the kept service was probed again at once";

    auto third = snapshot_of("api@file", {url});  // a service built again
    third->services.at("api@file")->health_check = check;
    states.adopt(third);
    checker.watch(third);
    EXPECT_TRUE(run_until(control, [&] { return probes == 2; }));
    listener.close();
}

TEST(health_registry, a_removed_server_is_forgotten) {
    boost::asio::io_context control;
    registry states;
    auto first = snapshot_of("api@file", {a, b});
    states.adopt(first);
    record_passive_failure(service_of(first, "api@file"), 1, control);
    ASSERT_NE(states.find("api@file", b), nullptr);

    states.adopt(snapshot_of("api@file", {a}));
    EXPECT_EQ(states.find("api@file", b), nullptr);
    EXPECT_NE(states.find("api@file", a), nullptr);
    EXPECT_EQ(states.size(), 1u);
    // Back later, it starts afresh: UP, not ejected.
    auto third = snapshot_of("api@file", {a, b});
    states.adopt(third);
    EXPECT_TRUE(server_up(service_of(third, "api@file"), 1));
    EXPECT_EQ(server_status(service_of(third, "api@file"), 1), "UP");
}

TEST(health_registry, the_same_url_in_another_service_has_its_own_state) {
    boost::asio::io_context control;
    registry states;
    auto first = snapshot_of("api@file", {a});
    auto other = snapshot_of("web@file", {a});
    first->services.emplace("web@file", std::move(other->services.at("web@file")));
    states.adopt(first);
    record_passive_failure(service_of(first, "api@file"), 0, control);
    EXPECT_FALSE(server_up(service_of(first, "api@file"), 0));
    EXPECT_TRUE(server_up(service_of(first, "web@file"), 0));
}

// Slow start: a server new to a service that was serving starts its window; the servers of
// the first configuration, or of a new service, serve at once.
TEST(health_registry, a_server_added_to_a_serving_service_comes_up_now) {
    registry states;
    auto first = snapshot_of("api@file", {a});
    states.adopt(first);
    EXPECT_EQ(service_of(first, "api@file").health[0]->up_since_ms.load(), 0);

    auto second = snapshot_of("api@file", {a, b});
    second->services.merge(snapshot_of("web@file", {a})->services);
    const std::int64_t before = runtime::steady_now_ms();
    states.adopt(second);
    const auto& svc = service_of(second, "api@file");
    EXPECT_EQ(svc.health[0]->up_since_ms.load(), 0);  // it was there
    EXPECT_GE(svc.health[1]->up_since_ms.load(), before);
    EXPECT_LE(svc.health[1]->up_since_ms.load(), runtime::steady_now_ms());
    EXPECT_EQ(service_of(second, "web@file").health[0]->up_since_ms.load(), 0);  // a new service
}

TEST(server_health, the_ramp_is_linear_over_the_window_from_the_later_of_up_and_ejection_end) {
    runtime::server_health h;
    EXPECT_EQ(h.ramp(5'000, 10'000), 1.0);  // up from the start
    h.up_since_ms = 100'000;
    EXPECT_EQ(h.ramp(100'000, 10'000), 0.0);
    EXPECT_DOUBLE_EQ(h.ramp(102'500, 10'000), 0.25);
    EXPECT_DOUBLE_EQ(h.ramp(107'500, 10'000), 0.75);
    EXPECT_EQ(h.ramp(110'000, 10'000), 1.0);
    EXPECT_EQ(h.ramp(100'000, 0), 1.0);  // no slow start
    h.ejected_until_ms = 200'000;        // an ejection ended later: the ramp starts again there
    EXPECT_DOUBLE_EQ(h.ramp(205'000, 10'000), 0.5);
}

}  // namespace
}  // namespace sluice::health
