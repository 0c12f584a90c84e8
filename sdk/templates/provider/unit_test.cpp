// @NAME@'s behaviour, through the C tables its declaration generates, with the SDK's fakes
// as host: what the host will call, without a host.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include <toml++/toml.h>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

constexpr const char* options = "rule = \"Host(`app.localhost`)\"\nservers = [\"http://10.0.0.1:80\"]\n";

TEST(@IDENT@, publishes_its_router_and_service_on_start) {
    fake_host host;
    collecting_errors errors;
    auto provider = SLUICE_TESTING_LINKED_PLUGIN().create_provider(host, "mine", options, errors);
    ASSERT_TRUE(provider) << errors.errors.size();
    fake_document_sink sink;
    ASSERT_TRUE(provider.start(sink));
    provider.stop();  // joins the provider's thread: the sink is ours to read now
    ASSERT_FALSE(sink.documents.empty());
    const auto doc = toml::parse(sink.documents.front());
    EXPECT_EQ(doc["http"]["routers"]["app"]["rule"].value_or(""), std::string("Host(`app.localhost`)"));
    EXPECT_EQ(doc["http"]["services"]["app"]["loadBalancer"]["servers"][0]["url"].value_or(""),
              std::string("http://10.0.0.1:80"));
}

TEST(@IDENT@, publishes_again_every_interval) {
    fake_host host;
    collecting_errors errors;
    auto provider = SLUICE_TESTING_LINKED_PLUGIN().create_provider(
        host, "mine", std::string(options) + "interval = \"20ms\"\n", errors);
    ASSERT_TRUE(provider);
    fake_document_sink sink;
    ASSERT_TRUE(provider.start(sink));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    provider.stop();
    EXPECT_GE(sink.documents.size(), 2u);
}

TEST(@IDENT@, needs_a_rule_and_servers) {
    fake_host host;
    collecting_errors errors;
    EXPECT_FALSE(SLUICE_TESTING_LINKED_PLUGIN().create_provider(host, "mine", "servers = \"x\"\nrul = 1", errors));
    ASSERT_EQ(errors.errors.size(), 2u);
    EXPECT_EQ(errors.errors[0].first, "rule");
    EXPECT_EQ(errors.errors[1].first, "rul");
}

}  // namespace
