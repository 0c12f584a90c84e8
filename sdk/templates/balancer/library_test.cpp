// The built library, loaded the way the host loads it (dlopen, the entry, the ABI checks),
// then driven through its C tables with the SDK's fakes as host.
#include <gtest/gtest.h>

#include "sluice/sdk/testing/harness.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

TEST(@IDENT@_library, loads_and_picks_as_the_host_will_call_it) {
    const auto library = plugin_library::open(PLUGIN_LIBRARY);
    ASSERT_TRUE(library) << library.error();
    const auto plugin = library.plugin();
    EXPECT_EQ(plugin.name(), "@NAME@");
    EXPECT_EQ(plugin.kind(), sdk::plugin_kind::balancer);
    EXPECT_EQ(plugin.role(), sdk::balancer_role::strategy);

    fake_host host;
    collecting_errors errors;
    auto balancer = plugin.create_balancer(host, "api@file", "", errors);
    ASSERT_TRUE(balancer);
    fake_server_set servers({{"http://a", 1}, {"http://b", 1}});
    auto picker = balancer.create_picker(servers, errors);
    ASSERT_TRUE(picker);
    fake_request req;
    servers.set_up(0, false);
    EXPECT_EQ(picker.pick(req, servers.accepting()), 1);
}
