// Traefik's redirect_regex_test cases (a request "https://..." there needs TLS, which no
// entry point has yet: those cases wait for it), and Sluice's own.
#include "redirect_test_support.hpp"

namespace {

using sluice::redirect::test::expect;
using sluice::redirect::test::refusal;
using sluice::redirect::test::run;

std::string config(const char* regex, const char* replacement, bool permanent = false) {
    return std::string("regex = '") + regex + "'\nreplacement = '" + replacement + "'\npermanent = " +
           (permanent ? "true" : "false") + "\n";
}

TEST(redirectregex, traefik_cases) {
    struct {
        std::string config;
        const char* host;
        const char* target;
        const char* method;
        const char* proto;
        std::uint16_t status;  // 0: the request goes on
        const char* location;
    } cases[] = {
        {config(R"(^(?:http?:\/\/)(foo)(\.com)(:\d+)(.*)$)", "https://${1}bar$2:443$4"), "foo.com:80", "/", "GET", "",
         302, "https://foobar.com:443/"},
        {config(R"(^(?:http?:\/\/)(foo)(\.com)(:\d+)(.*)$)", "https://${1}bar$2:443$4"), "bar.com:80", "/", "GET", "", 0,
         ""},
        {config("^(.*)$", "http://192.168.0.%31/"), "foo.com:80", "/", "GET", "", 502, ""},  // not a URL
        {config("^http://", "https://$1", true), "foo", "/", "GET", "", 301, "https://foo/"},
        {config("http://foo:80", "https://foo:443"), "foo:80", "/", "GET", "", 302, "https://foo:443/"},
        // X-Forwarded-Proto is not the URL the regex sees.
        {config("http://foo:80", "https://foo:443"), "foo:80", "/", "GET", "https", 302, "https://foo:443/"},
        {config("http://foo:80", "http://foo:88"), "foo:80", "/", "GET", "", 302, "http://foo:88/"},
        {config("^http://", "https://$1"), "foo", "/", "POST", "", 307, "https://foo/"},
        {config("(https?)://[^/:]+(:[0-9]+)?/(.*)", "$1://example.com$2/$3", true), "www.example.com", "/path", "GET", "",
         301, "http://example.com/path"},
        {config("(https?)://[^/:]+(:[0-9]+)?/(.*)", "$1://example.com$2/$3", true), "www.example.com:8080", "/path",
         "GET", "", 301, "http://example.com:8080/path"},
        {config("(https?)://[^/:]+(:[0-9]+)?/(.*)", "$1://example.com$2/$3", true), "www.example.com", "/", "GET", "",
         301, "http://example.com/"},
        {config("^http://", "https://$1", true), "foo", "/", "POST", "", 308, "https://foo/"},
        // Sluice's own: a replacement giving the same URL lets the request on; the query is in
        // the URL; a space and bytes past ASCII are escaped; a broken escape is not a URL.
        {config("^http://foo/(.*)", "http://foo/$1"), "foo", "/x", "GET", "", 0, ""},
        {config(R"(^http://foo/\?q=(.*))", "http://bar/search?q=$1"), "foo", "/?q=1", "GET", "", 302,
         "http://bar/search?q=1"},
        {config("^http://foo/", "http://bar/a b\xc3\xa9"), "foo", "/", "GET", "", 302, "http://bar/a%20b%C3%A9"},
        {config("^http://foo/", "http://bar/%zz"), "foo", "/", "GET", "", 502, ""},
        {"regex = '^http://foo/'\nreplacement = \"http://bar/\\u0001\"", "foo", "/", "GET", "", 502, ""},
    };
    for (const auto& c : cases) expect(c.config, {c.host, c.target, c.method, c.proto}, c.status, c.location);
}

TEST(redirectregex, configuration_errors_name_the_key) {
    const std::string invalid = refusal(config("^(.*", "$1"));
    EXPECT_NE(invalid.find("regex"), std::string::npos) << invalid;
    EXPECT_NE(invalid.find("not a valid regular expression"), std::string::npos) << invalid;
    EXPECT_NE(refusal("regex = '^/'").find("replacement"), std::string::npos);
    EXPECT_NE(refusal("replacement = '/'").find("regex"), std::string::npos);
}

}  // namespace
