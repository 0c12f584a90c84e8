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
            s->mirrors_below = s->mirrors_below || by_name.at(child)->mirrors_below;
        }
        s->mirrors_below = s->mirrors_below || type == kind::mirroring;
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
            mirror_list mirrors;
            EXPECT_EQ(&m.resolve(now, &mirrors), s.by_name.at("main").get());
            copied += static_cast<int>(mirrors.size());
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
    EXPECT_TRUE(canary.mirrors_below);
    int to_v2 = 0, copies = 0;
    for (int n = 0; n < 10; ++n) {
        mirror_list mirrors;
        const service& served = canary.resolve(now, &mirrors);
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
