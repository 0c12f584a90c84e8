// Traefik's replace_path_regex_test cases, Go's replacement syntax, and Sluice's own.
#include <re2/re2.h>

#include "go_replace.hpp"
#include "rewrite_test_support.hpp"

namespace {

using sluice::path_edit::test::refusal;
using sluice::path_edit::test::rewrite;

std::string config(const char* regex, const char* replacement) {
    return std::string("regex = '") + regex + "'\nreplacement = '" + replacement + "'\n";
}

TEST(replacepathregex, traefik_cases) {
    struct {
        const char* regex;
        const char* replacement;
        const char* target;
        const char* want;
        const char* replaced;  // X-Replaced-Path, "" when nothing matched
    } cases[] = {
        {"^/whoami/(.*)", "/who-am-i/$1", "/whoami/and/whoami", "/who-am-i/and/whoami", "/whoami/and/whoami"},
        {"/whoami", "/who-am-i", "/whoami/and/whoami", "/who-am-i/and/who-am-i", "/whoami/and/whoami"},
        {"/whoami", "", "/whoami/and/whoami", "/and", "/whoami/and/whoami"},
        {"/whoami", " ", "/whoami/and/whoami", "/and", "/whoami/and/whoami"},  // trimmed
        {"/no-match", "/whoami", "/whoami/and/whoami", "/whoami/and/whoami", ""},
        {"^(?i)/downloads/([^/]+)/([^/]+)$", "/downloads/$1-$2", "/downloads/src/source.go", "/downloads/src-source.go",
         "/downloads/src/source.go"},
        {"/aaa/bbb", "/foo%2Fbar", "/aaa/bbb", "/foo%2Fbar", "/aaa/bbb"},
        {"/aaa%2Fbbb", "/foo/bar", "/aaa%2Fbbb", "/foo/bar", "/aaa%2Fbbb"},  // matched on the encoded path
        {"/aaa/bbb", "/foo/bar", "/aaa%2Fbbb", "/aaa%2Fbbb", ""},
        {"^/foo/(.*)", "/$1", "/foo/%08bar", "/%08bar", "/foo/%08bar"},
        // Sluice's own: the query stays, named groups, ${n}.
        {"^/api/(?P<rest>.*)", "/v2/${rest}", "/api/users?x=1", "/v2/users?x=1", "/api/users"},
        {"^/(a)(b)", "/${2}x${1}", "/ab", "/bxa", "/ab"},
    };
    for (const auto& c : cases) {
        const auto got = rewrite(config(c.regex, c.replacement), c.target, "X-Replaced-Path");
        EXPECT_EQ(got.verdict, sluice::sdk::verdict::proceed) << c.regex;
        EXPECT_EQ(got.target, c.want) << c.regex << " -> " << c.replacement << " on " << c.target;
        EXPECT_EQ(got.header, c.replaced) << c.regex;
    }
}

TEST(replacepathregex, an_invalid_result_is_answered_locally) {
    // A replacement that leaves a broken escape: 500, as Traefik; one that climbs out: 400.
    auto broken = rewrite(config("^/a", "/%zz"), "/a", "X-Replaced-Path");
    EXPECT_EQ(broken.verdict, sluice::sdk::verdict::respond);
    EXPECT_EQ(broken.status, 500);
    auto climbing = rewrite(config("^/a/(.*)", "/b/../$1"), "/a/x", "X-Replaced-Path");
    EXPECT_EQ(climbing.verdict, sluice::sdk::verdict::respond);
    EXPECT_EQ(climbing.status, 400);
}

TEST(replacepathregex, an_invalid_regex_is_refused_with_the_reason) {
    const std::string why = refusal(config("^(?err)/invalid/regexp/([^/]+)$", "/valid/$1"));
    EXPECT_NE(why.find("regex"), std::string::npos) << why;
    EXPECT_NE(why.find("not a valid regular expression"), std::string::npos) << why;
}

// Go's Regexp.ReplaceAllString, whose template syntax Traefik users write.
TEST(go_replace, expands_as_go_does) {
    struct {
        const char* regex;
        const char* text;
        const char* tpl;
        const char* want;
    } cases[] = {
        {"a(x*)b", "-ab-axxb-", "${1}W", "-W-xxW-"},
        {"a(x*)b", "-ab-axxb-", "$1W", "---"},  // $1W names group "1W": nothing
        {"a(x*)b", "-ab-axxb-", "$$1", "-$1-$1-"},
        {"a(x*)b", "-ab-axxb-", "${1", "-${1-${1-"},  // malformed: kept as written
        {"a*", "baaac", "x", "xbxcx"},               // empty matches, not right after a match
        {"", "abc", "-", "-a-b-c-"},
        {"(?P<first>\\w+) (?P<last>\\w+)", "Ada Lovelace", "$last, $first", "Lovelace, Ada"},
        {"x(y)?", "x", "[$1]", "[]"},  // a group that took no part
    };
    for (const auto& c : cases) {
        RE2 re(c.regex);
        ASSERT_TRUE(re.ok()) << c.regex;
        EXPECT_EQ(sluice::path_edit::go_replace_all(re, c.text, c.tpl), c.want) << c.regex << " / " << c.tpl;
    }
}

}  // namespace
