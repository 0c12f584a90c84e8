// @NAME@'s behaviour, through the C tables its declaration generates, with the SDK's fakes
// as host: what the host will call, without a host.
#include <gtest/gtest.h>

#include <map>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

struct fixture {
    fake_host host;
    collecting_errors errors;
    balancer_object balancer = SLUICE_TESTING_LINKED_PLUGIN().create_balancer(host, "api@file", "seed = 7", errors);
};

TEST(@IDENT@, shares_requests_in_proportion_to_weights) {
    fixture f;
    ASSERT_TRUE(f.balancer) << f.errors.errors.size();
    fake_server_set servers({{"http://a", 3}, {"http://b", 1}});
    auto picker = f.balancer.create_picker(servers, f.errors);
    fake_request req;
    std::map<int, int> counts;
    for (int i = 0; i < 4000; ++i) ++counts[picker.pick(req, servers.accepting())];
    EXPECT_NEAR(counts[0], 3000, 150);
    EXPECT_NEAR(counts[1], 1000, 150);
}

TEST(@IDENT@, never_picks_a_server_the_host_refuses) {
    fixture f;
    fake_server_set servers({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto picker = f.balancer.create_picker(servers, f.errors);
    fake_request req;
    servers.set_up(1, false);
    for (int i = 0; i < 100; ++i) {
        EXPECT_NE(picker.pick(req, servers.accepting()), 1);
        EXPECT_NE(picker.pick(req, servers.accepting({0})), 0);  // 0 already failed this request
    }
    servers.set_up(0, false);
    servers.set_up(2, false);
    EXPECT_EQ(picker.pick(req, servers.accepting()), -1);
}

TEST(@IDENT@, the_same_seed_draws_the_same_sequence) {
    fixture one, two;
    fake_server_set servers({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto first = one.balancer.create_picker(servers, one.errors);
    auto second = two.balancer.create_picker(servers, two.errors);
    fake_request req;
    for (int i = 0; i < 50; ++i) EXPECT_EQ(first.pick(req, servers.accepting()), second.pick(req, servers.accepting()));
}

TEST(@IDENT@, reports_bad_options_with_their_keys) {
    fake_host host;
    collecting_errors errors;
    EXPECT_FALSE(SLUICE_TESTING_LINKED_PLUGIN().create_balancer(host, "api@file", "seed = -1\nsede = 2", errors));
    ASSERT_EQ(errors.errors.size(), 2u);
    EXPECT_EQ(errors.errors[0].first, "seed");
    EXPECT_EQ(errors.errors[1].first, "sede");
}

}  // namespace
