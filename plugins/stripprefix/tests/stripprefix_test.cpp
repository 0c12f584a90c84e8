#include <gtest/gtest.h>

#include "rewrite_test_support.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

sluice::path_edit::test::outcome strip(std::string_view config, std::string target, std::string routing_path = "") {
    return sluice::path_edit::test::rewrite(config, std::move(target), "X-Forwarded-Prefix", std::move(routing_path));
}

TEST(stripprefix, traefik_cases) {
    struct {
        const char* config;
        const char* target;   // as forwarded: normalised
        const char* routing;  // routing form ("" = the target's path)
        const char* want_target;
        const char* want_prefix;
    } cases[] = {
        // Traefik strip_prefix_test TestStripPrefix (an empty stripped path is sent as "/").
        {R"(prefixes = [])", "/noprefixes", "", "/noprefixes", ""},
        {R"(prefixes = ["/"])", "/", "", "/", "/"},
        {R"(prefixes = ["/stat"])", "/stat", "", "/", "/stat"},
        {R"(prefixes = ["/stat/"])", "/stat/", "", "/", "/stat/"},
        {R"(prefixes = ["/stat/"])", "/stat/us", "", "/us", "/stat/"},
        {R"(prefixes = ["/stat/"])", "/status", "", "/status", ""},
        {R"(prefixes = ["/stat"])", "/stat/", "", "/", "/stat"},
        {R"(prefixes = ["/stat", "/stat/us"])", "/stat/us", "", "/us", "/stat"},   // first match, not longest
        {R"(prefixes = ["/mismatch", "/stat"])", "/stat", "", "/", "/stat"},
        {R"(prefixes = ["/stat"])", "/status", "", "/us", "/stat"},                // no segment boundary
        {R"(prefixes = ["/stat"])", "/stat/a%2Fb", "", "/a%2Fb", "/stat"},         // raw path stripped too
        {R"(prefixes = ["/api/"])", "/ap%69/a%2Fb", "/api/a%2Fb", "/a%2Fb", "/api/"},  // escape inside the prefix
        // Sluice's own.
        {R"(prefixes = ["/api"])", "/api/users?x=1", "", "/users?x=1", "/api"},   // query kept
        {R"(prefixes = ["/api"])", "/apiary", "", "/ary", "/api"},
        {R"(prefixes = ["/other"])", "/api/x", "", "/api/x", ""},
        {R"(prefixes = "/a, /b")", "/b/x", "", "/x", "/b"},                       // label form
        // A decoded escape is one routing character; a reserved one stays three.
        {R"(prefixes = ["/foo bar"])", "/foo%20bar/x", "/foo bar/x", "/x", "/foo bar"},
        {R"(prefixes = ["/café"])", "/caf%C3%A9/x", "/caf\xC3\xA9/x", "/x", "/caf\xC3\xA9"},
        {R"(prefixes = ["/a%2Fb"])", "/a%2Fb/c%20d", "/a%2Fb/c d", "/c%20d", "/a%2Fb"},
        {R"(prefixes = ["/v1"])", "/v1%7Bx%7D", "/v1{x}", "/%7Bx%7D", "/v1"},
    };
    for (const auto& c : cases) {
        const auto o = strip(c.config, c.target, c.routing);
        EXPECT_EQ(o.verdict, sdk::verdict::proceed) << c.target;
        EXPECT_EQ(o.target, c.want_target) << c.config << " " << c.target;
        EXPECT_EQ(o.header, c.want_prefix) << c.config << " " << c.target;
    }
}

// Traefik: "dot in the path not stripped by the prefix", also with forceSlash.
TEST(stripprefix, traefik_dot_cases_are_refused) {
    for (const char* config : {R"(prefixes = ["/api"])", "prefixes = [\"/api\"]\nforceSlash = true"})
        for (const char* target : {"/api./foo", "/api../foo", "/api/../admin"}) {
            const auto o = strip(config, target);
            EXPECT_EQ(o.verdict, sdk::verdict::respond) << config << " " << target;
            EXPECT_EQ(o.status, 400) << target;
        }
}

// forceSlash is deprecated but valid in Traefik v3: accepted with a warning naming it.
TEST(stripprefix, force_slash_is_accepted_with_a_deprecation_warning) {
    for (const char* config : {"prefixes = [\"/api\"]\nforceSlash = true", "prefixes = [\"/api\"]\nforceSlash = false",
                               "prefixes = \"/api\"\nforceslash = \"true\""}) {
        fake_host host;
        collecting_errors errors;
        auto mw = SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "strip@file", config, errors);
        ASSERT_TRUE(mw) << config << ": " << (errors.errors.empty() ? "" : errors.errors[0].second);
        ASSERT_EQ(host.lines.size(), 1u) << config;
        EXPECT_EQ(host.lines[0].first, sdk::log_level::warn);
        EXPECT_NE(host.lines[0].second.find("forceSlash"), std::string::npos) << host.lines[0].second;
        EXPECT_NE(host.lines[0].second.find("deprecated"), std::string::npos) << host.lines[0].second;
        fake_request req;
        req.target_ = "/api";
        fake_local_reply reply;
        EXPECT_EQ(mw.on_request(req, reply), sdk::verdict::proceed);
        EXPECT_EQ(req.target_, "/");
    }
}

TEST(stripprefix, dot_segments_after_stripping_are_refused) {
    const auto o = strip(R"(prefixes = ["/api"])", "/api/../admin");
    EXPECT_EQ(o.verdict, sdk::verdict::respond);
    EXPECT_EQ(o.status, 400);
}

TEST(stripprefix, configuration_errors_name_the_key) {
    struct {
        const char* config;
        const char* key;
    } cases[] = {
        {"", "prefixes"},
        {"prefixes = [1]", "prefixes[0]"},
        {"prefixes = [\"\"]", "prefixes[0]"},
        {"prefixes = [\"/a\"]\nprefix = 1", "prefix"},
        {"prefixes = 3", "prefixes"},
        {"prefixes = [\"/a\"]\nforceSlash = \"maybe\"", "forceSlash"},
    };
    for (const auto& c : cases) {
        fake_host host;
        collecting_errors errors;
        EXPECT_FALSE(SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "t", c.config, errors)) << c.config;
        ASSERT_FALSE(errors.errors.empty()) << c.config;
        EXPECT_EQ(errors.errors[0].first, c.key) << c.config;
    }
}

TEST(stripprefix, toml_syntax_error_is_reported_not_thrown) {
    fake_host host;
    collecting_errors errors;
    EXPECT_FALSE(SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "t", "prefixes = [", errors));
    EXPECT_EQ(errors.errors.size(), 1u);
}

// Only a request hook: the host skips the response hook and keeps no state.
TEST(stripprefix, has_no_response_hook_and_no_request_state) {
    fake_host host;
    collecting_errors errors;
    const auto plugin = SLUICE_TESTING_LINKED_PLUGIN();
    EXPECT_EQ(plugin.kind(), sdk::plugin_kind::middleware);
    auto mw = plugin.create_middleware(host, "t@file", R"(prefixes = ["/api"])", errors);
    ASSERT_TRUE(mw);
    EXPECT_FALSE(mw.has_on_response());
    EXPECT_EQ(plugin->middleware->end_request, nullptr);
    fake_request req;
    req.target_ = "/api/x";
    fake_local_reply reply;
    EXPECT_EQ(mw.on_request(req, reply), sdk::verdict::proceed);
    EXPECT_FALSE(mw.holds_state());
}

}  // namespace
