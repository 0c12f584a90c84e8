// Built plugin libraries, loaded through the C API alone with the SDK's harness: the
// shipped plugins work behind their exported tables, and the broken fixtures are refused
// the way a host must refuse them.
#include <gtest/gtest.h>

#include "sluice/sdk/testing/harness.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

// Paths of the built libraries, from CMake.
const std::string roundrobin_so = SLUICE_ROUNDROBIN_SO;
const std::string stripprefix_so = SLUICE_STRIPPREFIX_SO;
const std::string sticky_so = SLUICE_STICKY_SO;
std::string fixture(std::string_view name) { return std::string(SLUICE_FIXTURE_DIR) + "/" + std::string(name) + ".so"; }

plugin_library must_open(const std::string& path) {
    auto library = plugin_library::open(path);
    EXPECT_TRUE(library) << library.error();
    return library;
}

TEST(sdk_harness, roundrobin_loads_and_picks_through_its_c_table) {
    const auto library = must_open(roundrobin_so);
    if (!library) return;
    const auto plugin = library.plugin();
    EXPECT_EQ(plugin.name(), "roundrobin");
    EXPECT_EQ(plugin.kind(), sdk::plugin_kind::balancer);
    EXPECT_EQ(plugin.role(), sdk::balancer_role::strategy);
    EXPECT_STREQ(plugin->version, "1.0.0");
    EXPECT_EQ(plugin->abi_major, SLUICE_ABI_MAJOR);
    EXPECT_EQ(plugin->abi_minor, SLUICE_ABI_MINOR);

    fake_host host;
    collecting_errors errors;
    auto balancer = plugin.create_balancer(host, "api@file", "", errors);
    ASSERT_TRUE(balancer) << errors.errors.size();
    fake_server_set servers({{"http://a", 2}, {"http://b", 1}});
    auto picker = balancer.create_picker(servers, errors);
    ASSERT_TRUE(picker);
    EXPECT_FALSE(picker.has_on_response());
    EXPECT_FALSE(picker.has_on_attempt());
    fake_request req;
    std::vector<int> picks;
    for (int i = 0; i < 6; ++i) picks.push_back(picker.pick(req, servers.accepting()));
    EXPECT_EQ(picks, (std::vector<int>{0, 1, 0, 0, 1, 0}));
    servers.set_up(0, false);
    EXPECT_EQ(picker.pick(req, servers.accepting()), 1);

    collecting_errors refused;
    EXPECT_FALSE(plugin.create_balancer(host, "api@file", "fast = true", refused));
    ASSERT_EQ(refused.errors.size(), 1u);
    EXPECT_EQ(refused.errors[0].first, "fast");
}

TEST(sdk_harness, stripprefix_rewrites_through_its_c_table) {
    const auto library = must_open(stripprefix_so);
    if (!library) return;
    const auto plugin = library.plugin();
    EXPECT_EQ(plugin.kind(), sdk::plugin_kind::middleware);
    EXPECT_EQ(plugin->middleware->on_response, nullptr);

    fake_host host;
    collecting_errors errors;
    auto mw = plugin.create_middleware(host, "strip@file", "prefixes = [\"/api\"]\nforceSlash = true", errors);
    ASSERT_TRUE(mw);
    ASSERT_EQ(host.lines.size(), 1u);  // forceSlash: a deprecation warning, logged through the host
    EXPECT_EQ(host.lines[0].first, sdk::log_level::warn);

    fake_request req;
    req.target_ = "/api/users?page=2";
    fake_local_reply reply;
    EXPECT_EQ(mw.on_request(req, reply), sdk::verdict::proceed);
    EXPECT_EQ(req.target_, "/users?page=2");
    EXPECT_EQ(req.headers.get("X-Forwarded-Prefix"), "/api");
    fake_response resp;
    EXPECT_EQ(mw.on_response(req, resp), sdk::verdict::proceed);  // no hook: the host skips it

    fake_request dots;
    dots.target_ = "/api/../admin";
    fake_local_reply refused;
    EXPECT_EQ(mw.on_request(dots, refused), sdk::verdict::respond);
    EXPECT_EQ(refused.status_, 400);

    collecting_errors bad;
    EXPECT_FALSE(plugin.create_middleware(host, "strip@file", "prefixes = [1]", bad));
    ASSERT_FALSE(bad.errors.empty());
    EXPECT_EQ(bad.errors[0].first, "prefixes[0]");
}

