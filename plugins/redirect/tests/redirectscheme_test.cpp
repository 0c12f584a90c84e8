// Traefik's redirect_scheme_test cases (a request "https://..." there is one whose
// X-Forwarded-Proto says https here: every entry point is plain HTTP), and Sluice's own.
#include "redirect_test_support.hpp"

namespace {

using sluice::redirect::test::expect;
using sluice::redirect::test::refusal;
using sluice::redirect::test::run;

TEST(redirectscheme, traefik_cases) {
    struct {
        const char* config;
        const char* proto;  // X-Forwarded-Proto ("": none, as a plain connection)
        const char* host;
        const char* target;
        const char* method;
        std::uint16_t status;  // 0: the request goes on
        const char* location;
    } cases[] = {
        {"scheme = 'https'", "", "foo", "/", "GET", 302, "https://foo/"},
        {"scheme = 'https'", "http", "foo", "/", "GET", 302, "https://foo/"},
        {"scheme = 'https'", "https", "foo", "/", "GET", 0, ""},
        {"scheme = 'https'", "bar", "foo", "/", "GET", 302, "https://foo/"},  // unknown: the connection's
        {"scheme = 'https'", "ws", "foo", "/", "GET", 302, "https://foo/"},
        {"scheme = 'https'", "wss", "foo", "/", "GET", 0, ""},
        {"scheme = 'https'", "", "foo:8080", "/", "GET", 302, "https://foo/"},
        {"scheme = 'https'\nport = '8443'", "", "foo", "/", "GET", 302, "https://foo:8443/"},
        {"scheme = 'https'\nport = '8443'", "", "foo:8000", "/", "GET", 302, "https://foo:8443/"},
        {"scheme = 'https'\nport = '8443'", "https", "foo:8000", "/", "GET", 302, "https://foo:8443/"},
        {"scheme = 'https'", "https", "foo:8000", "/", "GET", 302, "https://foo/"},
        {"scheme = 'https'", "https", "foo:8000", "/theother", "GET", 302, "https://foo/theother"},
        {"scheme = 'https'\nport = '8443'\npermanent = true", "", "foo", "/", "GET", 301, "https://foo:8443/"},
        {"scheme = 'http'\nport = '80'", "", "foo:80", "/", "GET", 0, ""},
        {"scheme = 'https'\nport = '443'", "https", "foo:443", "/", "GET", 0, ""},
        {"scheme = 'wss'\nport = '9443'", "", "foo", "/", "GET", 302, "wss://foo:9443/"},
        {"scheme = 'wss'", "", "foo", "/", "GET", 302, "wss://foo/"},
        {"scheme = 'wss'", "", "foo:5678", "/", "GET", 302, "wss://foo/"},
        {"scheme = 'https'", "", "foo:443", "/", "GET", 302, "https://foo/"},
        {"scheme = 'http'\nport = '8181'", "", "foo:8080", "/", "GET", 302, "http://foo:8181/"},
        {"scheme = 'https'", "https", "foo:80", "/", "GET", 302, "https://foo/"},
        {"scheme = 'https'", "", "[::1]", "/", "GET", 302, "https://[::1]/"},
        {"scheme = 'https'\nport = '8443'", "", "[::1]", "/", "GET", 302, "https://[::1]:8443/"},
        {"scheme = 'https'", "", "[::1]:80", "/", "GET", 302, "https://[::1]/"},
        {"scheme = 'https'\nport = '8443'", "", "[::1]:80", "/", "GET", 302, "https://[::1]:8443/"},
        // Sluice's own: other methods keep theirs (307/308), the query stays, a port as an integer.
        {"scheme = 'https'", "", "foo", "/a?b=c", "POST", 307, "https://foo/a?b=c"},
        {"scheme = 'https'\npermanent = true", "", "foo", "/", "PUT", 308, "https://foo/"},
        {"scheme = 'https'\nport = 8443", "", "foo", "/", "GET", 302, "https://foo:8443/"},
    };
    for (const auto& c : cases) expect(c.config, {c.host, c.target, c.method, c.proto}, c.status, c.location);
}

TEST(redirectscheme, configuration_errors_name_the_key) {
    EXPECT_NE(refusal("port = '8443'").find("scheme"), std::string::npos);
    EXPECT_NE(refusal("scheme = ''").find("may not be empty"), std::string::npos);
    EXPECT_NE(refusal("scheme = 'https'\nport = 'x'").find("port"), std::string::npos);
    EXPECT_NE(refusal("scheme = 'https'\nport = 70000").find("out of range"), std::string::npos);
    EXPECT_NE(refusal("scheme = 'https'\npermanant = true").find("permanant"), std::string::npos);
}

}  // namespace
