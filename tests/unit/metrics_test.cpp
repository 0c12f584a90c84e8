#include "http/metrics.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

using namespace std::chrono_literals;

std::uint64_t count_of(const metrics_shard& m, const request_key& k) {
    const auto it = m.requests().find(k);
    return it == m.requests().end() ? 0 : it->second.count;
}

TEST(metrics_shard, counts_each_series_whatever_the_order_of_requests) {
    metrics_shard m;
    const std::string ep = "web", r1 = "api", r2 = "web", svc = "s", a = "http://a", b = "http://b";
    // Alternating servers and statuses, as round robin does: every series counted apart.
    for (int i = 0; i < 100; ++i) {
        m.record({ep, r1, svc, i % 2 ? a : b, "GET", 200}, 1ms);
        m.record({ep, r2, svc, a, i % 3 ? "GET" : "POST", i % 5 ? 200u : 502u}, 1ms);
    }
    EXPECT_EQ(count_of(m, {ep, r1, svc, a, "GET", 200}), 50u);
    EXPECT_EQ(count_of(m, {ep, r1, svc, b, "GET", 200}), 50u);
    std::uint64_t web = 0;
    for (const auto& [k, s] : m.requests())
        if (k.router == r2) web += s.count;
    EXPECT_EQ(web, 100u);
    EXPECT_EQ(count_of(m, {ep, r2, svc, a, "POST", 502}), 7u);  // i = 0, 15, 30, 45, 60, 75, 90
}

TEST(metrics_shard, a_name_at_the_address_of_another_is_its_own_series) {
    metrics_shard m;
    std::string router = "first";
    m.record({"web", router, "s", "http://a", "GET", 200}, 1ms);
    router.assign("other");  // the same storage, another name (a new snapshot may do this)
    m.record({"web", router, "s", "http://a", "GET", 200}, 1ms);
    EXPECT_EQ(count_of(m, {"web", "first", "s", "http://a", "GET", 200}), 1u);
    EXPECT_EQ(count_of(m, {"web", "other", "s", "http://a", "GET", 200}), 1u);
}

}  // namespace
}  // namespace sluice::http
