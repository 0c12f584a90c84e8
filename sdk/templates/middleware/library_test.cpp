// The built library, loaded the way the host loads it (dlopen, the entry, the ABI checks),
// then driven through its C tables with the SDK's fakes as host.
#include <gtest/gtest.h>

#include "sluice/sdk/testing/harness.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

TEST(@IDENT@_library, loads_and_answers_as_the_host_will_call_it) {
    const auto library = plugin_library::open(PLUGIN_LIBRARY);
    ASSERT_TRUE(library) << library.error();
    const auto plugin = library.plugin();
    EXPECT_EQ(plugin.name(), "@NAME@");
    EXPECT_EQ(plugin.kind(), sdk::plugin_kind::middleware);

    fake_host host;
    collecting_errors errors;
    auto mw = plugin.create_middleware(host, "timing@file", "", errors);
    ASSERT_TRUE(mw);
    fake_request req;
    fake_local_reply reply;
    EXPECT_EQ(mw.on_request(req, reply), sdk::verdict::proceed);
    fake_response resp;
    EXPECT_EQ(mw.on_response(req, resp), sdk::verdict::proceed);
    EXPECT_TRUE(resp.headers.has("X-Response-Time"));
    mw.end_request();
}
