// Traefik's replace_path_test cases, and Sluice's own.
#include "rewrite_test_support.hpp"

namespace {

using sluice::path_edit::test::refusal;
using sluice::path_edit::test::rewrite;

TEST(replacepath, traefik_cases) {
    struct {
        const char* config;
        const char* target;
        const char* want;
        const char* replaced;  // X-Replaced-Path: the original path, as it was sent
    } cases[] = {
        {R"(path = "/replacement-path")", "/from/here", "/replacement-path", "/from/here"},
        {R"(path = "/replacement-path")", "/all/my/paths", "/replacement-path", "/all/my/paths"},
        {R"(path = "/replacement-path")", "/%5B/my/paths", "/replacement-path", "/%5B/my/paths"},
        {R"(path = "/foo%2Fbar")", "/aaa/bbb", "/foo%2Fbar", "/aaa/bbb"},  // an escape kept as written
        {R"(path = "/foo/%2F/bar")", "/aaa/bbb", "/foo/%2F/bar", "/aaa/bbb"},
        {R"(path = "/foo")", "/aaa?x=1", "/foo?x=1", "/aaa"},  // the query stays
    };
    for (const auto& c : cases) {
        const auto got = rewrite(c.config, c.target, "X-Replaced-Path");
        EXPECT_EQ(got.verdict, sluice::sdk::verdict::proceed);
        EXPECT_EQ(got.target, c.want) << c.config << " " << c.target;
        EXPECT_EQ(got.header, c.replaced) << c.config << " " << c.target;
    }
}

TEST(replacepath, a_path_with_a_broken_escape_is_refused) {
    EXPECT_NE(refusal(R"(path = "/a%zz")").find("does not start an escape"), std::string::npos)
        << refusal(R"(path = "/a%zz")");
    EXPECT_NE(refusal("").find("path"), std::string::npos);
}

}  // namespace
