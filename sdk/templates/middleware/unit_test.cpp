// @NAME@'s behaviour, through the C tables its declaration generates, with the SDK's fakes
// as host: what the host will call, without a host.
#include <gtest/gtest.h>

#include <string>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

TEST(@IDENT@, times_the_request_in_the_configured_header) {
    fake_host host;
    collecting_errors errors;
    auto mw = SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "timing@file", "header = \"X-Took\"", errors);
    ASSERT_TRUE(mw) << errors.errors.size();
    fake_request req;
    fake_local_reply reply;
    EXPECT_EQ(mw.on_request(req, reply), sdk::verdict::proceed);
    EXPECT_TRUE(mw.holds_state());
    fake_response resp;
    EXPECT_EQ(mw.on_response(req, resp), sdk::verdict::proceed);
    const std::string took(resp.headers.get("X-Took"));
    EXPECT_TRUE(took.ends_with("ms")) << took;
    mw.end_request();  // the host ends every request: the state is freed
    EXPECT_FALSE(mw.holds_state());
}

TEST(@IDENT@, defaults_to_x_response_time) {
    fake_host host;
    collecting_errors errors;
    auto mw = SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "timing@file", "", errors);
    ASSERT_TRUE(mw);
    fake_request req;
    fake_local_reply reply;
    mw.on_request(req, reply);
    fake_response resp;
    mw.on_response(req, resp);
    EXPECT_TRUE(resp.headers.has("X-Response-Time"));
}

TEST(@IDENT@, reports_bad_options_with_their_keys) {
    fake_host host;
    collecting_errors errors;
    EXPECT_FALSE(SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "timing@file", "header = 5\nheadr = \"x\"",
                                                                  errors));
    ASSERT_EQ(errors.errors.size(), 2u);
    EXPECT_EQ(errors.errors[0].first, "header");
    EXPECT_EQ(errors.errors[1].first, "headr");
}

}  // namespace
