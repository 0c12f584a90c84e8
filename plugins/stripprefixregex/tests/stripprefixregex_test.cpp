// Traefik's strip_prefix_regex_test cases, and Sluice's own.
#include "rewrite_test_support.hpp"

namespace {

using sluice::path_edit::test::refusal;
using sluice::path_edit::test::rewrite;

TEST(stripprefixregex, traefik_cases) {
    struct {
        const char* regex;
        const char* target;
        const char* routing;  // routing form ("" : the target's path)
        const char* want;
        const char* prefix;   // X-Forwarded-Prefix, "" when nothing was stripped
    } cases[] = {
        {"/a/api/", "/a/test", "", "/a/test", ""},
        {"/a/api/", "/a/test/", "", "/a/test/", ""},
        {"/a/api/", "/a/api/", "", "/", "/a/api/"},
        {"/a/api/", "/a/api/test", "", "/test", "/a/api/"},
        {"/a/api/", "/a/api/test/", "", "/test/", "/a/api/"},
        {"/b/([a-z0-9]+)/", "/b/api/", "", "/", "/b/api/"},
        {"/b/([a-z0-9]+)/", "/b/api", "", "/b/api", ""},
        {"/b/([a-z0-9]+)/", "/b/api/test1", "", "/test1", "/b/api/"},
        {"/b/([a-z0-9]+)/", "/b/api2/test2", "", "/test2", "/b/api2/"},
        {"/c/[a-z0-9]+/[0-9]+/", "/c/api/123/", "", "/", "/c/api/123/"},
        {"/c/[a-z0-9]+/[0-9]+/", "/c/api/123", "", "/c/api/123", ""},
        {"/c/[a-z0-9]+/[0-9]+/", "/c/api/123/test3", "", "/test3", "/c/api/123/"},
        {"/c/[a-z0-9]+/[0-9]+/", "/c/api/abc/test4", "", "/c/api/abc/test4", ""},
        {"/a/api/", "/a/api/a%2Fb", "", "/a%2Fb", "/a/api/"},
        {"/b/([a-z0-9]+)/", "/b/ap%69/test", "/b/api/test", "/test", "/b/api/"},
        {"/b/([a-z0-9]+)/", "/b/ap%69/a%2Fb", "/b/api/a%2Fb", "/a%2Fb", "/b/api/"},
        {"/t /test", "/t%20/test/a%2Fb", "/t /test/a%2Fb", "/a%2Fb", "/t /test"},
        // Sluice's own: the query stays; a match that is not a prefix strips nothing.
        {"/api/", "/api/x?q=1", "", "/x?q=1", "/api/"},
        {"/api/", "/v1/api/x", "", "/v1/api/x", ""},
    };
    for (const auto& c : cases) {
        const auto got = rewrite(std::string("regex = ['") + c.regex + "']", c.target, "X-Forwarded-Prefix", c.routing);
        EXPECT_EQ(got.verdict, sluice::sdk::verdict::proceed) << c.regex;
        EXPECT_EQ(got.target, c.want) << c.regex << " on " << c.target;
        EXPECT_EQ(got.header, c.prefix) << c.regex << " on " << c.target;
    }
}

TEST(stripprefixregex, the_first_expression_that_matches_strips) {
    const auto got = rewrite(R"(regex = ["/x/", "/a/[0-9]+/", "/a/"])", "/a/12/b", "X-Forwarded-Prefix");
    EXPECT_EQ(got.target, "/b");
    EXPECT_EQ(got.header, "/a/12/");
    // The label form: one comma-separated string.
    EXPECT_EQ(rewrite(R"(regex = "/x/, /a/")", "/a/b", "X-Forwarded-Prefix").target, "/b");
}

TEST(stripprefixregex, a_stripped_path_that_climbs_out_is_refused) {
    const auto got = rewrite(R"(regex = ["/a/"])", "/a/../etc", "X-Forwarded-Prefix", "/a/../etc");
    EXPECT_EQ(got.verdict, sluice::sdk::verdict::respond);
    EXPECT_EQ(got.status, 400);
}

TEST(stripprefixregex, an_invalid_expression_is_refused_naming_it) {
    const std::string why = refusal(R"(regex = ["/ok/", "/b/(["])");
    EXPECT_NE(why.find("regex[1]"), std::string::npos) << why;
}

}  // namespace
