#include <gtest/gtest.h>

#include "sluice/sdk/testing/fakes.hpp"

namespace sdk = sluice::sdk;
using namespace sluice::sdk::testing;

namespace {

struct outcome {
    sdk::verdict verdict;
    std::string target;
    std::string forwarded_prefix;
    std::uint16_t status;
};

outcome strip(std::string_view config, std::string target, std::string routing_path = "") {
    fake_host host;
    collecting_errors errors;
    const auto* d = SLUICE_TESTING_LINKED_DESCRIPTOR();
    handle<sdk::middleware> mw(d->create_middleware(host, "t@file", config, errors));
    EXPECT_TRUE(mw) << (errors.errors.empty() ? "" : errors.errors[0].second);
    fake_request req;
    req.target_ = std::move(target);
    req.routing_path_ = std::move(routing_path);
    fake_reply reply;
    const auto v = mw->on_request(req, reply);
    return {v, req.target_, std::string(req.header("X-Forwarded-Prefix")), reply.status_};
}

TEST(stripprefix, traefik_cases) {
    struct {
        const char* config;
        const char* target;
        const char* routing;
        const char* want_target;
        const char* want_prefix;
    } cases[] = {
        {R"(prefixes = ["/api"])", "/api/users?x=1", "", "/users?x=1", "/api"},
        {R"(prefixes = ["/api"])", "/api", "", "/", "/api"},
        {R"(prefixes = ["/api"])", "/apiary", "", "/ary", "/api"},           // plain prefix, slash re-added
        {R"(prefixes = ["/api/"])", "/api/users", "", "/users", "/api/"},
        {R"(prefixes = ["/a", "/a/b"])", "/a/b/c", "", "/b/c", "/a"},        // first match, not longest
        {R"(prefixes = ["/other"])", "/api/x", "", "/api/x", ""},           // no match: untouched
        {R"(prefixes = ["/api"])", "/%61pi/x%2Fy", "/api/x%2Fy", "/x%2Fy", "/api"},  // encoded form stripped consistently
        {R"(prefixes = "/a, /b")", "/b/x", "", "/x", "/b"},                 // label form
    };
    for (const auto& c : cases) {
        const auto o = strip(c.config, c.target, c.routing);
        EXPECT_EQ(o.verdict, sdk::verdict::proceed) << c.target;
        EXPECT_EQ(o.target, c.want_target) << c.config << " " << c.target;
        EXPECT_EQ(o.forwarded_prefix, c.want_prefix) << c.config << " " << c.target;
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
    };
    for (const auto& c : cases) {
        fake_host host;
        collecting_errors errors;
        const auto* d = SLUICE_TESTING_LINKED_DESCRIPTOR();
        EXPECT_EQ(d->create_middleware(host, "t", c.config, errors), nullptr) << c.config;
        ASSERT_FALSE(errors.errors.empty()) << c.config;
        EXPECT_EQ(errors.errors[0].first, c.key) << c.config;
    }
}

TEST(stripprefix, toml_syntax_error_is_reported_not_thrown) {
    fake_host host;
    collecting_errors errors;
    const auto* d = SLUICE_TESTING_LINKED_DESCRIPTOR();
    EXPECT_EQ(d->create_middleware(host, "t", "prefixes = [", errors), nullptr);
    EXPECT_EQ(errors.errors.size(), 1u);
}

}  // namespace
