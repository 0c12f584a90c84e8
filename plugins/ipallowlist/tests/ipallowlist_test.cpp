// Traefik's ip_allowlist_test cases, its ipStrategy over X-Forwarded-For, and Sluice's own.
// Built for ipallowlist and for ipwhitelist (the same source under Traefik v2's name).
#include <gtest/gtest.h>

#include <string>

#include "sluice/sdk/testing/fakes.hpp"

namespace {

namespace testing = sluice::sdk::testing;
using sluice::sdk::verdict;

// The status the client gets: 0 when the request goes on.
std::uint16_t status_for(std::string_view config, std::string peer, std::string forwarded_for = "") {
    testing::fake_host host;
    testing::collecting_errors errors;
    auto mw = SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "allow@file", config, errors);
    EXPECT_TRUE(mw) << config;
    if (!mw) return 1;
    testing::fake_request req;
    req.client_ip_ = peer;
    // As plugins see it: what a trusted peer sent, then the peer itself (the host appends it).
    req.headers.add("X-Forwarded-For", forwarded_for.empty() ? peer : forwarded_for + ", " + peer);
    testing::fake_local_reply reply;
    const auto v = mw.on_request(req, reply);
    EXPECT_EQ(v == verdict::respond, reply.status_ != 0);
    return reply.status_;
}

std::string refusal(std::string_view config) {
    return testing::middleware_refusal(SLUICE_TESTING_LINKED_PLUGIN(), config);
}

TEST(ipallowlist, traefik_cases) {
    EXPECT_EQ(status_for("sourceRange = ['20.20.20.20']", "20.20.20.20"), 0);
    EXPECT_EQ(status_for("sourceRange = ['20.20.20.20']", "20.20.20.21"), 403);
    EXPECT_EQ(status_for("sourceRange = ['20.20.20.20']\nrejectStatusCode = 404", "20.20.20.20"), 0);
    EXPECT_EQ(status_for("sourceRange = ['20.20.20.20']\nrejectStatusCode = 404", "20.20.20.21"), 404);
    EXPECT_NE(refusal("sourceRange = ['foo']").find("sourceRange[0]: \"foo\" is not an IP address or CIDR range"),
              std::string::npos);
    EXPECT_NE(refusal("sourceRange = ['10.10.10.10']\nrejectStatusCode = 600").find("rejectStatusCode"),
              std::string::npos);
}

TEST(ipallowlist, ranges_of_both_families) {
    const char* config = "sourceRange = ['10.0.0.0/8', '192.168.1.0/24', '2001:db8::/32', '::1']";
    EXPECT_EQ(status_for(config, "10.200.3.4"), 0);
    EXPECT_EQ(status_for(config, "192.168.1.77"), 0);
    EXPECT_EQ(status_for(config, "192.168.2.1"), 403);
    EXPECT_EQ(status_for(config, "2001:db8:1::5"), 0);
    EXPECT_EQ(status_for(config, "2001:db9::5"), 403);
    EXPECT_EQ(status_for(config, "::1"), 0);
    EXPECT_EQ(status_for(config, "::ffff:10.1.1.1"), 0);  // an IPv4 peer on an IPv6 socket
    EXPECT_EQ(status_for("sourceRange = '127.0.0.1/32, 10.0.0.0/8'", "10.1.1.1"), 0);  // the label form
}

TEST(ipallowlist, ip_strategy_over_forwarded_for) {
    // depth: the n-th address from the right of what the trusted peer sent.
    const char* depth = "sourceRange = ['1.2.3.4']\nipStrategy.depth = 2";
    EXPECT_EQ(status_for(depth, "10.0.0.1", "1.2.3.4, 10.0.0.9"), 0);
    EXPECT_EQ(status_for(depth, "10.0.0.1", "9.9.9.9, 10.0.0.9"), 403);
    EXPECT_EQ(status_for(depth, "1.2.3.4", ""), 403);  // list too short: no client, refused
    // excludedIPs: the rightmost address not in them (one's own proxies).
    const char* excluded = "sourceRange = ['1.2.3.4']\n[ipStrategy]\nexcludedIPs = ['10.0.0.0/8']";
    EXPECT_EQ(status_for(excluded, "10.0.0.1", "1.2.3.4, 10.0.0.9"), 0);
    EXPECT_EQ(status_for(excluded, "10.0.0.1", "1.2.3.4, 5.6.7.8"), 403);
    // No strategy: the peer, whatever the header says.
    EXPECT_EQ(status_for("sourceRange = ['1.2.3.4']", "10.0.0.1", "1.2.3.4"), 403);
    EXPECT_EQ(status_for("sourceRange = ['1.2.3.4']\nipStrategy = 'true'", "1.2.3.4", "9.9.9.9"), 0);
}

TEST(ipallowlist, configuration_errors_name_the_key) {
    EXPECT_NE(refusal("").find("sourceRange: missing"), std::string::npos) << refusal("");
    EXPECT_NE(refusal("sourceRange = []").find("empty"), std::string::npos);
    EXPECT_NE(refusal("sourceRange = ['10.0.0.0/33']").find("sourceRange[0]"), std::string::npos);
    EXPECT_NE(refusal("sourceRange = ['::1']\nipStrategy.excludedIPs = ['x']").find("ipStrategy.excludedIPs[0]"),
              std::string::npos);
    EXPECT_NE(refusal("sourceRange = ['::1']\nipStrategy.depth = -1").find("out of range"), std::string::npos);
    EXPECT_NE(refusal("sourceRange = ['::1']\nsourcerange2 = 1").find("unknown key"), std::string::npos);
}

}  // namespace