// Two libraries, one picker wrapping the other through the host's inner_* functions.
TEST(sdk_harness, sticky_wraps_roundrobin_across_libraries) {
    const auto rr = must_open(roundrobin_so);
    const auto sticky = must_open(sticky_so);
    if (!rr || !sticky) return;
    EXPECT_EQ(sticky.plugin().role(), sdk::balancer_role::wrapper);
    fake_host host;
    collecting_errors errors;
    fake_server_set servers({{"http://a", 1}, {"http://b", 1}, {"http://c", 1}});
    auto strategy = rr.plugin().create_balancer(host, "app@file", "", errors);
    auto wrapper = sticky.plugin().create_balancer(host, "app@file", "cookie = true", errors);
    ASSERT_TRUE(strategy && wrapper);
    auto inner = strategy.create_picker(servers, errors);
    auto outer = wrapper.create_picker(servers, errors, inner.inner());
    ASSERT_TRUE(inner && outer);

    fake_request first;
    const int server = outer.pick(first, servers.accepting());
    fake_response resp;
    outer.on_response(first, resp, server);
    const std::string cookie(resp.headers.get("Set-Cookie"));
    ASSERT_FALSE(cookie.empty());
    for (int i = 0; i < 5; ++i) {
        fake_request pinned;
        pinned.headers.set("Cookie", cookie.substr(0, cookie.find(';')));
        EXPECT_EQ(outer.pick(pinned, servers.accepting()), server);
    }
}

TEST(sdk_harness, a_provider_publishes_through_the_sink_it_was_started_with) {
    const auto library = must_open(fixture("faulty_provider"));
    if (!library) return;
    fake_host host;
    collecting_errors errors;
    fake_document_sink sink;
    auto provider = library.plugin().create_provider(host, "faulty-provider", "", errors);
    ASSERT_TRUE(provider);
    EXPECT_TRUE(provider.start(sink));
    provider.stop();
    EXPECT_EQ(sink.documents, std::vector<std::string>{""});

    auto failing = library.plugin().create_provider(host, "f2", "throwIn = \"start\"", errors);
    ASSERT_TRUE(failing);
    EXPECT_FALSE(failing.start(sink));
    ASSERT_EQ(host.faults.size(), 1u);
    EXPECT_EQ(host.faults[0].rfind("provider faulty-provider f2 start: ", 0), 0u) << host.faults[0];
}

TEST(sdk_harness, a_hook_that_throws_inside_a_library_is_a_fault_not_a_crash) {
    const auto library = must_open(fixture("faulty_middleware"));
    if (!library) return;
    fake_host host;
    collecting_errors errors;
    auto mw = library.plugin().create_middleware(host, "f@file", "throwIn = \"on_request\"", errors);
    ASSERT_TRUE(mw);
    fake_request req;
    fake_local_reply reply;
    EXPECT_EQ(mw.on_request(req, reply), sdk::verdict::failed);
    ASSERT_EQ(host.faults.size(), 1u);
    EXPECT_EQ(host.faults[0].rfind("middleware faulty f@file on_request: ", 0), 0u) << host.faults[0];

    collecting_errors refused;
    EXPECT_FALSE(library.plugin().create_middleware(host, "g@file", "throwIn = \"create\"", refused));
    ASSERT_EQ(refused.errors.size(), 1u);
    EXPECT_EQ(refused.errors[0].second.rfind("plugin \"faulty\" (instance g@file) threw: ", 0), 0u);
}

TEST(sdk_harness, broken_libraries_are_refused_with_the_reason) {
    const auto abi = [](int major, int minor) { return std::to_string(major) + "." + std::to_string(minor); };
    const std::string host = abi(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR);
    struct {
        const char* fixture;
        std::string reason;
    } cases[] = {
        {"abi_major", "built for plugin ABI " + abi(SLUICE_ABI_MAJOR + 1, SLUICE_ABI_MINOR) + ", this host speaks ABI " +
                          host + " (the major versions differ)"},
        {"abi_minor", "needs plugin ABI " + abi(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR + 1) + ", newer than this host's ABI " + host},
        {"truncated", "its descriptor has 64 bytes, fewer than ABI 4.0's 72"},
        {"abi_3", "\"sluice_plugin_entry\" is not a function: a plugin built for plugin ABI 3 or older"},
        {"no_entry", "not a sluice plugin (it exports no \"sluice_plugin_entry\")"},
        {"not_a_plugin", "not a sluice plugin (it exports no \"sluice_plugin_entry\")"},
    };
    static_assert(offsetof(sluice_plugin, provider) == 64 && sizeof(sluice_plugin) == 72, "an LP64 platform");
    for (const auto& c : cases) {
        const auto library = plugin_library::open(fixture(c.fixture));
        EXPECT_FALSE(library) << c.fixture;
        EXPECT_NE(library.error().find(fixture(c.fixture) + ": " + c.reason), std::string::npos) << library.error();
    }
    const auto missing = plugin_library::open(fixture("does_not_exist"));
    EXPECT_NE(missing.error().find(": cannot be loaded: "), std::string::npos) << missing.error();
}

// Export hygiene is the linker's business (tests/plugin_exports.cmake checks it); the
// loader takes a leaky plugin like any other.
TEST(sdk_harness, well_formed_fixtures_load) {
    for (const char* name : {"twin_a", "wrapper", "noop_middleware", "leaky", "throwing"})
        EXPECT_TRUE(plugin_library::open(fixture(name))) << name;
}

}  // namespace
