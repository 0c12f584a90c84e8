// Composite services resolved per request: weighted shares, failover by health, and the
// mirrors a mirroring service chooses by percentage (also below another composite).
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "runtime/snapshot.hpp"

namespace sluice::runtime {
namespace {

using kind = config::service_config::kind;
constexpr std::int64_t now = 1'000'000;

struct services {
    std::map<std::string, std::unique_ptr<service>> by_name;

    service& lb(const std::string& name, int servers = 1) {
        auto& s = by_name[name] = std::make_unique<service>();
        s->name = name;
        for (int i = 0; i < servers; ++i) {
            s->servers.push_back({"http://127.0.0.1:" + std::to_string(9001 + i), {}, 1});
            s->health.push_back(std::make_shared<server_health>());
        }
        return *s;
    }
    service& composite(const std::string& name, kind type, std::vector<std::pair<std::string, std::uint32_t>> children) {
        auto& s = by_name[name] = std::make_unique<service>();
        s->name = name;
        s->type = type;
        for (const auto& [child, weight] : children) {
            s->children.push_back({by_name.at(child).get(), weight});
            s->needs_choices = s->needs_choices || by_name.at(child)->needs_choices;
        }
        s->needs_choices = s->needs_choices || type == kind::mirroring;
        return *s;
    }
};

TEST(composite, mirrors_get_exactly_their_percentage_evenly_spread) {
    for (std::uint32_t percent : {0u, 1u, 10u, 33u, 50u, 99u, 100u}) {
        services s;
        s.lb("main");
        s.lb("copy");
        auto& m = s.composite("m", kind::mirroring, {{"main", 100}, {"copy", percent}});
        int copied = 0, longest_gap = 0, gap = 0;
        for (int n = 0; n < 1000; ++n) {
            request_choices choices;
            EXPECT_EQ(&m.resolve(now, &choices), s.by_name.at("main").get());
            const auto& mirrors = choices.mirrors;
            copied += static_cast<int>(mirrors.size());
            // As in Traefik, the first request of the run is copied.
            if (n == 0) {
                EXPECT_EQ(mirrors.size(), percent > 0 ? 1u : 0u) << percent;
            }
            gap = mirrors.empty() ? gap + 1 : 0;
            longest_gap = std::max(longest_gap, gap);
            for (const auto& t : mirrors) {
                EXPECT_EQ(t.svc, s.by_name.at("copy").get());
                EXPECT_EQ(t.via, &m);
            }
        }
        EXPECT_EQ(copied, static_cast<int>(percent * 10)) << percent;
        // Spread, not bunched: never more than 100/p requests in a row without a copy.
        if (percent > 0) {
            EXPECT_LE(longest_gap, static_cast<int>(100 / percent)) << percent;
        }
    }
}

TEST(composite, mirroring_below_a_weighted_service_and_over_a_failover) {
    services s;
    s.lb("v1");
    s.lb("v2");
    s.lb("shadow");
    s.composite("mirrored", kind::mirroring, {{"v2", 100}, {"shadow", 100}});
    auto& canary = s.composite("canary", kind::weighted, {{"v1", 1}, {"mirrored", 1}});
    canary.schedule = {0, 1};
    EXPECT_TRUE(canary.needs_choices);
    int to_v2 = 0, copies = 0;
    for (int n = 0; n < 10; ++n) {
        request_choices choices;
        const service& served = canary.resolve(now, &choices);
        const auto& mirrors = choices.mirrors;
        to_v2 += &served == s.by_name.at("v2").get();
        copies += static_cast<int>(mirrors.size());
        // Only the requests that went the mirrored way are copied.
        EXPECT_EQ(mirrors.size(), &served == s.by_name.at("v2").get() ? 1u : 0u);
    }
    EXPECT_EQ(to_v2, 5);
    EXPECT_EQ(copies, 5);

    // A mirroring service serves with its main service alone: its mirrors' health is not its own.
    s.by_name.at("v2")->health[0]->active_up = false;
    EXPECT_FALSE(s.by_name.at("mirrored")->available(now));
    s.by_name.at("v2")->health[0]->active_up = true;
    s.by_name.at("shadow")->health[0]->active_up = false;
    EXPECT_TRUE(s.by_name.at("mirrored")->available(now));
}

TEST(composite, a_sticky_weighted_service_keeps_a_client_on_the_service_its_cookie_names) {
    services s;
    s.lb("v1");
    s.lb("v2");
    auto& canary = s.composite("canary", kind::weighted, {{"v1", 1}, {"v2", 1}});
    canary.schedule = {0, 1};
    canary.sticky = service::sticky_pin{"pin", "; Path=/", {"one", "two"}};
    request_choices first;
    EXPECT_EQ(&canary.resolve(now, &first), s.by_name.at("v1").get());
    EXPECT_EQ(first.set_cookies, std::vector<std::string>{"pin=one; Path=/"});
    for (int n = 0; n < 4; ++n) {
        request_choices pinned;
        pinned.cookies = "other=1; pin=two";
        EXPECT_EQ(&canary.resolve(now, &pinned), s.by_name.at("v2").get());
        EXPECT_TRUE(pinned.set_cookies.empty());  // already pinned: no new cookie
    }
    // The pinned service has no server up: another one, and a cookie for it.
    s.by_name.at("v2")->health[0]->active_up = false;
    request_choices moved;
    moved.cookies = "pin=two";
    EXPECT_EQ(&canary.resolve(now, &moved), s.by_name.at("v1").get());
    EXPECT_EQ(moved.set_cookies, std::vector<std::string>{"pin=one; Path=/"});
    // An unknown value is no pin.
    s.by_name.at("v2")->health[0]->active_up = true;
    request_choices unknown;
    unknown.cookies = "pin=zzz";
    canary.resolve(now, &unknown);
    EXPECT_EQ(unknown.set_cookies.size(), 1u);
}

TEST(composite, failover_takes_the_fallback_while_the_main_service_is_down) {
    services s;
    s.lb("main", 2);
    s.lb("spare");
    auto& f = s.composite("f", kind::failover, {{"main", 1}, {"spare", 1}});
    EXPECT_EQ(&f.resolve(now), s.by_name.at("main").get());
    s.by_name.at("main")->health[0]->active_up = false;
    EXPECT_EQ(&f.resolve(now), s.by_name.at("main").get());  // one server up is enough
    s.by_name.at("main")->health[1]->ejected_until_ms = now + 1;
    EXPECT_EQ(&f.resolve(now), s.by_name.at("spare").get());
    EXPECT_EQ(&f.resolve(now + 1), s.by_name.at("main").get());  // the ejection has ended
}

}  // namespace
}  // namespace sluice::runtime
