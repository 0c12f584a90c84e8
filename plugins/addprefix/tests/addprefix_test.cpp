// Traefik's add_prefix_test cases, and Sluice's own.
#include "rewrite_test_support.hpp"

namespace {

using sluice::path_edit::test::refusal;
using sluice::path_edit::test::rewrite;

TEST(addprefix, traefik_cases) {
    struct {
        const char* config;
        const char* target;
        const char* want;
    } cases[] = {
        {R"(prefix = "/foo")", "/bar", "/foo/bar"},
        {R"(prefix = "/foo")", "/bar%2Fbaz", "/foo/bar%2Fbaz"},  // the raw path gets it too
        {R"(prefix = "/foo/")", "/bar", "/foo//bar"},
        {R"(prefix = "foo")", "/bar", "/foo/bar"},  // a leading slash ensured
        {R"(prefix = "/foo")", "/bar?a=1&b", "/foo/bar?a=1&b"},
        {R"(prefix = "/a b")", "/c", "/a%20b/c"},  // what a path may not hold is escaped
    };
    for (const auto& c : cases) {
        const auto got = rewrite(c.config, c.target, "X-Forwarded-Prefix");
        EXPECT_EQ(got.verdict, sluice::sdk::verdict::proceed);
        EXPECT_EQ(got.target, c.want) << c.config << " " << c.target;
    }
}

TEST(addprefix, an_empty_or_missing_prefix_is_refused) {
    EXPECT_NE(refusal(R"(prefix = "")").find("cannot be empty"), std::string::npos) << refusal(R"(prefix = "")");
    EXPECT_NE(refusal("").find("prefix"), std::string::npos);
    EXPECT_NE(refusal(R"(prefix = "/a"
other = 1)").find("other"), std::string::npos);
}

}  // namespace
