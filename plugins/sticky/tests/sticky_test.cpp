#include <gtest/gtest.h>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

struct fixture {
    fake_host host;
    collecting_errors errors;
    fake_server_set servers{{{"http://10.0.0.1:80", 1}, {"http://10.0.0.2:80", 1}, {"http://10.0.0.3:80", 1}}};
    cycling_picker inner{servers};
    balancer_object balancer;
    picker_object picker;

    // `config`: the service's loadBalancer.sticky table.
    explicit fixture(std::string_view config = "[cookie]\nname = \"s\"", std::string_view service = "app@file") {
        balancer = SLUICE_TESTING_LINKED_PLUGIN().create_balancer(host, service, config, errors);
        if (!balancer) return;
        picker = balancer.create_picker(servers, errors, &inner);
    }

    // One exchange: which server, and the Set-Cookie the client got ("" for none). Every
    // attempt ends with a response, as the host reports it.
    std::pair<int, std::string> exchange(std::string cookie = "") {
        fake_request req;
        if (!cookie.empty()) req.headers.set("Cookie", cookie);
        const int server = picker.pick(req, servers.accepting());
        fake_response resp;
        picker.on_response(req, resp, server);
        picker.on_attempt(req, {server, sdk::attempt_outcome::response, 200, std::chrono::microseconds(100)});
        return {server, std::string(resp.header("Set-Cookie"))};
    }
};

std::string cookie_pair(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

TEST(sticky, first_request_is_balanced_and_pinned) {
    fixture f;
    auto [server, set_cookie] = f.exchange();
    EXPECT_EQ(server, 0);
    EXPECT_EQ(set_cookie.rfind("s=", 0), 0u);
    EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos);
    // Opaque: the first 16 hex characters of SHA-256 of the URL, never the address.
    EXPECT_EQ(cookie_pair(set_cookie).size(), 2u + 16u);
    EXPECT_EQ(set_cookie.find("10.0.0.1"), std::string::npos);
}

TEST(sticky, a_valid_pin_holds_without_a_new_cookie) {
    fixture f;
    f.exchange();
    const auto pin = cookie_pair(f.exchange().second);  // server 1
    for (int i = 0; i < 100; ++i) {
        auto [server, set_cookie] = f.exchange("other=1; " + pin + "; x=y");
        EXPECT_EQ(server, 1);
        EXPECT_EQ(set_cookie, "");
    }
    EXPECT_EQ(f.inner.picks, 2);  // the wrapped strategy was asked only for the unpinned requests
    EXPECT_EQ(f.inner.responses, 2);
    EXPECT_EQ(f.inner.attempts, (std::vector<std::int32_t>{0, 1}));
}

// The strategy hears of every attempt it chose, and of none it did not: a pinned server's
// attempts stay with sticky, a repin after a failure goes through the strategy.
TEST(sticky, the_strategy_hears_only_of_attempts_on_servers_it_chose) {
    fixture f;
    const auto pin = cookie_pair(f.exchange().second);  // server 0, chosen by the strategy
    fake_request req;
    req.headers.set("Cookie", pin);
    // The pinned server is tried and its connection is refused; the retry excludes it.
    const int first = f.picker.pick(req, f.servers.accepting());
    ASSERT_EQ(first, 0);
    f.picker.on_attempt(req, {first, sdk::attempt_outcome::refused, 0, std::chrono::microseconds(50)});
    const int second = f.picker.pick(req, f.servers.accepting({0}));
    ASSERT_EQ(second, 1);
    fake_response resp;
    f.picker.on_response(req, resp, second);
    f.picker.on_attempt(req, {second, sdk::attempt_outcome::response, 200, std::chrono::microseconds(80)});
    EXPECT_EQ(f.inner.picks, 2);
    EXPECT_EQ(f.inner.attempts, (std::vector<std::int32_t>{0, 1}));  // the first exchange's, then the retry's
    EXPECT_EQ(f.inner.responses, 2);
    EXPECT_FALSE(std::string(resp.header("Set-Cookie")).empty());  // repinned to server 1
}

TEST(sticky, a_down_pinned_server_repins_elsewhere) {
    fixture f;
    const auto pin = cookie_pair(f.exchange().second);  // server 0
    f.servers.set_up(0, false);
    auto [server, set_cookie] = f.exchange(pin);
    EXPECT_NE(server, 0);
    EXPECT_EQ(f.inner.attempts.back(), server);  // the strategy chose, so it hears of the attempt
    ASSERT_FALSE(set_cookie.empty());
    EXPECT_NE(cookie_pair(set_cookie), pin);
    EXPECT_EQ(f.exchange(cookie_pair(set_cookie)).first, server);
}

