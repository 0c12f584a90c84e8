#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sluice/sdk/ip_network.hpp"

namespace sdk = sluice::sdk;

namespace {

TEST(ip_network, v4_v6_and_mapped) {
    auto n = sdk::ip_network::parse("192.168.1.0/24");
    ASSERT_TRUE(n);
    EXPECT_TRUE(n->contains("192.168.1.77"));
    EXPECT_TRUE(n->contains("::ffff:192.168.1.77"));
    EXPECT_FALSE(n->contains("192.168.2.1"));
    EXPECT_FALSE(n->contains(""));
    EXPECT_FALSE(n->contains("192.168.1.77:80"));
    n = sdk::ip_network::parse("fd00::/8");
    ASSERT_TRUE(n);
    EXPECT_TRUE(n->contains("fd12::1"));
    EXPECT_FALSE(n->contains("fe80::1"));
    EXPECT_FALSE(n->contains("10.0.0.1"));
    EXPECT_TRUE(sdk::ip_network::parse("fe80::/10")->contains("fe80::1%eth0"));  // a link-local peer's zone
    EXPECT_FALSE(sdk::ip_network::parse("10.0.0.1%eth0"));
    n = sdk::ip_network::parse("10.0.0.7");  // an address alone: a range of one
    ASSERT_TRUE(n);
    EXPECT_TRUE(n->contains("10.0.0.7"));
    EXPECT_FALSE(n->contains("10.0.0.8"));
    EXPECT_TRUE(sdk::ip_network::parse("0.0.0.0/0")->contains("203.0.113.9"));
    // As Go's IPNet.Contains: the families do not mix, whatever the prefix.
    EXPECT_FALSE(sdk::ip_network::parse("::/0")->contains("203.0.113.9"));
    EXPECT_FALSE(sdk::ip_network::parse("::/0")->contains("::ffff:203.0.113.9"));
    EXPECT_FALSE(sdk::ip_network::parse("0.0.0.0/0")->contains("::1"));
    EXPECT_TRUE(sdk::ip_network::parse("::/0")->contains("2001:db8::1"));
    EXPECT_TRUE(sdk::ip_network::parse("::ffff:10.0.0.0/104")->contains("10.1.2.3"));  // a mapped range is IPv4
    EXPECT_TRUE(sdk::ip_network::parse("10.0.0.1/24")->contains("10.0.0.200"));  // host bits ignored, as Go's
    for (const char* bad : {"10.0.0.0/33", "::/129", "nope", "", "10.0.0.0/", "10.0.0.0/8x", "10.0.0/8", "[::1]"})
        EXPECT_FALSE(sdk::ip_network::parse(bad)) << bad;
}

std::vector<sdk::ip_network> ranges(std::initializer_list<const char*> texts) {
    std::vector<sdk::ip_network> out;
    for (const char* t : texts) out.push_back(*sdk::ip_network::parse(t));
    return out;
}

// Traefik's pkg/ip strategy tests, and the peer's address when no strategy reads the list.
TEST(ip_strategy, the_peer_without_depth_or_exclusions) {
    EXPECT_EQ(sdk::ip_strategy{}.client("192.0.2.1", "10.0.0.1"), "192.0.2.1");
}

TEST(ip_strategy, depth_counts_from_the_right) {
    struct row {
        unsigned depth;
        std::string forwarded, expected;
    };
    for (const auto& r : std::vector<row>{{3, "10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1", "10.0.0.3"},
                                          {2, "", ""},
                                          {2, "10.0.0.2,10.0.0.1", "10.0.0.2"},
                                          {1, "10.0.0.3, 10.0.0.2,  10.0.0.1", "10.0.0.1"},
                                          {5, "10.0.0.2,10.0.0.1", ""}})
        EXPECT_EQ((sdk::ip_strategy{r.depth, {}}.client("192.0.2.1", r.forwarded)), r.expected) << r.forwarded;
}

TEST(ip_strategy, excluded_ranges_skip_ones_own_proxies) {
    struct row {
        std::vector<sdk::ip_network> excluded;
        std::string forwarded, expected;
    };
    for (const auto& r : std::vector<row>{
             {ranges({"10.0.0.4", "10.0.0.3", "10.0.0.2", "10.0.0.1"}), "10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1", ""},
             {ranges({"10.0.0.2", "10.0.0.1"}), "10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1", "10.0.0.3"},
             {ranges({"10.0.0.1/24"}), "127.0.0.1,10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1", "127.0.0.1"},
             {ranges({"10.0.0.1/24"}), "10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1", ""},
             {ranges({"10.0.0.0/8"}), "203.0.113.5, , 10.1.1.1", "203.0.113.5"},  // empty entries skipped
         })
        EXPECT_EQ((sdk::ip_strategy{0, r.excluded}.client("192.0.2.1", r.forwarded)), r.expected) << r.forwarded;
}

TEST(ip_strategy, the_host_appended_peer_comes_off_the_list) {
    EXPECT_EQ(sdk::peer_forwarded_for("203.0.113.5, 10.0.0.1, 192.0.2.1"), "203.0.113.5, 10.0.0.1");
    EXPECT_EQ(sdk::peer_forwarded_for("192.0.2.1"), "");  // an untrusted peer: only its own address
    EXPECT_EQ(sdk::peer_forwarded_for(""), "");
}

}  // namespace
