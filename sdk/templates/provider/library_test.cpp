// The built library, loaded the way the host loads it (dlopen, the entry, the ABI checks),
// then driven through its C tables with the SDK's fakes as host.
#include <gtest/gtest.h>

#include "sluice/sdk/testing/harness.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

TEST(@IDENT@_library, loads_starts_and_stops_as_the_host_will_call_it) {
    const auto library = plugin_library::open(PLUGIN_LIBRARY);
    ASSERT_TRUE(library) << library.error();
    const auto plugin = library.plugin();
    EXPECT_EQ(plugin.name(), "@NAME@");
    EXPECT_EQ(plugin.kind(), sdk::plugin_kind::provider);

    fake_host host;
    collecting_errors errors;
    auto provider = plugin.create_provider(host, "mine", plugin->example_config, errors);
    ASSERT_TRUE(provider) << errors.errors.size();
    fake_document_sink sink;
    ASSERT_TRUE(provider.start(sink));
    provider.stop();
    EXPECT_EQ(sink.documents.size(), 1u);
}