TEST(sticky, a_server_in_its_slow_start_keeps_its_pinned_clients) {
    fixture f;
    f.exchange();
    const auto pin = cookie_pair(f.exchange().second);  // server 1
    f.servers.set_starting(1, true);  // new placements held back, pins honoured
    for (int i = 0; i < 5; ++i) EXPECT_EQ(f.exchange(pin).first, 1);
    for (int i = 0; i < 6; ++i) EXPECT_NE(f.exchange().first, 1);  // new clients go elsewhere
}

TEST(sticky, unknown_values_are_rebalanced) {
    fixture f;
    auto [server, set_cookie] = f.exchange("s=0123456789abcdef");
    EXPECT_GE(server, 0);
    EXPECT_FALSE(set_cookie.empty());
}

TEST(sticky, pins_survive_a_new_picker_for_the_same_urls) {
    fixture a;
    fixture b;
    const auto pin = cookie_pair(a.exchange().second);
    EXPECT_EQ(b.exchange(pin), std::make_pair(0, std::string()));
}

TEST(sticky, excluded_pinned_server_is_not_returned) {
    fixture f;
    const auto pin = cookie_pair(f.exchange().second);  // server 0
    fake_request req;
    req.headers.set("Cookie", pin);
    EXPECT_NE(f.picker.pick(req, f.servers.accepting({0})), 0);
}

TEST(sticky, default_name_follows_traefik) {
    fixture f("cookie = true", "whoami@docker");
    const auto set_cookie = f.exchange().second;
    ASSERT_EQ(set_cookie.front(), '_');
    EXPECT_EQ(set_cookie.find('='), 6u);  // "_" and five hex characters
}

TEST(sticky, attributes) {
    fixture f(R"([cookie]
name = "n"
path = "/app"
domain = "example.com"
secure = true
httpOnly = true
sameSite = "strict"
maxAge = 60)");
    EXPECT_EQ(f.exchange().second.substr(18),
              "; Path=/app; Domain=example.com; Max-Age=60; HttpOnly; Secure; SameSite=Strict");
    fixture odd(R"(cookie = { sameSite = "sometimes" })");
    EXPECT_EQ(odd.exchange().second.find("SameSite"), std::string::npos);
}

TEST(sticky, configuration_errors_name_the_key) {
    fixture f("[cookie]\nmaxAge = \"long\"");
    EXPECT_FALSE(f.balancer);
    ASSERT_EQ(f.errors.errors.size(), 1u);
    EXPECT_EQ(f.errors.errors[0].first, "cookie.maxAge");
    fixture g("[cookie]\ncolour = \"blue\"");
    EXPECT_EQ(g.errors.errors.at(0).first, "cookie.colour");
    fixture h("cookie = 3");
    EXPECT_FALSE(h.balancer);
    EXPECT_EQ(h.errors.errors.at(0).first, "cookie");
    EXPECT_NE(h.errors.errors.at(0).second.find("expected a table, true or false"), std::string::npos);
}

// The label forms: `sticky.cookie=true` arrives as the string "true"; `false` switches the
// cookie off, and so does a sticky table without one (as in Traefik).
TEST(sticky, cookie_is_a_switch) {
    for (std::string_view on : {"cookie = true", "cookie = \"TRUE\"", "[cookie]"}) {
        fixture f(on);
        ASSERT_TRUE(f.picker) << on;
        EXPECT_FALSE(f.exchange().second.empty()) << on;
    }
    for (std::string_view off : {"", "cookie = false", "cookie = \"false\""}) {
        fixture f(off);
        ASSERT_TRUE(f.picker) << off;
        for (int i = 0; i < 3; ++i) {
            auto [server, set_cookie] = f.exchange();
            EXPECT_EQ(server, i) << off;  // the strategy's choice, every time
            EXPECT_EQ(set_cookie, "") << off;
        }
    }
}

TEST(sticky, is_declared_a_wrapper) {
    EXPECT_EQ(SLUICE_TESTING_LINKED_DESCRIPTOR()->role, SLUICE_ROLE_WRAPPER);
    EXPECT_EQ(SLUICE_TESTING_LINKED_PLUGIN().role(), sdk::balancer_role::wrapper);
}

TEST(sticky, needs_a_strategy_to_wrap) {
    fake_host host;
    collecting_errors errors;
    auto b = SLUICE_TESTING_LINKED_PLUGIN().create_balancer(host, "s", "", errors);
    ASSERT_TRUE(b);
    fake_server_set servers({{"http://a", 1}});
    EXPECT_FALSE(b.create_picker(servers, errors));
    EXPECT_EQ(errors.errors.size(), 1u);
}

}  // namespace
