// The middleware asks the host to name the type (the host's sniffing has its own table test,
// content_sniff_test); autoDetect = false, Traefik's deprecated switch, turns it off.
#include <gtest/gtest.h>

#include "sluice/sdk/testing/fakes.hpp"

namespace {

namespace testing = sluice::sdk::testing;

bool asks_for_detection(std::string_view config) {
    testing::fake_host host;
    testing::collecting_errors errors;
    auto mw = SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "ct@file", config, errors);
    EXPECT_TRUE(mw) << config;
    testing::fake_request req;
    testing::fake_local_reply reply;
    EXPECT_EQ(mw.on_request(req, reply), sluice::sdk::verdict::proceed);
    testing::fake_response res;
    mw.on_response(req, res);
    return res.detect_content_type_;
}

TEST(contenttype, asks_the_host_to_name_the_type) {
    EXPECT_TRUE(asks_for_detection(""));
    EXPECT_TRUE(asks_for_detection("autoDetect = true"));
    EXPECT_FALSE(asks_for_detection("autoDetect = false"));
    EXPECT_FALSE(asks_for_detection("autodetect = 'false'"));  // a label's spelling
    EXPECT_NE(testing::middleware_refusal(SLUICE_TESTING_LINKED_PLUGIN(), "detect = true").find("unknown key"),
              std::string::npos);
}

}  // namespace
